"""The v2.0 API router: every resource's collection and member URLs onto
its controller, as Neutron's ``APIRouter._map_resource`` maps them onto
plugin methods (seed 001's neutron-server).

    /networks                       GET index, POST create
    /networks/{id}                  GET show, PUT update, DELETE delete
    /routers/{id}/add_router_interface          PUT (member actions)
    /{collection}/{id}/tags[/{tag}]             the tag plugin
    /quotas…, /extensions…, /availability_zones
"""
from pocketstack.common import wsgi
from pocketstack.network.api import attributes
from pocketstack.network.api import controller as controller_mod
from pocketstack.network.api import extensions
from pocketstack.network.api import faults
from pocketstack.network.api import quotas
from pocketstack.network.api import tags
from pocketstack.network.api import versions

Route = wsgi.Route

# collection -> the plugin methods reached by PUT /{collection}/{id}/<action>
MEMBER_ACTIONS = {
    'routers': ('add_router_interface', 'remove_router_interface',
                'add_extraroutes', 'remove_extraroutes'),
}


class _MemberAction:
    """One member action as a controller method ``call(req, id)``."""

    def __init__(self, controller, action):
        self.controller = controller
        self.action = action

    def call(self, req, id):
        return self.controller.member_action(req, id, self.action)


def _resource_routes(service, resource):
    ctl = controller_mod.Controller(service, resource)
    collection = '/%s' % resource.collection
    member = collection + '/{id}'
    table = []
    methods = {'GET': (ctl, 'index')}
    if resource.writable:
        methods['POST'] = (ctl, 'create')
    table.append(Route(collection, **methods))
    methods = {'GET': (ctl, 'show')}
    if resource.writable or resource.deletable:
        methods['DELETE'] = (ctl, 'delete')
    if resource.updatable:
        methods['PUT'] = (ctl, 'update')
    table.append(Route(member, **methods))
    for action in MEMBER_ACTIONS.get(resource.collection, ()):
        table.append(Route(member + '/' + action, PUT=(_MemberAction(ctl, action), 'call')))
    if resource.taggable and 'tag' in service.service_plugins:
        tag = tags.TagsController(service, resource.collection)
        tag_path = collection + '/{resource_id}/tags'
        table += [Route(tag_path, GET=(tag, 'index'), PUT=(tag, 'update_all'),
                        DELETE=(tag, 'delete_all')),
                  Route(tag_path + '/{tag}', GET=(tag, 'show'), PUT=(tag, 'update'),
                        DELETE=(tag, 'delete'))]
    return table


def v2_router(service):
    table = [Route('/', GET=(versions.ResourcesController(service), 'index'))]
    for resource in attributes.RESOURCES.values():
        if service.plugin_for(resource.collection) is not None:
            table += _resource_routes(service, resource)
    ext = extensions.ExtensionsController(service)
    table += [Route('/extensions', GET=(ext, 'index')),
              Route('/extensions/{alias}', GET=(ext, 'show')),
              Route('/availability_zones',
                    GET=(extensions.AvailabilityZonesController(service), 'index'))]
    if 'quotas' in service.service_plugins:
        quota = quotas.QuotasController(service)
        table += [Route('/quotas', GET=(quota, 'index')),
                  Route('/quotas/tenant', GET=(quota, 'tenant')),
                  Route('/quotas/{project_id}', GET=(quota, 'show'), PUT=(quota, 'update'),
                        DELETE=(quota, 'delete')),
                  Route('/quotas/{project_id}/default', GET=(quota, 'defaults')),
                  Route('/quotas/{project_id}/details', GET=(quota, 'details'))]
    return wsgi.Router(table, faults.RENDERER)
