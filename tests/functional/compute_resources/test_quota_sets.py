"""``openstack quota show/set/delete`` and ``quota show --default`` / ``--class``
on compute: os-quota-sets and os-quota-class-sets, per the api-ref — the
keys each microversion shows, admin-only changes, limits not below what is
in use unless forced, and limits that the API then enforces."""
import pytest

DEFAULTS = {'cores': 20, 'instances': 10, 'key_pairs': 100, 'metadata_items': 128,
            'ram': 51200, 'server_group_members': 10, 'server_groups': 10}
INJECTED = {'injected_file_content_bytes': 10240, 'injected_file_path_bytes': 255,
            'injected_files': 5}
NETWORK = {'fixed_ips': -1, 'floating_ips': -1, 'security_group_rules': -1,
           'security_groups': -1}
NANO = {'id': '42', 'name': 'm1.nano', 'vcpus': 1, 'ram': 128, 'disk': 1}


def test_show_per_microversion(compute):
    alice = compute.client()
    assert alice.get('/os-quota-sets/p1').data['quota_set'] == dict(
        DEFAULTS, **INJECTED, **NETWORK, id='p1')
    assert compute.client(version='2.36').get('/os-quota-sets/p1').data['quota_set'] == \
        dict(DEFAULTS, **INJECTED, id='p1')
    assert compute.client(version='2.57').get('/os-quota-sets/p1').data['quota_set'] == \
        dict(DEFAULTS, id='p1')
    assert compute.client(version='2.57').get('/os-quota-sets/p1/defaults').data == {
        'quota_set': dict(DEFAULTS, id='p1')}


def test_detail_shows_what_the_project_uses(compute):
    compute.add_instance('a', flavor=NANO)
    compute.add_instance('b', flavor=NANO)
    compute.add_instance('gone', flavor=NANO, deleted=True)
    compute.add_instance('other', project_id='p2', flavor=NANO)
    detail = compute.client(version='2.57').get('/os-quota-sets/p1/detail').data['quota_set']
    assert detail['instances'] == {'limit': 10, 'in_use': 2, 'reserved': 0}
    assert detail['cores'] == {'limit': 20, 'in_use': 2, 'reserved': 0}
    assert detail['ram'] == {'limit': 51200, 'in_use': 256, 'reserved': 0}
    assert detail['id'] == 'p1' and set(detail) == set(DEFAULTS) | {'id'}


def test_admin_sets_and_resets_a_projects_quotas(compute):
    admin = compute.admin('2.57')
    resp = admin.put('/os-quota-sets/p1', {'quota_set': {'instances': 50, 'cores': '-1'}})
    assert resp.status_int == 200, resp.body
    assert resp.data == {'quota_set': dict(DEFAULTS, instances=50, cores=-1)}
    shown = compute.client(version='2.57').get('/os-quota-sets/p1').data['quota_set']
    assert (shown['instances'], shown['cores'], shown['ram']) == (50, -1, 51200)
    # Other projects keep the defaults.
    assert compute.client('bob', 'p2', '2.57').get(
        '/os-quota-sets/p2').data['quota_set']['instances'] == 10
    limits = compute.client(version='2.57').get('/limits').data['limits']['absolute']
    assert (limits['maxTotalInstances'], limits['maxTotalCores']) == (50, -1)
    # Delete: back to the defaults.
    assert admin.delete('/os-quota-sets/p1').status_int == 202
    assert compute.client(version='2.57').get('/os-quota-sets/p1').data['quota_set'] == \
        dict(DEFAULTS, id='p1')


def test_a_limit_below_what_is_used_needs_force(compute):
    for name in ('a', 'b', 'c'):
        compute.add_instance(name, flavor=NANO)
    admin = compute.admin('2.57')
    resp = admin.put('/os-quota-sets/p1', {'quota_set': {'instances': 2}})
    assert resp.status_int == 400
    assert resp.data['badRequest']['message'] == (
        'Quota limit 2 for instances must be greater than or equal to already used and '
        'reserved 3.')
    assert compute.client().get('/os-quota-sets/p1').data['quota_set']['instances'] == 10
    resp = admin.put('/os-quota-sets/p1', {'quota_set': {'instances': 2, 'force': 'True'}})
    assert resp.status_int == 200 and resp.data['quota_set']['instances'] == 2


@pytest.mark.parametrize('version,body', [
    ('2.57', {'quota_set': {'instances': 'ten'}}),
    ('2.57', {'quota_set': {'instances': -2}}),
    ('2.57', {'quota_set': {'instances': '-2'}}),
    ('2.57', {'quota_set': {'instances': 1.5}}),
    ('2.57', {'quota_set': {'bogus': 1}}),
    ('2.57', {'quota_set': {'injected_files': 1}}),   # gone in 2.57
    ('2.36', {'quota_set': {'floating_ips': 1}}),     # gone in 2.36
    ('2.57', {'quota_set': {'force': 'maybe'}}),
    ('2.57', {'quota_set': 'x'}),
    ('2.57', {'instances': 1}),
    ('2.57', []),
])
def test_malformed_updates_are_400_and_change_nothing(compute, version, body):
    resp = compute.admin(version).put('/os-quota-sets/p1', body)
    assert resp.status_int == 400, resp.body
    assert compute.client(version='2.57').get('/os-quota-sets/p1').data['quota_set'] == \
        dict(DEFAULTS, id='p1')


def test_network_quotas_before_236_are_accepted_and_ignored(compute):
    resp = compute.admin().put('/os-quota-sets/p1', {'quota_set': {'floating_ips': 5,
                                                                   'instances': 5}})
    assert resp.status_int == 200, resp.body
    assert (resp.data['quota_set']['floating_ips'], resp.data['quota_set']['instances']) == (
        -1, 5)


def test_who_may_read_and_change_quotas(compute):
    alice = compute.client()
    assert alice.get('/os-quota-sets/p2').status_int == 403
    assert alice.get('/os-quota-sets/p2/detail').status_int == 403
    assert alice.get('/os-quota-sets/p2/defaults').status_int == 200
    assert alice.put('/os-quota-sets/p1', {'quota_set': {'instances': 99}}).status_int == 403
    assert alice.delete('/os-quota-sets/p1').status_int == 403
    assert alice.get('/os-quota-class-sets/default').status_int == 403
    assert compute.admin().get('/os-quota-sets/p2').status_int == 200
    # Per-user quotas are not kept: a user's limits are the project's.
    assert alice.get('/os-quota-sets/p1?user_id=alice').data['quota_set']['instances'] == 10
    resp = compute.admin().put('/os-quota-sets/p1?user_id=alice',
                               {'quota_set': {'instances': 1}})
    assert resp.status_int == 400


def test_the_default_class_sets_every_projects_defaults(compute):
    admin = compute.admin('2.57')
    assert admin.get('/os-quota-class-sets/default').data == {
        'quota_class_set': dict(DEFAULTS, id='default')}
    # Before 2.50 class sets show the network quotas and not the server group ones.
    old = compute.admin().get('/os-quota-class-sets/default').data['quota_class_set']
    assert 'server_groups' not in old and old['floating_ips'] == -1
    resp = admin.put('/os-quota-class-sets/default', {'quota_class_set': {'instances': 30}})
    assert resp.status_int == 200, resp.body
    assert resp.data['quota_class_set']['instances'] == 30
    carol = compute.client('carol', 'p9', '2.57')
    assert carol.get('/os-quota-sets/p9').data['quota_set']['instances'] == 30
    assert carol.get('/os-quota-sets/p9/defaults').data['quota_set']['instances'] == 30
    # A project's own limit still wins over the class.
    admin.put('/os-quota-sets/p1', {'quota_set': {'instances': 12}})
    assert compute.client().get('/os-quota-sets/p1').data['quota_set']['instances'] == 12
    resp = admin.put('/os-quota-class-sets/gold', {'quota_class_set': {'instances': 1}})
    assert resp.status_int == 400


def test_a_quota_class_keeps_every_key_it_is_given(compute):
    """Before 2.50 the class's network quotas are stored and shown as set
    (Nova keeps them, though Neutron enforces its own)."""
    admin = compute.admin()
    resp = admin.put('/os-quota-class-sets/default', {'quota_class_set': {
        'floating_ips': 99, 'security_groups': 98, 'instances': 30}})
    assert resp.status_int == 200, resp.body
    shown = admin.get('/os-quota-class-sets/default').data['quota_class_set']
    assert (shown['floating_ips'], shown['security_groups'], shown['instances']) == (99, 98, 30)


def test_key_pair_and_metadata_limits_follow_the_project_quota(compute):
    admin = compute.admin('2.57')
    admin.put('/os-quota-sets/p1', {'quota_set': {'key_pairs': 1, 'metadata_items': 1}})
    alice = compute.client(version='2.57')
    assert alice.post('/os-keypairs', {'keypair': {'name': 'k1'}}).status_int == 201
    resp = alice.post('/os-keypairs', {'keypair': {'name': 'k2'}})
    assert resp.status_int == 403
    assert alice.get('/os-quota-sets/p1/detail').data['quota_set']['key_pairs'] == {
        'limit': 1, 'in_use': 1, 'reserved': 0}
    server = compute.add_instance('web', flavor=NANO)
    resp = alice.put('/servers/%s/metadata' % server, {'metadata': {'a': '1', 'b': '2'}})
    assert resp.status_int == 403
    assert 'metadata_items' in resp.data['forbidden']['message']
    # bob, in another project, is not limited by p1's quotas.
    bob = compute.client('bob', 'p2', '2.57')
    assert bob.post('/os-keypairs', {'keypair': {'name': 'k1'}}).status_int == 201
    assert bob.post('/os-keypairs', {'keypair': {'name': 'k2'}}).status_int == 201
