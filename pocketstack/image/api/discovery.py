"""``/v2/info/*`` and ``/v2/schemas/*``: what a client may ask before acting."""
from pocketstack.common import exception
from pocketstack.image.api import schemas


class DiscoveryController:

    def __init__(self, service):
        self.conf = service.conf
        self.store = service.store

    def import_methods(self, req):
        return {'import-methods': {'description': 'Import methods available.',
                                   'type': 'array',
                                   'value': list(self.conf.enabled_import_methods)}}

    def stores(self, req):
        return {'stores': [dict(self.store.info(), default=True)]}

    def schema(self, req, name):
        try:
            return schemas.PUBLISHED[name]
        except KeyError:
            raise exception.NotFound('No schema named %s.' % name)
