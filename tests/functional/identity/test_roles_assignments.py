"""Roles, implied roles, grants and role assignments through the Identity API."""
import pytest

from tests.functional.identity.test_domains_projects import create, member_client

URL = 'http://127.0.0.1:5000/v3'


def role_id(identity, name):
    return identity.service.assignment.get_role_by_name(name)['id']


def token_roles(identity, user, password, project):
    """The role names in a fresh project-scoped token of ``user``."""
    token = identity.password_token(user, password, project=project)
    resp = identity.admin.get('/v3/auth/tokens', headers={'X-Subject-Token': token})
    assert resp.status_int == 200, resp.body
    return sorted(r['name'] for r in resp.data['token']['roles'])


# -- roles ----------------------------------------------------------------------------

def test_role_lifecycle(identity):
    admin = identity.admin
    resp = admin.post('/v3/roles', {'role': {'name': 'auditor', 'description': 'Reads'}})
    assert resp.status_int == 201, resp.body
    role = resp.data['role']
    assert role == {'id': role['id'], 'name': 'auditor', 'domain_id': None,
                    'description': 'Reads', 'options': {},
                    'links': {'self': '%s/roles/%s' % (URL, role['id'])}}
    assert admin.get('/v3/roles/%s' % role['id']).data['role'] == role
    assert [r['name'] for r in admin.get('/v3/roles?name=auditor').data['roles']] == \
        ['auditor']
    all_names = sorted(r['name'] for r in admin.get('/v3/roles').data['roles'])
    assert all_names == ['admin', 'auditor', 'manager', 'member', 'reader', 'service']

    resp = admin.post('/v3/roles', {'role': {'name': 'auditor'}})
    assert resp.status_int == 409
    assert 'auditor' in resp.data['error']['message']
    resp = admin.patch('/v3/roles/%s' % role['id'], {'role': {'name': 'member'}})
    assert resp.status_int == 409
    resp = admin.patch('/v3/roles/%s' % role['id'], {'role': {'name': 'inspector'}})
    assert resp.status_int == 200 and resp.data['role']['name'] == 'inspector'

    assert admin.delete('/v3/roles/%s' % role['id']).status_int == 204
    resp = admin.get('/v3/roles/%s' % role['id'])
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find role: %s.' % role['id']
    assert admin.delete('/v3/roles/%s' % role['id']).status_int == 404


@pytest.mark.parametrize('role', [{}, {'name': ''}, {'name': 5}, {'name': 'x' * 256},
                                  {'name': 'ok', 'options': {'colour': 'red'}}])
def test_bad_role_bodies(identity, role):
    assert identity.admin.post('/v3/roles', {'role': role}).status_int == 400


def test_domain_specific_roles(identity):
    admin = identity.admin
    dom = create(admin, 'domain', name='acme')
    resp = admin.post('/v3/roles', {'role': {'name': 'member', 'domain_id': dom['id']}})
    assert resp.status_int == 201  # the global 'member' is another role
    local = resp.data['role']
    assert local['domain_id'] == dom['id']
    listed = admin.get('/v3/roles?domain_id=%s' % dom['id']).data['roles']
    assert [r['id'] for r in listed] == [local['id']]
    assert local['id'] not in [r['id'] for r in admin.get('/v3/roles').data['roles']]
    resp = admin.post('/v3/roles', {'role': {'name': 'x', 'domain_id': 'nope'}})
    assert resp.status_int == 404


def test_implied_roles(identity):
    admin = identity.admin
    prior = create(admin, 'role', name='prior')
    implied = create(admin, 'role', name='implied')
    path = '/v3/roles/%s/implies/%s' % (prior['id'], implied['id'])
    resp = admin.put(path)
    assert resp.status_int == 201, resp.body
    assert resp.data == {'role_inference': {
        'prior_role': {'id': prior['id'], 'name': 'prior',
                       'links': {'self': '%s/roles/%s' % (URL, prior['id'])}},
        'implies': {'id': implied['id'], 'name': 'implied',
                    'links': {'self': '%s/roles/%s' % (URL, implied['id'])}}},
        'links': {'self': URL + path[3:]}}
    assert admin.get(path).data == resp.data
    assert admin.head(path).status_int == 204
    assert admin.put(path).status_int == 409

    listed = admin.get('/v3/roles/%s/implies' % prior['id']).data['role_inference']
    assert listed['prior_role']['id'] == prior['id']
    assert [r['name'] for r in listed['implies']] == ['implied']
    rules = {r['prior_role']['name']: [i['name'] for i in r['implies']]
             for r in admin.get('/v3/role_inferences').data['role_inferences']}
    assert rules == {'admin': ['manager'], 'manager': ['member'], 'member': ['reader'],
                     'prior': ['implied']}

    # No role implies itself, and no rule closes a cycle.
    resp = admin.put('/v3/roles/%s/implies/%s' % (prior['id'], prior['id']))
    assert resp.status_int == 400
    resp = admin.put('/v3/roles/%s/implies/%s' % (implied['id'], prior['id']))
    assert resp.status_int == 409
    assert 'cycle' in resp.data['error']['message']
    resp = admin.put('/v3/roles/%s/implies/%s' % (role_id(identity, 'reader'),
                                                  role_id(identity, 'admin')))
    assert resp.status_int == 403  # Keystone's prohibited_implied_role
    resp = admin.put('/v3/roles/nope/implies/%s' % implied['id'])
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find role: nope.'

    assert admin.delete(path).status_int == 204
    assert admin.head(path).status_int == 404
    resp = admin.get(path)
    assert resp.status_int == 404
    assert resp.data['error']['message'] == '%s does not imply %s.' % (prior['id'],
                                                                       implied['id'])


def test_deleting_a_role_removes_its_rules_and_grants(identity):
    admin = identity.admin
    proj = create(admin, 'project', name='p')
    user = create(admin, 'user', name='u', password='pw')
    extra = create(admin, 'role', name='extra')
    admin.put('/v3/roles/%s/implies/%s' % (role_id(identity, 'member'), extra['id']))
    admin.put('/v3/projects/%s/users/%s/roles/%s' % (proj['id'], user['id'],
                                                     role_id(identity, 'member')))
    assert token_roles(identity, 'u', 'pw', 'p') == ['extra', 'member', 'reader']
    assert admin.delete('/v3/roles/%s' % role_id(identity, 'member')).status_int == 204
    rules = admin.get('/v3/role_inferences').data['role_inferences']
    # manager⇒member went too; admin⇒manager stays.
    assert [r['prior_role']['name'] for r in rules] == ['admin']
    resp = admin.get('/v3/role_assignments?user.id=%s' % user['id'])
    assert resp.data['role_assignments'] == []


# -- grants -------------------------------------------------------------------------------

def test_project_and_domain_grants(identity):
    admin = identity.admin
    proj = create(admin, 'project', name='p')
    user = create(admin, 'user', name='u', password='pw')
    group = create(admin, 'group', name='g')
    reader = role_id(identity, 'reader')
    cases = [('projects', proj['id'], 'users', user['id']),
             ('projects', proj['id'], 'groups', group['id']),
             ('domains', 'default', 'users', user['id']),
             ('domains', 'default', 'groups', group['id'])]
    for target, target_id, actor, actor_id in cases:
        base = '/v3/%s/%s/%s/%s/roles' % (target, target_id, actor, actor_id)
        assert admin.head('%s/%s' % (base, reader)).status_int == 404
        assert admin.put('%s/%s' % (base, reader)).status_int == 204
        assert admin.put('%s/%s' % (base, reader)).status_int == 204  # twice is fine
        assert admin.head('%s/%s' % (base, reader)).status_int == 204
        assert admin.get('%s/%s' % (base, reader)).status_int == 204
        resp = admin.get(base)
        assert resp.status_int == 200
        assert [(r['name'], r['links']['self']) for r in resp.data['roles']] == [
            ('reader', '%s/roles/%s' % (URL, reader))]
        assert admin.delete('%s/%s' % (base, reader)).status_int == 204
        resp = admin.delete('%s/%s' % (base, reader))
        assert resp.status_int == 404
        assert 'Could not find role assignment' in resp.data['error']['message']
        assert admin.get(base).data['roles'] == []


def test_grant_errors_name_what_is_missing(identity):
    admin = identity.admin
    proj = create(admin, 'project', name='p')
    user = create(admin, 'user', name='u')
    group = create(admin, 'group', name='g')
    reader = role_id(identity, 'reader')
    for path, missing in (
            ('/v3/projects/%s/users/nope/roles/%s' % (proj['id'], reader), 'user: nope'),
            ('/v3/projects/nope/users/%s/roles/%s' % (user['id'], reader), 'project: nope'),
            ('/v3/projects/%s/users/%s/roles/nope' % (proj['id'], user['id']), 'role: nope'),
            ('/v3/domains/nope/groups/%s/roles/%s' % (group['id'], reader), 'domain: nope'),
            ('/v3/system/groups/nope/roles/%s' % reader, 'group: nope')):
        for method in ('put', 'head', 'delete'):
            resp = getattr(admin, method)(path)
            assert resp.status_int == 404, (method, path)
            if method != 'head':
                assert resp.data['error']['message'] == 'Could not find %s.' % missing
    # A domain-specific role stays in its domain.
    dom = create(admin, 'domain', name='acme')
    local = create(admin, 'role', name='local', domain_id=dom['id'])
    resp = admin.put('/v3/projects/%s/users/%s/roles/%s' % (proj['id'], user['id'],
                                                            local['id']))
    assert resp.status_int == 403


def test_effective_roles_reach_tokens(identity):
    """Roles via a group, inherited from the domain and from a parent
    project, and implied roles all appear in a token; revoking takes effect
    on the next token."""
    admin = identity.admin
    parent = create(admin, 'project', name='parent')
    create(admin, 'project', name='child', parent_id=parent['id'])
    user = create(admin, 'user', name='u', password='pw')
    group = create(admin, 'group', name='g')
    admin.put('/v3/groups/%s/users/%s' % (group['id'], user['id']))
    extra = create(admin, 'role', name='extra')
    inherit_parent = ('/v3/OS-INHERIT/projects/%s/groups/%s/roles/%s/inherited_to_projects'
                      % (parent['id'], group['id'], role_id(identity, 'member')))
    assert admin.put(inherit_parent).status_int == 204
    assert admin.head(inherit_parent).status_int == 204
    # Inherited by the child only, not by the project holding the grant.
    assert token_roles(identity, 'u', 'pw', 'child') == ['member', 'reader']
    resp = identity.anon.post('/v3/auth/tokens', {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'id': user['id'], 'password': 'pw'}}},
        'scope': {'project': {'id': parent['id']}}}})
    assert resp.status_int == 401

    inherit_domain = ('/v3/OS-INHERIT/domains/default/users/%s/roles/%s/inherited_to_projects'
                      % (user['id'], extra['id']))
    assert admin.put(inherit_domain).status_int == 204
    resp = admin.get('/v3/OS-INHERIT/domains/default/users/%s/roles/inherited_to_projects'
                     % user['id'])
    assert [r['name'] for r in resp.data['roles']] == ['extra']
    assert token_roles(identity, 'u', 'pw', 'parent') == ['extra']
    assert token_roles(identity, 'u', 'pw', 'child') == ['extra', 'member', 'reader']

    assert admin.delete(inherit_parent).status_int == 204
    assert admin.head(inherit_parent).status_int == 404
    assert token_roles(identity, 'u', 'pw', 'child') == ['extra']


def test_system_grants(identity):
    admin = identity.admin
    user = create(admin, 'user', name='u', password='pw')
    reader = role_id(identity, 'reader')
    path = '/v3/system/users/%s/roles/%s' % (user['id'], reader)
    assert admin.head(path).status_int == 404
    assert admin.put(path).status_int == 204
    assert admin.get(path).status_int == 204
    roles = admin.get('/v3/system/users/%s/roles' % user['id']).data['roles']
    assert [r['name'] for r in roles] == ['reader']
    resp = identity.anon.post('/v3/auth/tokens', {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'id': user['id'], 'password': 'pw'}}},
        'scope': {'system': {'all': True}}}})
    assert resp.status_int == 201, resp.body
    assert [r['name'] for r in resp.data['token']['roles']] == ['reader']
    assert admin.delete(path).status_int == 204
    assert admin.get('/v3/system/users/%s/roles' % user['id']).data['roles'] == []


def test_non_admin_cannot_manage_roles(identity):
    client, user, proj = member_client(identity)
    reader = role_id(identity, 'reader')
    grant = '/v3/projects/%s/users/%s/roles/%s' % (proj['id'], user['id'], reader)
    for method, path in (('get', '/v3/roles'), ('post', '/v3/roles'),
                         ('get', '/v3/roles/%s' % reader), ('put', grant),
                         ('delete', grant), ('get', '/v3/role_assignments'),
                         ('get', '/v3/role_inferences'),
                         ('put', '/v3/system/users/%s/roles/%s' % (user['id'], reader))):
        body = {'role': {'name': 'mine'}} if method == 'post' else None
        resp = getattr(client, method)(path, body) if body else getattr(client, method)(path)
        assert resp.status_int == 403, (method, path)
    assert identity.anon.get('/v3/roles').status_int == 401
    assert identity.admin.head(grant).status_int == 404  # nothing was granted


# -- /v3/role_assignments -------------------------------------------------------------------

@pytest.fixture
def assignments(identity):
    admin = identity.admin
    dom = create(admin, 'domain', name='acme')
    top = create(admin, 'project', name='top', domain_id=dom['id'])
    sub = create(admin, 'project', name='sub', parent_id=top['id'])
    user = create(admin, 'user', name='ann', domain_id=dom['id'])
    group = create(admin, 'group', name='team', domain_id=dom['id'])
    admin.put('/v3/groups/%s/users/%s' % (group['id'], user['id']))
    ids = {'member': role_id(identity, 'member'), 'reader': role_id(identity, 'reader'),
           'admin': role_id(identity, 'admin')}
    grants = [
        '/v3/projects/%s/users/%s/roles/%s' % (top['id'], user['id'], ids['reader']),
        '/v3/projects/%s/groups/%s/roles/%s' % (sub['id'], group['id'], ids['member']),
        '/v3/OS-INHERIT/domains/%s/groups/%s/roles/%s/inherited_to_projects'
        % (dom['id'], group['id'], ids['admin']),
        '/v3/domains/%s/users/%s/roles/%s' % (dom['id'], user['id'], ids['reader']),
    ]
    for path in grants:
        assert admin.put(path).status_int == 204, path
    return dict(dom=dom, top=top, sub=sub, user=user, group=group, ids=ids, grants=grants)


def listing(identity, query):
    resp = identity.admin.get('/v3/role_assignments' + query)
    assert resp.status_int == 200, resp.body
    assert resp.data['links']['self'] == 'http://127.0.0.1:5000/v3/role_assignments' + query
    return resp.data['role_assignments']


def test_role_assignments_as_stored(identity, assignments):
    a = assignments
    user, group, top = a['user'], a['group'], a['top']
    found = listing(identity, '?user.id=%s' % user['id'])
    assert found == [
        {'role': {'id': a['ids']['reader']}, 'user': {'id': user['id']},
         'scope': {'domain': {'id': a['dom']['id']}},
         'links': {'assignment': 'http://127.0.0.1:5000' + a['grants'][3]}},
        {'role': {'id': a['ids']['reader']}, 'user': {'id': user['id']},
         'scope': {'project': {'id': top['id']}},
         'links': {'assignment': 'http://127.0.0.1:5000' + a['grants'][0]}}]
    inherited = listing(identity, '?scope.OS-INHERIT:inherited_to=projects')
    assert inherited == [
        {'role': {'id': a['ids']['admin']}, 'group': {'id': group['id']},
         'scope': {'domain': {'id': a['dom']['id']}, 'OS-INHERIT:inherited_to': 'projects'},
         'links': {'assignment': 'http://127.0.0.1:5000' + a['grants'][2]}}]
    assert len(listing(identity, '?group.id=%s' % group['id'])) == 2
    assert len(listing(identity, '?scope.project.id=%s' % top['id'])) == 1
    assert len(listing(identity, '?scope.project.id=%s&include_subtree=true'
                       % top['id'])) == 2
    assert len(listing(identity, '?role.id=%s&scope.domain.id=%s'
                       % (a['ids']['reader'], a['dom']['id']))) == 1
    system = listing(identity, '?scope.system=all')
    assert [s['scope'] for s in system] == [{'system': {'all': True}}]  # bootstrap's admin
    assert system[0]['links']['assignment'].startswith('http://127.0.0.1:5000/v3/system/users/')

    for query in ('?include_subtree=true', '?effective&group.id=%s' % group['id'],
                  '?user.id=x&group.id=y', '?scope.system=some',
                  '?scope.OS-INHERIT:inherited_to=domains'):
        resp = identity.admin.get('/v3/role_assignments' + query)
        assert resp.status_int == 400, query


def test_effective_role_assignments(identity, assignments):
    a = assignments
    user, group, sub, top = a['user'], a['group'], a['sub'], a['top']
    found = listing(identity, '?effective&user.id=%s&scope.project.id=%s'
                    % (user['id'], sub['id']))
    pairs = sorted((identity.service.assignment.get_role(e['role']['id'])['name'],
                    e['links']['assignment'][len('http://127.0.0.1:5000'):]) for e in found)
    # member via the group on sub (+ reader it implies); admin inherited from
    # the domain via the group (+ manager, member, reader); reader on top is not
    # inherited.
    assert pairs == sorted([('admin', a['grants'][2]), ('manager', a['grants'][2]),
                            ('member', a['grants'][1]),
                            ('member', a['grants'][2]), ('reader', a['grants'][1]),
                            ('reader', a['grants'][2])])
    for entry in found:
        assert entry['user'] == {'id': user['id']} and 'group' not in entry
        assert entry['links']['membership'] == '%s/groups/%s/users/%s' % (
            URL, group['id'], user['id'])
    inherited = [e for e in found if e['links']['assignment'].endswith('to_projects')]
    assert all(e['scope'] == {'project': {'id': sub['id']},
                              'OS-INHERIT:inherited_to': 'projects'} for e in inherited)
    implied = [e for e in found if e['role']['id'] == a['ids']['reader']]
    assert {e['links']['prior_role'] for e in implied} == {
        '%s/roles/%s/implies/%s' % (URL, a['ids']['member'], a['ids']['reader'])}

    # The domain grant stays a domain assignment; the inherited one became
    # project assignments on every project of the domain.
    everywhere = listing(identity, '?effective&user.id=%s' % user['id'])
    scopes = {(tuple(e['scope']), (e['scope'].get('project') or e['scope']['domain'])['id'])
              for e in everywhere}
    assert scopes == {(('domain',), a['dom']['id']), (('project',), top['id']),
                      (('project', 'OS-INHERIT:inherited_to'), top['id']),
                      (('project', 'OS-INHERIT:inherited_to'), sub['id']),
                      (('project',), sub['id'])}


def test_role_assignments_include_names(identity, assignments):
    a = assignments
    found = listing(identity, '?include_names&user.id=%s&scope.project.id=%s'
                    % (a['user']['id'], a['top']['id']))
    acme = {'id': a['dom']['id'], 'name': 'acme'}
    assert found == [{
        'role': {'id': a['ids']['reader'], 'name': 'reader'},
        'user': {'id': a['user']['id'], 'name': 'ann', 'domain': acme},
        'scope': {'project': {'id': a['top']['id'], 'name': 'top', 'domain': acme}},
        'links': {'assignment': 'http://127.0.0.1:5000' + a['grants'][0]}}]
    found = listing(identity, '?include_names=true&group.id=%s&scope.domain.id=%s'
                    % (a['group']['id'], a['dom']['id']))
    assert found[0]['group'] == {'id': a['group']['id'], 'name': 'team', 'domain': acme}
    assert found[0]['scope']['domain'] == acme
