"""Server actions (``POST /servers/{id}/action``): each goes API → compute
host (or conductor) and back to a stable status, and is refused with 409 in
a state the api-ref does not allow it in."""
import time

import pytest

from pocketstack.common import qcow2
from pocketstack.image import default_image


def server_view(cloud, server_id):
    return cloud.admin('2.47').get('/servers/%s' % server_id).data['server']


def host_of(cloud, server_id):
    return server_view(cloud, server_id)['OS-EXT-SRV-ATTR:host']


def conflict(resp):
    assert resp.status_int == 409, resp.body
    return resp.data['conflictingRequest']['message']


@pytest.fixture
def server(cloud, alice):
    return cloud.boot_active(alice)['id']


def test_stop_and_start(cloud, alice, server):
    assert alice.action(server, 'os-stop').status_int == 202
    stopped = cloud.wait_for_status(alice, server, 'SHUTOFF')
    assert (stopped['OS-EXT-STS:vm_state'], stopped['OS-EXT-STS:power_state']) == (
        'stopped', 4)
    conflict(alice.action(server, 'os-stop'))
    assert alice.action(server, 'os-start').status_int == 202
    started = cloud.wait_for_status(alice, server, 'ACTIVE')
    assert started['OS-EXT-STS:power_state'] == 1
    assert [a for a, _ in cloud.actions(server)] == ['create', 'stop', 'start']
    assert cloud.actions(server)[1][1] == [
        ('compute_stop_instance', 'Success', host_of(cloud, server))]


def test_starting_an_active_server_is_409(cloud, alice, server):
    message = conflict(alice.action(server, 'os-start'))
    assert 'vm_state active' in message


def test_reboot_soft_and_hard(cloud, alice, server):
    assert alice.action(server, 'reboot', {'type': 'SOFT'}).status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert alice.action(server, 'reboot', {'type': 'HARD'}).status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    output = alice.action(server, 'os-getConsoleOutput', {}).data['output']
    # Three boots; only the soft reboot let the guest shut down first.
    assert output.count('Linux version') == 3
    assert output.count('reboot: Restarting system') == 1
    assert alice.action(server, 'reboot', {'type': 'GENTLE'}).status_int == 400
    assert alice.action(server, 'reboot', None).status_int == 400
    # A stopped server can be rebooted HARD only.
    alice.action(server, 'os-stop')
    cloud.wait_for_status(alice, server, 'SHUTOFF')
    conflict(alice.action(server, 'reboot', {'type': 'SOFT'}))
    assert alice.action(server, 'reboot', {'type': 'HARD'}).status_int == 202
    assert cloud.wait_for_status(alice, server, 'ACTIVE')['OS-EXT-STS:power_state'] == 1


def test_pause_unpause_suspend_resume(cloud, alice, server):
    assert alice.action(server, 'pause').status_int == 202
    assert cloud.wait_for_status(alice, server, 'PAUSED')['OS-EXT-STS:power_state'] == 3
    conflict(alice.action(server, 'suspend'))
    conflict(alice.action(server, 'pause'))
    assert alice.action(server, 'unpause').status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert alice.action(server, 'suspend').status_int == 202
    assert cloud.wait_for_status(alice, server, 'SUSPENDED')['OS-EXT-STS:power_state'] == 7
    conflict(alice.action(server, 'unpause'))
    assert alice.action(server, 'resume').status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert [a for a, _ in cloud.actions(server)] == [
        'create', 'pause', 'unpause', 'suspend', 'resume']


def test_lock_refuses_members_actions_until_unlocked(cloud, server):
    alice = cloud.client(version='2.73')
    assert alice.action(server, 'lock', {'locked_reason': 'maintenance'}).status_int == 202
    shown = alice.get('/servers/%s' % server).data['server']
    assert (shown['locked'], shown['locked_reason']) == (True, 'maintenance')
    assert 'locked' in conflict(alice.action(server, 'os-stop'))
    conflict(alice.delete('/servers/%s' % server))
    assert names_locked(alice, True) == [server]
    assert alice.action(server, 'unlock').status_int == 202
    shown = alice.get('/servers/%s' % server).data['server']
    assert (shown['locked'], shown['locked_reason']) == (False, None)
    assert names_locked(alice, True) == []
    assert alice.action(server, 'os-stop').status_int == 202
    cloud.wait_for_status(alice, server, 'SHUTOFF')


def names_locked(client, locked):
    resp = client.get('/servers?locked=%s' % str(locked).lower())
    assert resp.status_int == 200, resp.body
    return [s['id'] for s in resp.data['servers']]


def test_admin_acts_on_locked_servers_and_only_admin_unlocks_its_lock(cloud, server):
    alice = cloud.client(version='2.73')
    admin = cloud.admin('2.73')
    assert admin.action(server, 'lock').status_int == 202
    assert alice.get('/servers/%s' % server).data['server']['locked'] is True
    assert alice.action(server, 'unlock').status_int == 403
    assert admin.action(server, 'os-stop').status_int == 202
    cloud.wait_for_status(admin, server, 'SHUTOFF')
    assert admin.action(server, 'unlock').status_int == 202
    assert alice.get('/servers/%s' % server).data['server']['locked'] is False


def test_locked_reason_needs_2_73(cloud, server):
    at_2_9 = cloud.client(version='2.9')
    assert at_2_9.action(server, 'lock').status_int == 202
    shown = at_2_9.get('/servers/%s' % server).data['server']
    assert shown['locked'] is True and 'locked_reason' not in shown
    assert 'locked' not in cloud.client().get('/servers/%s' % server).data['server']


def test_unknown_or_malformed_actions_are_400(cloud, alice, server):
    resp = alice.action(server, 'fly')
    assert resp.status_int == 400
    assert 'There is no such action: fly' in resp.data['badRequest']['message']
    assert alice.post('/servers/%s/action' % server, {'os-stop': None, 'pause': None}
                      ).status_int == 400
    assert alice.post('/servers/%s/action' % server, ['os-stop']).status_int == 400
    assert alice.post('/servers/%s/action' % server, raw=b'{oops').status_int == 400
    assert alice.action(server, 'createImage', {}).status_int == 400
    assert alice.action(server, 'resize', {'flavorRef': '999'}).status_int == 400
    assert alice.action(server, 'rebuild', {}).status_int == 400


def test_create_image_uploads_a_snapshot_to_the_image_service(cloud, alice, server):
    resp = cloud.client(version='2.45').action(server, 'createImage', {
        'name': 'snap', 'metadata': {'purpose': 'backup'}})
    assert resp.status_int == 202
    image_id = resp.data['image_id']
    assert 'Location' not in resp.headers
    images = cloud.image_client('alice', 'p1')
    cloud.wait_until(lambda: images.get('/v2/images/%s' % image_id).data['status'] == 'active',
                     'the snapshot uploaded')
    image = images.get('/v2/images/%s' % image_id).data
    assert (image['name'], image['owner'], image['purpose']) == ('snap', 'p1', 'backup')
    assert image['instance_uuid'] == server and image['image_type'] == 'snapshot'
    assert image['base_image_ref'] == cloud.image['id']
    data = images.get('/v2/images/%s/file' % image_id)
    assert data.body == qcow2.empty()
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert cloud.actions(server)[-1] == ('createImage', [
        ('compute_snapshot_instance', 'Success', host_of(cloud, server))])
    # The snapshot boots a server.
    cloud.boot_active(alice, 'from-snap', image=image_id)


def test_create_image_before_2_45_answers_with_a_location(cloud, alice, server):
    resp = cloud.client(version='2.44').action(server, 'createImage', {'name': 'snap'})
    assert resp.status_int == 202 and not resp.body
    image_id = resp.headers['Location'].rsplit('/', 1)[1]
    assert resp.headers['Location'] == '%s/images/%s' % (cloud.image_url, image_id)
    images = cloud.image_client('alice', 'p1')
    cloud.wait_until(lambda: images.get('/v2/images/%s' % image_id).data['status'] == 'active',
                     'the snapshot uploaded')


def backups_of(cloud, server, backup_type):
    images = cloud.image_client('alice', 'p1').get('/v2/images').data['images']
    return sorted(i['name'] for i in images if i.get('instance_uuid') == server
                  and i.get('image_type') == 'backup' and i.get('backup_type') == backup_type)


def test_create_backup_keeps_the_newest_rotation_of_its_type(cloud, alice, server):
    at_245 = cloud.client(version='2.45')
    for n in range(3):
        resp = at_245.action(server, 'createBackup', {
            'name': 'daily-%d' % n, 'backup_type': 'daily', 'rotation': 2})
        assert resp.status_int == 202, resp.body
        assert resp.data['image_id']
        cloud.wait_for_status(alice, server, 'ACTIVE')
        if n == 0:
            time.sleep(1.1)   # the Image API's created_at counts whole seconds
    assert backups_of(cloud, server, 'daily') == ['daily-1', 'daily-2']
    # Another type rotates on its own; rotation 0 keeps none of it.
    resp = at_245.action(server, 'createBackup', {'name': 'weekly', 'backup_type': 'weekly',
                                                  'rotation': '1', 'metadata': {'k': 'v'}})
    assert resp.status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    image = cloud.image_client('alice', 'p1').get('/v2/images/%s' % resp.data['image_id']).data
    assert (image['status'], image['k'], image['image_type']) == ('active', 'v', 'backup')
    at_245.action(server, 'createBackup', {'name': 'gone', 'backup_type': 'weekly',
                                           'rotation': 0})
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert backups_of(cloud, server, 'weekly') == []
    assert backups_of(cloud, server, 'daily') == ['daily-1', 'daily-2']
    assert cloud.actions(server)[-1][0] == 'createBackup'


@pytest.mark.parametrize('body', [
    {'name': 'b', 'backup_type': 'daily'},
    {'name': 'b', 'rotation': 1},
    {'backup_type': 'daily', 'rotation': 1},
    {'name': 'b', 'backup_type': 'daily', 'rotation': -1},
    {'name': 'b', 'backup_type': 'daily', 'rotation': 'x'},
    {'name': 'b', 'backup_type': 'daily', 'rotation': 1, 'extra': 1},
])
def test_malformed_backups_are_400(cloud, alice, server, body):
    assert alice.action(server, 'createBackup', body).status_int == 400
    assert cloud.wait_for_status(alice, server, 'ACTIVE')['OS-EXT-STS:task_state'] is None


def test_shelve_offloads_to_an_image_and_unshelve_boots_it_again(cloud, alice):
    server = cloud.boot_active(alice, 't3')['id']
    assert alice.action(server, 'shelve').status_int == 202
    shelved = cloud.wait_for_status(alice, server, 'SHELVED_OFFLOADED')
    assert shelved['OS-EXT-STS:vm_state'] == 'shelved_offloaded'
    assert host_of(cloud, server) is None
    assert cloud.allocations() == {}
    images = cloud.image_client('alice', 'p1')
    (image,) = images.get('/v2/images?name=t3-shelved').data['images']
    assert image['status'] == 'active' and image['instance_uuid'] == server
    conflict(alice.action(server, 'os-start'))

    assert alice.action(server, 'unshelve').status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    host = host_of(cloud, server)
    assert host in ('compute1', 'compute2') and server in cloud.guests(host)
    assert list(cloud.allocations()) == [host]
    # As Nova: the shelve image is deleted once the server is back.
    cloud.wait_until(lambda: images.get('/v2/images/%s' % image['id']).status_int == 404,
                     'the shelve image deleted')
    assert [a for a, _ in cloud.actions(server)] == ['create', 'shelve', 'unshelve']


def test_delete_a_shelved_server_deletes_its_image(cloud, alice, server):
    assert alice.action(server, 'shelve').status_int == 202
    cloud.wait_for_status(alice, server, 'SHELVED_OFFLOADED')
    images = cloud.image_client('alice', 'p1')
    (image,) = images.get('/v2/images?name=s1-shelved').data['images']
    assert alice.delete('/servers/%s' % server).status_int == 204
    cloud.wait_for_status(alice, server, 'DELETED')
    assert images.get('/v2/images/%s' % image['id']).status_int == 404


def test_rebuild_with_another_image(cloud, alice, server):
    other = default_image.register(cloud.image_service, 'admin', 'other-image')
    resp = alice.action(server, 'rebuild', {'imageRef': other['id'], 'name': 'rebuilt',
                                            'metadata': {'v': '2'}})
    assert resp.status_int == 202
    body = resp.data['server']
    assert body['id'] == server and body['name'] == 'rebuilt' and body['adminPass']
    assert body['image']['id'] == other['id']
    rebuilt = cloud.wait_for_status(alice, server, 'ACTIVE')
    assert rebuilt['image']['id'] == other['id'] and rebuilt['metadata'] == {'v': '2'}
    output = alice.action(server, 'os-getConsoleOutput', {}).data['output']
    assert 'Welcome to other-image!' in output
    assert cloud.actions(server)[-1][0] == 'rebuild'
    resp = alice.action(server, 'rebuild', {'imageRef': '6a2c1a52-2b3f-4b7d-9b7e-0d6f3b1f5f00'})
    assert resp.status_int == 400


def test_resize_confirm_moves_the_server_and_its_claim(cloud, alice, server):
    source = host_of(cloud, server)
    assert alice.action(server, 'resize', {'flavorRef': '84'}).status_int == 202
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    view = server_view(cloud, server)
    dest = view['OS-EXT-SRV-ATTR:host']
    assert dest != source and dest in ('compute1', 'compute2')
    assert view['flavor']['original_name'] == 'm1.micro'
    # While unconfirmed, both hosts hold a claim: the old flavor and the new.
    usage = cloud.allocations()
    assert (usage[source]['memory_mb'], usage[dest]['memory_mb']) == (128, 192)
    assert alice.action(server, 'confirmResize').status_int == 204
    confirmed = cloud.wait_for_status(alice, server, 'ACTIVE')
    assert confirmed['flavor']['id'] == '84'
    assert {h: u['memory_mb'] for h, u in cloud.allocations().items()} == {dest: 192}
    assert server in cloud.guests(dest) and server not in cloud.guests(source)
    conflict(alice.action(server, 'confirmResize'))
    assert [a for a, _ in cloud.actions(server)] == ['create', 'resize', 'confirmResize']


def test_resize_revert_goes_back_to_the_source(cloud, alice, server):
    source = host_of(cloud, server)
    assert alice.action(server, 'resize', {'flavorRef': '84'}).status_int == 202
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    assert alice.action(server, 'revertResize').status_int == 202
    reverted = cloud.wait_for_status(alice, server, 'ACTIVE')
    assert reverted['flavor']['id'] == '42'
    assert host_of(cloud, server) == source
    assert {h: u['memory_mb'] for h, u in cloud.allocations().items()} == {source: 128}
    assert cloud.guests('compute1') | cloud.guests('compute2') == {server}


def test_resize_of_a_stopped_server_stays_stopped(cloud, alice, server):
    alice.action(server, 'os-stop')
    cloud.wait_for_status(alice, server, 'SHUTOFF')
    assert alice.action(server, 'resize', {'flavorRef': '84'}).status_int == 202
    resized = cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    assert resized['OS-EXT-STS:power_state'] == 4
    assert alice.action(server, 'confirmResize').status_int == 204
    assert cloud.wait_for_status(alice, server, 'SHUTOFF')['flavor']['id'] == '84'


def test_migrate_moves_the_server_keeping_its_flavor(cloud, alice, server):
    source = host_of(cloud, server)
    admin = cloud.admin('2.37')
    assert admin.action(server, 'migrate').status_int == 202
    migrated = cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    dest = host_of(cloud, server)
    assert dest != source and migrated['flavor']['id'] == '42'
    assert alice.action(server, 'confirmResize').status_int == 204
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert {h: u['memory_mb'] for h, u in cloud.allocations().items()} == {dest: 128}
    assert cloud.guests(dest) == {server}
    # From 2.56 an admin may name the host; back to the source, then reverted.
    assert cloud.admin('2.56').action(server, 'migrate', {'host': source}).status_int == 202
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    assert host_of(cloud, server) == source
    assert alice.action(server, 'revertResize').status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert host_of(cloud, server) == dest
    assert [a for a, _ in cloud.actions(server)] == [
        'create', 'migrate', 'confirmResize', 'migrate', 'revertResize']


def test_os_migrations_records_resizes_and_migrations(cloud, alice, server):
    source = host_of(cloud, server)
    alice.action(server, 'resize', {'flavorRef': '84'})
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    dest = host_of(cloud, server)
    admin = cloud.admin('2.80')
    (record,) = admin.get('/os-migrations').data['migrations']
    assert (record['status'], record['migration_type'], record['instance_uuid']) == (
        'finished', 'resize', server)
    assert (record['source_compute'], record['dest_compute'], record['dest_host']) == (
        source, dest, dest)
    assert (record['user_id'], record['project_id']) == ('alice', 'p1')
    assert record['old_instance_type_id'] != record['new_instance_type_id']
    alice.action(server, 'confirmResize')
    cloud.wait_for_status(alice, server, 'ACTIVE')
    cloud.admin('2.37').action(server, 'migrate')
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    alice.action(server, 'revertResize')
    cloud.wait_for_status(alice, server, 'ACTIVE')
    listed = admin.get('/os-migrations').data['migrations']   # newest first from 2.59
    assert [(m['migration_type'], m['status']) for m in listed] == [
        ('migration', 'reverted'), ('resize', 'confirmed')]
    assert listed[0]['old_instance_type_id'] == listed[0]['new_instance_type_id']
    # Filters and pages.
    assert [m['status'] for m in admin.get(
        '/os-migrations?migration_type=resize').data['migrations']] == ['confirmed']
    assert admin.get('/os-migrations?host=nowhere').data['migrations'] == []
    page = admin.get('/os-migrations?limit=1').data
    assert len(page['migrations']) == 1 and 'migrations_links' in page
    rest = admin.get('/os-migrations?limit=1&marker=%s' % page['migrations'][0]['uuid']).data
    assert [m['status'] for m in rest['migrations']] == ['confirmed']
    # Before 2.23 no type; before 2.59 oldest first and no uuid.
    old = cloud.admin().get('/os-migrations').data['migrations']
    assert [m['status'] for m in old] == ['confirmed', 'reverted']
    assert 'migration_type' not in old[0] and 'uuid' not in old[0]
    assert alice.get('/os-migrations').status_int == 403
    assert admin.get('/servers/%s/migrations' % server).data == {'migrations': []}


def test_a_move_with_no_host_is_an_error_record(cloud, alice, server):
    admin = cloud.admin('2.59')
    admin.put('/os-quota-sets/p1', {'quota_set': {'ram': -1}})
    resp = admin.post('/flavors', {'flavor': {'name': 'huge', 'ram': 10 ** 7, 'vcpus': 1,
                                              'disk': 1, 'id': 'huge'}})
    assert resp.status_int == 200, resp.body
    assert alice.action(server, 'resize', {'flavorRef': 'huge'}).status_int == 202
    cloud.wait_until(lambda: [m['status'] for m in admin.get('/os-migrations').data[
        'migrations']] == ['error'], 'the migration recorded as failed')
    assert cloud.wait_for_status(alice, server, 'ACTIVE')['flavor']['id'] == '42'


def test_migrate_errors(cloud, alice, server):
    assert alice.action(server, 'migrate').status_int == 403
    admin_256 = cloud.admin('2.56')
    here = host_of(cloud, server)
    assert admin_256.action(server, 'migrate', {'host': here}).status_int == 400
    assert admin_256.action(server, 'migrate', {'host': 'nowhere'}).status_int == 400
    # Before 2.56 the body is null: naming a host is 400.
    assert cloud.admin('2.55').action(server, 'migrate', {'host': 'compute1'}
                                      ).status_int == 400
    assert cloud.wait_for_status(alice, server, 'ACTIVE')['OS-EXT-STS:task_state'] is None
    assert host_of(cloud, server) == here
    # Only ACTIVE and SHUTOFF servers move.
    alice.action(server, 'pause')
    cloud.wait_for_status(alice, server, 'PAUSED')
    assert 'vm_state paused' in conflict(cloud.admin().action(server, 'migrate'))


def test_rescue_and_unrescue(cloud, alice, server):
    resp = alice.action(server, 'rescue', {'adminPass': 's3cret'})
    assert resp.status_int == 200 and resp.data == {'adminPass': 's3cret'}
    rescued = cloud.wait_for_status(alice, server, 'RESCUE')
    assert (rescued['OS-EXT-STS:vm_state'], rescued['OS-EXT-STS:power_state']) == (
        'rescued', 1)
    assert alice.action(server, 'os-getConsoleOutput', {'length': None}).data[
        'output'].count('Welcome to %s!' % cloud.image['name']) == 2   # boot, rescue
    conflict(alice.action(server, 'rescue'))
    conflict(alice.action(server, 'os-stop'))
    assert alice.action(server, 'unrescue').status_int == 202
    assert cloud.wait_for_status(alice, server, 'ACTIVE')['OS-EXT-STS:vm_state'] == 'active'
    conflict(alice.action(server, 'unrescue'))
    # A stopped server may be rescued too, from a named image; the answer
    # makes up a password when none is given.
    alice.action(server, 'os-stop')
    cloud.wait_for_status(alice, server, 'SHUTOFF')
    resp = alice.action(server, 'rescue', {'rescue_image_ref': cloud.image['id']})
    assert resp.status_int == 200 and resp.data['adminPass']
    cloud.wait_for_status(alice, server, 'RESCUE')
    assert [a for a, _ in cloud.actions(server)][-4:] == [
        'rescue', 'unrescue', 'stop', 'rescue']


def test_rescue_errors(cloud, alice, server):
    missing = 'a0b1c2d3-0000-4000-8000-000000000000'
    assert alice.action(server, 'rescue', {'rescue_image_ref': missing}).status_int == 400
    assert alice.action(server, 'rescue', {'rescue_image_ref': 'nope'}).status_int == 400
    assert alice.action(server, 'rescue', {'other': 1}).status_int == 400
    assert cloud.wait_for_status(alice, server, 'ACTIVE')['OS-EXT-STS:task_state'] is None


def test_resize_to_the_same_flavor_is_400(cloud, alice, server):
    resp = alice.action(server, 'resize', {'flavorRef': '42'})
    assert resp.status_int == 400
    conflict(alice.action(server, 'revertResize'))


def test_console_output(cloud, alice, server):
    resp = alice.action(server, 'os-getConsoleOutput', {'length': None})
    assert resp.status_int == 200
    lines = resp.data['output'].splitlines()
    assert 'Linux version' in lines[0]
    assert 'Welcome to %s!' % cloud.image['name'] in lines
    assert lines[-1].endswith('login:')
    last = alice.action(server, 'os-getConsoleOutput', {'length': 1}).data['output']
    assert last.splitlines() == lines[-1:]
    assert alice.action(server, 'os-getConsoleOutput', {'length': 'x'}).status_int == 400


def test_actions_on_a_server_without_a_host_are_409(make_cloud):
    cloud = make_cloud({('fake_driver', 'memory_mb'): 64})  # nothing fits
    alice = cloud.client(version='2.37')
    server = cloud.boot(alice)
    cloud.wait_for_status(alice, server, 'ERROR')
    conflict(alice.action(server, 'os-stop'))
    conflict(alice.action(server, 'os-getConsoleOutput', {}))
    assert alice.delete('/servers/%s' % server).status_int == 204
    cloud.wait_for_status(alice, server, 'DELETED')


def test_force_delete_needs_a_soft_deleted_server(cloud, alice, server):
    # Deletes are never soft here (reclaim_instance_interval 0, Nova's default).
    assert 'vm_state active' in conflict(alice.action(server, 'forceDelete'))
    assert alice.get('/servers/%s' % server).data['server']['status'] == 'ACTIVE'


def test_rebuild_of_a_stopped_server_stays_stopped(cloud, alice, server):
    alice.action(server, 'os-stop')
    cloud.wait_for_status(alice, server, 'SHUTOFF')
    resp = alice.action(server, 'rebuild', {'imageRef': cloud.image['id']})
    assert resp.status_int == 202 and resp.data['server']['status'] == 'REBUILD'
    assert cloud.wait_for_status(alice, server, 'SHUTOFF')['OS-EXT-STS:power_state'] == 4


def test_unshelve_into_a_zone_from_2_77_and_onto_a_host_from_2_91(cloud, alice, server):
    assert alice.action(server, 'shelve').status_int == 202
    cloud.wait_for_status(alice, server, 'SHELVED_OFFLOADED')
    assert alice.at('2.77').action(server, 'unshelve', {'availability_zone': 'elsewhere'}
                                   ).status_int == 400
    assert alice.at('2.77').action(server, 'unshelve', {'host': 'compute2'}).status_int == 400
    assert alice.at('2.91').action(server, 'unshelve', {'host': 'compute2'}).status_int == 403
    admin = cloud.admin('2.91')
    assert admin.action(server, 'unshelve', {'host': 'nohost'}).status_int == 400
    # Nothing was started by the refused requests.
    assert alice.get('/servers/%s' % server).data['server']['status'] == 'SHELVED_OFFLOADED'
    assert admin.action(server, 'unshelve', {'host': 'compute2',
                                             'availability_zone': 'nova'}).status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert host_of(cloud, server) == 'compute2'


def _zone_aggregate(cloud, host, zone):
    admin = cloud.admin()
    resp = admin.post('/os-aggregates', {'aggregate': {'name': 'agg-' + zone,
                                                       'availability_zone': zone}})
    assert resp.status_int == 200, resp.body
    resp = admin.post('/os-aggregates/%s/action' % resp.data['aggregate']['id'],
                      {'add_host': {'host': host}})
    assert resp.status_int == 200, resp.body


def test_unshelve_with_a_zone_or_host_only_when_offloaded(cloud, alice, server):
    from pocketstack.compute.db import instances
    assert alice.action(server, 'shelve').status_int == 202
    cloud.wait_for_status(alice, server, 'SHELVED_OFFLOADED')
    # Shelved, not offloaded (shelved_offload_time = 0 here: made so).
    instances.update(cloud.service.db, server, vm_state='shelved')
    assert alice.at('2.77').action(server, 'unshelve', {'availability_zone': 'nova'}
                                   ).status_int == 409
    assert cloud.admin('2.91').action(server, 'unshelve', {'host': 'compute1'}
                                      ).status_int == 409
    instances.update(cloud.service.db, server, vm_state='shelved_offloaded')


def test_unshelve_into_another_zone_pins_the_server_there(cloud, alice, server):
    _zone_aggregate(cloud, 'compute1', 'az1')
    assert alice.action(server, 'shelve').status_int == 202
    cloud.wait_for_status(alice, server, 'SHELVED_OFFLOADED')
    assert alice.at('2.77').action(server, 'unshelve', {'availability_zone': 'az1'}
                                   ).status_int == 202
    shown = cloud.wait_for_status(alice.at('2.96'), server, 'ACTIVE')
    assert (shown['pinned_availability_zone'], shown['OS-EXT-AZ:availability_zone']) == (
        'az1', 'az1')
    assert host_of(cloud, server) == 'compute1'


def test_unshelve_to_a_host_of_another_zone_needs_the_zone_unpinned_2_91(cloud):
    """A server pinned to ``nova`` goes to compute1 of az1 only when the
    request unpins it (``availability_zone: null``, 2.91) or names az1."""
    alice = cloud.client(version='2.91')
    pinned = cloud.boot_active(alice, 'pinned', availability_zone='nova')['id']
    _zone_aggregate(cloud, 'compute1', 'az1')
    assert alice.action(pinned, 'shelve').status_int == 202
    cloud.wait_for_status(alice, pinned, 'SHELVED_OFFLOADED')
    admin = cloud.admin('2.91')
    resp = admin.action(pinned, 'unshelve', {'host': 'compute1'})
    assert resp.status_int == 400 and 'not in availability zone nova' in resp.body.decode()
    assert admin.action(pinned, 'unshelve', {'host': 'compute1', 'availability_zone': 'nova'}
                        ).status_int == 400
    assert admin.at('2.90').action(pinned, 'unshelve', {'availability_zone': None}
                                   ).status_int == 400
    assert alice.get('/servers/%s' % pinned).data['server']['status'] == 'SHELVED_OFFLOADED'
    assert admin.action(pinned, 'unshelve', {'host': 'compute1', 'availability_zone': None}
                        ).status_int == 202
    shown = cloud.wait_for_status(alice.at('2.96'), pinned, 'ACTIVE')
    assert shown['pinned_availability_zone'] is None
    assert shown['OS-EXT-AZ:availability_zone'] == 'az1'
    assert host_of(cloud, pinned) == 'compute1'
    # Unpinned, it may go anywhere: a member's null zone is allowed too.
    assert alice.action(pinned, 'shelve').status_int == 202
    cloud.wait_for_status(alice, pinned, 'SHELVED_OFFLOADED')
    assert alice.action(pinned, 'unshelve', {'availability_zone': None}).status_int == 202
    cloud.wait_for_status(alice, pinned, 'ACTIVE')


def test_resize_respects_the_cores_and_ram_quotas(make_cloud):
    """An upsize needs room for what it adds (403 with Nova's message); while
    it waits for confirm or revert the larger flavor counts, then the kept one."""
    cloud = make_cloud({('quota', 'cores'): 2, ('quota', 'ram'): 1024})
    admin = cloud.admin()
    for name, vcpus, ram in (('two', 2, 256), ('three', 3, 256), ('big', 1, 2048)):
        resp = admin.post('/flavors', {'flavor': {'name': name, 'id': name, 'vcpus': vcpus,
                                                  'ram': ram, 'disk': 1}})
        assert resp.status_int == 200, resp.body
    alice = cloud.client(version='2.37')
    server = cloud.boot_active(alice)['id']

    def used():
        absolute = alice.get('/limits').data['limits']['absolute']
        return absolute['totalCoresUsed'], absolute['totalRAMUsed']

    resp = alice.action(server, 'resize', {'flavorRef': 'three'})
    assert resp.status_int == 403, resp.body
    assert resp.data['forbidden']['message'] == (
        'Quota exceeded for cores: Requested 2, but already used 1 of 2 cores')
    resp = alice.action(server, 'resize', {'flavorRef': 'big'})
    assert resp.status_int == 403, resp.body
    assert resp.data['forbidden']['message'] == (
        'Quota exceeded for ram: Requested 1920, but already used 128 of 1024 ram')
    shown = alice.get('/servers/%s' % server).data['server']
    assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ACTIVE', None)
    assert [a for a, _ in cloud.actions(server)] == ['create']

    # Waiting for confirmation, the new flavor counts: no room for another server.
    assert alice.action(server, 'resize', {'flavorRef': 'two'}).status_int == 202
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    assert used() == (2, 256)
    assert alice.post('/servers', {'server': {
        'name': 'other', 'imageRef': cloud.image['id'], 'flavorRef': '42',
        'networks': 'none'}}).status_int == 403
    # Reverted, the old flavor is what counts again.
    assert alice.action(server, 'revertResize').status_int == 202
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert used() == (1, 128)
    other = cloud.boot_active(alice, 'other')['id']
    assert alice.action(server, 'resize', {'flavorRef': 'two'}).status_int == 403
    assert alice.delete('/servers/%s' % other).status_int == 204
    cloud.wait_for_status(alice, other, 'DELETED')
    # Confirmed, the new one.
    assert alice.action(server, 'resize', {'flavorRef': 'two'}).status_int == 202
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    assert alice.action(server, 'confirmResize').status_int == 204
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert used() == (2, 256)
    # A downsize needs no room, even at the limit; until confirmed the larger counts.
    assert alice.action(server, 'resize', {'flavorRef': '42'}).status_int == 202
    cloud.wait_for_status(alice, server, 'VERIFY_RESIZE')
    assert used() == (2, 256)
    assert alice.action(server, 'confirmResize').status_int == 204
    cloud.wait_for_status(alice, server, 'ACTIVE')
    assert used() == (1, 128)


def test_a_resize_with_no_host_gives_its_quota_back(make_cloud):
    cloud = make_cloud({('quota', 'cores'): 4, ('quota', 'ram'): -1})
    admin = cloud.admin()
    assert admin.post('/flavors', {'flavor': {'name': 'huge', 'id': 'huge', 'vcpus': 3,
                                              'ram': 10 ** 6, 'disk': 1}}).status_int == 200
    alice = cloud.client(version='2.37')
    server = cloud.boot_active(alice)['id']
    assert alice.action(server, 'resize', {'flavorRef': 'huge'}).status_int == 202
    cloud.wait_until(lambda: alice.get('/servers/%s' % server).data['server'][
        'OS-EXT-STS:task_state'] is None, 'the resize to be refused by the scheduler')
    assert alice.get('/servers/%s' % server).data['server']['flavor']['id'] == '42'
    assert alice.get('/limits').data['limits']['absolute']['totalCoresUsed'] == 1
