"""The v2 API's routes: each path and the controller action of each method."""
from pocketstack.common import wsgi
from pocketstack.image.api import discovery, faults, image_data, images, members

Route = wsgi.Route


def v2_router(service):
    imgs = images.ImagesController(service)
    data = image_data.ImageDataController(service)
    mbrs = members.MembersController(service)
    info = discovery.DiscoveryController(service)
    image = '/images/{image_id}'
    table = [
        Route('/images', GET=(imgs, 'index'), POST=(imgs, 'create')),
        Route(image, GET=(imgs, 'show'), PATCH=(imgs, 'update'), DELETE=(imgs, 'delete')),
        Route(image + '/file', GET=(data, 'download'), PUT=(data, 'upload')),
        Route(image + '/stage', PUT=(data, 'stage')),
        Route(image + '/import', POST=(data, 'import_')),
        Route(image + '/actions/deactivate', POST=(imgs, 'deactivate')),
        Route(image + '/actions/reactivate', POST=(imgs, 'reactivate')),
        Route(image + '/tags/{tag}', PUT=(imgs, 'add_tag'), DELETE=(imgs, 'delete_tag')),
        Route(image + '/members', GET=(mbrs, 'index'), POST=(mbrs, 'create')),
        Route(image + '/members/{member_id}', GET=(mbrs, 'show'), PUT=(mbrs, 'update'),
              DELETE=(mbrs, 'delete')),
        Route('/info/import', GET=(info, 'import_methods')),
        Route('/info/stores', GET=(info, 'stores')),
        Route('/schemas/{name}', GET=(info, 'schema')),
    ]
    return wsgi.Router(table, faults.RENDERER)
