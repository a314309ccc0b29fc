"""``/v3/roles``, implied roles (``/v3/roles/{prior}/implies/{implied}``) and
``/v3/role_inferences``."""
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common

OPTIONS = {'type': 'object', 'additionalProperties': False,
           'properties': {'immutable': {'type': ['boolean', 'null']}}}
PROPERTIES = {
    'name': api_common.NAME,
    'domain_id': api_common.NULLABLE_STRING,
    'description': {'type': ['string', 'null'], 'maxLength': 255},
    'options': OPTIONS,
}
CREATE_SCHEMA = api_common.entity_schema('role', PROPERTIES, required=['name'])
UPDATE_SCHEMA = api_common.entity_schema('role', PROPERTIES, update=True)


def render(req, ref):
    return api_common.with_links(req, 'roles', ref)


def _stanza(req, ref):
    """A role as an inference rule shows it: id, name and link only."""
    return {'id': ref['id'], 'name': ref['name'],
            'links': {'self': api_common.v3_url(req, 'roles', ref['id'])}}


def _values(body):
    values = dict(body['role'])
    values.pop('id', None)
    return values


class RolesController:

    def __init__(self, service):
        self.service = service

    def _enforce(self, req, action, domain_id=None, role_id=None):
        """Domain-specific roles answer to Keystone's *_domain_role rules."""
        if domain_id:
            action = action.replace('role', 'domain_role')
        return api_common.enforce(req, self.service, action,
                                  {'role_id': role_id, 'domain_id': domain_id})

    def _role(self, req, action, role_id):
        """The role, once the caller may ``action`` it (global rule first, so an
        unauthorized caller learns nothing about it)."""
        self._enforce(req, action, role_id=role_id)
        role = self.service.assignment.get_role(role_id)
        if role['domain_id']:
            self._enforce(req, action, role['domain_id'], role_id)
        return role

    def index(self, req):
        domain_id = req.GET.get('domain_id') or None
        self._enforce(req, 'list_roles', domain_id)
        refs = self.service.assignment.list_roles(domain_id=domain_id)
        refs = api_common.filter_refs(req, refs, ('name',))
        return api_common.collection(req, 'roles', refs)

    @wsgi.validate(CREATE_SCHEMA)
    @wsgi.status(201)
    def create(self, req, body):
        values = _values(body)
        self._enforce(req, 'create_role', values.get('domain_id'))
        return {'role': render(req, self.service.assignment.create_role(values))}

    def show(self, req, role_id):
        return {'role': render(req, self._role(req, 'get_role', role_id))}

    @wsgi.validate(UPDATE_SCHEMA)
    def update(self, req, role_id, body):
        self._role(req, 'update_role', role_id)
        return {'role': render(req, self.service.assignment.update_role(role_id,
                                                                        _values(body)))}

    def delete(self, req, role_id):
        self._role(req, 'delete_role', role_id)
        self.service.assignment.delete_role(role_id)

    # -- implied roles --------------------------------------------------------------

    def _rule(self, req, rule, prior_role_id, implied_role_id):
        return {'role_inference': {'prior_role': _stanza(req, rule['prior_role']),
                                   'implies': _stanza(req, rule['implies'])},
                'links': {'self': api_common.v3_url(req, 'roles', prior_role_id, 'implies',
                                                    implied_role_id)}}

    @wsgi.status(201)
    def create_implied(self, req, prior_role_id, implied_role_id):
        api_common.enforce(req, self.service, 'create_implied_role',
                           {'prior_role_id': prior_role_id})
        rule = self.service.assignment.create_implied_role(prior_role_id, implied_role_id)
        return self._rule(req, rule, prior_role_id, implied_role_id)

    def show_implied(self, req, prior_role_id, implied_role_id):
        api_common.enforce(req, self.service, 'get_implied_role',
                           {'prior_role_id': prior_role_id})
        rule = self.service.assignment.get_implied_role(prior_role_id, implied_role_id)
        return self._rule(req, rule, prior_role_id, implied_role_id)

    def check_implied(self, req, prior_role_id, implied_role_id):
        api_common.enforce(req, self.service, 'check_implied_role',
                           {'prior_role_id': prior_role_id})
        self.service.assignment.get_implied_role(prior_role_id, implied_role_id)

    def delete_implied(self, req, prior_role_id, implied_role_id):
        api_common.enforce(req, self.service, 'delete_implied_role',
                           {'prior_role_id': prior_role_id})
        self.service.assignment.delete_implied_role(prior_role_id, implied_role_id)

    def list_implied(self, req, prior_role_id):
        api_common.enforce(req, self.service, 'list_implied_roles',
                           {'prior_role_id': prior_role_id})
        rules = self.service.assignment.list_implied_roles(prior_role_id)
        return {'role_inference': {'prior_role': _stanza(req, rules['prior_role']),
                                   'implies': [_stanza(req, r) for r in rules['implies']]},
                'links': {'self': api_common.v3_url(req, 'roles', prior_role_id, 'implies')}}

    def inferences(self, req):
        api_common.enforce(req, self.service, 'list_role_inference_rules')
        rules = self.service.assignment.list_role_inference_rules()
        return {'role_inferences': [
                    {'prior_role': _stanza(req, rule['prior_role']),
                     'implies': [_stanza(req, r) for r in rule['implies']]}
                    for rule in rules],
                'links': {'self': api_common.v3_url(req, 'role_inferences'),
                          'previous': None, 'next': None}}


def routes(service):
    ctl = RolesController(service)
    return [
        wsgi.Route('/roles', GET=(ctl, 'index'), POST=(ctl, 'create')),
        wsgi.Route('/roles/{role_id}', GET=(ctl, 'show'), PATCH=(ctl, 'update'),
                   DELETE=(ctl, 'delete')),
        wsgi.Route('/roles/{prior_role_id}/implies', GET=(ctl, 'list_implied')),
        wsgi.Route('/roles/{prior_role_id}/implies/{implied_role_id}',
                   PUT=(ctl, 'create_implied'), GET=(ctl, 'show_implied'),
                   HEAD=(ctl, 'check_implied'), DELETE=(ctl, 'delete_implied')),
        wsgi.Route('/role_inferences', GET=(ctl, 'inferences')),
    ]
