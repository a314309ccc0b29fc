"""Builds that fail: the fake hypervisor told to fail (``fake:`` extra specs
or metadata), hosts without room, and many boots racing for the last room —
each ends as the api-ref says, with the fault ``server show`` displays."""
import concurrent.futures

import sqlalchemy as sa

from pocketstack.compute.db import models


def add_flavor(cloud, flavorid, extra_specs):
    cloud.service.flavors.create({'flavorid': flavorid, 'name': 'fail-%s' % flavorid,
                                  'memory_mb': 128, 'vcpus': 1, 'root_gb': 1}, extra_specs)


def test_spawn_failing_everywhere_ends_in_error_with_its_fault(cloud, alice):
    add_flavor(cloud, '900', {'fake:spawn_fail': 'true'})
    server_id = cloud.boot(alice, flavor='900')
    server = cloud.wait_for_status(alice, server_id, 'ERROR')
    assert server['OS-EXT-STS:vm_state'] == 'error'
    fault = server['fault']
    assert fault['code'] == 500
    assert fault['message'].startswith('Exceeded maximum number of retries')
    assert 'details' not in fault  # a 500's traceback is for admins
    assert 'details' in cloud.admin().get('/servers/%s' % server_id).data['server']['fault']
    # Tried on both hosts, each attempt recorded; nothing stays claimed.
    ((action, events),) = cloud.actions(server_id)
    builds = sorted((host, result) for event, result, host in events
                    if event == 'compute_build_and_run_instance')
    assert builds == [('compute1', 'Error'), ('compute2', 'Error')]
    assert cloud.allocations() == {}
    assert not cloud.guests('compute1') | cloud.guests('compute2')


def test_spawn_failing_through_metadata(cloud, alice):
    server_id = cloud.boot(alice, metadata={'fake:spawn_fail': 'true'})
    server = cloud.wait_for_status(alice, server_id, 'ERROR')
    assert 'Exceeded maximum number of retries' in server['fault']['message']
    # An ERROR server can be deleted.
    assert alice.delete('/servers/%s' % server_id).status_int == 204
    cloud.wait_for_status(alice, server_id, 'DELETED')


def test_spawn_failing_on_one_host_is_rescheduled_to_the_other(cloud, alice):
    first = cloud.boot_active(alice, 'first')['id']
    busy = cloud.admin().get('/servers/%s' % first).data['server']['OS-EXT-SRV-ATTR:host']
    free = ({'compute1', 'compute2'} - {busy}).pop()
    # The scheduler prefers the host with the most free RAM: `free`, which fails.
    server_id = cloud.boot(alice, 'second', metadata={'fake:spawn_fail_on_host': free})
    cloud.wait_for_status(alice, server_id, 'ACTIVE')
    server = cloud.admin().get('/servers/%s' % server_id).data['server']
    assert server['OS-EXT-SRV-ATTR:host'] == busy
    assert 'fault' not in server
    ((action, events),) = cloud.actions(server_id)
    assert [(e, r, h) for e, r, h in events if e == 'compute_build_and_run_instance'] == [
        ('compute_build_and_run_instance', 'Error', free),
        ('compute_build_and_run_instance', 'Success', busy)]
    assert cloud.allocations()[busy]['count'] == 2 and free not in cloud.allocations()


def test_no_room_on_any_host_is_no_valid_host(make_cloud):
    cloud = make_cloud({('fake_driver', 'memory_mb'): 64})
    alice = cloud.client(version='2.37')
    server_id = cloud.boot(alice)
    server = cloud.wait_for_status(alice, server_id, 'ERROR')
    assert 'No valid host was found' in server['fault']['message']
    assert server['fault']['code'] == 500
    ((action, events),) = cloud.actions(server_id)
    assert events == [('conductor_schedule_and_build_instances', 'Error', events[0][2])]


def test_concurrent_boots_never_overcommit(make_cloud):
    # Room for 4 m1.nano (128 MB) per host: 8 in all, and 12 asked at once.
    cloud = make_cloud({('fake_driver', 'memory_mb'): 512, ('quota', 'instances'): -1})
    alice = cloud.client(version='2.37')
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        ids = list(pool.map(lambda n: cloud.boot(alice, 'c%d' % n), range(12)))
    servers = [cloud.wait_for_status(alice, i, 'ACTIVE', 'ERROR') for i in ids]
    statuses = sorted(s['status'] for s in servers)
    assert statuses == ['ACTIVE'] * 8 + ['ERROR'] * 4
    assert all('No valid host was found' in s['fault']['message']
               for s in servers if s['status'] == 'ERROR')
    usage = cloud.allocations()
    assert {h: (u['memory_mb'], u['count']) for h, u in usage.items()} == {
        'compute1': (512, 4), 'compute2': (512, 4)}
    admin = cloud.admin()
    hosts = [admin.get('/servers/%s' % s['id']).data['server']['OS-EXT-SRV-ATTR:host']
             for s in servers if s['status'] == 'ACTIVE']
    assert sorted(hosts) == ['compute1'] * 4 + ['compute2'] * 4
    # Each ACTIVE server holds exactly one claim; the failed ones none.
    with cloud.service.db.reader() as session:
        consumers = session.scalars(sa.select(models.Allocation.consumer_id)).all()
    assert sorted(consumers) == sorted(s['id'] for s in servers if s['status'] == 'ACTIVE')


def test_resize_without_room_leaves_the_server_as_it_was(make_cloud):
    cloud = make_cloud({('fake_driver', 'memory_mb'): 256})
    alice = cloud.client(version='2.47')
    server_id = cloud.boot_active(alice)['id']
    assert alice.action(server_id, 'resize', {'flavorRef': '1'}).status_int == 202  # 512 MB
    cloud.wait_until(lambda: [r for a, events in cloud.actions(server_id) if a == 'resize'
                              for _, r, _ in events if r], 'the resize to be scheduled')
    server = cloud.wait_for_status(alice, server_id, 'ACTIVE')
    assert server['flavor']['original_name'] == 'm1.nano'
    action, events = cloud.actions(server_id)[-1]
    assert (action, [(e, r) for e, r, _ in events]) == (
        'resize', [('conductor_migrate_server', 'Error')])
    assert sorted(u['memory_mb'] for u in cloud.allocations().values()) == [128]


def test_unshelve_without_room_stays_shelved(make_cloud):
    cloud = make_cloud({('fake_driver', 'memory_mb'): 256})
    alice = cloud.client(version='2.37')
    server_id = cloud.boot_active(alice)['id']
    alice.action(server_id, 'shelve')
    cloud.wait_for_status(alice, server_id, 'SHELVED_OFFLOADED')
    # Meanwhile others take all the room.
    for name in ('a', 'b', 'c', 'd'):
        cloud.boot_active(cloud.client('bob', 'p2', '2.37'), name)
    assert alice.action(server_id, 'unshelve').status_int == 202
    cloud.wait_until(lambda: [r for a, events in cloud.actions(server_id) if a == 'unshelve'
                              for _, r, _ in events if r], 'the unshelve to be scheduled')
    assert cloud.wait_for_status(alice, server_id, 'SHELVED_OFFLOADED')
    assert server_id not in cloud.consumers()
