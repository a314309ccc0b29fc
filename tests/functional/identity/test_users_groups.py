"""Users, passwords, groups and group membership through the Identity API."""
import pytest

from tests.functional.identity.test_domains_projects import create, member_client


def token_for(identity, user_id, password):
    return identity.anon.post('/v3/auth/tokens', {'auth': {'identity': {
        'methods': ['password'],
        'password': {'user': {'id': user_id, 'password': password}}}}})


# -- users --------------------------------------------------------------------------

def test_user_lifecycle(identity):
    admin = identity.admin
    resp = admin.post('/v3/users', {'user': {'name': 'alice', 'password': 'pw',
                                             'email': 'alice@example.org', 'team': 'blue'}})
    assert resp.status_int == 201, resp.body
    user = resp.data['user']
    assert user == {'id': user['id'], 'name': 'alice', 'domain_id': 'default',
                    'enabled': True, 'email': 'alice@example.org', 'team': 'blue',
                    'password_expires_at': None, 'options': {},
                    'links': {'self': 'http://127.0.0.1:5000/v3/users/%s' % user['id']}}
    assert admin.get('/v3/users/%s' % user['id']).data['user'] == user

    resp = admin.patch('/v3/users/%s' % user['id'], {'user': {
        'description': 'Alice', 'email': None, 'team': None,
        'options': {'ignore_password_expiry': True}}})
    assert resp.status_int == 200
    patched = resp.data['user']
    assert patched['description'] == 'Alice'
    assert 'email' not in patched and 'team' not in patched
    assert patched['options'] == {'ignore_password_expiry': True}

    assert admin.delete('/v3/users/%s' % user['id']).status_int == 204
    resp = admin.get('/v3/users/%s' % user['id'])
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find user: %s.' % user['id']
    assert admin.delete('/v3/users/%s' % user['id']).status_int == 404
    assert admin.patch('/v3/users/nope', {'user': {'name': 'x'}}).status_int == 404


def test_user_list_filters(identity):
    admin = identity.admin
    other = create(admin, 'domain', name='other')
    create(admin, 'user', name='alice')
    create(admin, 'user', name='alison', enabled=False)
    create(admin, 'user', name='alice', domain_id=other['id'])

    def names(query=''):
        resp = admin.get('/v3/users' + query)
        assert resp.status_int == 200
        for user in resp.data['users']:
            assert 'password' not in user and user['links']['self'].endswith(user['id'])
        return sorted(u['name'] for u in resp.data['users'])

    assert names('?name=alice') == ['alice', 'alice']
    assert names('?name=alice&domain_id=%s' % other['id']) == ['alice']
    assert names('?enabled=false') == ['alison']
    assert names('?name__icontains=ALI') == ['alice', 'alice', 'alison']
    assert 'admin' in names('?domain_id=default&password_expires_at=lt:2030-01-01T00:00:00Z')


def test_user_conflicts_and_validation(identity):
    admin = identity.admin
    create(admin, 'user', name='alice')
    resp = admin.post('/v3/users', {'user': {'name': 'alice'}})
    assert resp.status_int == 409
    assert 'alice' in resp.data['error']['message']
    bob = create(admin, 'user', name='bob')
    assert admin.patch('/v3/users/%s' % bob['id'],
                       {'user': {'name': 'alice'}}).status_int == 409
    resp = admin.post('/v3/users', {'user': {'name': 'carol', 'domain_id': 'nope'}})
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find domain: nope.'


@pytest.mark.parametrize('body', [
    {'user': {}},
    {'user': {'name': ''}},
    {'user': {'name': 'x' * 256}},
    {'user': {'name': 'ok', 'enabled': 'true'}},
    {'user': {'name': 'ok', 'password': 123}},
    {'user': {'name': 'ok', 'email': ['a']}},
    {'user': {'name': 'ok', 'options': {'fly': True}}},
    {'user': {'name': 'ok', 'options': {'lock_password': 'yes'}}},
    {'user': {'name': 'ok'}, 'group': {}},
    {'usr': {'name': 'ok'}},
])
def test_bad_user_bodies(identity, body):
    resp = identity.admin.post('/v3/users', body)
    assert resp.status_int == 400, resp.body


def test_missing_name_is_named(identity):
    resp = identity.admin.post('/v3/users', {'user': {'password': 'x'}})
    assert resp.status_int == 400
    assert "'name' is a required property" in resp.data['error']['message']


# -- passwords -------------------------------------------------------------------------

def test_user_changes_own_password(identity):
    client, user, _proj = member_client(identity)
    path = '/v3/users/%s/password' % user['id']
    resp = client.post(path, {'user': {'original_password': 'wrong', 'password': 'new'}})
    assert resp.status_int == 401
    assert client.get('/v3/users/%s' % user['id']).status_int == 200  # token still good

    resp = client.post(path, {'user': {'original_password': 'pw', 'password': 'new'}})
    assert resp.status_int == 204
    # The old token and the old password are gone; the new password works.
    assert client.get('/v3/users/%s' % user['id']).status_int == 401
    assert token_for(identity, user['id'], 'pw').status_int == 401
    resp = token_for(identity, user['id'], 'new')
    assert resp.status_int == 201

    client = client.as_token(resp.headers['X-Subject-Token'])
    resp = client.post(path, {'user': {'password': 'newer'}})
    assert resp.status_int == 400
    assert 'original_password' in resp.data['error']['message']


def test_only_the_user_changes_their_password(identity):
    client, user, _proj = member_client(identity)
    admin_id = identity.admin.get('/v3/users?name=admin').data['users'][0]['id']
    body = {'user': {'original_password': identity.conf.bootstrap.admin_password,
                     'password': 'hijacked'}}
    assert client.post('/v3/users/%s/password' % admin_id, body).status_int == 403
    body = {'user': {'original_password': 'pw', 'password': 'x'}}
    assert identity.admin.post('/v3/users/%s/password' % user['id'],
                               body).status_int == 403
    assert token_for(identity, user['id'], 'pw').status_int == 201
    body = {'user': {'original_password': 'pw', 'password': 'x', 'extra': 1}}
    assert client.post('/v3/users/%s/password' % user['id'], body).status_int == 400


def test_admin_reset_disable_and_delete_end_tokens(identity):
    admin = identity.admin
    user = create(admin, 'user', name='u', password='one')
    token = token_for(identity, user['id'], 'one').headers['X-Subject-Token']
    check = {'X-Subject-Token': token}
    assert admin.get('/v3/auth/tokens', headers=check).status_int == 200

    admin.patch('/v3/users/%s' % user['id'], {'user': {'password': 'two'}})
    assert admin.get('/v3/auth/tokens', headers=check).status_int == 404
    assert token_for(identity, user['id'], 'one').status_int == 401

    token = token_for(identity, user['id'], 'two').headers['X-Subject-Token']
    admin.patch('/v3/users/%s' % user['id'], {'user': {'enabled': False}})
    resp = admin.get('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert resp.status_int == 404
    resp = token_for(identity, user['id'], 'two')
    assert resp.status_int == 401
    assert resp.data['error']['message'] == \
        'The request you have made requires authentication.'


def test_a_member_sees_only_themself(identity):
    client, user, _proj = member_client(identity)
    me = client.get('/v3/users/%s' % user['id'])
    assert me.status_int == 200 and me.data['user']['name'] == 'mia'
    admin_id = identity.admin.get('/v3/users?name=admin').data['users'][0]['id']
    for method, path, body in (
            ('get', '/v3/users', None),
            ('get', '/v3/users/%s' % admin_id, None),
            ('post', '/v3/users', {'user': {'name': 'sneaky'}}),
            ('patch', '/v3/users/%s' % user['id'], {'user': {'enabled': True}}),
            ('delete', '/v3/users/%s' % admin_id, None),
            ('get', '/v3/groups', None),
            ('post', '/v3/groups', {'group': {'name': 'g'}}),
            ('get', '/v3/users/%s/groups' % admin_id, None)):
        kwargs = {'body': body} if body is not None else {}
        resp = getattr(client, method)(path, **kwargs)
        assert resp.status_int == 403, (method, path, resp.body)
    assert client.get('/v3/users/%s/groups' % user['id']).status_int == 200
    assert identity.anon.get('/v3/users').status_int == 401


# -- groups ----------------------------------------------------------------------------

def test_group_lifecycle(identity):
    admin = identity.admin
    resp = admin.post('/v3/groups', {'group': {'name': 'devs', 'description': 'Devs'}})
    assert resp.status_int == 201
    group = resp.data['group']
    assert group == {'id': group['id'], 'name': 'devs', 'domain_id': 'default',
                     'description': 'Devs',
                     'links': {'self': 'http://127.0.0.1:5000/v3/groups/%s' % group['id']}}
    assert admin.get('/v3/groups/%s' % group['id']).data['group'] == group
    assert admin.post('/v3/groups', {'group': {'name': 'devs'}}).status_int == 409
    other = create(admin, 'domain', name='other')
    create(admin, 'group', name='devs', domain_id=other['id'])
    assert len(admin.get('/v3/groups?name=devs').data['groups']) == 2
    assert len(admin.get('/v3/groups?domain_id=%s' % other['id']).data['groups']) == 1

    resp = admin.patch('/v3/groups/%s' % group['id'], {'group': {'name': 'developers'}})
    assert resp.status_int == 200 and resp.data['group']['name'] == 'developers'
    assert admin.patch('/v3/groups/%s' % group['id'],
                       {'group': {'name': 5}}).status_int == 400
    assert admin.post('/v3/groups', {'group': {}}).status_int == 400
    assert admin.delete('/v3/groups/%s' % group['id']).status_int == 204
    resp = admin.get('/v3/groups/%s' % group['id'])
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find group: %s.' % group['id']


def test_group_membership(identity):
    admin = identity.admin
    group = create(admin, 'group', name='devs')
    alice = create(admin, 'user', name='alice')
    bob = create(admin, 'user', name='bob')
    member = '/v3/groups/%s/users/%%s' % group['id']
    assert admin.put(member % alice['id']).status_int == 204
    assert admin.put(member % alice['id']).status_int == 204
    assert admin.put(member % bob['id']).status_int == 204
    assert admin.head(member % alice['id']).status_int == 204

    resp = admin.get('/v3/groups/%s/users' % group['id'])
    assert resp.status_int == 200
    assert sorted(u['name'] for u in resp.data['users']) == ['alice', 'bob']
    assert all('password' not in u for u in resp.data['users'])
    resp = admin.get('/v3/groups/%s/users?name=bob' % group['id'])
    assert [u['name'] for u in resp.data['users']] == ['bob']
    resp = admin.get('/v3/users/%s/groups' % alice['id'])
    assert [g['id'] for g in resp.data['groups']] == [group['id']]

    assert admin.delete(member % alice['id']).status_int == 204
    assert admin.head(member % alice['id']).status_int == 404
    assert admin.delete(member % alice['id']).status_int == 404
    assert admin.get('/v3/users/%s/groups' % alice['id']).data['groups'] == []

    assert admin.put(member % 'nope').status_int == 404
    assert admin.put('/v3/groups/nope/users/%s' % bob['id']).status_int == 404
    assert admin.get('/v3/groups/nope/users').status_int == 404
    assert admin.get('/v3/users/nope/groups').status_int == 404


def test_group_roles_reach_members(identity):
    """A role granted to a group is a role of its members (through
    IdentityManager.groups_for_user)."""
    admin = identity.admin
    proj = create(admin, 'project', name='shared')
    group = create(admin, 'group', name='team')
    user = create(admin, 'user', name='dev', password='pw')
    member = identity.service.assignment.get_role_by_name('member')
    identity.service.assignment.grant(member['id'], group_id=group['id'],
                                      project_id=proj['id'])
    scope = {'project': {'id': proj['id']}}
    body = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'id': user['id'], 'password': 'pw'}}}, 'scope': scope}}
    assert identity.anon.post('/v3/auth/tokens', body).status_int == 401
    admin.put('/v3/groups/%s/users/%s' % (group['id'], user['id']))
    assert identity.anon.post('/v3/auth/tokens', body).status_int == 201
