"""Domains, projects and project tags through the Identity API."""
import pytest


def create(client, kind, **values):
    resp = client.post('/v3/%ss' % kind, {kind: values})
    assert resp.status_int == 201, resp.body
    return resp.data[kind]


def member_client(identity, name='mia', project='mine'):
    """A user with the member role on a project of their own, and a client
    holding their project-scoped token."""
    proj = create(identity.admin, 'project', name=project)
    user = create(identity.admin, 'user', name=name, password='pw',
                  default_project_id=proj['id'])
    member = identity.service.assignment.get_role_by_name('member')
    identity.service.assignment.grant(member['id'], user_id=user['id'],
                                      project_id=proj['id'])
    token = identity.password_token(name, 'pw', project=project)
    return identity.admin.as_token(token), user, proj


# -- domains ------------------------------------------------------------------------

def test_domain_lifecycle(identity):
    admin = identity.admin
    resp = admin.post('/v3/domains', {'domain': {'name': 'acme', 'description': 'Acme'}})
    assert resp.status_int == 201
    dom = resp.data['domain']
    assert dom == {'id': dom['id'], 'name': 'acme', 'description': 'Acme', 'enabled': True,
                   'options': {}, 'tags': [],
                   'links': {'self': 'http://127.0.0.1:5000/v3/domains/%s' % dom['id']}}
    assert admin.get('/v3/domains/%s' % dom['id']).data['domain'] == dom

    default = admin.get('/v3/domains/default').data['domain']
    assert default['name'] == 'Default'
    names = [d['name'] for d in admin.get('/v3/domains').data['domains']]
    assert sorted(names) == ['Default', 'acme']
    assert [d['id'] for d in admin.get('/v3/domains?name=acme').data['domains']] == \
        [dom['id']]

    resp = admin.post('/v3/domains', {'domain': {'name': 'acme'}})
    assert resp.status_int == 409
    assert 'acme' in resp.data['error']['message']

    resp = admin.delete('/v3/domains/%s' % dom['id'])
    assert resp.status_int == 403
    assert resp.data['error']['message'] == \
        'Cannot delete a domain that is enabled, please disable it first.'

    resp = admin.patch('/v3/domains/%s' % dom['id'], {'domain': {'enabled': False}})
    assert resp.status_int == 200 and resp.data['domain']['enabled'] is False
    assert [d['name'] for d in admin.get('/v3/domains?enabled=false').data['domains']] == \
        ['acme']
    assert admin.delete('/v3/domains/%s' % dom['id']).status_int == 204
    resp = admin.get('/v3/domains/%s' % dom['id'])
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find domain: %s.' % dom['id']


def test_deleting_a_domain_deletes_its_projects_users_and_groups(identity):
    admin = identity.admin
    dom = create(admin, 'domain', name='acme')
    proj = create(admin, 'project', name='p', domain_id=dom['id'])
    child = create(admin, 'project', name='c', parent_id=proj['id'])
    user = create(admin, 'user', name='u', domain_id=dom['id'])
    group = create(admin, 'group', name='g', domain_id=dom['id'])
    admin.patch('/v3/domains/%s' % dom['id'], {'domain': {'enabled': False}})
    assert admin.delete('/v3/domains/%s' % dom['id']).status_int == 204
    for path in ('projects/%s' % proj['id'], 'projects/%s' % child['id'],
                 'users/%s' % user['id'], 'groups/%s' % group['id']):
        assert admin.get('/v3/' + path).status_int == 404, path


@pytest.mark.parametrize('body', [
    {'domain': {}},
    {'domain': {'name': ''}},
    {'domain': {'name': 'x' * 256}},
    {'domain': {'name': 'ok', 'enabled': 'yes'}},
    {'domain': {'name': 'ok', 'description': 5}},
    {'domain': {'name': 'ok', 'options': {'nonsense': True}}},
    {'domain': {'name': 'ok', 'tags': ['a']}},
    {'domain': {'name': 'ok'}, 'extra': 1},
    {'domains': {'name': 'ok'}},
    ['domain'],
])
def test_bad_domain_bodies(identity, body):
    resp = identity.admin.post('/v3/domains', body)
    assert resp.status_int == 400, resp.body
    assert resp.data['error']['code'] == 400


def test_malformed_json_and_empty_update(identity):
    resp = identity.admin.post('/v3/domains', raw=b'{"domain": ')
    assert resp.status_int == 400
    resp = identity.admin.patch('/v3/domains/default', {'domain': {}})
    assert resp.status_int == 400
    resp = identity.admin.patch('/v3/domains/nope', {'domain': {'enabled': True}})
    assert resp.status_int == 404


# -- projects -------------------------------------------------------------------------

def test_project_lifecycle_and_hierarchy(identity):
    admin = identity.admin
    resp = admin.post('/v3/projects', {'project': {'name': 'top', 'description': 'Top',
                                                   'tags': ['blue'], 'owner': 'ops'}})
    assert resp.status_int == 201, resp.body
    top = resp.data['project']
    assert top == {'id': top['id'], 'name': 'top', 'domain_id': 'default',
                   'parent_id': 'default', 'description': 'Top', 'enabled': True,
                   'is_domain': False, 'tags': ['blue'], 'options': {}, 'owner': 'ops',
                   'links': {'self': 'http://127.0.0.1:5000/v3/projects/%s' % top['id']}}
    child = create(admin, 'project', name='child', parent_id=top['id'])
    assert (child['parent_id'], child['domain_id']) == (top['id'], 'default')

    listed = admin.get('/v3/projects?parent_id=%s' % top['id']).data['projects']
    assert [p['name'] for p in listed] == ['child']
    names = {p['name'] for p in admin.get('/v3/projects?parent_id=default').data['projects']}
    assert names == {'admin', 'service', 'demo', 'top'}
    assert admin.get('/v3/projects?is_domain=true').data['projects'] == []
    assert len(admin.get('/v3/projects?is_domain=false').data['projects']) == 5
    assert [p['name'] for p in admin.get('/v3/projects?name=top').data['projects']] == ['top']
    assert admin.get('/v3/projects?domain_id=nope').data['projects'] == []

    resp = admin.patch('/v3/projects/%s' % child['id'],
                       {'project': {'name': 'kid', 'enabled': False, 'description': None}})
    assert resp.status_int == 200
    assert (resp.data['project']['name'], resp.data['project']['enabled']) == ('kid', False)
    assert [p['name'] for p in admin.get('/v3/projects?enabled=false').data['projects']] == \
        ['kid']
    resp = admin.patch('/v3/projects/%s' % child['id'], {'project': {'parent_id': 'default'}})
    assert resp.status_int == 400

    resp = admin.delete('/v3/projects/%s' % top['id'])
    assert resp.status_int == 403
    assert admin.delete('/v3/projects/%s' % child['id']).status_int == 204
    assert admin.delete('/v3/projects/%s' % top['id']).status_int == 204
    resp = admin.get('/v3/projects/%s' % top['id'])
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find project: %s.' % top['id']
    assert admin.delete('/v3/projects/%s' % top['id']).status_int == 404


def test_project_placement_rules(identity):
    admin = identity.admin
    other = create(admin, 'domain', name='other')
    top = create(admin, 'project', name='top')
    elsewhere = create(admin, 'project', name='top', domain_id=other['id'])
    assert elsewhere['parent_id'] == other['id']
    resp = admin.post('/v3/projects', {'project': {'name': 'top'}})
    assert resp.status_int == 409
    assert 'top' in resp.data['error']['message']
    resp = admin.post('/v3/projects', {'project': {'name': 'x', 'parent_id': top['id'],
                                                   'domain_id': other['id']}})
    assert resp.status_int == 400
    resp = admin.post('/v3/projects', {'project': {'name': 'x', 'domain_id': 'nope'}})
    assert resp.status_int == 404
    resp = admin.post('/v3/projects', {'project': {'name': 'x', 'parent_id': 'nope'}})
    assert resp.status_int == 404
    resp = admin.post('/v3/projects', {'project': {'name': 'x', 'is_domain': True}})
    assert resp.status_int == 400
    # A domain-scoped token creates in its own domain when the body names none.
    admin_user = admin.get('/v3/users?name=admin').data['users'][0]
    identity.service.assignment.grant(
        identity.service.assignment.get_role_by_name('admin')['id'],
        user_id=admin_user['id'], domain_id=other['id'])
    resp = identity.anon.post('/v3/auth/tokens', {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'id': admin_user['id'], 'password': identity.conf.bootstrap.admin_password}}},
        'scope': {'domain': {'id': other['id']}}}})
    domain_admin = admin.as_token(resp.headers['X-Subject-Token'])
    assert create(domain_admin, 'project', name='scoped')['domain_id'] == other['id']


@pytest.mark.parametrize('project', [
    {},
    {'name': 'x' * 256},
    {'name': 'ok', 'enabled': 1},
    {'name': 'ok', 'tags': 'blue'},
    {'name': 'ok', 'tags': ['a/b']},
    {'name': 'ok', 'tags': ['a,b']},
    {'name': 'ok', 'tags': ['t%d' % i for i in range(81)]},
    {'name': 'ok', 'parent_id': 5},
])
def test_bad_project_bodies(identity, project):
    resp = identity.admin.post('/v3/projects', {'project': project})
    assert resp.status_int == 400, resp.body


def test_project_tags(identity):
    admin = identity.admin
    proj = create(admin, 'project', name='p')
    base = '/v3/projects/%s/tags' % proj['id']
    resp = admin.put(base, {'tags': ['red', 'green']})
    assert resp.status_int == 200 and resp.data == {'tags': ['green', 'red']}
    resp = admin.put(base + '/blue')
    assert resp.status_int == 201
    assert resp.headers['Location'] == 'http://127.0.0.1:5000%s/blue' % base
    assert admin.get(base).data == {'tags': ['blue', 'green', 'red']}
    assert admin.get(base + '/blue').status_int == 204
    assert admin.get(base + '/pink').status_int == 404
    assert admin.delete(base + '/blue').status_int == 204
    assert admin.delete(base + '/blue').status_int == 404
    assert admin.get('/v3/projects/%s' % proj['id']).data['project']['tags'] == \
        ['green', 'red']
    assert admin.put(base + '/caf%C3%A9').status_int == 201  # UTF-8 in the URL
    assert 'café' in admin.get(base).data['tags']
    assert admin.get(base + '/caf%C3%A9').status_int == 204
    assert admin.put(base + '/a,b').status_int == 400
    assert admin.put(base, {'tags': ['t%d' % i for i in range(81)]}).status_int == 400
    assert admin.put(base, {'tags': ['t%d' % i for i in range(80)]}).status_int == 200
    assert admin.put(base + '/one-more').status_int == 400
    assert admin.delete(base).status_int == 204
    assert admin.get(base).data == {'tags': []}
    assert admin.get('/v3/projects/nope/tags').status_int == 404
    assert admin.put('/v3/projects/nope/tags/x').status_int == 404


def test_tag_filters(identity):
    admin = identity.admin
    for name, tags in (('ab', ['a', 'b']), ('a', ['a']), ('c', ['c']), ('none', [])):
        create(admin, 'project', name=name, tags=tags)

    def names(query):
        resp = admin.get('/v3/projects?%s' % query)
        assert resp.status_int == 200
        return {p['name'] for p in resp.data['projects']} - {'admin', 'service', 'demo'}

    assert names('tags=a,b') == {'ab'}
    assert names('tags=a') == {'ab', 'a'}
    assert names('tags-any=b,c') == {'ab', 'c'}
    assert names('not-tags=a,b') == {'a', 'c', 'none'}
    assert names('not-tags-any=a,c') == {'none'}
    assert names('tags=a&not-tags=b') == {'a'}


# -- who may do what -------------------------------------------------------------

def test_a_member_cannot_administer(identity):
    client, user, proj = member_client(identity)
    assert client.get('/v3/projects/%s' % proj['id']).status_int == 200
    for method, path, body in (
            ('post', '/v3/domains', {'domain': {'name': 'mine'}}),
            ('get', '/v3/domains', None),
            ('patch', '/v3/domains/default', {'domain': {'description': 'x'}}),
            ('post', '/v3/projects', {'project': {'name': 'more'}}),
            ('get', '/v3/projects', None),
            ('patch', '/v3/projects/%s' % proj['id'], {'project': {'name': 'x'}}),
            ('delete', '/v3/projects/%s' % proj['id'], None),
            ('put', '/v3/projects/%s/tags/x' % proj['id'], None),
            ('get', '/v3/projects/%s' % identity.admin.get(
                '/v3/projects?name=admin').data['projects'][0]['id'], None)):
        kwargs = {'body': body} if body is not None else {}
        resp = getattr(client, method)(path, **kwargs)
        assert resp.status_int == 403, (method, path, resp.body)
    assert identity.anon.get('/v3/projects').status_int == 401
    assert identity.anon.get('/v3/domains/default').status_int == 401


def test_user_projects(identity):
    client, user, proj = member_client(identity)
    resp = client.get('/v3/users/%s/projects' % user['id'])
    assert resp.status_int == 200
    assert [p['id'] for p in resp.data['projects']] == [proj['id']]
    admin_id = identity.admin.get('/v3/users?name=admin').data['users'][0]['id']
    assert client.get('/v3/users/%s/projects' % admin_id).status_int == 403
    resp = identity.admin.get('/v3/users/%s/projects' % admin_id)
    assert 'admin' in {p['name'] for p in resp.data['projects']}
    assert identity.admin.get('/v3/users/nope/projects').status_int == 404


def test_disabling_a_project_ends_its_tokens(identity):
    client, user, proj = member_client(identity)
    assert client.get('/v3/projects/%s' % proj['id']).status_int == 200
    identity.admin.patch('/v3/projects/%s' % proj['id'], {'project': {'enabled': False}})
    assert client.get('/v3/projects/%s' % proj['id']).status_int == 401
    resp = identity.anon.post('/v3/auth/tokens', {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'id': user['id'], 'password': 'pw'}}},
        'scope': {'project': {'id': proj['id']}}}})
    assert resp.status_int == 401
