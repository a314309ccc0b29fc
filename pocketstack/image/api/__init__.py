"""The Image API: paste factories for the apps and filters in image-api-paste.ini."""
from pocketstack.common import middleware
from pocketstack.common import wsgi
from pocketstack.image.api import faults
from pocketstack.image.service import ImageService


def versions_factory(global_conf, **local_conf):
    from pocketstack.image.api import versions
    return versions.versions_app


def v2_factory(global_conf, **local_conf):
    from pocketstack.image.api import router
    return router.v2_router(ImageService.from_paste(global_conf))


def versionnegotiation_factory(global_conf, **local_conf):
    from pocketstack.image.api import versions
    return versions.VersionNegotiation


faultwrap_factory = wsgi.faultwrap_factory_for(faults.RENDERER)


context_factory = middleware.filter_factory_for(middleware.ContextMiddleware)
noauth_factory = middleware.filter_factory_for(middleware.NoAuthMiddleware)
