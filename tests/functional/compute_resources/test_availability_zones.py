"""``openstack availability zone list [--long]``: zones of the compute
hosts; a zone whose hosts are all disabled is not available."""


def test_zones_are_listed_with_their_availability(compute):
    compute.add_host('compute1')
    compute.add_host('compute2', zone='az2')
    compute.add_host('compute3', zone='az3', disabled=True)
    compute.add_host('compute4', zone='az2', disabled=True)
    compute.add_host('conductor1', binary='nova-conductor')
    resp = compute.client().get('/os-availability-zone')
    assert resp.status_int == 200
    assert resp.data == {'availabilityZoneInfo': [
        {'zoneName': 'az2', 'zoneState': {'available': True}, 'hosts': None},
        {'zoneName': 'nova', 'zoneState': {'available': True}, 'hosts': None},
        {'zoneName': 'az3', 'zoneState': {'available': False}, 'hosts': None}]}


def test_the_detail_shows_admins_each_zones_enabled_hosts_and_services(compute):
    compute.add_host('compute1')
    compute.add_host('compute2', up=False)
    compute.add_host('compute3', disabled=True)
    compute.add_host('conductor1', binary='nova-conductor')
    assert compute.client().get('/os-availability-zone/detail').status_int == 403
    info = {z['zoneName']: z for z in
            compute.admin().get('/os-availability-zone/detail').data['availabilityZoneInfo']}
    assert set(info) == {'nova', 'internal'}
    nova = info['nova']
    assert nova['zoneState'] == {'available': True}
    assert set(nova['hosts']) == {'compute1', 'compute2'}
    compute1 = nova['hosts']['compute1']['nova-compute']
    assert compute1['available'] is True and compute1['active'] is True
    assert compute1['updated_at']
    assert nova['hosts']['compute2']['nova-compute']['available'] is False
    assert list(info['internal']['hosts']) == ['conductor1']


def test_no_hosts_no_zones(compute):
    assert compute.client().get('/os-availability-zone').data == {'availabilityZoneInfo': []}
