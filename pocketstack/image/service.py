"""The Image service object: configuration, database, policy, store, managers.

One instance per running image API, built on first use by the paste
factories.  Controllers reach everything through it:

    service.images    image records, visibility, listing   core/images.py
    service.data      upload, download, stage, import      core/data.py
    service.members   sharing with other projects          core/members.py
    service.store     where image bytes live               store/
"""
from oslo_config import cfg

from pocketstack.common import service

API_NAME = 'image'
DEFAULT_PORT = 9292

image_opts = [
    cfg.IntOpt('image_size_cap', default=1099511627776, min=1,
               help='Largest image, in bytes, an upload may store (413 beyond it).'),
    cfg.IntOpt('limit_param_default', default=25, min=1,
               help='Images per page when a list request gives no limit.'),
    cfg.IntOpt('api_limit_max', default=1000, min=1,
               help='Largest page a list request may ask for.'),
    cfg.IntOpt('image_property_quota', default=128,
               help='Most custom properties one image may have (-1: unlimited).'),
    cfg.IntOpt('image_tag_quota', default=128,
               help='Most tags one image may have (-1: unlimited).'),
    cfg.IntOpt('image_member_quota', default=128,
               help='Most members one image may have (-1: unlimited).'),
    cfg.ListOpt('enabled_import_methods', default=['glance-direct'],
                help='Interoperable import methods offered (only glance-direct '
                     'is implemented: web-download would need the internet).'),
    cfg.StrOpt('staging_dir', default='$state_path/image-staging',
               help='Where glance-direct keeps staged data until it is imported.'),
    cfg.StrOpt('upload_lock_dir', default='$state_path/image-locks',
               help='Where each upload holds the lock file of its image, so that an '
                    'image API starting can tell an upload in progress from one a '
                    'dead process left.  Every image API process sharing the '
                    'database must share it (as they share the store).'),
    cfg.StrOpt('default_image_name', default='cirros-0.6.3-x86_64-disk',
               help='Name of the small public image `pocketstack up` registers on '
                    'first start, as DevStack registers cirros (its data is an '
                    'empty 1 GiB qcow2 disk: the fake hypervisor boots anything).'),
]
store_opts = [
    cfg.StrOpt('default_store', default='file',
               help='Store driver holding image data (entry point in '
                    'pocketstack.image.stores).'),
    cfg.StrOpt('filesystem_store_datadir', default='$state_path/images',
               help='Directory of the filesystem store.'),
]


class ImageService(service.Service):

    name = API_NAME
    apis = ((API_NAME, DEFAULT_PORT),)
    options = {None: image_opts, 'glance_store': store_opts}
    authtoken = True

    def __init__(self, conf):
        from pocketstack.image import store
        from pocketstack.image.core import data, images, members
        super().__init__(conf)
        self.store = store.load(conf)
        self.images = images.ImageManager(self)
        self.members = members.MemberManager(self)
        self.data = data.DataManager(self)

    def start(self):
        self.data.recover()
