"""Legacy ``POST /v2.0/tokens`` — the request the seeds show clients making.

Users and projects ("tenants") of the default domain only, as Keystone's
v2.0 compatibility did; the token is the same Fernet token v3 issues.
"""
from pocketstack.common import exception
from pocketstack.common import wsgi

AUTH_SCHEMA = {
    'type': 'object',
    'required': ['auth'],
    'properties': {'auth': {
        'type': 'object',
        'properties': {
            'passwordCredentials': {
                'type': 'object', 'required': ['password'],
                'properties': {'username': {'type': 'string'}, 'userId': {'type': 'string'},
                               'password': {'type': 'string'}}},
            'token': {'type': 'object', 'required': ['id'],
                      'properties': {'id': {'type': 'string'}}},
            'tenantName': {'type': 'string'},
            'tenantId': {'type': 'string'},
        },
        'oneOf': [{'required': ['passwordCredentials']}, {'required': ['token']}],
    }},
}


class TokensV2Controller:

    def __init__(self, service):
        self.service = service

    def version(self, req):
        from pocketstack.identity.api import versions
        return {'version': versions.v2_document(req.host_url)}

    @wsgi.validate(AUTH_SCHEMA)
    def issue(self, req, body):
        svc = self.service
        auth = body['auth']
        domain_id = svc.conf.identity.default_domain_id
        parent = None
        if 'passwordCredentials' in auth:
            creds = auth['passwordCredentials']
            if creds.get('userId'):
                user = svc.identity.authenticate(creds['password'], user_id=creds['userId'])
            elif creds.get('username'):
                user = svc.identity.authenticate(creds['password'], name=creds['username'],
                                                 domain_id=domain_id)
            else:
                raise exception.ValidationError(
                    'Invalid input for field auth/passwordCredentials: username or '
                    'userId is required.')
            user_id, methods = user['id'], ['password']
        else:
            try:
                parent = svc.tokens.validate(auth['token']['id'])
            except exception.NotFound:
                raise exception.Unauthorized('The token to rescope is not valid.')
            user_id, methods = parent.user_id, ['token']
        project_id = None
        try:
            if auth.get('tenantId'):
                project_id = svc.resource.get_project(auth['tenantId'])['id']
            elif auth.get('tenantName'):
                project_id = svc.resource.get_project_by_name(auth['tenantName'],
                                                              domain_id)['id']
        except exception.NotFound:
            raise exception.Unauthorized('The tenant to scope to is not available.')
        token = svc.tokens.issue(user_id, methods, project_id=project_id, parent=parent)
        return {'access': self._render(token)}

    def _render(self, token):
        access = {
            'token': {
                'id': token.id,
                'issued_at': wsgi.isoformat(token.issued_at, microseconds=True),
                'expires': wsgi.isoformat(token.expires_at),
                'audit_ids': token.audit_ids,
            },
            'user': {'id': token.user_id, 'name': token.user['name'],
                     'username': token.user['name'], 'roles_links': [],
                     'roles': [{'name': r['name']} for r in token.roles]},
            'metadata': {'is_admin': 0, 'roles': [r['id'] for r in token.roles]},
            'serviceCatalog': [],
        }
        if token.project:
            access['token']['tenant'] = {'id': token.project_id,
                                         'name': token.project['name'],
                                         'enabled': True, 'description': None}
            access['serviceCatalog'] = self.service.catalog.v2_catalog(token.project_id, token.user_id)
        return access


def routes(service):
    ctl = TokensV2Controller(service)
    return [wsgi.Route('/', GET=(ctl, 'version')),
            wsgi.Route('/tokens', POST=(ctl, 'issue'))]
