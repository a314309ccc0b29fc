"""``/v3/auth``: issue, validate, check and revoke tokens; what a token may reach.

``POST /v3/auth/tokens`` takes the methods ``password`` (user by id, or name
and domain), ``token`` (rescope an existing token) and
``application_credential``, and a scope: a project (id, or name and domain),
a domain, the system, or none (unscoped — or the user's default project).
"""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common
from pocketstack.identity.api import middleware

_ID_OR_NAME = {
    'type': 'object',
    'properties': {'id': {'type': 'string'}, 'name': {'type': 'string'}},
}
_DOMAIN = dict(_ID_OR_NAME)
_WITH_DOMAIN = {
    'type': 'object',
    'properties': {'id': {'type': 'string'}, 'name': {'type': 'string'}, 'domain': _DOMAIN},
}

AUTH_SCHEMA = {
    'type': 'object',
    'required': ['auth'],
    'properties': {'auth': {
        'type': 'object',
        'required': ['identity'],
        'properties': {
            'identity': {
                'type': 'object',
                'required': ['methods'],
                'properties': {
                    'methods': {'type': 'array', 'items': {'type': 'string'}, 'minItems': 1},
                    'password': {
                        'type': 'object', 'required': ['user'],
                        'properties': {'user': {
                            'type': 'object', 'required': ['password'],
                            'properties': {'id': {'type': 'string'},
                                           'name': {'type': 'string'},
                                           'password': {'type': 'string'},
                                           'domain': _DOMAIN}}}},
                    'token': {'type': 'object', 'required': ['id'],
                              'properties': {'id': {'type': 'string'}}},
                    'application_credential': {
                        'type': 'object', 'required': ['secret'],
                        'properties': {'id': {'type': 'string'}, 'name': {'type': 'string'},
                                       'secret': {'type': 'string'},
                                       'user': _WITH_DOMAIN}},
                },
            },
            'scope': {
                'anyOf': [
                    {'type': 'string', 'enum': ['unscoped']},
                    {'type': 'object', 'properties': {
                        'project': _WITH_DOMAIN, 'domain': _DOMAIN,
                        'system': {'type': 'object',
                                   'properties': {'all': {'type': 'boolean'}}},
                        'OS-TRUST:trust': {'type': 'object'}}},
                ]},
        },
    }},
}

SUPPORTED_METHODS = ('password', 'token', 'application_credential')


def render_token(token, catalog=None):
    """The ``{"token": {...}}`` body of a Token, as the api-ref shows it."""
    body = {
        'methods': token.methods,
        'user': dict(token.user),
        'audit_ids': token.audit_ids,
        'issued_at': wsgi.isoformat(token.issued_at, microseconds=True),
        'expires_at': wsgi.isoformat(token.expires_at, microseconds=True),
    }
    if token.project:
        body['project'] = token.project
        body['is_domain'] = False
    elif token.domain:
        body['domain'] = token.domain
    elif token.system:
        body['system'] = {'all': True}
    if token.scoped:
        body['roles'] = token.roles
        if catalog is not None:
            body['catalog'] = catalog
    if token.application_credential:
        body['application_credential'] = token.application_credential
    return {'token': body}


class AuthController:

    def __init__(self, service):
        self.service = service

    # -- POST /auth/tokens -------------------------------------------------

    @wsgi.validate(AUTH_SCHEMA)
    @wsgi.status(201)
    def issue(self, req, body):
        auth = body['auth']
        identity = auth['identity']
        methods = identity['methods']
        for method in methods:
            if method not in SUPPORTED_METHODS:
                raise exception.Unauthorized('Attempted to authenticate with an '
                                             'unsupported method: %s.' % method)
            if method not in identity:
                raise exception.ValidationError(
                    'Invalid input for field identity/%s: the "%s" method needs its '
                    'credentials in identity.%s.' % (method, method, method))
        scope = auth.get('scope')
        parent = None
        app_cred = None
        user_id = None
        if 'password' in methods:
            user_id = self._password_user(identity['password']['user'])
        if 'token' in methods:
            parent = self._parent_token(req, identity['token']['id'])
            if user_id is not None and user_id != parent.user_id:
                raise exception.Unauthorized('The methods identify different users.')
            user_id = parent.user_id
            if parent.application_credential:
                raise exception.Forbidden(
                    'A token created with an application credential cannot be rescoped.')
        if 'application_credential' in methods:
            app_cred = self.service.app_creds.authenticate(
                identity['application_credential'])
            if user_id is not None and user_id != app_cred['user_id']:
                raise exception.Unauthorized('The methods identify different users.')
            user_id = app_cred['user_id']
        project_id, domain_id, system = self._scope(scope, user_id, app_cred, parent)
        token = self.service.tokens.issue(
            user_id, methods, project_id=project_id, domain_id=domain_id, system=system,
            application_credential_id=app_cred['id'] if app_cred else None,
            parent=parent, expires_at=app_cred.get('expires_at') if app_cred else None)
        resp = wsgi.json_response(render_token(token, self._catalog(req, token)), status=201)
        resp.headers['X-Subject-Token'] = token.id
        return resp

    def _catalog(self, req, token):
        """The token's catalog ($(project_id)s filled in), unless ?nocatalog."""
        if wsgi.query_bool(req, 'nocatalog', False):
            return None
        return self.service.catalog.v3_catalog(token.project_id, token.user_id)

    def _password_user(self, user):
        svc = self.service
        if user.get('id'):
            return svc.identity.authenticate(user['password'], user_id=user['id'])['id']
        if not user.get('name'):
            raise exception.ValidationError(
                'Invalid input for field identity/password/user: either id or name '
                '(with a domain) is required.')
        domain_id = self._domain_id(user.get('domain'), 'identity/password/user/domain',
                                    unauthorized=True)
        return svc.identity.authenticate(user['password'], name=user['name'],
                                         domain_id=domain_id)['id']

    def _domain_id(self, domain, field, unauthorized=False):
        """The id of a domain given as {"id"} or {"name"}."""
        if not domain or not (domain.get('id') or domain.get('name')):
            raise exception.ValidationError(
                'Invalid input for field %s: a domain id or name is required.' % field)
        try:
            if domain.get('id'):
                return self.service.resource.get_domain(domain['id'])['id']
            return self.service.resource.get_domain_by_name(domain['name'])['id']
        except exception.NotFound:
            if unauthorized:  # don't reveal which domains exist to anonymous callers
                raise exception.Unauthorized(
                    'The request you have made requires authentication.')
            raise

    def _parent_token(self, req, token_id):
        try:
            return self.service.tokens.validate(token_id)
        except exception.NotFound:
            raise exception.Unauthorized('The token to rescope is not valid.')

    def _scope(self, scope, user_id, app_cred, parent):
        """(project_id, domain_id, system) the new token is scoped to."""
        svc = self.service
        if app_cred is not None:
            wanted = None
            if isinstance(scope, dict) and scope.get('project'):
                wanted = self._project_id(scope['project'])
            if wanted and wanted != app_cred['project_id']:
                raise exception.Unauthorized(
                    'An application credential is scoped to its own project.')
            if app_cred.get('system'):
                return None, None, True
            return app_cred['project_id'], None, False
        if scope in (None, 'unscoped'):
            if scope is None and parent is None:
                # As Keystone: no scope asked for → the user's default project,
                # when the user still has a role there.
                default = svc.identity.get_user(user_id).get('default_project_id')
                if default and self._usable_project(user_id, default):
                    return default, None, False
            return None, None, False
        if scope.get('OS-TRUST:trust'):
            raise exception.NotImplementedYet('Trusts are not supported.')
        if scope.get('project'):
            return self._project_id(scope['project']), None, False
        if scope.get('domain'):
            return None, self._domain_id(scope['domain'], 'scope/domain'), False
        if scope.get('system'):
            if not scope['system'].get('all'):
                raise exception.ValidationError(
                    'Invalid input for field scope/system: only {"all": true} exists.')
            return None, None, True
        raise exception.ValidationError('Invalid input for field scope: name a project, '
                                        'a domain or the system.')

    def _project_id(self, project):
        svc = self.service
        try:
            if project.get('id'):
                return svc.resource.get_project(project['id'])['id']
            if not project.get('name'):
                raise exception.ValidationError(
                    'Invalid input for field scope/project: id or name is required.')
            domain_id = self._domain_id(project.get('domain'), 'scope/project/domain')
            return svc.resource.get_project_by_name(project['name'], domain_id)['id']
        except exception.NotFound:
            raise exception.Unauthorized('The project to scope to is not available.')

    def _usable_project(self, user_id, project_id):
        try:
            project = self.service.resource.get_project(project_id)
        except exception.NotFound:
            return False
        return project['enabled'] and bool(
            self.service.assignment.roles_for(user_id, project_id=project_id))

    # -- GET / HEAD / DELETE /auth/tokens ------------------------------------

    def _subject(self, req, action):
        subject_id = req.headers.get('X-Subject-Token')
        caller = middleware.token_of(req)
        if not subject_id:
            raise exception.ValidationError('X-Subject-Token header is required.')
        subject = self.service.tokens.validate(subject_id)  # 404 when invalid
        api_common.enforce(req, self.service, action, {'token_user_id': subject.user_id})
        return caller, subject

    def validate(self, req):
        _caller, subject = self._subject(req, 'validate_token')
        resp = wsgi.json_response(render_token(subject, self._catalog(req, subject)))
        resp.headers['X-Subject-Token'] = subject.id
        return resp

    def check(self, req):
        _caller, subject = self._subject(req, 'check_token')
        resp = wsgi.json_response(None, status=200)
        resp.headers['X-Subject-Token'] = subject.id
        return resp

    def revoke(self, req):
        _caller, subject = self._subject(req, 'revoke_token')
        self.service.tokens.revoke(subject)

    # -- what the caller's token reaches --------------------------------------

    def catalog(self, req):
        token = api_common.enforce(req, self.service, 'get_auth_catalog')
        if not token.scoped:
            raise exception.Forbidden('A catalog cannot be provided for an unscoped token.')
        return {'catalog': self.service.catalog.v3_catalog(token.project_id, token.user_id),
                'links': {'self': api_common.v3_url(req, 'auth/catalog'),
                          'previous': None, 'next': None}}

    def projects(self, req):
        token = api_common.enforce(req, self.service, 'get_auth_projects')
        refs = [p for p in self.service.assignment.projects_for_user(token.user_id)
                if p['enabled']]
        return api_common.collection(req, 'projects', refs)

    def domains(self, req):
        token = api_common.enforce(req, self.service, 'get_auth_domains')
        refs = [d for d in self.service.assignment.domains_for_user(token.user_id)
                if d['enabled']]
        return api_common.collection(req, 'domains', refs)

    def system(self, req):
        token = api_common.enforce(req, self.service, 'get_auth_system')
        has = bool(self.service.assignment.roles_for(token.user_id, system=True))
        return {'system': [{'all': True}] if has else [],
                'links': {'self': api_common.v3_url(req, 'auth/system'),
                          'previous': None, 'next': None}}


def routes(service):
    ctl = AuthController(service)
    return [
        wsgi.Route('/auth/tokens', POST=(ctl, 'issue'), GET=(ctl, 'validate'),
                   HEAD=(ctl, 'check'), DELETE=(ctl, 'revoke')),
        wsgi.Route('/auth/catalog', GET=(ctl, 'catalog')),
        wsgi.Route('/auth/projects', GET=(ctl, 'projects')),
        wsgi.Route('/auth/domains', GET=(ctl, 'domains')),
        wsgi.Route('/auth/system', GET=(ctl, 'system')),
    ]
