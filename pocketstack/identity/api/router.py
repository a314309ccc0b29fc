"""The Identity API's route tables.

Each controller module offers ``routes(service)``: a list of
``wsgi.Route(path, GET=(controller, 'action'), ...)``.  The v3 app serves the
union (paths relative to ``/v3``); the v2.0 app serves the legacy token call.
"""
import importlib

from pocketstack.common import wsgi
from pocketstack.identity.api import faults

V3_MODULES = ['versions_v3', 'auth', 'domains', 'projects', 'users', 'groups',
              'roles', 'assignments', 'catalog', 'application_credentials']


def v3_router(service):
    table = []
    for name in V3_MODULES:
        module = importlib.import_module('pocketstack.identity.api.' + name)
        table.extend(module.routes(service))
    return wsgi.Router(table, faults.RENDERER)


def v2_router(service):
    from pocketstack.identity.api import auth_v2
    return wsgi.Router(auth_v2.routes(service), faults.RENDERER)
