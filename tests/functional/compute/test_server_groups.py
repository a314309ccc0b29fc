"""``openstack server group create/list/show/delete`` and ``server create
--hint group=…``: os-server-groups per the api-ref, and the scheduler
placing a group's members by its policy on the two fake hosts."""
import concurrent.futures

import pytest


def create_group(client, name='g1', policy='anti-affinity', rules=None):
    body = {'name': name}
    if client.version and tuple(map(int, client.version.split('.'))) >= (2, 64):
        body['policy'] = policy
        if rules is not None:
            body['rules'] = rules
    else:
        body['policies'] = [policy]
    resp = client.post('/os-server-groups', {'server_group': body})
    assert resp.status_int == 200, resp.body
    return resp.data['server_group']


def boot_in(cloud, client, group_id, name):
    """POST /servers into a group (the ``group`` scheduler hint); the answer."""
    return client.post('/servers', {
        'server': {'name': name, 'imageRef': cloud.image['id'], 'flavorRef': '42',
                   'networks': 'none'},
        'os:scheduler_hints': {'group': group_id}})


def host_of(cloud, server_id):
    server = cloud.wait_for_status(cloud.admin('2.37'), server_id, 'ACTIVE', 'ERROR')
    return server['status'], server.get('OS-EXT-SRV-ATTR:host')


def test_create_show_list_delete_per_microversion(cloud):
    alice = cloud.client(version='2.1')
    group = create_group(alice, 'g1', 'affinity')
    assert group == {'id': group['id'], 'name': 'g1', 'policies': ['affinity'],
                     'members': [], 'metadata': {}}
    at_213 = cloud.client(version='2.13').get('/os-server-groups/%s' % group['id'])
    assert (at_213.data['server_group']['project_id'],
            at_213.data['server_group']['user_id']) == ('p1', 'alice')
    at_264 = cloud.client(version='2.64')
    shown = at_264.get('/os-server-groups/%s' % group['id']).data['server_group']
    assert (shown['policy'], shown['rules']) == ('affinity', {})
    assert 'policies' not in shown and 'metadata' not in shown
    spread = create_group(at_264, 'g2', 'anti-affinity', {'max_server_per_host': 2})
    assert spread['rules'] == {'max_server_per_host': 2}
    listed = alice.get('/os-server-groups').data['server_groups']
    assert [g['name'] for g in listed] == ['g1', 'g2']
    assert alice.get('/os-server-groups?limit=1&offset=1').data['server_groups'][0][
        'name'] == 'g2'
    # Another project sees none of them; an admin sees all with all_projects.
    bob = cloud.client('bob', 'p2')
    assert bob.get('/os-server-groups').data['server_groups'] == []
    assert bob.get('/os-server-groups/%s' % group['id']).status_int == 404
    assert bob.delete('/os-server-groups/%s' % group['id']).status_int == 404
    assert len(cloud.admin().get('/os-server-groups?all_projects=True').data[
        'server_groups']) == 2
    assert alice.delete('/os-server-groups/%s' % group['id']).status_int == 204
    assert alice.get('/os-server-groups/%s' % group['id']).status_int == 404


@pytest.mark.parametrize('version,group', [
    ('2.1', {'name': 'g', 'policies': ['soft-affinity']}),        # soft from 2.15
    ('2.15', {'name': 'g', 'policies': ['sideways']}),
    ('2.15', {'name': 'g', 'policies': ['affinity', 'anti-affinity']}),
    ('2.15', {'name': 'g', 'policies': []}),
    ('2.15', {'name': '', 'policies': ['affinity']}),
    ('2.15', {'policies': ['affinity']}),
    ('2.64', {'name': 'g', 'policies': ['affinity']}),            # policy from 2.64
    ('2.64', {'name': 'g', 'policy': 'affinity', 'rules': {'max_server_per_host': 2}}),
    ('2.64', {'name': 'g', 'policy': 'anti-affinity', 'rules': {'max_server_per_host': 0}}),
    ('2.64', {'name': 'g', 'policy': 'anti-affinity', 'rules': {'other': 1}}),
])
def test_malformed_groups_are_400_and_create_nothing(cloud, version, group):
    alice = cloud.client(version=version)
    resp = alice.post('/os-server-groups', {'server_group': group})
    assert resp.status_int == 400, resp.body
    assert alice.get('/os-server-groups').data['server_groups'] == []


def test_anti_affinity_spreads_members_and_refuses_a_third(cloud):
    alice = cloud.client(version='2.37')
    group = create_group(alice)
    first = boot_in(cloud, alice, group['id'], 'a').data['server']['id']
    second = boot_in(cloud, alice, group['id'], 'b').data['server']['id']
    hosts = {host_of(cloud, first), host_of(cloud, second)}
    assert hosts == {('ACTIVE', 'compute1'), ('ACTIVE', 'compute2')}
    third = boot_in(cloud, alice, group['id'], 'c').data['server']['id']
    server = cloud.wait_for_status(alice, third, 'ERROR')
    assert 'No valid host was found' in server['fault']['message']
    members = alice.get('/os-server-groups/%s' % group['id']).data['server_group']['members']
    assert sorted(members) == sorted([first, second, third])
    # A deleted member leaves the group and frees its host.
    assert alice.delete('/servers/%s' % first).status_int == 204
    cloud.wait_for_status(alice, first, 'DELETED')
    members = alice.get('/os-server-groups/%s' % group['id']).data['server_group']['members']
    assert first not in members
    fourth = boot_in(cloud, alice, group['id'], 'd').data['server']['id']
    assert host_of(cloud, fourth)[0] == 'ACTIVE'


def test_concurrent_boots_never_break_anti_affinity(cloud):
    alice = cloud.client(version='2.37')
    group = create_group(alice)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda n: boot_in(cloud, alice, group['id'], 'c%d' % n)
                            .data['server']['id'], range(4)))
    placed = [host_of(cloud, i) for i in ids]
    active = sorted(h for status, h in placed if status == 'ACTIVE')
    assert active == ['compute1', 'compute2']
    assert [status for status, _ in placed].count('ERROR') == 2


def test_affinity_keeps_members_on_one_host(cloud):
    alice = cloud.client(version='2.37')
    group = create_group(alice, policy='affinity')
    ids = [boot_in(cloud, alice, group['id'], 'a%d' % n).data['server']['id'] for n in range(3)]
    assert len({host_of(cloud, i) for i in ids}) == 1


def test_max_server_per_host_and_soft_policies(cloud):
    at_264 = cloud.client(version='2.64')
    pairs = create_group(at_264, 'pairs', 'anti-affinity', {'max_server_per_host': 2})
    placed = [host_of(cloud, boot_in(cloud, at_264, pairs['id'], 'p%d' % n)
                      .data['server']['id']) for n in range(5)]
    assert sorted(h for s, h in placed if s == 'ACTIVE') == [
        'compute1', 'compute1', 'compute2', 'compute2']
    # Soft affinity never fails: members gather on one host while it has room.
    soft = create_group(at_264, 'soft', 'soft-affinity')
    hosts = {host_of(cloud, boot_in(cloud, at_264, soft['id'], 's%d' % n)
                     .data['server']['id']) for n in range(2)}
    assert len(hosts) == 1 and hosts.pop()[0] == 'ACTIVE'


def test_group_hint_errors_and_quotas(cloud):
    alice = cloud.client(version='2.37')
    resp = boot_in(cloud, alice, 'a0b1c2d3-0000-4000-8000-000000000000', 'x')
    assert resp.status_int == 400
    other = create_group(cloud.client('bob', 'p2'))
    assert boot_in(cloud, alice, other['id'], 'x').status_int == 400
    assert alice.get('/servers').data['servers'] == []   # nothing half-created
    cloud.admin('2.57').put('/os-quota-sets/p1', {'quota_set': {
        'server_group_members': 1, 'server_groups': 1}})
    group = create_group(alice, policy='affinity')
    resp = alice.post('/os-server-groups', {'server_group': {'name': 'g2',
                                                             'policies': ['affinity']}})
    assert resp.status_int == 403
    assert boot_in(cloud, alice, group['id'], 'one').status_int == 202
    resp = boot_in(cloud, alice, group['id'], 'two')
    assert resp.status_int == 403
    assert 'too many servers in group' in resp.data['forbidden']['message']
    detail = alice.get('/os-quota-sets/p1/detail').data['quota_set']
    assert detail['server_groups']['in_use'] == 1


def test_a_server_shows_its_groups_from_271(cloud):
    alice = cloud.client(version='2.71')
    group = create_group(alice)
    server_id = boot_in(cloud, alice, group['id'], 'a').data['server']['id']
    assert alice.get('/servers/%s' % server_id).data['server']['server_groups'] == [
        group['id']]
    assert 'server_groups' not in alice.at('2.70').get(
        '/servers/%s' % server_id).data['server']
