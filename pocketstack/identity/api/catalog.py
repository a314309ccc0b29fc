"""``/v3/regions``, ``/v3/services`` and ``/v3/endpoints``: the catalog as
operators edit it (tokens show it through core/catalog.py)."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common
from pocketstack.identity.core import catalog as catalog_core

STRING = {'type': 'string', 'minLength': 1, 'maxLength': 255}
NULLABLE_ID = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}

REGION_PROPERTIES = {'id': STRING, 'description': api_common.NULLABLE_STRING,
                     'parent_region_id': NULLABLE_ID}
SERVICE_PROPERTIES = {'type': STRING, 'name': {'type': ['string', 'null'], 'maxLength': 255},
                      'description': api_common.NULLABLE_STRING, 'enabled': {'type': 'boolean'}}
ENDPOINT_PROPERTIES = {'service_id': STRING,
                       'interface': {'type': 'string', 'enum': list(catalog_core.INTERFACES)},
                       'url': {'type': 'string', 'minLength': 1, 'maxLength': 2048},
                       'region_id': NULLABLE_ID, 'region': NULLABLE_ID,
                       'enabled': {'type': 'boolean'}}

SCHEMAS = {
    'create_region': api_common.entity_schema('region', REGION_PROPERTIES),
    'update_region': api_common.entity_schema(
        'region', {k: v for k, v in REGION_PROPERTIES.items() if k != 'id'}, update=True),
    'create_service': api_common.entity_schema('service', SERVICE_PROPERTIES,
                                               required=['type']),
    'update_service': api_common.entity_schema('service', SERVICE_PROPERTIES, update=True),
    'create_endpoint': api_common.entity_schema('endpoint', ENDPOINT_PROPERTIES,
                                                required=['service_id', 'interface', 'url']),
    'update_endpoint': api_common.entity_schema('endpoint', ENDPOINT_PROPERTIES, update=True),
}
LIST_FILTERS = {'regions': ('parent_region_id',),
                'services': ('type', 'name', 'enabled'),
                'endpoints': ('interface', 'service_id', 'region_id', 'enabled')}


def _render(req, collection, ref):
    if collection == 'services':
        # As Keystone: a service's name and description only when set.
        ref = {k: v for k, v in ref.items()
               if not (k in ('name', 'description') and v is None)}
    return api_common.with_links(req, collection, ref)


class CatalogController:
    """CRUD of one catalog entity: ``region``, ``service`` or ``endpoint``."""

    def __init__(self, service, entity):
        self.service = service
        self.entity = entity
        self.collection = entity + 's'

    def _call(self, action, *args):
        return getattr(self.service.catalog, '%s_%s' % (action, self.entity))(*args)

    def _enforce(self, req, action, ident=None):
        target = {'%s_id' % self.entity: ident} if ident else {}
        api_common.enforce(req, self.service, '%s_%s' % (action, self.entity), target)

    def index(self, req):
        api_common.enforce(req, self.service, 'list_%s' % self.collection)
        refs = getattr(self.service.catalog, 'list_%s' % self.collection)()
        refs = api_common.filter_refs(req, refs, LIST_FILTERS[self.collection])
        return api_common.collection(req, self.collection,
                                     [_render(req, self.collection, r) for r in refs])

    @wsgi.status(201)
    def create(self, req):
        self._enforce(req, 'create')
        body = self._body(req, 'create')
        values = dict(body[self.entity])
        if self.entity != 'region':
            values.pop('id', None)  # ours to choose; a region's id is the operator's
        ref = self._call('create', values)
        return {self.entity: _render(req, self.collection, ref)}

    def show(self, req, ident):
        self._enforce(req, 'get', ident)
        return {self.entity: _render(req, self.collection, self._call('get', ident))}

    def update(self, req, ident):
        self._enforce(req, 'update', ident)
        values = dict(self._body(req, 'update')[self.entity])
        values.pop('id', None)
        ref = self._call('update', ident, values)
        return {self.entity: _render(req, self.collection, ref)}

    def delete(self, req, ident):
        self._enforce(req, 'delete', ident)
        self._call('delete', ident)

    def _body(self, req, action):
        """The validated body (after policy: a caller without the right learns
        nothing from our validation errors)."""
        body = req.json_body()
        if body is None:
            raise exception.ValidationError('Request body is required.')
        wsgi.check_schema(SCHEMAS['%s_%s' % (action, self.entity)], body)
        return body


def routes(service):
    table = []
    for entity in ('region', 'service', 'endpoint'):
        ctl = CatalogController(service, entity)
        table.append(wsgi.Route('/%ss' % entity, GET=(ctl, 'index'), POST=(ctl, 'create')))
        table.append(wsgi.Route('/%ss/{ident}' % entity, GET=(ctl, 'show'),
                                PATCH=(ctl, 'update'), DELETE=(ctl, 'delete')))
    return table
