"""Shared fixtures.

* ``identity`` — an in-process Identity API (loaded from its paste file, as
  the server loads it) on a fresh state directory, bootstrapped, with an
  ``ApiClient`` that speaks WSGI directly and an admin token.
* ``image`` — an in-process Image API on its ``noauth`` pipeline: the token
  ``user:project`` names the caller (``image.client('alice', 'p1')``).
* ``db_url`` — parametrised over SQLite, PostgreSQL and MariaDB, for tests
  of database layers.
"""
import json

import pytest
import webob

from tests import backends


class ApiClient:
    """Calls a WSGI app in-process; answers are webob Responses with ``.json``."""

    def __init__(self, app, token=None, host='http://127.0.0.1:5000', headers=None):
        self.app = app
        self.token = token
        self.host = host
        self.headers = headers or {}  # sent with every request unless it names its own

    def request(self, method, path, body=None, headers=None, token=None, raw=None):
        req = webob.Request.blank(self.host + path, method=method)
        req.headers['Accept'] = 'application/json'
        token = token if token is not None else self.token
        if token:
            req.headers['X-Auth-Token'] = token
        if raw is not None:
            req.body = raw
            req.content_type = 'application/json'
        elif body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        for name, value in dict(self.headers, **(headers or {})).items():
            if value is None:  # None: send the request without that header
                req.headers.pop(name, None)
            else:
                req.headers[name] = value
        resp = req.get_response(self.app)
        try:
            resp.data = json.loads(resp.body) if resp.body else None
        except ValueError:
            resp.data = None
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def head(self, path, **kw):
        return self.request('HEAD', path, **kw)

    def post(self, path, body=None, **kw):
        return self.request('POST', path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request('PUT', path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request('PATCH', path, body, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)

    def as_token(self, token):
        return ApiClient(self.app, token, self.host)


class IdentityFixture:
    def __init__(self, conf, app, service):
        self.conf = conf
        self.app = app
        self.service = service
        self.anon = ApiClient(app)
        self.admin_token = self.password_token('admin', conf.bootstrap.admin_password,
                                               project='admin')
        self.admin = ApiClient(app, self.admin_token)

    def password_token(self, user, password, project=None, domain='Default'):
        auth = {'identity': {'methods': ['password'], 'password': {
            'user': {'name': user, 'domain': {'name': domain}, 'password': password}}}}
        if project:
            auth['scope'] = {'project': {'name': project, 'domain': {'name': domain}}}
        resp = self.anon.post('/v3/auth/tokens', {'auth': auth})
        assert resp.status_int == 201, resp.body
        return resp.headers['X-Subject-Token']


def make_conf(service_name, state_path, db_url=None, overrides=None):
    """A service's ConfigOpts on ``state_path``: ``overrides`` is
    ``{(group, option): value}`` (group 'DEFAULT' for the top level)."""
    from pocketstack.cmd import registry
    conf = registry.get(service_name).new_conf([])
    conf.set_override('state_path', str(state_path))
    if db_url:
        conf.set_override('connection', db_url, group='database')
    for (group, name), value in (overrides or {}).items():
        conf.set_override(name, value, group=None if group == 'DEFAULT' else group)
    return conf


def make_identity_conf(state_path, db_url=None, overrides=None):
    # bcrypt's cost does not change behaviour; 4 keeps the suite fast.
    overrides = {('identity', 'password_hash_rounds'): 4, **(overrides or {})}
    return make_conf('identity', state_path, db_url, overrides)


@pytest.fixture
def identity(tmp_path):
    from pocketstack.common import wsgi
    from pocketstack.identity import service as service_mod
    from pocketstack.identity.core import bootstrap
    conf = make_identity_conf(tmp_path)
    app = wsgi.load_app(conf, 'identity')
    service = service_mod.IdentityService.for_conf(conf)
    bootstrap.bootstrap(service, endpoints={'identity': 'http://127.0.0.1:5000/v3',
                                            'compute': 'http://127.0.0.1:8774/v2.1'})
    fixture = IdentityFixture(conf, app, service)
    yield fixture
    service.db.dispose()


class ImageFixture:
    def __init__(self, conf, app, service):
        self.conf = conf
        self.app = app
        self.service = service
        self.admin = self.client('admin', 'admin')

    def client(self, user, project, roles=None):
        """An ApiClient acting as ``user`` in ``project`` (roles: member and
        reader, or admin for the user ``admin``; or the given list)."""
        return ApiClient(self.app, '%s:%s' % (user, project), host='http://127.0.0.1:9292',
                         headers={'X-Roles': ','.join(roles)} if roles is not None else None)


class ComputeClient(ApiClient):
    """Calls the compute API's ``/v2.1<path>`` (paths naming a version, or
    ``/``, go as they are) as ``user`` in ``project`` — the noauth2 token —
    asking for microversion ``version`` (None: no header, i.e. 2.1)."""

    def __init__(self, app, user, project, version=None, roles=None):
        headers = {}
        if version is not None:
            headers['OpenStack-API-Version'] = 'compute %s' % version
        if roles is not None:
            headers['X-Roles'] = ','.join(roles)
        super().__init__(app, '%s:%s' % (user, project), host='http://127.0.0.1:8774',
                         headers=headers)
        self.user, self.project, self.version, self.roles = user, project, version, roles

    def request(self, method, path, body=None, headers=None, **kw):
        if path != '/' and not path.startswith('/v'):
            path = '/v2.1' + path
        return super().request(method, path, body, headers=headers, **kw)

    def at(self, version):
        """The same caller asking for another microversion."""
        return ComputeClient(self.app, self.user, self.project, version, self.roles)

    def action(self, server_id, name, value=None):
        """``POST /servers/{id}/action {name: value}``."""
        return self.post('/servers/%s/action' % server_id, {name: value})


def make_image_conf(state_path, db_url=None, overrides=None):
    overrides = {('paste_deploy', 'flavor'): 'noauth', **(overrides or {})}
    return make_conf('image', state_path, db_url, overrides)


@pytest.fixture
def image(tmp_path):
    from pocketstack.common import wsgi
    from pocketstack.image import service as service_mod
    conf = make_image_conf(tmp_path)
    app = wsgi.load_app(conf, 'image')
    service = service_mod.ImageService.for_conf(conf)
    yield ImageFixture(conf, app, service)
    service.db.dispose()


@pytest.fixture(params=['sqlite', 'postgresql', 'mysql'])
def db_url(request, tmp_path):
    if request.param == 'sqlite':
        yield 'sqlite:///%s' % (tmp_path / 'test.sqlite')
        return
    url, drop = backends.fresh_database_url(request.param)
    yield url
    drop()
