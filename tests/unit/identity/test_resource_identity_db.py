"""Domains, projects, users, groups and passwords through their managers, on
SQLite, PostgreSQL and MariaDB."""
import pytest
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.identity.core import identity as identity_core
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


# -- domains ----------------------------------------------------------------------

def test_domain_crud_and_duplicates(service):
    res = service.resource
    dom = res.create_domain({'name': 'acme', 'description': 'Acme', 'colour': 'red'})
    assert len(dom['id']) == 32
    assert dom == {'id': dom['id'], 'name': 'acme', 'description': 'Acme', 'enabled': True,
                   'options': {}, 'tags': [], 'colour': 'red'}
    assert res.get_domain(dom['id']) == dom
    assert res.get_domain_by_name('acme') == dom
    assert {d['name'] for d in res.list_domains()} == {'Default', 'acme'}

    with pytest.raises(exception.Conflict, match='acme'):
        res.create_domain({'name': 'acme'})
    with pytest.raises(exception.Conflict, match='Default'):
        res.update_domain(dom['id'], {'name': 'Default'})

    updated = res.update_domain(dom['id'], {'name': 'acme2', 'enabled': False,
                                            'colour': None, 'size': 3})
    assert updated['name'] == 'acme2' and updated['enabled'] is False
    assert 'colour' not in updated and updated['size'] == 3
    with pytest.raises(exception.NotFound, match='Could not find domain: nope.'):
        res.get_domain('nope')
    with pytest.raises(exception.NotFound):
        res.get_domain_by_name('acme')


def test_enabled_domain_cannot_be_deleted(service):
    dom = service.resource.create_domain({'name': 'acme'})
    with pytest.raises(exception.Forbidden, match='please disable it first'):
        service.resource.delete_domain(dom['id'])
    assert service.resource.get_domain(dom['id'])['enabled'] is True


def test_deleting_a_domain_deletes_its_contents(service):
    res, ident = service.resource, service.identity
    dom = res.create_domain({'name': 'acme'})
    parent = res.create_project({'name': 'p', 'domain_id': dom['id'], 'tags': ['x']})
    child = res.create_project({'name': 'c', 'parent_id': parent['id']})
    user = ident.create_user({'name': 'u', 'domain_id': dom['id'], 'password': 'pw'})
    group = ident.create_group({'name': 'g', 'domain_id': dom['id']})
    ident.add_user_to_group(user['id'], group['id'])
    outsider = res.create_project({'name': 'p', 'domain_id': 'default'})
    with service.db.writer() as session:
        session.add(models.Role(id='r1', name='role'))
        session.flush()
        for actor, target in ((user['id'], child['id']), (group['id'], dom['id']),
                              (user['id'], outsider['id'])):
            session.add(models.Assignment(type='UserProject', actor_id=actor,
                                          target_id=target, role_id='r1'))

    res.update_domain(dom['id'], {'enabled': False})
    res.delete_domain(dom['id'])

    for getter, ident_ in ((res.get_domain, dom['id']), (res.get_project, parent['id']),
                           (res.get_project, child['id']), (ident.get_user, user['id']),
                           (ident.get_group, group['id'])):
        with pytest.raises(exception.NotFound):
            getter(ident_)
    assert count(service, models.Assignment) == 0
    assert count(service, models.UserGroupMembership) == 0
    assert count(service, models.ProjectTag) == 0
    assert res.get_project(outsider['id'])['name'] == 'p'


def test_immutable_domain(service):
    dom = service.resource.create_domain({'name': 'acme', 'options': {'immutable': True}})
    assert dom['options'] == {'immutable': True}
    with pytest.raises(exception.Forbidden, match='immutable'):
        service.resource.update_domain(dom['id'], {'description': 'x'})
    dom = service.resource.update_domain(dom['id'], {'options': {'immutable': False},
                                                     'description': 'x'})
    assert dom['description'] == 'x' and dom['options'] == {'immutable': False}


# -- projects -----------------------------------------------------------------------

def test_project_hierarchy(service):
    res = service.resource
    top = res.create_project({'name': 'top', 'description': 'd', 'owner': 'ops'})
    assert top == {'id': top['id'], 'name': 'top', 'domain_id': 'default',
                   'parent_id': 'default', 'description': 'd', 'enabled': True,
                   'is_domain': False, 'tags': [], 'options': {}, 'owner': 'ops'}
    mid = res.create_project({'name': 'mid', 'parent_id': top['id']})
    leaf = res.create_project({'name': 'leaf', 'parent_id': mid['id'],
                               'domain_id': 'default'})
    assert (mid['parent_id'], mid['domain_id']) == (top['id'], 'default')
    assert res.project_ancestors(leaf['id']) == [mid['id'], top['id']]
    assert res.project_ancestors(top['id']) == []
    # The domain itself as parent means top level.
    also_top = res.create_project({'name': 'also', 'parent_id': 'default'})
    assert also_top['parent_id'] == 'default'
    assert res.project_ancestors(also_top['id']) == []

    other = res.create_domain({'name': 'other'})
    with pytest.raises(exception.ValidationError):
        res.create_project({'name': 'x', 'parent_id': top['id'], 'domain_id': other['id']})
    with pytest.raises(exception.NotFound, match='Could not find project: nope.'):
        res.create_project({'name': 'x', 'parent_id': 'nope'})
    with pytest.raises(exception.NotFound, match='Could not find domain: nope.'):
        res.create_project({'name': 'x', 'domain_id': 'nope'})
    with pytest.raises(exception.ValidationError, match='parent_id'):
        res.update_project(leaf['id'], {'parent_id': top['id']})
    with pytest.raises(exception.ValidationError, match='domain_id'):
        res.update_project(leaf['id'], {'domain_id': other['id']})

    with pytest.raises(exception.Forbidden, match='not a leaf'):
        res.delete_project(mid['id'])
    res.delete_project(leaf['id'])
    res.delete_project(mid['id'])
    with pytest.raises(exception.NotFound):
        res.get_project(mid['id'])


def test_disabled_parents(service):
    res = service.resource
    top = res.create_project({'name': 'top'})
    child = res.create_project({'name': 'child', 'parent_id': top['id'], 'enabled': False})
    res.update_project(top['id'], {'enabled': False})
    with pytest.raises(exception.Forbidden, match='disabled'):
        res.create_project({'name': 'x', 'parent_id': top['id']})
    with pytest.raises(exception.Forbidden, match='disabled parents'):
        res.update_project(child['id'], {'enabled': True})
    res.update_project(top['id'], {'enabled': True})
    assert res.update_project(child['id'], {'enabled': True})['enabled'] is True


def test_project_names_are_unique_per_domain(service):
    res = service.resource
    res.create_project({'name': 'p'})
    first_b = res.create_project({'name': 'q'})
    other = res.create_domain({'name': 'other'})
    assert res.create_project({'name': 'p', 'domain_id': other['id']})['domain_id'] == \
        other['id']
    with pytest.raises(exception.Conflict, match='same name in the same domain: p'):
        res.create_project({'name': 'p'})
    with pytest.raises(exception.Conflict, match=': p'):
        res.update_project(first_b['id'], {'name': 'p'})
    assert res.get_project_by_name('p', other['id'])['domain_id'] == other['id']
    with pytest.raises(exception.NotFound):
        res.get_project_by_name('p', 'nope')


def test_a_lost_race_is_a_conflict_not_an_error(service, monkeypatch):
    """Two writers both pass the name check: the unique constraint decides,
    and the loser gets 409."""
    service.resource.create_project({'name': 'p'})
    service.identity.create_user({'name': 'u'})
    monkeypatch.setattr(type(service.resource), '_name_taken', lambda *a, **k: False)
    monkeypatch.setattr(type(service.identity), '_name_taken', lambda *a, **k: False)
    with pytest.raises(exception.Conflict, match='p'):
        service.resource.create_project({'name': 'p'})
    with pytest.raises(exception.Conflict, match='u'):
        service.identity.create_user({'name': 'u'})
    assert len(service.resource.list_projects()) == 1
    assert len(service.identity.list_users()) == 1


def test_project_tags(service):
    res = service.resource
    proj = res.create_project({'name': 'p', 'tags': ['b', 'a', 'b']})
    assert proj['tags'] == ['a', 'b']
    assert res.update_project_tags(proj['id'], ['c', 'a']) == ['a', 'c']
    assert res.add_project_tag(proj['id'], 'd') == ['a', 'c', 'd']
    assert res.add_project_tag(proj['id'], 'd') == ['a', 'c', 'd']
    res.check_project_tag(proj['id'], 'c')
    res.delete_project_tag(proj['id'], 'c')
    with pytest.raises(exception.NotFound):
        res.check_project_tag(proj['id'], 'c')
    with pytest.raises(exception.NotFound):
        res.delete_project_tag(proj['id'], 'c')
    assert res.get_project(proj['id'])['tags'] == ['a', 'd']
    assert res.update_project(proj['id'], {'tags': ['z']})['tags'] == ['z']

    for bad in (['a/b'], ['a,b'], [''], ['x' * 256]):
        with pytest.raises(exception.ValidationError):
            res.update_project_tags(proj['id'], bad)
    res.update_project_tags(proj['id'], ['t%d' % i for i in range(80)])
    with pytest.raises(exception.ValidationError, match='80'):
        res.add_project_tag(proj['id'], 'one-too-many')
    with pytest.raises(exception.ValidationError, match='80'):
        res.update_project_tags(proj['id'], ['t%d' % i for i in range(81)])
    res.delete_project(proj['id'])
    assert count(service, models.ProjectTag) == 0


# -- secrets --------------------------------------------------------------------------

def test_hash_and_check_secret(service):
    conf = service.conf
    hashed = identity_core.hash_secret(conf, 'pässword')
    assert hashed.startswith('$2b$04$') and 'pässword' not in hashed
    assert identity_core.check_secret('pässword', hashed)
    assert not identity_core.check_secret('password', hashed)
    assert not identity_core.check_secret('x', None)
    assert not identity_core.check_secret('x', 'not-a-hash')
    # Secrets longer than bcrypt's 72 bytes: every byte still counts.
    long_secret = 'a' * 100
    hashed = identity_core.hash_secret(conf, long_secret)
    assert identity_core.check_secret(long_secret, hashed)
    assert not identity_core.check_secret('a' * 99 + 'b', hashed)


# -- users ------------------------------------------------------------------------------

def test_user_crud(service):
    ident = service.identity
    user = ident.create_user({'name': 'alice', 'password': 'pw-!', 'email': 'a@x',
                              'team': 'blue', 'options': {'lock_password': True}})
    assert user == {'id': user['id'], 'name': 'alice', 'domain_id': 'default',
                    'enabled': True, 'default_project_id': None, 'description': None,
                    'email': 'a@x', 'password_expires_at': None,
                    'options': {'lock_password': True}, 'team': 'blue'}
    assert ident.get_user(user['id']) == user
    assert ident.get_user_by_name('alice', 'default') == user
    with service.db.reader() as session:
        stored = session.get(models.User, user['id']).password_hash
    # '!' is outside bcrypt's alphabet: the password cannot appear by chance.
    assert stored and 'pw-!' not in stored

    with pytest.raises(exception.Conflict, match='alice'):
        ident.create_user({'name': 'alice'})
    with pytest.raises(exception.NotFound, match='Could not find domain: nope.'):
        ident.create_user({'name': 'bob', 'domain_id': 'nope'})
    with pytest.raises(exception.ValidationError):
        ident.create_user({'name': 'bob', 'default_project_id': 'default'})
    bob = ident.create_user({'name': 'bob'})
    with pytest.raises(exception.Conflict, match='alice'):
        ident.update_user(bob['id'], {'name': 'alice'})
    with pytest.raises(exception.ValidationError, match='Domain ID'):
        ident.update_user(bob['id'], {'domain_id': 'other'})

    updated = ident.update_user(user['id'], {'email': None, 'description': 'hi',
                                             'team': None, 'options': {'lock_password': None}})
    assert updated['email'] is None and updated['description'] == 'hi'
    assert 'team' not in updated and updated['options'] == {}
    assert [u['name'] for u in ident.list_users()] == ['alice', 'bob']
    assert ident.list_users(domain_id='nope') == []

    ident.delete_user(user['id'])
    with pytest.raises(exception.NotFound, match='Could not find user: %s.' % user['id']):
        ident.get_user(user['id'])
    with pytest.raises(exception.NotFound):
        ident.delete_user(user['id'])


UNAUTHORIZED = 'The request you have made requires authentication.'


def test_authenticate_tells_nothing_about_which_users_exist(service, monkeypatch):
    ident = service.identity
    user = ident.create_user({'name': 'alice', 'password': 'right'})
    ident.create_user({'name': 'nopass'})
    assert ident.authenticate('right', user_id=user['id'])['id'] == user['id']
    assert ident.authenticate('right', name='alice', domain_id='default')['id'] == user['id']

    checks = []
    real_check = identity_core.check_secret
    monkeypatch.setattr(identity_core, 'check_secret',
                        lambda s, h: checks.append(h) or real_check(s, h))
    attempts = [dict(user_id=user['id'], password='wrong'),
                dict(name='alice', domain_id='other', password='right'),
                dict(user_id='nobody', password='right'),
                dict(name='nopass', domain_id='default', password='')]
    for attempt in attempts:
        password = attempt.pop('password')
        with pytest.raises(exception.Unauthorized) as err:
            ident.authenticate(password, **attempt)
        assert err.value.message == UNAUTHORIZED
    # Every attempt costs one bcrypt check, whether the user exists or not.
    assert len(checks) == len(attempts) and all(checks)

    ident.update_user(user['id'], {'enabled': False})
    with pytest.raises(exception.Unauthorized) as err:
        ident.authenticate('right', user_id=user['id'])
    assert err.value.message == UNAUTHORIZED


def test_users_of_a_disabled_domain_cannot_authenticate(service):
    dom = service.resource.create_domain({'name': 'acme'})
    user = service.identity.create_user({'name': 'u', 'domain_id': dom['id'],
                                         'password': 'pw'})
    service.resource.update_domain(dom['id'], {'enabled': False})
    with pytest.raises(exception.Unauthorized):
        service.identity.authenticate('pw', user_id=user['id'])


def revocations(service, user_id):
    return count(service, models.RevocationEvent, models.RevocationEvent.user_id == user_id)


def test_password_change_and_revocations(service):
    ident = service.identity
    user = ident.create_user({'name': 'alice', 'password': 'old'})
    with pytest.raises(exception.Unauthorized):
        ident.change_password(user['id'], 'not-old', 'new')
    assert revocations(service, user['id']) == 0
    ident.change_password(user['id'], 'old', 'new')
    assert revocations(service, user['id']) == 1
    with pytest.raises(exception.Unauthorized):
        ident.authenticate('old', user_id=user['id'])
    assert ident.authenticate('new', user_id=user['id'])['name'] == 'alice'

    ident.update_user(user['id'], {'description': 'no revocation for this'})
    assert revocations(service, user['id']) == 1
    ident.update_user(user['id'], {'password': 'newer'})   # an admin's reset
    assert revocations(service, user['id']) == 2
    ident.update_user(user['id'], {'enabled': False})
    assert revocations(service, user['id']) == 3
    ident.delete_user(user['id'])
    assert revocations(service, user['id']) == 4


# -- groups ----------------------------------------------------------------------------

def test_groups_and_membership(service):
    ident = service.identity
    group = ident.create_group({'name': 'devs', 'description': 'Developers'})
    assert group == {'id': group['id'], 'name': 'devs', 'domain_id': 'default',
                     'description': 'Developers'}
    with pytest.raises(exception.Conflict, match='devs'):
        ident.create_group({'name': 'devs'})
    ops = ident.create_group({'name': 'ops'})
    with pytest.raises(exception.Conflict):
        ident.update_group(ops['id'], {'name': 'devs'})
    assert ident.update_group(ops['id'], {'name': 'sre'})['name'] == 'sre'
    assert ident.get_group_by_name('sre', 'default')['id'] == ops['id']
    assert [g['name'] for g in ident.list_groups()] == ['devs', 'sre']

    alice = ident.create_user({'name': 'alice'})
    bob = ident.create_user({'name': 'bob'})
    ident.add_user_to_group(alice['id'], group['id'])
    ident.add_user_to_group(alice['id'], group['id'])  # idempotent
    ident.add_user_to_group(alice['id'], ops['id'])
    ident.add_user_to_group(bob['id'], group['id'])
    ident.check_user_in_group(alice['id'], group['id'])
    assert sorted(ident.groups_for_user(alice['id'])) == sorted([group['id'], ops['id']])
    assert [g['name'] for g in ident.list_groups_for_user(alice['id'])] == ['devs', 'sre']
    assert [u['name'] for u in ident.list_users_in_group(group['id'])] == ['alice', 'bob']

    with pytest.raises(exception.NotFound, match='Could not find user: nope.'):
        ident.add_user_to_group('nope', group['id'])
    with pytest.raises(exception.NotFound, match='Could not find group: nope.'):
        ident.add_user_to_group(alice['id'], 'nope')
    ident.remove_user_from_group(bob['id'], group['id'])
    with pytest.raises(exception.NotFound, match='not a member'):
        ident.check_user_in_group(bob['id'], group['id'])
    with pytest.raises(exception.NotFound, match='not a member'):
        ident.remove_user_from_group(bob['id'], group['id'])

    ident.delete_user(alice['id'])
    assert ident.list_users_in_group(group['id']) == []
    ident.add_user_to_group(bob['id'], ops['id'])
    ident.delete_group(ops['id'])
    assert ident.groups_for_user(bob['id']) == []
    with pytest.raises(exception.NotFound):
        ident.get_group(ops['id'])
