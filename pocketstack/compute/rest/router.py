"""The v2.1 API router (nova's ``APIRouterV21``).

Its resources come from the entry-point namespace
``pocketstack.compute.api.v21.extensions`` (seed 001 lists nova's
``nova.api.v21.extensions``): each extension module has ``routes(service)``
returning its route table.  ``/servers`` has the collection action ``detail``
and the member action ``action``.
"""
import logging

from pocketstack.common import wsgi
from pocketstack.compute.rest import faults
from pocketstack.compute.rest import microversion

LOG = logging.getLogger(__name__)

NAMESPACE = 'pocketstack.compute.api.v21.extensions'


def _load_failed(manager, entry_point, error):
    # A resource that cannot load is a broken install: refuse to start rather
    # than serve an API with holes in it.
    raise RuntimeError('Compute API extension %s (%s) failed to load: %s'
                       % (entry_point.name, entry_point.value, error)) from error


def load_routes(service):
    from stevedore import extension
    manager = extension.ExtensionManager(NAMESPACE, invoke_on_load=False,
                                         on_load_failure_callback=_load_failed)
    table = []
    for ext in sorted(manager, key=lambda e: e.name):
        LOG.debug('Loaded compute API extension %s', ext.name)
        table.extend(ext.plugin(service))
    return table


def api_router(service, legacy=False):
    router = wsgi.Router(load_routes(service), faults.RENDERER)
    return microversion.VersionedApp(router, faults.RENDERER, legacy=legacy)
