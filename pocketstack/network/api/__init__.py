"""The Network API (Neutron v2.0): paste factories for network-api-paste.ini."""
from pocketstack.common import middleware
from pocketstack.common import wsgi
from pocketstack.network.api import faults
from pocketstack.network.service import NetworkService


def versions_factory(global_conf, **local_conf):
    from pocketstack.network.api import versions
    return versions.versions_app


def v2_factory(global_conf, **local_conf):
    from pocketstack.network.api import router
    return router.v2_router(NetworkService.from_paste(global_conf))


faultwrap_factory = wsgi.faultwrap_factory_for(faults.RENDERER)
keystonecontext_factory = middleware.filter_factory_for(middleware.ContextMiddleware)
noauth_factory = middleware.filter_factory_for(middleware.NoAuthMiddleware)
