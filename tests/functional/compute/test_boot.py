"""Booting and deleting servers: seed 004's ``nova boot`` from the 202 to
ACTIVE on a fake host, the request errors the api-ref lists, quotas, and a
delete at any point of a build giving its claim back."""
import pytest


def test_boot_answers_202_then_becomes_active_on_a_host(cloud, alice):
    resp = alice.post('/servers', {'server': {
        'name': 'web', 'imageRef': cloud.image['id'], 'flavorRef': '42', 'networks': 'none',
        'metadata': {'role': 'web'}}})
    assert resp.status_int == 202
    server = resp.data['server']
    assert set(server) == {'id', 'links', 'OS-DCF:diskConfig', 'security_groups', 'adminPass'}
    assert server['adminPass']
    assert resp.headers['Location'] == '%s/v2.1/servers/%s' % ('http://127.0.0.1:8774',
                                                                server['id'])
    assert server['links'][0] == {'rel': 'self', 'href': resp.headers['Location']}

    active = cloud.wait_for_status(alice, server['id'], 'ACTIVE')
    assert active['name'] == 'web' and active['metadata'] == {'role': 'web'}
    assert active['OS-EXT-STS:vm_state'] == 'active'
    assert active['OS-EXT-STS:power_state'] == 1
    assert active['OS-SRV-USG:launched_at'] and active['hostId']
    assert active['image']['id'] == cloud.image['id']
    assert active['tenant_id'] == 'p1' and active['user_id'] == 'alice'
    # Only admins see the host; it is one of the two fake hypervisors.
    assert 'OS-EXT-SRV-ATTR:host' not in active
    shown = cloud.admin().get('/servers/%s' % server['id']).data['server']
    assert shown['OS-EXT-SRV-ATTR:host'] in ('compute1', 'compute2')
    assert shown['OS-EXT-SRV-ATTR:hypervisor_hostname'] == shown['OS-EXT-SRV-ATTR:host']
    assert server['id'] in cloud.guests(shown['OS-EXT-SRV-ATTR:host'])


def test_boot_is_recorded_as_a_create_action_with_each_hops_event(cloud, alice):
    server = cloud.boot_active(alice)
    admin = cloud.admin('2.62')
    host = admin.get('/servers/%s' % server['id']).data['server']['OS-EXT-SRV-ATTR:host']
    # What `openstack server event list / show` read.
    resp = admin.get('/v2.1/servers/%s/os-instance-actions' % server['id'])
    assert resp.status_int == 200
    ((action,),) = [resp.data['instanceActions']]
    assert (action['action'], action['user_id'], action['project_id']) == (
        'create', 'alice', 'p1')
    resp = admin.get('/v2.1/servers/%s/os-instance-actions/%s' % (server['id'],
                                                                   action['request_id']))
    events = {e['event']: e for e in resp.data['instanceAction']['events']}
    assert {name: e['result'] for name, e in events.items()} == {
        'conductor_schedule_and_build_instances': 'Success',
        'compute_build_and_run_instance': 'Success'}
    assert events['compute_build_and_run_instance']['host'] == host


def test_boot_claims_the_flavor_on_the_chosen_host(cloud, alice):
    server = cloud.boot_active(alice, flavor='84')  # m1.micro: 1 vCPU, 192 MB, 1 GB
    host = cloud.admin().get('/servers/%s' % server['id']).data['server'][
        'OS-EXT-SRV-ATTR:host']
    assert cloud.allocations() == {host: {'vcpus': 1, 'memory_mb': 192, 'disk_gb': 1,
                                          'count': 1}}


def test_delete_answers_204_and_gives_the_claim_back(cloud, alice):
    server = cloud.boot_active(alice)
    resp = alice.delete('/servers/%s' % server['id'])
    assert resp.status_int == 204 and not resp.body
    cloud.wait_for_status(alice, server['id'], 'DELETED')
    assert alice.get('/servers/%s' % server['id']).status_int == 404
    assert cloud.allocations() == {}
    assert not cloud.guests('compute1') | cloud.guests('compute2')
    # An admin still finds it among deleted servers.
    deleted = cloud.admin().get('/servers/detail?deleted=true&all_tenants=1').data['servers']
    assert [(s['id'], s['status']) for s in deleted] == [(server['id'], 'DELETED')]


def test_delete_while_spawning_stops_the_build_and_gives_the_claim_back(cloud, alice):
    server_id = cloud.boot(alice, metadata={'fake:spawn_time': '1'})
    admin = cloud.admin()
    cloud.wait_until(lambda: admin.get('/servers/%s' % server_id).data['server'][
        'OS-EXT-STS:task_state'] == 'spawning', 'spawning')
    assert alice.delete('/servers/%s' % server_id).status_int == 204
    cloud.wait_for_status(alice, server_id, 'DELETED')
    # The spawn, ending afterwards, must neither resurrect it nor leave its
    # guest or its claim behind.
    cloud.wait_until(lambda: [r for _, events in cloud.actions(server_id)
                              for e, r, _ in events
                              if e == 'compute_build_and_run_instance' and r],
                     'the build to end')
    assert not cloud.guests('compute1') | cloud.guests('compute2')
    assert not cloud.consumers()
    assert alice.get('/servers/%s' % server_id).status_int == 404


def test_delete_before_scheduling_leaves_nothing_claimed(make_cloud):
    cloud = make_cloud(services=('scheduler', 'compute'))  # the conductor is late
    alice = cloud.client(version='2.37')
    server_id = cloud.boot(alice)
    server = alice.get('/servers/%s' % server_id).data['server']
    assert (server['status'], server['OS-EXT-STS:task_state']) == ('BUILD', 'scheduling')
    assert alice.delete('/servers/%s' % server_id).status_int == 204
    assert alice.get('/servers/%s' % server_id).status_int == 404
    # The conductor now reads the queued build: the scheduler claims a host for
    # a server that is gone, and the claim must be handed back, never built.
    cloud.start('conductor')
    # Once the conductor's event has ended the scheduler has claimed a host.
    cloud.wait_until(lambda: [r for _, events in cloud.actions(server_id)
                              for _, r, _ in events if r], 'the conductor to schedule')
    cloud.wait_until(lambda: not cloud.consumers(), 'the claim released')
    assert not cloud.guests('compute1') | cloud.guests('compute2')
    assert alice.get('/servers/%s' % server_id).status_int == 404


def test_multiple_create_names_servers_and_returns_a_reservation(cloud, alice):
    resp = alice.post('/servers', {'server': {
        'name': 'farm', 'imageRef': cloud.image['id'], 'flavorRef': '42', 'networks': 'none',
        'min_count': 3, 'return_reservation_id': True}})
    assert resp.status_int == 202
    reservation = resp.data['reservation_id']
    assert reservation.startswith('r-')
    found = alice.get('/servers/detail?reservation_id=%s' % reservation).data['servers']
    assert sorted(s['name'] for s in found) == ['farm-1', 'farm-2', 'farm-3']
    for server in found:
        cloud.wait_for_status(alice, server['id'], 'ACTIVE')


# -- the request's own mistakes ----------------------------------------------------------

@pytest.mark.parametrize('body', [{'server': 'x'}, {'server': {}}, {'servers': {}}, [],
                                  {'server': {'name': '', 'flavorRef': '42',
                                              'networks': 'none'}},
                                  {'server': {'name': 's', 'flavorRef': '42',
                                              'networks': 'none', 'bogus': 1}}])
def test_malformed_boot_bodies_are_400(cloud, alice, body):
    resp = alice.post('/servers', body)
    assert resp.status_int == 400
    assert resp.data['badRequest']['code'] == 400
    assert resp.data['badRequest']['message']


def test_boot_with_unknown_image_or_flavor_is_400(cloud, alice):
    resp = alice.post('/servers', {'server': {'name': 's', 'imageRef': cloud.image['id'],
                                              'flavorRef': '999', 'networks': 'none'}})
    assert resp.status_int == 400
    assert 'Flavor 999 could not be found' in resp.data['badRequest']['message']
    resp = alice.post('/servers', {'server': {
        'name': 's', 'imageRef': '6a2c1a52-2b3f-4b7d-9b7e-0d6f3b1f5f00', 'flavorRef': '42',
        'networks': 'none'}})
    assert resp.status_int == 400
    assert 'could not be found' in resp.data['badRequest']['message']
    assert alice.get('/servers').data['servers'] == []


def test_boot_with_unknown_key_pair_or_zone_is_400(cloud, alice):
    base = {'name': 's', 'imageRef': cloud.image['id'], 'flavorRef': '42', 'networks': 'none'}
    resp = alice.post('/servers', {'server': dict(base, key_name='nokey')})
    assert resp.status_int == 400 and 'key_name' in resp.data['badRequest']['message']
    resp = alice.post('/servers', {'server': dict(base, availability_zone='elsewhere')})
    assert resp.status_int == 400


def test_boot_accepts_image_and_flavor_links(cloud, alice):
    resp = alice.post('/servers', {'server': {
        'name': 's', 'networks': 'auto',
        'imageRef': 'http://127.0.0.1:9292/v2/images/%s' % cloud.image['id'],
        'flavorRef': 'http://127.0.0.1:8774/v2.1/flavors/42'}})
    assert resp.status_int == 202, resp.body
    server = cloud.wait_for_status(alice, resp.data['server']['id'], 'ACTIVE')
    assert server['image']['id'] == cloud.image['id']


def test_networks_are_required_from_2_37(cloud):
    server = {'name': 's', 'imageRef': cloud.image['id'], 'flavorRef': '42'}
    at_2_37 = cloud.client(version='2.37')
    resp = at_2_37.post('/servers', {'server': server})
    assert resp.status_int == 400 and 'networks' in resp.data['badRequest']['message']
    for networks in ('none', 'auto'):
        assert at_2_37.post('/servers', {'server': dict(server, networks=networks)}
                            ).status_int == 202
    # Before 2.37 they are optional, and 'none'/'auto' do not exist yet.
    at_2_36 = cloud.client(version='2.36')
    assert at_2_36.post('/servers', {'server': server}).status_int == 202
    assert at_2_36.post('/servers', {'server': dict(server, networks='none')}
                        ).status_int == 400
    # Without a Network service (this cloud has none) no network can be found
    # (test_networking.py boots on real ones).
    resp = at_2_37.post('/servers', {'server': dict(server, networks=[
        {'uuid': '3f6e7c1e-8f0b-4a36-9f07-0d3c0e1a2b3c'}])})
    assert resp.status_int == 400


def test_another_projects_server_is_404(cloud, alice):
    server = cloud.boot_active(alice)
    bob = cloud.client('bob', 'p2', '2.37')
    path = '/servers/%s' % server['id']
    assert bob.get(path).status_int == 404
    assert bob.get(path).data['itemNotFound']['code'] == 404
    assert bob.delete(path).status_int == 404
    assert bob.put(path, {'server': {'name': 'mine'}}).status_int == 404
    assert bob.action(server['id'], 'os-stop').status_int == 404
    assert server['id'] not in [s['id'] for s in bob.get('/servers').data['servers']]
    # An admin sees it.
    assert cloud.admin().get(path).status_int == 200


def test_unknown_server_is_404(cloud, alice):
    path = '/servers/6a2c1a52-2b3f-4b7d-9b7e-0d6f3b1f5f00'
    assert alice.get(path).status_int == 404
    assert alice.delete(path).status_int == 404


def test_quota_exceeded_is_403(make_cloud):
    cloud = make_cloud({('quota', 'instances'): 2})
    alice = cloud.client(version='2.37')
    cloud.boot(alice, 'a')
    cloud.boot(alice, 'b')
    resp = alice.post('/servers', {'server': {'name': 'c', 'imageRef': cloud.image['id'],
                                              'flavorRef': '42', 'networks': 'none'}})
    assert resp.status_int == 403
    assert 'Quota exceeded for instances' in resp.data['forbidden']['message']
    # Another project has its own quota.
    cloud.boot(cloud.client('bob', 'p2', '2.37'), 'c')
    # min_count beyond the quota fails; max_count is trimmed to what fits.
    carol = cloud.client('carol', 'p3', '2.37')
    over = {'name': 'm', 'imageRef': cloud.image['id'], 'flavorRef': '42', 'networks': 'none'}
    assert carol.post('/servers', {'server': dict(over, min_count=3)}).status_int == 403
    assert carol.post('/servers', {'server': dict(over, min_count=1, max_count=5)}
                      ).status_int == 202
    assert len(carol.get('/servers').data['servers']) == 2


def test_cores_and_ram_quotas(make_cloud):
    cloud = make_cloud({('quota', 'cores'): 2, ('quota', 'ram'): 1024})
    alice = cloud.client(version='2.37')
    boot = {'name': 's', 'imageRef': cloud.image['id'], 'networks': 'none'}
    resp = alice.post('/servers', {'server': dict(boot, flavorRef='3')})  # m1.medium: 4096 MB
    assert resp.status_int == 403
    assert 'Quota exceeded for ram' in resp.data['forbidden']['message']
    cloud.boot(alice, flavor='1')  # m1.tiny: 1 vCPU, 512 MB
    cloud.boot(alice, flavor='1')
    resp = alice.post('/servers', {'server': dict(boot, flavorRef='42')})
    assert resp.status_int == 403
    assert 'Quota exceeded for cores' in resp.data['forbidden']['message']


def test_a_projects_quota_set_through_the_api_limits_its_boots(cloud):
    resp = cloud.admin('2.57').put('/os-quota-sets/p1', {'quota_set': {'instances': 1}})
    assert resp.status_int == 200, resp.body
    alice = cloud.client(version='2.37')
    cloud.boot(alice, 'a')
    resp = alice.post('/servers', {'server': {'name': 'b', 'imageRef': cloud.image['id'],
                                              'flavorRef': '42', 'networks': 'none'}})
    assert resp.status_int == 403
    assert 'Quota exceeded for instances' in resp.data['forbidden']['message']
    # Unlimited again: the boot goes through.
    cloud.admin('2.57').put('/os-quota-sets/p1', {'quota_set': {'instances': -1}})
    cloud.boot(alice, 'b')
