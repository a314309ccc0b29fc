"""Restarts (issue 12, "nothing stuck after a crash"): a compute host that
starts again finds the instances a crash left mid-operation on it and puts
each into a true state before it serves (Nova's ``init_host``); a conductor
fails the builds no host ever took — after ``instance_build_timeout``, or
at once on start where it is the only one (``pocketstack up``).

A crash is what it leaves in the database: each test puts a server into the
state a process killed at that moment leaves (the fake hypervisor's guests
die with the process, so the restarted host starts with none), restarts the
services, and looks at what the user sees.  tests/functional/test_crash.py
kills real processes."""
import datetime

import pytest

from pocketstack.common import utils
from pocketstack.compute.db import instances as db_instances
# Its clouds have a Network service, and alice the network n1.
from tests.functional.compute.test_networking import (  # noqa: F401 - fixtures
    cloud, host_of, net, server_ports)


def crash_left(cloud, server_id, **columns):
    """The server as a process killed in the middle of its operation left it."""
    assert db_instances.update(cloud.service.db, server_id, **columns)


def migration_statuses(cloud):
    return [m['status'] for m in cloud.admin('2.59').get('/os-migrations').data['migrations']]


def test_builds_a_host_was_running_end_in_error_with_their_ports_and_claims_released(
        cloud, alice, net):
    spawning = cloud.boot_active(alice, 'spawning', networks=[{'uuid': net['id']}])['id']
    networking = cloud.boot_active(alice, 'networking', networks=[{'uuid': net['id']}])['id']
    (port,) = server_ports(cloud, networking)
    crash_left(cloud, spawning, vm_state='building', task_state='spawning', power_state=0)
    # Killed between making the port and saving it: the network info lacks it.
    crash_left(cloud, networking, vm_state='building', task_state='networking',
               power_state=0, network_info=[])
    hosts = {host_of(cloud, spawning), host_of(cloud, networking)}

    cloud.restart('compute')

    for server_id in (spawning, networking):
        server = cloud.wait_for_status(alice, server_id, 'ERROR')
        assert server['OS-EXT-STS:vm_state'] == 'error'
        assert server['fault']['code'] == 500
        assert 'restarted during the build' in server['fault']['message']
        assert server['addresses'] == {}
        # Its ports are gone (the unsaved one too): their addresses are free.
        assert server_ports(cloud, server_id) == []
    assert 'compute host %s restarted' % host_of(cloud, networking) in \
        alice.get('/servers/%s' % networking).data['server']['fault']['message']
    assert cloud.consumers() == set()
    assert hosts <= {'compute1', 'compute2'}
    # The address the interrupted build held is free for the next server.
    address = port['fixed_ips'][0]['ip_address']
    again = cloud.boot_active(alice, 'again', networks=[{'uuid': net['id'],
                                                         'fixed_ip': address}])
    assert server_ports(cloud, again['id'])[0]['fixed_ips'] == port['fixed_ips']
    # An ERROR server is deleted as any other.
    assert alice.delete('/servers/%s' % networking).status_int == 204
    cloud.wait_for_status(alice, networking, 'DELETED')


def test_a_delete_under_way_is_finished(cloud, alice, net):
    server_id = cloud.boot_active(alice, networks=[{'uuid': net['id']}])['id']
    crash_left(cloud, server_id, task_state='deleting')
    cloud.restart('compute')
    cloud.wait_for_status(alice, server_id, 'DELETED')
    assert server_ports(cloud, server_id) == []
    assert cloud.consumers() == set()


@pytest.mark.parametrize('vm_state, task_state, status', [
    ('active', 'powering-off', 'SHUTOFF'),
    ('stopped', 'powering-on', 'ACTIVE'),
    ('active', 'rebooting', 'ACTIVE'),
    ('stopped', 'rebooting_hard', 'ACTIVE'),
    ('active', 'pausing', 'PAUSED'),
    ('suspended', 'resuming', 'ACTIVE'),
])
def test_a_power_change_under_way_is_done_again(cloud, alice, vm_state, task_state, status):
    server_id = cloud.boot_active(alice)['id']
    crash_left(cloud, server_id, vm_state=vm_state, task_state=task_state)
    cloud.restart('compute')
    server = cloud.wait_for_status(alice, server_id, status)
    assert 'fault' not in server


@pytest.mark.parametrize('task_state', ['image_snapshot', 'image_uploading', 'shelving',
                                        'rescuing'])
def test_other_tasks_under_way_are_cleared(cloud, alice, task_state):
    server_id = cloud.boot_active(alice)['id']
    crash_left(cloud, server_id, task_state=task_state)
    cloud.restart('compute')
    cloud.wait_for_status(alice, server_id, 'ACTIVE')
    # The server takes actions again.
    assert alice.post('/servers/%s/action' % server_id, {'os-stop': None}).status_int == 202
    cloud.wait_for_status(alice, server_id, 'SHUTOFF')


def test_a_rebuild_under_way_ends_in_error(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    crash_left(cloud, server_id, task_state='rebuild_spawning')
    cloud.restart('compute')
    server = cloud.wait_for_status(alice, server_id, 'ERROR')
    assert 'restarted during the rebuild' in server['fault']['message']
    # A rebuild from ERROR is how the user gets it back.
    resp = alice.post('/servers/%s/action' % server_id,
                      {'rebuild': {'imageRef': cloud.image['id']}})
    assert resp.status_int == 202, resp.body
    cloud.wait_for_status(alice, server_id, 'ACTIVE')


def test_active_servers_stay_active_and_usable(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    cloud.restart('compute')
    assert cloud.wait_for_status(alice, server_id, 'ACTIVE')
    assert alice.post('/servers/%s/action' % server_id, {'reboot': {'type': 'SOFT'}}
                      ).status_int == 202
    cloud.wait_for_status(alice, server_id, 'ACTIVE')
    assert alice.delete('/servers/%s' % server_id).status_int == 204
    cloud.wait_for_status(alice, server_id, 'DELETED')


def test_a_resize_its_source_restarted_during_is_rolled_back(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    source = host_of(cloud, server_id)
    # The destination's spawn stalls, so the source's crash comes mid-resize.
    assert alice.put('/servers/%s/metadata/fake:spawn_time' % server_id,
                     {'meta': {'fake:spawn_time': '2'}}).status_int == 200
    assert alice.post('/servers/%s/action' % server_id,
                      {'resize': {'flavorRef': '84'}}).status_int == 202
    cloud.wait_until(lambda: alice.get('/servers/%s' % server_id).data['server'][
        'OS-EXT-STS:task_state'] == 'resize_finish', 'resize_finish')

    cloud.restart('compute', hosts=[source])

    server = cloud.wait_for_status(alice, server_id, 'ACTIVE')
    assert server['flavor']['id'] == '42'
    assert host_of(cloud, server_id) == source
    assert migration_statuses(cloud) == ['error']
    # The destination's late finish sees the rollback and keeps nothing.
    cloud.actions(server_id)
    dest = ({'compute1', 'compute2'} - {source}).pop()
    assert cloud.guests(dest) == set()
    assert cloud.wait_for_status(alice, server_id, 'ACTIVE')['flavor']['id'] == '42'
    assert cloud.consumers() == {server_id}
    assert set(cloud.allocations()) == {source}


@pytest.mark.parametrize('action, task_state', [('confirmResize', 'resize_confirming'),
                                                ('revertResize', 'resize_reverting')])
def test_a_confirm_or_revert_cut_short_awaits_confirmation_again(cloud, alice, action,
                                                                 task_state):
    server_id = cloud.boot_active(alice)['id']
    source = host_of(cloud, server_id)
    assert alice.post('/servers/%s/action' % server_id,
                      {'resize': {'flavorRef': '84'}}).status_int == 202
    cloud.wait_for_status(alice, server_id, 'VERIFY_RESIZE')
    dest = host_of(cloud, server_id)
    crash_left(cloud, server_id, task_state=task_state)

    cloud.restart('compute')

    cloud.wait_for_status(alice, server_id, 'VERIFY_RESIZE')
    assert migration_statuses(cloud) == ['finished']
    assert alice.post('/servers/%s/action' % server_id, {action: None}).status_int in (202, 204)
    server = cloud.wait_for_status(alice, server_id, 'ACTIVE')
    host, flavor = (dest, '84') if action == 'confirmResize' else (source, '42')
    assert (host_of(cloud, server_id), server['flavor']['id']) == (host, flavor)
    assert cloud.consumers() == {server_id} and set(cloud.allocations()) == {host}


def test_an_unshelve_under_way_on_a_host_leaves_it_shelved_offloaded(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    assert alice.post('/servers/%s/action' % server_id, {'shelve': None}).status_int == 202
    cloud.wait_for_status(alice, server_id, 'SHELVED_OFFLOADED')
    crash_left(cloud, server_id, task_state='spawning', host='compute1', node='compute1')
    cloud.restart('compute')
    cloud.wait_for_status(alice, server_id, 'SHELVED_OFFLOADED')
    assert host_of(cloud, server_id) is None
    assert alice.post('/servers/%s/action' % server_id, {'unshelve': None}).status_int == 202
    cloud.wait_for_status(alice, server_id, 'ACTIVE')


# -- builds no host took (the conductor's) ---------------------------------------------

def unplaced(cloud, alice, name, **columns):
    """A server whose build the conductor (or scheduler) died placing: building,
    no host, its claim perhaps made."""
    server_id = cloud.boot_active(alice, name)['id']
    crash_left(cloud, server_id, vm_state='building', task_state='scheduling', host=None,
               node=None, power_state=0, **columns)
    return server_id


def test_a_conductor_of_up_fails_the_builds_no_host_took_before_it_started(cloud, alice):
    server_id = unplaced(cloud, alice, 'lost')
    cloud.restart('conductor')   # as scaled out: another conductor may be placing it
    assert alice.get('/servers/%s' % server_id).data['server']['status'] == 'BUILD'

    cloud.conf.set_override('fail_unplaced_builds_on_start', True, group='conductor')
    cloud.restart('conductor')
    server = cloud.wait_for_status(alice, server_id, 'ERROR')
    assert 'the conductor restarted before it reached a host' in server['fault']['message']
    assert cloud.consumers() == set()
    cloud.boot_active(alice, 'after')   # the new conductor builds


def test_a_conductor_of_up_undoes_the_unshelves_it_was_scheduling(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    assert alice.post('/servers/%s/action' % server_id, {'shelve': None}).status_int == 202
    cloud.wait_for_status(alice, server_id, 'SHELVED_OFFLOADED')
    crash_left(cloud, server_id, task_state='unshelving')
    cloud.conf.set_override('fail_unplaced_builds_on_start', True, group='conductor')
    cloud.restart('conductor')
    cloud.wait_for_status(alice, server_id, 'SHELVED_OFFLOADED')
    assert alice.post('/servers/%s/action' % server_id, {'unshelve': None}).status_int == 202
    cloud.wait_for_status(alice, server_id, 'ACTIVE')


def test_builds_past_instance_build_timeout_go_to_error(make_cloud):
    cloud = make_cloud({('DEFAULT', 'instance_build_timeout'): 2})
    alice = cloud.client(version='2.37')
    old = unplaced(cloud, alice, 'old',
                   created_at=utils.utcnow() - datetime.timedelta(seconds=60))
    server = cloud.wait_for_status(alice, old, 'ERROR')
    assert 'instance_build_timeout (2 s)' in server['fault']['message']
    assert cloud.consumers() == set()
    # Builds within the timeout are left to finish.
    assert cloud.boot_active(alice, 'new')['status'] == 'ACTIVE'
