"""``/v3/users/{user_id}/application_credentials``."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common

CREATE_SCHEMA = {
    'type': 'object',
    'required': ['application_credential'],
    'additionalProperties': False,
    'properties': {'application_credential': {
        'type': 'object',
        'required': ['name'],
        'properties': {
            'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
            'description': {'type': ['string', 'null']},
            'secret': {'type': ['string', 'null'], 'minLength': 1},
            'expires_at': {'type': ['string', 'null']},
            'roles': {'type': 'array', 'items': {
                'type': 'object',
                'properties': {'id': {'type': 'string'}, 'name': {'type': 'string'}},
                'anyOf': [{'required': ['id']}, {'required': ['name']}]}},
            'unrestricted': {'type': ['boolean', 'null']},
            'access_rules': {'type': 'array', 'maxItems': 0},
        },
    }},
}


def _render(req, ref):
    ref = dict(ref)
    ref.pop('system', None)
    ref['expires_at'] = wsgi.isoformat(ref['expires_at'], microseconds=True)
    ref['links'] = {'self': api_common.v3_url(
        req, 'users', ref['user_id'], 'application_credentials', ref['id'])}
    return ref


class ApplicationCredentialsController:

    def __init__(self, service):
        self.service = service

    @wsgi.validate(CREATE_SCHEMA)
    @wsgi.status(201)
    def create(self, req, user_id, body):
        token = api_common.enforce(req, self.service, 'create_application_credential',
                                   {'user_id': user_id})
        if token.user_id != user_id:
            raise exception.Forbidden('Application credentials can only be created '
                                      'by their own user.')
        if token.application_credential and token.application_credential['restricted']:
            raise exception.Forbidden('A restricted application credential cannot '
                                      'create application credentials.')
        if not token.project:
            raise exception.Forbidden('An application credential is created with a '
                                      'project-scoped token.')
        ref = self.service.app_creds.create(user_id, token.project_id,
                                            body['application_credential'], token.roles)
        return {'application_credential': _render(req, ref)}

    def index(self, req, user_id):
        api_common.enforce(req, self.service, 'list_application_credentials',
                           {'user_id': user_id})
        refs = self.service.app_creds.list(user_id, name=req.GET.get('name'))
        return {'application_credentials': [_render(req, r) for r in refs],
                'links': {'self': req.host_url + req.path_qs, 'previous': None,
                          'next': None}}

    def show(self, req, user_id, app_cred_id):
        api_common.enforce(req, self.service, 'get_application_credential',
                           {'user_id': user_id})
        return {'application_credential': _render(
            req, self.service.app_creds.get(user_id, app_cred_id))}

    def delete(self, req, user_id, app_cred_id):
        api_common.enforce(req, self.service, 'delete_application_credential',
                           {'user_id': user_id})
        self.service.app_creds.delete(user_id, app_cred_id)


def routes(service):
    ctl = ApplicationCredentialsController(service)
    return [
        wsgi.Route('/users/{user_id}/application_credentials',
                   GET=(ctl, 'index'), POST=(ctl, 'create')),
        wsgi.Route('/users/{user_id}/application_credentials/{app_cred_id}',
                   GET=(ctl, 'show'), DELETE=(ctl, 'delete')),
    ]
