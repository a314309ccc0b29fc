"""``/v3/domains``."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common

OPTIONS = {'type': 'object', 'additionalProperties': False,
           'properties': {'immutable': {'type': ['boolean', 'null']}}}
PROPERTIES = {
    'name': api_common.NAME,
    'description': api_common.NULLABLE_STRING,
    'enabled': {'type': 'boolean'},
    'options': OPTIONS,
}
CREATE_SCHEMA = api_common.entity_schema('domain', PROPERTIES, required=['name'])
UPDATE_SCHEMA = api_common.entity_schema('domain', PROPERTIES, update=True)


def _values(body):
    values = dict(body['domain'])
    values.pop('id', None)  # ids are ours to choose
    if values.pop('tags', None):
        raise exception.ValidationError('Invalid input for field domain/tags: domains '
                                        'have no tags here; tag projects instead.')
    return values


class DomainsController:

    def __init__(self, service):
        self.service = service

    def _render(self, req, ref):
        return {'domain': api_common.with_links(req, 'domains', ref)}

    def index(self, req):
        api_common.enforce(req, self.service, 'list_domains')
        refs = api_common.filter_refs(req, self.service.resource.list_domains(),
                                      ('name', 'enabled'))
        return api_common.collection(req, 'domains', refs)

    @wsgi.validate(CREATE_SCHEMA)
    @wsgi.status(201)
    def create(self, req, body):
        api_common.enforce(req, self.service, 'create_domain')
        return self._render(req, self.service.resource.create_domain(_values(body)))

    def show(self, req, domain_id):
        api_common.enforce(req, self.service, 'get_domain', {'domain_id': domain_id})
        return self._render(req, self.service.resource.get_domain(domain_id))

    @wsgi.validate(UPDATE_SCHEMA)
    def update(self, req, domain_id, body):
        api_common.enforce(req, self.service, 'update_domain', {'domain_id': domain_id})
        return self._render(req, self.service.resource.update_domain(domain_id,
                                                                     _values(body)))

    def delete(self, req, domain_id):
        api_common.enforce(req, self.service, 'delete_domain', {'domain_id': domain_id})
        self.service.resource.delete_domain(domain_id)


def routes(service):
    ctl = DomainsController(service)
    return [
        wsgi.Route('/domains', GET=(ctl, 'index'), POST=(ctl, 'create')),
        wsgi.Route('/domains/{domain_id}', GET=(ctl, 'show'), PATCH=(ctl, 'update'),
                   DELETE=(ctl, 'delete')),
    ]
