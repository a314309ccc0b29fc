"""Flavor management as ``openstack flavor create/set/unset/delete`` and
``flavor set --project`` drive it: admins create, describe and delete
flavors, set extra specs and share private flavors with projects."""
import uuid

import pytest

FLAVOR = {'name': 'big', 'ram': 1024, 'vcpus': 2, 'disk': 10}


def create(client, **fields):
    return client.post('/flavors', {'flavor': dict(FLAVOR, **fields)})


def test_create_returns_the_flavor_and_lists_it(compute):
    admin = compute.admin('2.61')
    resp = create(admin, id='77', **{'OS-FLV-EXT-DATA:ephemeral': 5, 'swap': 512,
                                     'rxtx_factor': 2.5, 'description': 'a big one'})
    assert resp.status_int == 200, resp.body
    flavor = resp.data['flavor']
    assert {k: flavor[k] for k in ('id', 'name', 'ram', 'vcpus', 'disk', 'swap', 'rxtx_factor',
                                   'OS-FLV-EXT-DATA:ephemeral', 'os-flavor-access:is_public',
                                   'OS-FLV-DISABLED:disabled', 'description',
                                   'extra_specs')} == {
        'id': '77', 'name': 'big', 'ram': 1024, 'vcpus': 2, 'disk': 10, 'swap': 512,
        'rxtx_factor': 2.5, 'OS-FLV-EXT-DATA:ephemeral': 5, 'os-flavor-access:is_public': True,
        'OS-FLV-DISABLED:disabled': False, 'description': 'a big one', 'extra_specs': {}}
    assert flavor['links'][0]['href'].endswith('/v2.1/flavors/77')
    shown = compute.client('alice', 'p1', '2.61').get('/flavors/77').data['flavor']
    assert shown == flavor
    names = [f['name'] for f in compute.client().get('/flavors').data['flavors']]
    assert 'big' in names


@pytest.mark.parametrize('given', [None, 'auto'])
def test_create_without_an_id_generates_a_uuid(compute, given):
    fields = {} if given is None else {'id': given}
    flavor = create(compute.admin(), **fields).data['flavor']
    assert str(uuid.UUID(flavor['id'])) == flavor['id']
    assert compute.admin().get('/flavors/%s' % flavor['id']).status_int == 200


def test_numbers_may_come_as_strings_and_an_integer_id_as_a_number(compute):
    resp = create(compute.admin(), id=1234, ram='2048', vcpus='4', disk='0')
    assert resp.status_int == 200, resp.body
    flavor = resp.data['flavor']
    assert (flavor['id'], flavor['ram'], flavor['vcpus'], flavor['disk']) == (
        '1234', 2048, 4, 0)


def test_only_admins_create_flavors(compute):
    resp = create(compute.client('alice', 'p1'))
    assert resp.status_int == 403
    assert 'os-flavor-manage:create' in resp.data['forbidden']['message']
    assert 'big' not in [f['name'] for f in compute.admin().get('/flavors').data['flavors']]


@pytest.mark.parametrize('fields', [
    {'id': '42'},                     # m1.nano's id
    {'name': 'm1.nano'},
])
def test_a_duplicate_id_or_name_is_409(compute, fields):
    resp = create(compute.admin(), **fields)
    assert resp.status_int == 409
    assert 'already exists' in resp.data['conflictingRequest']['message']


@pytest.mark.parametrize('fields', [
    {'ram': 0}, {'vcpus': -1}, {'disk': -1}, {'ram': 'lots'}, {'vcpus': 2 ** 31},
    {'swap': -1}, {'OS-FLV-EXT-DATA:ephemeral': '1.5'}, {'rxtx_factor': 0},
    {'rxtx_factor': 'fast'}, {'os-flavor-access:is_public': 'maybe'}, {'name': ' padded'},
    {'name': ''}, {'id': 'bad/id'}, {'id': ''}, {'colour': 'red'},
    {'description': 'needs 2.55'},
])
def test_invalid_values_are_400(compute, fields):
    resp = create(compute.admin(), **fields)
    assert resp.status_int == 400, resp.body
    assert resp.data['badRequest']['message']


def test_a_flavor_without_a_required_field_is_400(compute):
    resp = compute.admin().post('/flavors', {'flavor': {'name': 'x', 'ram': 1, 'vcpus': 1}})
    assert resp.status_int == 400
    assert 'disk' in resp.data['badRequest']['message']


def test_description_is_updated_from_2_55_on(compute):
    create(compute.admin(), id='77')
    old = compute.admin('2.54').put('/flavors/77', {'flavor': {'description': 'x'}})
    assert old.status_int == 404
    resp = compute.admin('2.55').put('/flavors/77', {'flavor': {'description': 'roomy'}})
    assert resp.status_int == 200, resp.body
    assert resp.data['flavor']['description'] == 'roomy'
    assert compute.client(version='2.55').get('/flavors/77').data['flavor'][
        'description'] == 'roomy'
    assert compute.admin('2.55').put('/flavors/77', {'flavor': {'name': 'n'}}).status_int == 400
    assert compute.admin('2.55').put('/flavors/nope', {
        'flavor': {'description': 'x'}}).status_int == 404
    assert compute.client(version='2.55').put('/flavors/77', {
        'flavor': {'description': 'x'}}).status_int == 403


def test_delete_answers_202_and_the_flavor_is_gone(compute):
    create(compute.admin(), id='77')
    assert compute.client().delete('/flavors/77').status_int == 403
    resp = compute.admin().delete('/flavors/77')
    assert resp.status_int == 202
    assert compute.admin().get('/flavors/77').status_int == 404
    assert compute.admin().delete('/flavors/77').status_int == 404


# -- extra specs -------------------------------------------------------------------------

def test_extra_specs_are_set_merged_shown_and_deleted(compute):
    admin = compute.admin()
    base = '/flavors/42/os-extra_specs'
    resp = admin.post(base, {'extra_specs': {'hw:cpu_policy': 'dedicated', 'quota:n': 3}})
    assert resp.status_int == 200, resp.body
    assert resp.data == {'extra_specs': {'hw:cpu_policy': 'dedicated', 'quota:n': 3}}
    admin.post(base, {'extra_specs': {'hw:mem_page_size': 'large'}})
    alice = compute.client()
    assert alice.get(base).data == {'extra_specs': {
        'hw:cpu_policy': 'dedicated', 'quota:n': '3', 'hw:mem_page_size': 'large'}}
    assert alice.get(base + '/hw:cpu_policy').data == {'hw:cpu_policy': 'dedicated'}
    resp = admin.put(base + '/hw:cpu_policy', {'hw:cpu_policy': 'shared'})
    assert resp.status_int == 200 and resp.data == {'hw:cpu_policy': 'shared'}
    # The flavor shows them from 2.61.
    assert alice.at('2.61').get('/flavors/42').data['flavor']['extra_specs'][
        'hw:cpu_policy'] == 'shared'
    resp = admin.delete(base + '/quota:n')
    assert resp.status_int == 200 and not resp.body
    assert alice.get(base + '/quota:n').status_int == 404
    assert set(alice.get(base).data['extra_specs']) == {'hw:cpu_policy', 'hw:mem_page_size'}


def test_extra_spec_errors(compute):
    admin = compute.admin()
    base = '/flavors/42/os-extra_specs'
    admin.post(base, {'extra_specs': {'a': '1'}})
    assert compute.client().post(base, {'extra_specs': {'b': '2'}}).status_int == 403
    assert compute.client().put(base + '/a', {'a': '2'}).status_int == 403
    assert compute.client().delete(base + '/a').status_int == 403
    assert admin.put(base + '/a', {'b': '2'}).status_int == 400       # URI mismatch
    assert admin.put(base + '/a', {'a': '2', 'b': '3'}).status_int == 400
    assert admin.post(base, {'extra_specs': {'bad/key': 'x'}}).status_int == 400
    assert admin.post(base, {'extra_specs': {'k': 'x' * 256}}).status_int == 400
    assert admin.post(base, {'specs': {}}).status_int == 400
    assert admin.get('/flavors/nope/os-extra_specs').status_int == 404
    assert admin.post('/flavors/nope/os-extra_specs',
                      {'extra_specs': {'a': '1'}}).status_int == 404
    assert admin.delete(base + '/missing').status_int == 404
    assert admin.get(base + '/missing').status_int == 404
    assert compute.client().get(base).data == {'extra_specs': {'a': '1'}}


# -- private flavors and project access -------------------------------------------------

def test_a_private_flavor_is_seen_by_admins_and_projects_given_access(compute):
    admin = compute.admin()
    create(admin, id='77', **{'os-flavor-access:is_public': False})
    p1, p2 = compute.client('alice', 'p1'), compute.client('bob', 'p2')
    assert p1.get('/flavors/77').status_int == 404
    assert '77' not in [f['id'] for f in p1.get('/flavors').data['flavors']]
    # Admins see private flavors in ?is_public=false or none lists, not the default one.
    assert '77' not in [f['id'] for f in admin.get('/flavors').data['flavors']]
    assert [f['id'] for f in admin.get('/flavors?is_public=false').data['flavors']] == ['77']
    assert '77' in [f['id'] for f in admin.get('/flavors?is_public=none').data['flavors']]
    assert '42' in [f['id'] for f in admin.get('/flavors?is_public=none').data['flavors']]

    resp = admin.post('/flavors/77/action', {'addTenantAccess': {'tenant': 'p1'}})
    assert resp.status_int == 200, resp.body
    assert resp.data == {'flavor_access': [{'flavor_id': '77', 'tenant_id': 'p1'}]}
    assert p1.get('/flavors/77').status_int == 200
    assert '77' in [f['id'] for f in p1.get('/flavors').data['flavors']]
    # Others cannot ask for more than they may see.
    assert '77' in [f['id'] for f in p1.get('/flavors?is_public=false').data['flavors']]
    assert p2.get('/flavors/77').status_int == 404
    assert '77' not in [f['id'] for f in p2.get('/flavors?is_public=none').data['flavors']]

    admin.post('/flavors/77/action', {'addTenantAccess': {'tenant': 'p3'}})
    assert admin.get('/flavors/77/os-flavor-access').data == {'flavor_access': [
        {'flavor_id': '77', 'tenant_id': 'p1'}, {'flavor_id': '77', 'tenant_id': 'p3'}]}
    resp = admin.post('/flavors/77/action', {'removeTenantAccess': {'tenant': 'p1'}})
    assert resp.status_int == 200
    assert resp.data == {'flavor_access': [{'flavor_id': '77', 'tenant_id': 'p3'}]}
    assert p1.get('/flavors/77').status_int == 404


def test_flavor_access_errors(compute):
    admin = compute.admin()
    create(admin, id='77', **{'os-flavor-access:is_public': False})
    admin.post('/flavors/77/action', {'addTenantAccess': {'tenant': 'p1'}})
    duplicate = admin.post('/flavors/77/action', {'addTenantAccess': {'tenant': 'p1'}})
    assert duplicate.status_int == 409
    assert admin.post('/flavors/77/action',
                      {'removeTenantAccess': {'tenant': 'p9'}}).status_int == 404
    assert admin.post('/flavors/nope/action',
                      {'addTenantAccess': {'tenant': 'p1'}}).status_int == 404
    assert admin.post('/flavors/77/action', {'addTenantAccess': {}}).status_int == 400
    assert admin.post('/flavors/77/action', {'shareIt': {'tenant': 'p1'}}).status_int == 400
    assert compute.client().post('/flavors/77/action',
                                 {'addTenantAccess': {'tenant': 'p2'}}).status_int == 403
    assert compute.client().get('/flavors/77/os-flavor-access').status_int == 403
    # A public flavor has no access list, and from 2.7 takes no access.
    assert admin.get('/flavors/42/os-flavor-access').status_int == 404
    public = admin.at('2.7').post('/flavors/42/action', {'addTenantAccess': {'tenant': 'p1'}})
    assert public.status_int == 409
    assert 'public' in public.data['conflictingRequest']['message']


def test_only_admins_see_disabled_flavors(compute):
    from pocketstack.compute.db import models
    with compute.db.writer() as session:
        session.query(models.Flavor).filter_by(flavorid='84').update({'disabled': True})
    assert '84' not in [f['id'] for f in compute.client().get('/flavors').data['flavors']]
    assert '84' in [f['id'] for f in compute.admin().get('/flavors').data['flavors']]
