"""``openstack hypervisor list/show`` and ``hypervisor stats show``: each
compute host's hypervisor, its state and what the scheduler's claims use."""
import uuid

import pytest


@pytest.fixture
def hosts(compute):
    compute.add_host('compute1', vcpus=8, memory_mb=16384, local_gb=200)
    compute.add_host('compute2', up=False, disabled=True, vcpus=4, memory_mb=8192,
                     local_gb=100)
    web = compute.add_instance('web', host='compute1')
    compute.claim('compute1', web, 2, 2048, 20)
    compute.claim('compute1', 'resize-%s' % web, 1, 512, 10)
    return web


def test_only_admins_list_hypervisors(compute, hosts):
    for path in ('/os-hypervisors', '/os-hypervisors/detail', '/os-hypervisors/statistics'):
        resp = compute.client().get(path)
        assert resp.status_int == 403, path


def test_list_shows_state_and_status(compute, hosts):
    resp = compute.admin('2.53').get('/os-hypervisors')
    assert resp.status_int == 200
    listed = resp.data['hypervisors']
    assert [(h['hypervisor_hostname'], h['state'], h['status']) for h in listed] == [
        ('compute1', 'up', 'enabled'), ('compute2', 'down', 'disabled')]
    assert all(str(uuid.UUID(h['id'])) == h['id'] for h in listed)
    assert set(listed[0]) == {'id', 'hypervisor_hostname', 'state', 'status'}
    # Before 2.53 ids are integers.
    assert all(isinstance(h['id'], int) for h in compute.admin().get(
        '/os-hypervisors').data['hypervisors'])


def test_detail_shows_capacity_and_claimed_usage_before_2_88(compute, hosts):
    detail = compute.admin('2.87').get('/os-hypervisors/detail').data['hypervisors']
    compute1 = detail[0]
    assert {k: compute1[k] for k in (
        'vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used', 'local_gb_used',
        'free_ram_mb', 'free_disk_gb', 'running_vms', 'hypervisor_type')} == {
        'vcpus': 8, 'memory_mb': 16384, 'local_gb': 200, 'vcpus_used': 3,
        'memory_mb_used': 2560, 'local_gb_used': 30, 'free_ram_mb': 13824,
        'free_disk_gb': 170, 'running_vms': 1, 'hypervisor_type': 'fake'}
    assert compute1['service']['host'] == 'compute1'
    assert compute1['cpu_info'] == {}
    assert detail[1]['vcpus_used'] == 0 and detail[1]['running_vms'] == 0
    assert detail[1]['service']['disabled_reason'] is None
    assert isinstance(compute.admin('2.27').get('/os-hypervisors/detail').data[
        'hypervisors'][0]['cpu_info'], str)


def test_from_2_88_the_usage_fields_are_gone(compute, hosts):
    compute1 = compute.admin('2.88').get('/os-hypervisors/detail').data['hypervisors'][0]
    assert 'vcpus_used' not in compute1 and 'memory_mb' not in compute1
    assert 'uptime' in compute1 and compute1['hypervisor_type'] == 'fake'
    assert compute.admin('2.88').get('/os-hypervisors/statistics').status_int == 404


def test_show_by_uuid_from_2_53_and_by_integer_before(compute, hosts):
    admin = compute.admin('2.53')
    listed = admin.get('/os-hypervisors').data['hypervisors']
    shown = admin.get('/os-hypervisors/%s' % listed[0]['id'])
    assert shown.status_int == 200
    assert shown.data['hypervisor']['hypervisor_hostname'] == 'compute1'
    assert shown.data['hypervisor']['vcpus_used'] == 3
    assert admin.get('/os-hypervisors/1').status_int == 400
    assert admin.get('/os-hypervisors/%s' % uuid.uuid4()).status_int == 404
    old = compute.admin('2.52')
    old_id = old.get('/os-hypervisors').data['hypervisors'][0]['id']
    assert old.get('/os-hypervisors/%d' % old_id).data['hypervisor'][
        'hypervisor_hostname'] == 'compute1'
    assert old.get('/os-hypervisors/%s' % listed[0]['id']).status_int == 404


def test_with_servers_and_hostname_pattern_from_2_53(compute, hosts):
    admin = compute.admin('2.75')
    listed = admin.get('/os-hypervisors?with_servers=true').data['hypervisors']
    assert listed[0]['servers'] == [{'name': 'web', 'uuid': hosts}]
    assert listed[1]['servers'] == []
    matched = admin.get('/os-hypervisors?hypervisor_hostname_pattern=ute2').data
    assert [h['hypervisor_hostname'] for h in matched['hypervisors']] == ['compute2']
    assert admin.get('/os-hypervisors?hypervisor_hostname_pattern=nomatch').status_int == 404
    assert admin.get('/os-hypervisors?hypervisor_hostname_pattern=c&limit=1').status_int == 400
    uuid_ = listed[0]['id']
    assert admin.get('/os-hypervisors/%s?with_servers=1' % uuid_).data['hypervisor'][
        'servers'] == [{'name': 'web', 'uuid': hosts}]


def test_search_and_servers_routes_before_2_53(compute, hosts):
    old = compute.admin('2.52')
    found = old.get('/os-hypervisors/compute1/search').data['hypervisors']
    assert [h['hypervisor_hostname'] for h in found] == ['compute1']
    servers = old.get('/os-hypervisors/compute/servers').data['hypervisors']
    assert servers[0]['servers'] == [{'name': 'web', 'uuid': hosts}]
    assert 'servers' not in servers[1]
    assert old.get('/os-hypervisors/nomatch/search').status_int == 404
    assert compute.admin('2.53').get('/os-hypervisors/compute1/search').status_int == 404


def test_lists_are_paged_from_2_33(compute, hosts):
    admin = compute.admin('2.53')
    first = admin.get('/os-hypervisors?limit=1').data
    assert [h['hypervisor_hostname'] for h in first['hypervisors']] == ['compute1']
    href = first['hypervisors_links'][0]['href']
    assert 'marker=%s' % first['hypervisors'][0]['id'] in href
    rest = admin.get(href[len('http://127.0.0.1:8774/v2.1'):]).data
    assert [h['hypervisor_hostname'] for h in rest['hypervisors']] == ['compute2']
    assert admin.get('/os-hypervisors?marker=%s' % uuid.uuid4()).status_int == 400


def test_statistics_sum_every_hypervisor(compute, hosts):
    stats = compute.admin().get('/os-hypervisors/statistics').data['hypervisor_statistics']
    assert {k: stats[k] for k in ('count', 'vcpus', 'memory_mb', 'local_gb', 'vcpus_used',
                                  'memory_mb_used', 'running_vms', 'free_ram_mb')} == {
        'count': 2, 'vcpus': 12, 'memory_mb': 24576, 'local_gb': 300, 'vcpus_used': 3,
        'memory_mb_used': 2560, 'running_vms': 1, 'free_ram_mb': 22016}
