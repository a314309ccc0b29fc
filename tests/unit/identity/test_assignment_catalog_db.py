"""Roles, implied roles, grants, effective roles and the service catalog
through their managers, on SQLite, PostgreSQL and MariaDB."""
import pytest
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.identity.db import models
from tests.conftest import make_identity_conf


@pytest.fixture
def service(tmp_path, db_url):
    from pocketstack.identity import service as service_mod
    svc = service_mod.IdentityService(make_identity_conf(tmp_path, db_url))
    svc.sync_database()
    svc.resource.create_domain({'id': 'default', 'name': 'Default'})
    yield svc
    svc.db.dispose()


def count(service, model, *where):
    with service.db.reader() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def names(roles):
    return [r['name'] for r in roles]


@pytest.fixture
def world(service):
    """admin ⇒ member ⇒ reader; a domain with a project tree; a user in a group."""
    am = service.assignment
    roles = {n: am.create_role({'name': n}) for n in ('admin', 'member', 'reader', 'other')}
    am.create_implied_role(roles['admin']['id'], roles['member']['id'])
    am.create_implied_role(roles['member']['id'], roles['reader']['id'])
    dom = service.resource.create_domain({'name': 'acme'})
    top = service.resource.create_project({'name': 'top', 'domain_id': dom['id']})
    mid = service.resource.create_project({'name': 'mid', 'parent_id': top['id']})
    leaf = service.resource.create_project({'name': 'leaf', 'parent_id': mid['id']})
    user = service.identity.create_user({'name': 'u', 'domain_id': dom['id']})
    group = service.identity.create_group({'name': 'g', 'domain_id': dom['id']})
    service.identity.add_user_to_group(user['id'], group['id'])
    return dict(roles=roles, dom=dom, top=top, mid=mid, leaf=leaf, user=user, group=group)


# -- roles --------------------------------------------------------------------------

def test_role_crud_and_duplicates(service):
    am = service.assignment
    role = am.create_role({'name': 'auditor', 'description': 'Reads', 'colour': 'red'})
    assert role == {'id': role['id'], 'name': 'auditor', 'domain_id': None,
                    'description': 'Reads', 'options': {}, 'colour': 'red'}
    assert am.get_role(role['id']) == role
    assert am.get_role_by_name('auditor') == role
    with pytest.raises(exception.Conflict, match='auditor'):
        am.create_role({'name': 'auditor'})

    # The same name may exist once more in a domain: a domain-specific role.
    dom = service.resource.create_domain({'name': 'acme'})
    local = am.create_role({'name': 'auditor', 'domain_id': dom['id']})
    assert local['domain_id'] == dom['id']
    assert am.get_role_by_name('auditor', dom['id']) == local
    assert [r['id'] for r in am.list_roles()] == [role['id']]
    assert [r['id'] for r in am.list_roles(domain_id=dom['id'])] == [local['id']]
    with pytest.raises(exception.NotFound, match='Could not find domain: nope.'):
        am.create_role({'name': 'x', 'domain_id': 'nope'})

    other = am.create_role({'name': 'other'})
    with pytest.raises(exception.Conflict):
        am.update_role(other['id'], {'name': 'auditor'})
    with pytest.raises(exception.ValidationError, match='domain_id'):
        am.update_role(other['id'], {'domain_id': dom['id']})
    updated = am.update_role(role['id'], {'name': 'auditor2', 'colour': None})
    assert updated['name'] == 'auditor2' and 'colour' not in updated

    frozen = am.create_role({'name': 'frozen', 'options': {'immutable': True}})
    with pytest.raises(exception.Forbidden):
        am.delete_role(frozen['id'])
    am.update_role(frozen['id'], {'options': {'immutable': False}})
    am.delete_role(frozen['id'])
    with pytest.raises(exception.NotFound, match='Could not find role: %s.' % frozen['id']):
        am.get_role(frozen['id'])


def test_implied_role_rules(service):
    am = service.assignment
    a, b, c = (am.create_role({'name': n}) for n in 'abc')
    rule = am.create_implied_role(a['id'], b['id'])
    assert rule['prior_role']['id'] == a['id'] and rule['implies']['id'] == b['id']
    am.create_implied_role(b['id'], c['id'])
    assert am.get_implied_role(a['id'], b['id'])['implies']['name'] == 'b'

    with pytest.raises(exception.Conflict):
        am.create_implied_role(a['id'], b['id'])
    with pytest.raises(exception.ValidationError, match='itself'):
        am.create_implied_role(a['id'], a['id'])
    with pytest.raises(exception.Conflict, match='cycle'):
        am.create_implied_role(c['id'], a['id'])
    admin = am.create_role({'name': 'admin'})
    with pytest.raises(exception.Forbidden):
        am.create_implied_role(a['id'], admin['id'])
    dom = service.resource.create_domain({'name': 'acme'})
    local = am.create_role({'name': 'local', 'domain_id': dom['id']})
    with pytest.raises(exception.Forbidden, match='domain-specific'):
        am.create_implied_role(a['id'], local['id'])
    am.create_implied_role(local['id'], a['id'])  # a domain role may imply a global one
    with pytest.raises(exception.NotFound, match='Could not find role: nope.'):
        am.create_implied_role('nope', a['id'])

    assert names(am.list_implied_roles(a['id'])['implies']) == ['b']
    rules = {r['prior_role']['name']: names(r['implies'])
             for r in am.list_role_inference_rules()}
    assert rules == {'a': ['b'], 'b': ['c'], 'local': ['a']}

    am.delete_implied_role(a['id'], b['id'])
    with pytest.raises(exception.NotFound, match='does not imply'):
        am.get_implied_role(a['id'], b['id'])
    with pytest.raises(exception.NotFound):
        am.delete_implied_role(a['id'], b['id'])


# -- grants ---------------------------------------------------------------------------

def test_grant_check_revoke(service, world):
    am, user, leaf = service.assignment, world['user'], world['leaf']
    reader = world['roles']['reader']['id']
    assert not am.check(reader, user_id=user['id'], project_id=leaf['id'])
    am.grant(reader, user_id=user['id'], project_id=leaf['id'])
    am.grant(reader, user_id=user['id'], project_id=leaf['id'])  # twice is fine
    assert am.check(reader, user_id=user['id'], project_id=leaf['id'])
    assert count(service, models.Assignment, models.Assignment.actor_id == user['id']) == 1
    assert not am.check(reader, user_id=user['id'], project_id=leaf['id'], inherited=True)
    assert names(am.list_grants(user_id=user['id'], project_id=leaf['id'])) == ['reader']

    for kwargs, missing in (({'user_id': 'nope', 'project_id': leaf['id']}, 'user: nope'),
                            ({'group_id': 'nope', 'domain_id': 'default'}, 'group: nope'),
                            ({'user_id': user['id'], 'project_id': 'nope'}, 'project: nope'),
                            ({'user_id': user['id'], 'domain_id': 'nope'}, 'domain: nope')):
        with pytest.raises(exception.NotFound, match='Could not find %s.' % missing):
            am.grant(reader, **kwargs)
    with pytest.raises(exception.NotFound, match='Could not find role: nope.'):
        am.grant('nope', user_id=user['id'], project_id=leaf['id'])
    with pytest.raises(exception.ValidationError):
        am.grant(reader, user_id=user['id'], system=True, inherited=True)

    am.revoke(reader, user_id=user['id'], project_id=leaf['id'])
    assert not am.check(reader, user_id=user['id'], project_id=leaf['id'])
    with pytest.raises(exception.NotFound, match='Could not find role assignment'):
        am.revoke(reader, user_id=user['id'], project_id=leaf['id'])


def test_domain_specific_role_stays_in_its_domain(service, world):
    am = service.assignment
    local = am.create_role({'name': 'local', 'domain_id': world['dom']['id']})
    outside = service.resource.create_project({'name': 'outside', 'domain_id': 'default'})
    with pytest.raises(exception.Forbidden, match='same domain'):
        am.grant(local['id'], user_id=world['user']['id'], project_id=outside['id'])
    am.grant(local['id'], user_id=world['user']['id'], project_id=world['top']['id'])


# -- effective roles ---------------------------------------------------------------------

def test_roles_for_direct_group_inherited_and_implied(service, world):
    am, roles = service.assignment, world['roles']
    uid, gid = world['user']['id'], world['group']['id']
    top, mid, leaf, dom = world['top'], world['mid'], world['leaf'], world['dom']

    assert am.roles_for(uid, project_id=top['id']) == []
    am.grant(roles['reader']['id'], user_id=uid, project_id=top['id'])
    assert am.roles_for(uid, project_id=top['id']) == [
        {'id': roles['reader']['id'], 'name': 'reader'}]
    # Through the group, with implied roles expanded and no duplicates.
    am.grant(roles['member']['id'], group_id=gid, project_id=top['id'])
    assert names(am.roles_for(uid, project_id=top['id'])) == ['member', 'reader']
    assert am.roles_for(uid, project_id=mid['id']) == []  # not inherited

    # Inherited from a parent project: applies below it, not on it.
    am.grant(roles['other']['id'], user_id=uid, project_id=top['id'], inherited=True)
    assert names(am.roles_for(uid, project_id=top['id'])) == ['member', 'reader']
    assert names(am.roles_for(uid, project_id=mid['id'])) == ['other']
    assert names(am.roles_for(uid, project_id=leaf['id'])) == ['other']

    # Inherited from the owning domain, through the group: every project.
    am.grant(roles['admin']['id'], group_id=gid, domain_id=dom['id'], inherited=True)
    assert names(am.roles_for(uid, project_id=leaf['id'])) == [
        'admin', 'member', 'other', 'reader']
    assert am.roles_for(uid, domain_id=dom['id']) == []  # inherited: not on the domain

    am.grant(roles['reader']['id'], user_id=uid, domain_id=dom['id'])
    assert names(am.roles_for(uid, domain_id=dom['id'])) == ['reader']
    assert am.roles_for(uid, project_id=leaf['id'])[0]['name'] == 'admin'
    assert am.roles_for(uid, system=True) == []
    am.grant(roles['member']['id'], group_id=gid, system=True)
    assert names(am.roles_for(uid, system=True)) == ['member', 'reader']
    assert am.roles_for(uid) == []  # unscoped

    # Leaving the group takes its roles away.
    service.identity.remove_user_from_group(uid, gid)
    assert names(am.roles_for(uid, project_id=leaf['id'])) == ['other']
    assert am.roles_for(uid, system=True) == []


def test_domain_specific_roles_only_bring_the_global_roles_they_imply(service, world):
    am, uid, top = service.assignment, world['user']['id'], world['top']
    local = am.create_role({'name': 'local', 'domain_id': world['dom']['id']})
    am.grant(local['id'], user_id=uid, project_id=top['id'])
    assert am.roles_for(uid, project_id=top['id']) == []
    am.create_implied_role(local['id'], world['roles']['member']['id'])
    assert names(am.roles_for(uid, project_id=top['id'])) == ['member', 'reader']


def test_roles_for_is_a_few_queries(service, world):
    """Token validation calls roles_for: its cost must not grow with the
    user's groups, grants or implied roles."""
    am, uid, leaf = service.assignment, world['user']['id'], world['leaf']
    statements = []
    sa.event.listen(service.db.engine, 'before_cursor_execute',
                    lambda *args: statements.append(args[2]))

    def selects_of_roles_for():
        statements.clear()
        roles = names(am.roles_for(uid, project_id=leaf['id']))
        return roles, [s for s in statements if s.lstrip().upper().startswith('SELECT')]

    am.grant(world['roles']['reader']['id'], user_id=uid, project_id=leaf['id'])
    roles, few = selects_of_roles_for()
    assert roles == ['reader']
    for i in range(5):
        group = service.identity.create_group({'name': 'g%d' % i,
                                               'domain_id': world['dom']['id']})
        service.identity.add_user_to_group(uid, group['id'])
        am.grant(world['roles']['admin']['id'], group_id=group['id'],
                 project_id=leaf['id'])
        am.grant(world['roles']['other']['id'], group_id=group['id'],
                 project_id=world['top']['id'], inherited=True)
    roles, many = selects_of_roles_for()
    assert roles == ['admin', 'member', 'other', 'reader']
    assert len(many) == len(few), '\n'.join(many)
    # the project (with its tags), its 2 ancestors, the grants, the rules, the roles
    assert len(many) <= 7, '\n'.join(many)


def test_deleting_a_role_deletes_its_grants_and_rules(service, world):
    am, roles = service.assignment, world['roles']
    am.grant(roles['member']['id'], user_id=world['user']['id'], project_id=world['top']['id'])
    am.delete_role(roles['member']['id'])
    assert count(service, models.Assignment,
                 models.Assignment.role_id == roles['member']['id']) == 0
    assert count(service, models.ImpliedRole) == 0  # admin⇒member and member⇒reader
    assert am.roles_for(world['user']['id'], project_id=world['top']['id']) == []


def test_projects_and_domains_for_user(service, world):
    am, roles = service.assignment, world['roles']
    uid, gid = world['user']['id'], world['group']['id']
    assert am.projects_for_user(uid) == [] and am.domains_for_user(uid) == []
    am.grant(roles['reader']['id'], group_id=gid, project_id=world['mid']['id'],
             inherited=True)
    assert [p['name'] for p in am.projects_for_user(uid)] == ['leaf']
    am.grant(roles['reader']['id'], user_id=uid, project_id=world['top']['id'])
    assert sorted(p['name'] for p in am.projects_for_user(uid)) == ['leaf', 'top']
    am.grant(roles['reader']['id'], user_id=uid, domain_id=world['dom']['id'], inherited=True)
    assert sorted(p['name'] for p in am.projects_for_user(uid)) == ['leaf', 'mid', 'top']
    assert am.domains_for_user(uid) == []
    am.grant(roles['reader']['id'], group_id=gid, domain_id=world['dom']['id'])
    assert [d['name'] for d in am.domains_for_user(uid)] == ['acme']


def test_list_role_assignments(service, world):
    am, roles = service.assignment, world['roles']
    uid, gid = world['user']['id'], world['group']['id']
    dom, top, mid, leaf = world['dom'], world['top'], world['mid'], world['leaf']
    am.grant(roles['reader']['id'], user_id=uid, project_id=top['id'])
    am.grant(roles['other']['id'], group_id=gid, domain_id=dom['id'], inherited=True)
    am.grant(roles['member']['id'], group_id=gid, project_id=mid['id'])
    am.grant(roles['admin']['id'], user_id=uid, system=True)

    stored = am.list_role_assignments()
    assert len(stored) == 4
    assert {'role_id': roles['other']['id'], 'group_id': gid, 'domain_id': dom['id'],
            'inherited': True} in stored
    assert [r['role_id'] for r in am.list_role_assignments(user_id=uid, system=True)] == [
        roles['admin']['id']]
    assert len(am.list_role_assignments(project_id=top['id'], include_subtree=True)) == 2
    assert len(am.list_role_assignments(inherited=True)) == 1
    with pytest.raises(exception.ValidationError):
        am.list_role_assignments(include_subtree=True)
    with pytest.raises(exception.ValidationError):
        am.list_role_assignments(effective=True, group_id=gid)

    effective = am.list_role_assignments(user_id=uid, project_id=leaf['id'], effective=True)
    # 'other' inherited from the domain through the group; nothing else reaches leaf.
    assert effective == [{'project_id': leaf['id'], 'role_id': roles['other']['id'],
                          'user_id': uid, 'inherited': True, 'indirect': {'group_id': gid},
                          'grant': {'role_id': roles['other']['id'], 'group_id': gid,
                                    'domain_id': dom['id'], 'inherited': True}}]
    on_mid = am.list_role_assignments(project_id=mid['id'], effective=True)
    assert sorted((names_of(service, r['role_id']), r['indirect'].get('role_id') and
                   names_of(service, r['indirect']['role_id'])) for r in on_mid) == [
        ('member', None), ('other', None), ('reader', 'member')]

    named = am.list_role_assignments(group_id=gid, domain_id=dom['id'], include_names=True)
    assert named[0]['names'] == {
        'role': {'id': roles['other']['id'], 'name': 'other'},
        'group': {'id': gid, 'name': 'g', 'domain': {'id': dom['id'], 'name': 'acme'}},
        'domain': {'id': dom['id'], 'name': 'acme'}}


def names_of(service, role_id):
    return service.assignment.get_role(role_id)['name']


# -- catalog ------------------------------------------------------------------------------

def test_regions(service):
    cat = service.catalog
    one = cat.create_region({'id': 'RegionOne', 'description': 'First'})
    assert one == {'id': 'RegionOne', 'description': 'First', 'parent_region_id': None}
    child = cat.create_region({'parent_region_id': 'RegionOne'})
    assert len(child['id']) == 32 and child['parent_region_id'] == 'RegionOne'
    with pytest.raises(exception.Conflict):
        cat.create_region({'id': 'RegionOne'})
    with pytest.raises(exception.ValidationError, match='nope'):
        cat.create_region({'id': 'x', 'parent_region_id': 'nope'})
    with pytest.raises(exception.ValidationError, match='Circular'):
        cat.update_region('RegionOne', {'parent_region_id': child['id']})
    with pytest.raises(exception.Conflict, match='child regions'):
        cat.delete_region('RegionOne')
    svc = cat.create_service({'type': 'compute'})
    endpoint = cat.create_endpoint({'service_id': svc['id'], 'interface': 'public',
                                    'url': 'http://c', 'region_id': child['id']})
    with pytest.raises(exception.Conflict, match='endpoints'):
        cat.delete_region(child['id'])
    cat.delete_endpoint(endpoint['id'])
    cat.delete_region(child['id'])
    assert [r['id'] for r in cat.list_regions()] == ['RegionOne']
    with pytest.raises(exception.NotFound, match='Could not find region: nope.'):
        cat.get_region('nope')


def test_services_endpoints_and_the_token_catalog(service):
    cat = service.catalog
    cat.create_region({'id': 'RegionOne'})
    nova = cat.create_service({'type': 'compute', 'name': 'nova'})
    assert nova == {'id': nova['id'], 'type': 'compute', 'name': 'nova', 'description': None,
                    'enabled': True}
    glance = cat.create_service({'type': 'image', 'name': 'glance', 'enabled': False})
    for interface in ('public', 'internal'):
        cat.create_endpoint({'service_id': nova['id'], 'interface': interface,
                             'url': 'http://nova/v2.1/$(project_id)s', 'region': 'RegionOne'})
    admin_ep = cat.create_endpoint({'service_id': nova['id'], 'interface': 'admin',
                                    'url': 'http://nova-admin', 'region_id': 'RegionOne',
                                    'enabled': False})
    assert admin_ep['region'] == admin_ep['region_id'] == 'RegionOne'
    cat.create_endpoint({'service_id': glance['id'], 'interface': 'public',
                         'url': 'http://glance'})

    with pytest.raises(exception.ValidationError, match='interface'):
        cat.create_endpoint({'service_id': nova['id'], 'interface': 'private', 'url': 'u'})
    with pytest.raises(exception.ValidationError, match='Service nope not found'):
        cat.create_endpoint({'service_id': 'nope', 'interface': 'public', 'url': 'u'})
    with pytest.raises(exception.ValidationError, match='Region nope not found'):
        cat.create_endpoint({'service_id': nova['id'], 'interface': 'public', 'url': 'u',
                             'region_id': 'nope'})

    catalog = cat.v3_catalog(project_id='p1')
    assert [s['type'] for s in catalog] == ['compute']  # glance is disabled
    assert sorted((e['interface'], e['url'], e['region']) for e in catalog[0]['endpoints']) == [
        ('internal', 'http://nova/v2.1/p1', 'RegionOne'),
        ('public', 'http://nova/v2.1/p1', 'RegionOne')]
    # Without a project, endpoints needing one are left out.
    assert cat.v3_catalog()[0]['endpoints'] == []

    v2 = cat.v2_catalog(project_id='p1')
    assert v2 == [{'endpoints': [{'id': v2[0]['endpoints'][0]['id'], 'region': 'RegionOne',
                                  'publicURL': 'http://nova/v2.1/p1',
                                  'internalURL': 'http://nova/v2.1/p1'}],
                   'endpoints_links': [], 'type': 'compute', 'name': 'nova'}]

    cat.update_endpoint(admin_ep['id'], {'enabled': True, 'url': 'http://nova-admin2'})
    assert 'http://nova-admin2' in [e['url'] for e in cat.v3_catalog('p1')[0]['endpoints']]
    cat.update_service(glance['id'], {'enabled': True})
    assert [s['name'] for s in cat.v3_catalog('p1')] == ['nova', 'glance']

    cat.delete_service(nova['id'])
    assert [e['service_id'] for e in cat.list_endpoints()] == [glance['id']]
    with pytest.raises(exception.NotFound, match='Could not find service'):
        cat.get_service(nova['id'])
