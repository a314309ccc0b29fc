"""The Compute API: paste factories for the apps and filters in compute-api-paste.ini."""
from oslo_middleware import request_id

from pocketstack.common import middleware
from pocketstack.common import wsgi
from pocketstack.compute.rest import faults
from pocketstack.compute.service import ComputeService


def versions_factory(global_conf, **local_conf):
    from pocketstack.compute.rest import versions
    return versions.versions_app


def router_factory(global_conf, **local_conf):
    """``APIRouterV21``; ``legacy = true`` serves ``/v2`` as version 2.0."""
    from pocketstack.compute.rest import router
    legacy = local_conf.get('legacy', 'false').lower() == 'true'
    return router.api_router(ComputeService.from_paste(global_conf), legacy=legacy)


class ComputeRequestId(request_id.RequestId):
    """The request id, also as ``x-compute-request-id``: Nova's name for it
    before oslo's, which clients (and Tempest) still read."""
    compat_headers = ['x-compute-request-id']


faultwrap_factory = wsgi.faultwrap_factory_for(faults.RENDERER)


keystonecontext_factory = middleware.filter_factory_for(middleware.ContextMiddleware)
noauth2_factory = middleware.filter_factory_for(middleware.NoAuthMiddleware)
