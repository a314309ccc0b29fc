"""The small public image ``pocketstack up`` registers on first start, as
DevStack registers cirros, so ``openstack server create --image`` has
something to boot.  Its data is an empty qcow2 disk made here (256 KiB,
1 GiB virtual): the fake hypervisor boots any image, and nothing has to be
downloaded."""
import logging

from pocketstack.common import context as ctx_mod
from pocketstack.common import qcow2

LOG = logging.getLogger(__name__)

def register(service, owner_project_id, name):
    """Create and upload the default image; returns it."""
    context = ctx_mod.admin_context()
    context.project_id = owner_project_id
    image = service.images.create(context, {
        'name': name, 'visibility': 'public', 'disk_format': 'qcow2',
        'container_format': 'bare', 'properties': {
            'description': 'Empty 1 GiB disk registered by pocketstack up; '
                           'the fake hypervisor boots it.'}})
    service.data.upload(context, image['id'], iter([qcow2.empty()]))
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
