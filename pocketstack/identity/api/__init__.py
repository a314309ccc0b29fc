"""The Identity API: paste factories for the apps and filters in
identity-api-paste.ini."""
from pocketstack.common import wsgi
from pocketstack.identity.api import faults
from pocketstack.identity.service import IdentityService

_service = IdentityService.from_paste


def versions_factory(global_conf, **local_conf):
    from pocketstack.identity.api import versions
    return versions.VersionsApp(_service(global_conf))


def v3_factory(global_conf, **local_conf):
    from pocketstack.identity.api import router
    return router.v3_router(_service(global_conf))


def v2_factory(global_conf, **local_conf):
    from pocketstack.identity.api import router
    return router.v2_router(_service(global_conf))


faultwrap_factory = wsgi.faultwrap_factory_for(faults.RENDERER)


def authcontext_factory(global_conf, **local_conf):
    from pocketstack.identity.api import middleware
    service = _service(global_conf)

    def filter_(app):
        return middleware.AuthContextMiddleware(app, service)
    return filter_
