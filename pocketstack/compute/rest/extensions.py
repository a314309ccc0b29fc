"""The route tables of the v2.1 API's extensions (entry points of
``pocketstack.compute.api.v21.extensions``; see router.py)."""
from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion

Route = wsgi.Route


def versions(service):
    from pocketstack.compute.rest import versions as versions_mod

    class VersionController:
        def show(self, req):
            legacy = microversion.api_version(req) == microversion.LEGACY
            return versions_mod.version_document(req, 'v2.0' if legacy else 'v2.1')
    return [Route('/', GET=(VersionController(), 'show'))]


def servers(service):
    from pocketstack.compute.rest import server_actions, servers as servers_mod
    ctl = servers_mod.ServersController(service)
    actions = server_actions.ServerActionsController(service)
    return [
        Route('/servers', GET=(ctl, 'index'), POST=(ctl, 'create')),
        Route('/servers/detail', GET=(ctl, 'detail')),
        Route('/servers/{server_id}', GET=(ctl, 'show'), PUT=(ctl, 'update'),
              DELETE=(ctl, 'delete')),
        Route('/servers/{server_id}/action', POST=(actions, 'action')),
    ]


def flavors(service):
    from pocketstack.compute.rest import flavors as flavors_mod
    ctl = flavors_mod.FlavorsController(service)
    return [
        Route('/flavors', GET=(ctl, 'index')),
        Route('/flavors/detail', GET=(ctl, 'detail')),
        Route('/flavors/{flavor_id}', GET=(ctl, 'show')),
    ]
