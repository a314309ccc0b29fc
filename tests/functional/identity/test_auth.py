"""Tokens through the Identity API: issue, scopes, validate, revoke, rescope,
application credentials, the legacy v2.0 call, and the errors around them."""
import json

import pytest


def password_auth(user, password, scope=None, domain='Default', by_id=False):
    user_ref = {'id': user} if by_id else {'name': user, 'domain': {'name': domain}}
    user_ref['password'] = password
    auth = {'identity': {'methods': ['password'], 'password': {'user': user_ref}}}
    if scope is not None:
        auth['scope'] = scope
    return {'auth': auth}


ADMIN_PROJECT = {'project': {'name': 'admin', 'domain': {'name': 'Default'}}}


def issue(identity, body, **kw):
    return identity.anon.post('/v3/auth/tokens', body, **kw)


def test_version_discovery(identity):
    resp = identity.anon.get('/')
    assert resp.status_int == 300
    (v3,) = resp.data['versions']['values']
    assert v3['id'] == 'v3.14' and v3['status'] == 'stable'
    assert v3['links'][0]['href'] == 'http://127.0.0.1:5000/v3/'
    resp = identity.anon.get('/v3')
    assert resp.status_int == 200
    assert resp.data['version']['id'] == 'v3.14'
    assert resp.headers['X-OpenStack-Request-Id'].startswith('req-')


def test_project_scoped_password_token(identity):
    resp = issue(identity, password_auth('admin', 'secret', ADMIN_PROJECT))
    assert resp.status_int == 201
    token = resp.data['token']
    assert resp.headers['X-Subject-Token']
    assert token['methods'] == ['password']
    assert token['user']['name'] == 'admin'
    assert token['user']['domain'] == {'id': 'default', 'name': 'Default'}
    assert token['project']['name'] == 'admin'
    assert token['project']['domain'] == {'id': 'default', 'name': 'Default'}
    # admin implies member implies reader
    assert {r['name'] for r in token['roles']} >= {'admin', 'member', 'reader'}
    assert len(token['audit_ids']) == 1
    assert token['expires_at'] > token['issued_at']
    types = {s['type']: s for s in token['catalog']}
    identity_urls = {e['interface']: e['url'] for e in types['identity']['endpoints']}
    assert identity_urls['public'] == 'http://127.0.0.1:5000/v3'
    assert types['identity']['endpoints'][0]['region'] == 'RegionOne'


def test_user_by_id_domain_and_system_scopes(identity):
    admin_id = identity.admin.get('/v3/users?name=admin').data['users'][0]['id']
    resp = issue(identity, password_auth(admin_id, 'secret', {'domain': {'id': 'default'}},
                                         by_id=True))
    assert resp.status_int == 201, resp.body
    assert resp.data['token']['domain'] == {'id': 'default', 'name': 'Default'}
    assert 'project' not in resp.data['token']
    resp = issue(identity, password_auth('admin', 'secret', {'system': {'all': True}}))
    assert resp.status_int == 201, resp.body
    assert resp.data['token']['system'] == {'all': True}
    assert 'admin' in [r['name'] for r in resp.data['token']['roles']]


def test_no_scope_uses_default_project_and_unscoped_is_bare(identity):
    resp = issue(identity, password_auth('admin', 'secret'))
    assert resp.data['token']['project']['name'] == 'admin'  # admin's default project
    resp = issue(identity, password_auth('admin', 'secret', 'unscoped'))
    assert resp.status_int == 201
    token = resp.data['token']
    assert 'project' not in token and 'roles' not in token and 'catalog' not in token


def test_nocatalog(identity):
    resp = identity.anon.post('/v3/auth/tokens?nocatalog',
                              password_auth('admin', 'secret', ADMIN_PROJECT))
    assert resp.status_int == 201
    assert 'catalog' not in resp.data['token']


def test_wrong_password_and_unknown_user_look_the_same(identity):
    wrong = issue(identity, password_auth('admin', 'nope', ADMIN_PROJECT))
    unknown = issue(identity, password_auth('nobody', 'nope', ADMIN_PROJECT))
    bad_domain = issue(identity, password_auth('admin', 'nope', ADMIN_PROJECT, domain='Nope'))
    for resp in (wrong, unknown, bad_domain):
        assert resp.status_int == 401
        assert resp.headers['WWW-Authenticate'].startswith('Keystone uri=')
    assert wrong.data == unknown.data == bad_domain.data
    assert wrong.data['error']['code'] == 401
    assert wrong.data['error']['title'] == 'Unauthorized'


def test_scope_without_role_is_refused(identity):
    identity.admin.post('/v3/users', {'user': {'name': 'bob', 'password': 'pw'}})
    resp = issue(identity, password_auth('bob', 'pw', ADMIN_PROJECT))
    assert resp.status_int == 401
    assert issue(identity, password_auth('bob', 'pw')).status_int == 201  # unscoped is fine


@pytest.mark.parametrize('raw,status,words', [
    (b'{"auth": ', 400, 'Malformed'),
    (b'{"auth": {}}', 400, 'identity'),
    (b'{"auth": {"identity": {"methods": "password"}}}', 400, 'methods'),
    (b'{"auth": {"identity": {"methods": ["password"]}}}', 400, 'password'),
    (b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "a"}}}}}',
     400, 'password'),
    (b'{"auth": {"identity": {"methods": ["totp"], "totp": {}}}}', 401, 'unsupported'),
    (b'[]', 400, 'auth'),
])
def test_malformed_auth_requests(identity, raw, status, words):
    resp = identity.anon.request('POST', '/v3/auth/tokens', raw=raw)
    assert resp.status_int == status, resp.body
    assert resp.data['error']['code'] == status
    assert words in resp.data['error']['message']


def test_validate_check_and_revoke(identity):
    subject = identity.password_token('admin', 'secret', project='admin')
    headers = {'X-Subject-Token': subject}
    resp = identity.admin.get('/v3/auth/tokens', headers=headers)
    assert resp.status_int == 200
    assert resp.headers['X-Subject-Token'] == subject
    assert resp.data['token']['project']['name'] == 'admin'
    assert 'catalog' in resp.data['token']
    resp = identity.admin.get('/v3/auth/tokens?nocatalog', headers=headers)
    assert 'catalog' not in resp.data['token']
    assert identity.admin.head('/v3/auth/tokens', headers=headers).status_int == 200

    assert identity.admin.delete('/v3/auth/tokens', headers=headers).status_int == 204
    assert identity.admin.get('/v3/auth/tokens', headers=headers).status_int == 404
    assert identity.admin.head('/v3/auth/tokens', headers=headers).status_int == 404
    # The revoked token no longer authenticates anything.
    assert identity.anon.get('/v3/auth/projects', token=subject).status_int == 401


def test_validate_needs_caller_and_valid_subject(identity):
    subject = identity.admin_token
    resp = identity.anon.get('/v3/auth/tokens', headers={'X-Subject-Token': subject})
    assert resp.status_int == 401
    resp = identity.admin.get('/v3/auth/tokens', headers={'X-Subject-Token': 'garbage'})
    assert resp.status_int == 404
    assert resp.data['error']['code'] == 404
    resp = identity.admin.get('/v3/auth/tokens')
    assert resp.status_int == 400


def test_rescope_keeps_expiry_and_audit_chain(identity):
    resp = issue(identity, password_auth('admin', 'secret', 'unscoped'))
    unscoped = resp.data['token']
    body = {'auth': {'identity': {'methods': ['token'],
                                  'token': {'id': resp.headers['X-Subject-Token']}},
                     'scope': ADMIN_PROJECT}}
    resp = issue(identity, body)
    assert resp.status_int == 201, resp.body
    scoped = resp.data['token']
    assert scoped['project']['name'] == 'admin'
    assert scoped['expires_at'] == unscoped['expires_at']
    assert scoped['audit_ids'][1] == unscoped['audit_ids'][0]
    assert set(scoped['methods']) == {'password', 'token'}
    body['auth']['identity']['token']['id'] = 'garbage'
    assert issue(identity, body).status_int == 401


def test_auth_projects_domains_system_catalog(identity):
    projects = identity.admin.get('/v3/auth/projects')
    assert projects.status_int == 200
    assert 'admin' in [p['name'] for p in projects.data['projects']]
    domains = identity.admin.get('/v3/auth/domains').data['domains']
    assert [d['id'] for d in domains] == ['default']
    assert identity.admin.get('/v3/auth/system').data['system'] == [{'all': True}]
    catalog = identity.admin.get('/v3/auth/catalog').data['catalog']
    assert {s['type'] for s in catalog} >= {'identity', 'compute'}
    assert identity.anon.get('/v3/auth/catalog').status_int == 401


def test_disabling_user_or_project_invalidates_tokens(identity):
    admin = identity.admin
    project = admin.post('/v3/projects', {'project': {'name': 'p1'}}).data['project']
    user = admin.post('/v3/users', {'user': {'name': 'carol', 'password': 'pw'}}).data['user']
    member = admin.get('/v3/roles?name=member').data['roles'][0]
    path = '/v3/projects/%s/users/%s/roles/%s' % (project['id'], user['id'], member['id'])
    assert admin.put(path).status_int == 204
    token = identity.password_token('carol', 'pw', project='p1')
    assert identity.anon.get('/v3/auth/projects', token=token).status_int == 200

    # Losing the role assignment ends the project-scoped token at once.
    assert admin.delete(path).status_int == 204
    assert identity.anon.get('/v3/auth/projects', token=token).status_int == 401
    admin.put(path)
    token = identity.password_token('carol', 'pw', project='p1')

    admin.patch('/v3/projects/%s' % project['id'], {'project': {'enabled': False}})
    assert identity.anon.get('/v3/auth/projects', token=token).status_int == 401
    admin.patch('/v3/projects/%s' % project['id'], {'project': {'enabled': True}})

    token = identity.password_token('carol', 'pw', project='p1')
    admin.patch('/v3/users/%s' % user['id'], {'user': {'enabled': False}})
    assert identity.anon.get('/v3/auth/projects', token=token).status_int == 401
    assert issue(identity, password_auth('carol', 'pw')).status_int == 401


def test_password_change_revokes_old_tokens_only(identity):
    admin = identity.admin
    user = admin.post('/v3/users', {'user': {'name': 'dave', 'password': 'old'}}).data['user']
    old_token = identity.password_token('dave', 'old')
    resp = identity.anon.post('/v3/users/%s/password' % user['id'],
                              {'user': {'original_password': 'old', 'password': 'new'}},
                              token=old_token)
    assert resp.status_int == 204, resp.body
    new_token = identity.password_token('dave', 'new')  # same second as the change
    assert identity.anon.get('/v3/auth/projects', token=old_token).status_int == 401
    assert identity.anon.get('/v3/auth/projects', token=new_token).status_int == 200


def test_application_credential_lifecycle(identity):
    admin = identity.admin
    me = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': identity.admin_token}
                   ).data['token']['user']['id']
    path = '/v3/users/%s/application_credentials' % me
    resp = admin.post(path, {'application_credential': {
        'name': 'ci', 'roles': [{'name': 'reader'}]}})
    assert resp.status_int == 201, resp.body
    cred = resp.data['application_credential']
    assert cred['secret'] and cred['unrestricted'] is False
    assert [r['name'] for r in cred['roles']] == ['reader']
    assert admin.post(path, {'application_credential': {'name': 'ci'}}).status_int == 409
    listed = admin.get(path).data['application_credentials']
    assert [c['name'] for c in listed] == ['ci'] and 'secret' not in listed[0]

    auth = {'auth': {'identity': {'methods': ['application_credential'],
                                  'application_credential': {'id': cred['id'],
                                                             'secret': cred['secret']}}}}
    resp = issue(identity, auth)
    assert resp.status_int == 201, resp.body
    token = resp.data['token']
    assert token['project']['name'] == 'admin'
    assert [r['name'] for r in token['roles']] == ['reader']
    assert token['application_credential']['restricted'] is True
    app_token = resp.headers['X-Subject-Token']
    # Restricted: cannot make more credentials.
    resp = identity.anon.post(path, {'application_credential': {'name': 'x'}}, token=app_token)
    assert resp.status_int == 403
    # By name and user.
    by_name = {'auth': {'identity': {'methods': ['application_credential'],
                                     'application_credential': {
                                         'name': 'ci', 'secret': cred['secret'],
                                         'user': {'name': 'admin',
                                                  'domain': {'name': 'Default'}}}}}}
    assert issue(identity, by_name).status_int == 201
    bad = json.loads(json.dumps(auth))
    bad['auth']['identity']['application_credential']['secret'] = 'wrong'
    assert issue(identity, bad).status_int == 401
    # Deleting the credential ends its tokens.
    assert admin.delete('%s/%s' % (path, cred['id'])).status_int == 204
    assert identity.anon.get('/v3/auth/projects', token=app_token).status_int == 401
    assert issue(identity, auth).status_int == 401


def test_legacy_v2_tokens(identity):
    body = {'auth': {'passwordCredentials': {'username': 'admin', 'password': 'secret'},
                     'tenantName': 'admin'}}
    resp = identity.anon.post('/v2.0/tokens', body)
    assert resp.status_int == 200, resp.body
    access = resp.data['access']
    assert access['token']['tenant']['name'] == 'admin'
    assert access['user']['name'] == 'admin'
    identity_entry = [s for s in access['serviceCatalog'] if s['type'] == 'identity'][0]
    assert identity_entry['endpoints'][0]['publicURL'] == 'http://127.0.0.1:5000/v3'
    # The v2.0 token is a real token for the v3 API.
    assert identity.anon.get('/v3/auth/projects', token=access['token']['id']).status_int == 200
    body['auth']['passwordCredentials']['password'] = 'wrong'
    assert identity.anon.post('/v2.0/tokens', body).status_int == 401
    assert identity.anon.post('/v2.0/tokens', {'auth': {}}).status_int == 400


def test_unknown_method_and_path(identity):
    resp = identity.admin.put('/v3/auth/tokens', {})
    assert resp.status_int == 405
    assert 'POST' in resp.headers['Allow']
    assert resp.data['error']['code'] == 405
    resp = identity.admin.get('/v3/no-such-thing')
    assert resp.status_int == 404 and resp.data['error']['code'] == 404


def test_oversized_body_is_413_in_keystone_format(identity):
    raw = json.dumps({'auth': {'x': 'y' * 200000}}).encode()
    resp = identity.anon.request('POST', '/v3/auth/tokens', raw=raw)
    assert resp.status_int == 413
    assert resp.data['error']['code'] == 413
