"""``/v3/users``: users and their password (their groups: groups.py; their
projects: projects.py)."""
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common

_BOOL_OPTION = {'type': ['boolean', 'null']}
OPTIONS = {
    'type': 'object', 'additionalProperties': False,
    'properties': {
        'ignore_change_password_upon_first_use': _BOOL_OPTION,
        'ignore_password_expiry': _BOOL_OPTION,
        'ignore_lockout_failure_attempts': _BOOL_OPTION,
        'ignore_user_inactivity': _BOOL_OPTION,
        'lock_password': _BOOL_OPTION,
        'multi_factor_auth_enabled': _BOOL_OPTION,
        'multi_factor_auth_rules': {'type': ['array', 'null'], 'items': {
            'type': 'array', 'items': {'type': 'string'}}},
    },
}
PASSWORD = {'type': ['string', 'null'], 'maxLength': 4096}
PROPERTIES = {
    'name': api_common.NAME,
    'domain_id': {'type': 'string', 'minLength': 1},
    'enabled': {'type': 'boolean'},
    'password': PASSWORD,
    'default_project_id': api_common.NULLABLE_STRING,
    'description': api_common.NULLABLE_STRING,
    'email': api_common.NULLABLE_STRING,
    'options': OPTIONS,
}
CREATE_SCHEMA = api_common.entity_schema('user', PROPERTIES, required=['name'])
UPDATE_SCHEMA = api_common.entity_schema('user', PROPERTIES, update=True)
PASSWORD_SCHEMA = {
    'type': 'object', 'required': ['user'], 'additionalProperties': False,
    'properties': {'user': {
        'type': 'object', 'required': ['original_password', 'password'],
        'additionalProperties': False,
        'properties': {'original_password': {'type': 'string', 'maxLength': 4096},
                       'password': {'type': 'string', 'maxLength': 4096}}}},
}
LIST_FILTERS = ('domain_id', 'enabled', 'name')
_SHOWN_WHEN_SET = ('default_project_id', 'description', 'email')


def render(req, ref):
    """A user as the API shows it: never a password; the optional fields only
    when set."""
    ref = dict(ref)
    for attr in _SHOWN_WHEN_SET:
        if ref.get(attr) is None:
            ref.pop(attr, None)
    ref['password_expires_at'] = wsgi.isoformat(ref.get('password_expires_at'))
    return api_common.with_links(req, 'users', ref)


def _values(body):
    values = dict(body['user'])
    values.pop('id', None)
    values.pop('password_expires_at', None)  # not ours to set through the API
    return values


class UsersController:

    def __init__(self, service):
        self.service = service

    def index(self, req):
        api_common.enforce(req, self.service, 'list_users')
        refs = self.service.identity.list_users(domain_id=req.GET.get('domain_id'))
        refs = api_common.filter_refs(req, refs, LIST_FILTERS)
        return api_common.collection(req, 'users', [render(req, r) for r in refs])

    @wsgi.validate(CREATE_SCHEMA)
    @wsgi.status(201)
    def create(self, req, body):
        token = api_common.enforce(req, self.service, 'create_user')
        values = _values(body)
        if not values.get('domain_id'):
            values['domain_id'] = api_common.default_domain_id(self.service, token)
        return {'user': render(req, self.service.identity.create_user(values))}

    def show(self, req, user_id):
        api_common.enforce(req, self.service, 'get_user', {'user_id': user_id})
        return {'user': render(req, self.service.identity.get_user(user_id))}

    @wsgi.validate(UPDATE_SCHEMA)
    def update(self, req, user_id, body):
        api_common.enforce(req, self.service, 'update_user', {'user_id': user_id})
        return {'user': render(req, self.service.identity.update_user(user_id,
                                                                      _values(body)))}

    def delete(self, req, user_id):
        api_common.enforce(req, self.service, 'delete_user', {'user_id': user_id})
        self.service.identity.delete_user(user_id)

    @wsgi.validate(PASSWORD_SCHEMA)
    def change_password(self, req, user_id, body):
        api_common.enforce(req, self.service, 'change_password', {'user_id': user_id})
        self.service.identity.change_password(user_id, body['user']['original_password'],
                                              body['user']['password'])


def routes(service):
    ctl = UsersController(service)
    return [
        wsgi.Route('/users', GET=(ctl, 'index'), POST=(ctl, 'create')),
        wsgi.Route('/users/{user_id}', GET=(ctl, 'show'), PATCH=(ctl, 'update'),
                   DELETE=(ctl, 'delete')),
        wsgi.Route('/users/{user_id}/password', POST=(ctl, 'change_password')),
    ]
