"""The small public image ``pocketstack up`` registers on first start, as
DevStack registers cirros, so ``openstack server create --image`` has
something to boot.  Its data is an empty qcow2 disk made here (256 KiB,
1 GiB virtual): the fake hypervisor boots any image, and nothing has to be
downloaded."""
import logging
import struct

from pocketstack.common import context as ctx_mod

LOG = logging.getLogger(__name__)

CLUSTER_BITS = 16
CLUSTER = 1 << CLUSTER_BITS
VIRTUAL_SIZE = 1 << 30


def empty_qcow2(virtual_size=VIRTUAL_SIZE):
    """An empty qcow2 (version 2) disk: header, refcount table and block, L1 table."""
    l2_coverage = CLUSTER * (CLUSTER // 8)
    l1_size = -(-virtual_size // l2_coverage)
    header = struct.pack('>4sIQIIQIIQQIIQ', b'QFI\xfb', 2, 0, 0, CLUSTER_BITS, virtual_size,
                         0, l1_size, 3 * CLUSTER, CLUSTER, 1, 0, 0)
    refcount_table = struct.pack('>Q', 2 * CLUSTER)
    refcount_block = struct.pack('>4H', 1, 1, 1, 1)  # clusters 0-3 are in use
    clusters = [header, refcount_table, refcount_block, b'']
    return b''.join(c.ljust(CLUSTER, b'\0') for c in clusters)


def register(service, owner_project_id, name):
    """Create and upload the default image; returns it."""
    context = ctx_mod.admin_context()
    context.project_id = owner_project_id
    image = service.images.create(context, {
        'name': name, 'visibility': 'public', 'disk_format': 'qcow2',
        'container_format': 'bare', 'properties': {
            'description': 'Empty 1 GiB disk registered by pocketstack up; '
                           'the fake hypervisor boots it.'}})
    service.data.upload(context, image['id'], iter([empty_qcow2()]))
    return service.images.get(context, image['id'])


def on_first_start(conf, identity):
    """``pocketstack up``'s hook: register the default image, owned by the
    admin project, in a new image database."""
    from pocketstack.image import service as image_service
    images = image_service.ImageService.for_conf(conf)
    if not images.schema_created:
        return
    admin = identity.resource.get_project_by_name('admin', 'default')
    image = register(images, admin['id'], conf.default_image_name)
    LOG.info('Registered the default image %s (%s)', image['name'], image['id'])
