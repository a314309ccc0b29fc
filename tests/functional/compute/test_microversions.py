"""Microversions: how a client asks for one, what the answer says, and what
changes in a server's body from one to the next (docs/compute-microversions.md)."""
import pytest


def test_no_header_is_2_1_and_the_answer_names_its_version(cloud):
    resp = cloud.client().get('/servers')
    assert resp.status_int == 200
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.1'
    assert resp.headers['X-OpenStack-Nova-API-Version'] == '2.1'
    assert set(v.strip() for v in resp.headers['Vary'].split(',')) == {
        'OpenStack-API-Version', 'X-OpenStack-Nova-API-Version'}


@pytest.mark.parametrize('headers, served', [
    ({'OpenStack-API-Version': 'compute 2.47'}, '2.47'),
    ({'OpenStack-API-Version': 'compute latest'}, '2.104'),
    ({'OpenStack-API-Version': 'image 2.5, compute 2.60'}, '2.60'),
    ({'X-OpenStack-Nova-API-Version': '2.37'}, '2.37'),
    ({'X-OpenStack-Nova-API-Version': 'latest'}, '2.104'),
])
def test_a_client_asks_for_a_version(cloud, headers, served):
    resp = cloud.client().get('/servers', headers=headers)
    assert resp.status_int == 200
    assert resp.headers['OpenStack-API-Version'] == 'compute ' + served
    assert resp.headers['X-OpenStack-Nova-API-Version'] == served


def test_errors_are_stamped_with_the_version_too(cloud):
    resp = cloud.client(version='2.60').get('/servers/6a2c1a52-2b3f-4b7d-9b7e-0d6f3b1f5f00')
    assert resp.status_int == 404
    assert resp.headers['OpenStack-API-Version'] == 'compute 2.60'


@pytest.mark.parametrize('version', ['2.999', '3.0', '2.0'])
def test_a_version_out_of_range_is_406(cloud, version):
    resp = cloud.client(version=version).get('/servers')
    assert resp.status_int == 406
    # Nova names no fault for 406: it is a computeFault.
    assert resp.data['computeFault']['code'] == 406
    assert 'Version %s is not supported' % version in resp.data['computeFault']['message']


def test_a_malformed_version_is_400(cloud):
    resp = cloud.client(version='2.latest').get('/servers')
    assert resp.status_int == 400


def test_version_documents(cloud):
    root = cloud.client().get('/')
    assert root.status_int == 200
    versions = {v['id']: v for v in root.data['versions']}
    assert versions['v2.1']['version'] == '2.104' and versions['v2.1']['min_version'] == '2.1'
    assert versions['v2.1']['status'] == 'CURRENT'
    assert versions['v2.1']['links'][0]['href'] == 'http://127.0.0.1:8774/v2.1/'
    assert versions['v2.0']['status'] == 'SUPPORTED'
    doc = cloud.client().get('/v2.1')
    assert doc.status_int == 200 and doc.data['version']['id'] == 'v2.1'
    assert doc.data['version']['media-types'][0]['base'] == 'application/json'
    legacy = cloud.client().get('/v2/')
    assert legacy.status_int == 200 and legacy.data['version']['id'] == 'v2.0'
    assert 'OpenStack-API-Version' not in legacy.headers
    other = cloud.client().get('/v3/servers')
    assert other.status_int == 300
    assert {c['id'] for c in other.data['choices']} == {'v2.0', 'v2.1'}


def test_server_body_by_version(cloud):
    alice = cloud.client(version='2.37')
    server_id = cloud.boot(cloud.client(version='2.52'), 'versioned', tags=['t1'],
                           description='a test server')
    cloud.wait_for_status(alice, server_id, 'ACTIVE')
    assert alice.at('2.73').action(server_id, 'lock', {'locked_reason': 'audit'}
                                   ).status_int == 202

    def show(version):
        resp = alice.at(version).get('/servers/%s' % server_id)
        assert resp.status_int == 200
        return resp.data['server']

    at_2_1 = show('2.1')
    assert at_2_1['flavor'] == {'id': '42', 'links': [
        {'rel': 'bookmark', 'href': 'http://127.0.0.1:8774/flavors/42'}]}
    for key in ('locked', 'description', 'tags', 'locked_reason', 'server_groups',
                'OS-EXT-SRV-ATTR:hostname', 'pinned_availability_zone', 'scheduler_hints'):
        assert key not in at_2_1, key
    assert show('2.9')['locked'] is True
    assert show('2.19')['description'] == 'a test server'
    assert show('2.26')['tags'] == ['t1']
    flavor = show('2.47')['flavor']
    assert flavor == {'vcpus': 1, 'ram': 128, 'disk': 1, 'ephemeral': 0, 'swap': 0,
                      'original_name': 'm1.nano', 'extra_specs': {}}
    assert show('2.71')['server_groups'] == []
    assert 'locked_reason' not in show('2.72')
    assert show('2.73')['locked_reason'] == 'audit'
    assert 'OS-EXT-SRV-ATTR:hostname' not in show('2.89')
    assert show('2.90')['OS-EXT-SRV-ATTR:hostname'] == 'versioned'
    assert show('2.96')['pinned_availability_zone'] is None
    assert show('2.100')['scheduler_hints'] == {}
    # Lists show the same body as show (less server_groups).
    listed = alice.at('2.73').get('/servers/detail').data['servers'][0]
    assert listed['locked_reason'] == 'audit' and 'server_groups' not in listed


def test_the_embedded_image_has_its_properties_from_2_98(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    image = cloud.image_client().get('/v2/images/%s' % cloud.image['id']).data
    assert image['description']  # a property of the default image
    assert 'properties' not in alice.at('2.97').get(
        '/servers/%s' % server_id).data['server']['image']
    shown = alice.at('2.98').get('/servers/%s' % server_id).data['server']['image']
    assert shown['id'] == image['id']
    properties = shown['properties']
    # As Nova keeps them: strings, the formats and minimums, the base image,
    # and the image's own properties (not its name, size or status).
    assert properties == {'container_format': image['container_format'],
                          'disk_format': image['disk_format'],
                          'min_disk': str(image['min_disk']), 'min_ram': str(image['min_ram']),
                          'base_image_ref': image['id'],
                          'description': image['description']}
    listed = alice.at('2.98').get('/servers/detail').data['servers'][0]['image']
    assert listed['properties'] == properties


def test_scheduler_hints_are_kept_and_shown_from_2_100(cloud, alice):
    first = cloud.boot_active(alice, 'first')['id']
    hinted = cloud.boot(alice.at('2.37'), 'hinted')
    resp = alice.at('2.37').post('/servers', {
        'server': {'name': 'hinted2', 'imageRef': cloud.image['id'], 'flavorRef': '42',
                   'networks': 'none'},
        'OS-SCH-HNT:scheduler_hints': {'different_host': [first], 'color': 'blue'}})
    assert resp.status_int == 202, resp.body
    hinted2 = resp.data['server']['id']
    resp = alice.at('2.37').post('/servers', {
        'server': {'name': 'hinted3', 'imageRef': cloud.image['id'], 'flavorRef': '42',
                   'networks': 'none'},
        'os:scheduler_hints': {'same_host': first}})
    assert resp.status_int == 202, resp.body
    hinted3 = resp.data['server']['id']
    for server_id in (hinted, hinted2, hinted3):
        cloud.wait_for_status(alice, server_id, 'ACTIVE')

    def hints(server_id, version='2.100'):
        return alice.at(version).get('/servers/%s' % server_id).data['server'].get(
            'scheduler_hints')
    assert hints(hinted2, '2.99') is None
    assert hints(hinted) == {}
    # Each value a list, as Nova's request spec keeps them.
    assert hints(hinted2) == {'different_host': [first], 'color': ['blue']}
    assert hints(hinted3) == {'same_host': [first]}
    listed = {s['name']: s['scheduler_hints']
              for s in alice.at('2.100').get('/servers/detail').data['servers']}
    assert listed['hinted3'] == {'same_host': [first]} and listed['first'] == {}
    # Update and rebuild answer with them too.
    resp = alice.at('2.100').put('/servers/%s' % hinted3, {'server': {'name': 'h3'}})
    assert resp.data['server']['scheduler_hints'] == {'same_host': [first]}


def test_admin_only_attributes_by_version(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    admin = cloud.admin
    at_2_1 = admin('2.1').get('/servers/%s' % server_id).data['server']
    assert at_2_1['OS-EXT-SRV-ATTR:host'] in ('compute1', 'compute2')
    assert at_2_1['OS-EXT-SRV-ATTR:instance_name'].startswith('instance-')
    assert 'OS-EXT-SRV-ATTR:reservation_id' not in at_2_1 and 'host_status' not in at_2_1
    at_2_16 = admin('2.16').get('/servers/%s' % server_id).data['server']
    assert at_2_16['host_status'] == 'UP'
    assert at_2_16['OS-EXT-SRV-ATTR:reservation_id'].startswith('r-')
    assert at_2_16['OS-EXT-SRV-ATTR:hostname'] == 's1'
    member = cloud.client(version='2.16').get('/servers/%s' % server_id).data['server']
    assert 'host_status' not in member and 'OS-EXT-SRV-ATTR:host' not in member


def test_update_by_version(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    resp = alice.put('/servers/%s' % server_id, {'server': {'name': 'renamed'}})
    assert resp.status_int == 200 and resp.data['server']['name'] == 'renamed'
    assert alice.get('/servers/%s' % server_id).data['server']['name'] == 'renamed'
    # description exists from 2.19, hostname from 2.90.
    assert alice.at('2.18').put('/servers/%s' % server_id, {'server': {'description': 'd'}}
                                ).status_int == 400
    resp = alice.at('2.19').put('/servers/%s' % server_id, {'server': {'description': 'd'}})
    assert resp.status_int == 200 and resp.data['server']['description'] == 'd'
    assert alice.at('2.89').put('/servers/%s' % server_id, {'server': {'hostname': 'h'}}
                                ).status_int == 400
    resp = alice.at('2.90').put('/servers/%s' % server_id, {'server': {'hostname': 'web01'}})
    assert resp.status_int == 200
    assert resp.data['server']['OS-EXT-SRV-ATTR:hostname'] == 'web01'
    assert alice.put('/servers/%s' % server_id, {'server': {'name': ''}}).status_int == 400
    assert alice.put('/servers/%s' % server_id, {'server': 'x'}).status_int == 400


def test_create_with_description_tags_and_hostname_by_version(cloud):
    base = {'name': 'n', 'imageRef': cloud.image['id'], 'flavorRef': '42', 'networks': 'none'}
    assert cloud.client(version='2.51').post('/servers', {'server': dict(
        base, tags=['a'])}).status_int == 400
    assert cloud.client(version='2.18').post('/servers', {'server': dict(
        base, description='d')}).status_int == 400
    assert cloud.client(version='2.89').post('/servers', {'server': dict(
        base, hostname='h')}).status_int == 400
    assert cloud.client(version='2.90').post('/servers', {'server': dict(
        base, hostname='h', min_count=2)}).status_int == 400
    resp = cloud.client(version='2.90').post('/servers', {'server': dict(
        base, hostname='custom-host', tags=['a'], description='d')})
    assert resp.status_int == 202
    shown = cloud.client(version='2.90').get('/servers/%s' % resp.data['server']['id'])
    server = shown.data['server']
    assert (server['OS-EXT-SRV-ATTR:hostname'], server['tags'], server['description']) == (
        'custom-host', ['a'], 'd')


def test_admin_chooses_the_host_from_2_74(cloud, alice):
    body = {'name': 'pinned', 'imageRef': cloud.image['id'], 'flavorRef': '42',
            'networks': 'none', 'host': 'compute2'}
    assert cloud.admin('2.73').post('/servers', {'server': body}).status_int == 400
    assert alice.at('2.74').post('/servers', {'server': body}).status_int == 403
    assert cloud.admin('2.74').post('/servers', {'server': dict(body, host='nohost')}
                                    ).status_int == 400
    resp = cloud.admin('2.74').post('/servers', {'server': body})
    assert resp.status_int == 202
    server = cloud.wait_for_status(cloud.admin(), resp.data['server']['id'], 'ACTIVE')
    assert server['OS-EXT-SRV-ATTR:host'] == 'compute2'
    # The older way: availability zone "zone:host".
    resp = cloud.admin('2.37').post('/servers', {'server': dict(
        body, availability_zone='nova:compute1', host=None)})
    assert resp.status_int == 400  # `host` is not a 2.37 attribute
    del body['host']
    resp = cloud.admin('2.37').post('/servers', {'server': dict(
        body, availability_zone='nova:compute1')})
    server = cloud.wait_for_status(cloud.admin(), resp.data['server']['id'], 'ACTIVE')
    assert server['OS-EXT-SRV-ATTR:host'] == 'compute1'


def test_update_and_rebuild_answer_the_core_attributes_until_2_75(cloud, alice, admin):
    server_id = cloud.boot_active(alice)['id']
    extended = ('OS-EXT-AZ:availability_zone', 'OS-EXT-STS:vm_state', 'OS-SRV-USG:launched_at',
                'key_name', 'config_drive', 'security_groups', 'OS-EXT-SRV-ATTR:host')
    updated = admin.at('2.74').put('/servers/%s' % server_id,
                                   {'server': {'name': 'renamed'}}).data['server']
    assert updated['name'] == 'renamed' and updated['hostId']
    assert not set(extended) & set(updated)
    updated = admin.at('2.75').put('/servers/%s' % server_id,
                                   {'server': {'name': 'again'}}).data['server']
    assert set(extended) <= set(updated)
    resp = alice.at('2.56').post('/servers/%s/action' % server_id,
                                 {'rebuild': {'imageRef': cloud.image['id']}})
    assert resp.status_int == 202 and 'user_data' not in resp.data['server']
    # A rebuild's answer has shown key_name since 2.54.
    assert set(extended) & set(resp.data['server']) == {'key_name'}
    cloud.wait_for_status(alice, server_id, "ACTIVE")
    rebuilt = admin.at('2.75').post('/servers/%s/action' % server_id, {'rebuild': {
        'imageRef': cloud.image['id'], 'user_data': 'aGVsbG8='}}).data['server']
    # From 2.57 a rebuild shows user_data, which replaces the admin's
    # OS-EXT-SRV-ATTR:user_data in its answer.
    assert rebuilt['user_data'] == 'aGVsbG8=' and 'OS-EXT-SRV-ATTR:user_data' not in rebuilt
    assert 'OS-EXT-STS:vm_state' in rebuilt


def test_access_addresses_are_kept_in_canonical_form(cloud, alice):
    server_id = cloud.boot_active(alice)['id']
    resp = alice.put('/servers/%s' % server_id, {'server': {
        'accessIPv6': '0000:0000:0000:0000:0000:babe:220.12.22.2'}})
    assert resp.status_int == 200 and resp.data['server']['accessIPv6'] == '::babe:dc0c:1602'
    shown = alice.get('/servers/%s' % server_id).data['server']
    assert shown['accessIPv6'] == '::babe:dc0c:1602'


def test_every_answer_carries_the_compute_request_id(cloud, alice):
    for resp in (alice.get('/servers'), alice.get('/servers/%s' % ('0' * 32))):
        assert resp.headers['x-compute-request-id'] == resp.headers['x-openstack-request-id']
        assert resp.headers['x-compute-request-id'].startswith('req-')


def test_flavors_lose_rxtx_factor_and_gain_a_name_filter_at_2_102(cloud, alice, admin):
    before = alice.at('2.101').get('/flavors/detail').data['flavors'][0]
    assert 'rxtx_factor' in before and 'OS-FLV-DISABLED:disabled' in before
    resp = alice.at('2.102').get('/flavors/detail?name=m1.nano')
    assert [f['name'] for f in resp.data['flavors']] == ['m1.nano']
    assert not {'rxtx_factor', 'OS-FLV-DISABLED:disabled'} & set(resp.data['flavors'][0])
    # Before 2.102 the filter is unknown: ignored until 2.75, refused from then on.
    assert len(alice.at('2.74').get('/flavors?name=m1.nano').data['flavors']) > 1
    assert alice.at('2.101').get('/flavors?name=m1.nano').status_int == 400
    assert alice.at('2.102').get('/flavors?sort_key=rxtx_factor').status_int == 400
    assert alice.at('2.102').get('/flavors/42?verbose=1').status_int == 400
    body = {'flavor': {'name': 'f1', 'ram': 64, 'vcpus': 1, 'disk': 1, 'rxtx_factor': 2.0}}
    assert admin.at('2.102').post('/flavors', body).status_int == 400
    assert admin.at('2.101').post('/flavors', body).status_int == 200


def test_the_pinned_zone_is_changed_by_update_from_2_104(cloud, alice):
    zone = alice.get('/os-availability-zone').data['availabilityZoneInfo'][0]['zoneName']
    server = cloud.boot_active(alice, availability_zone=zone)
    url = '/servers/%s' % server['id']
    assert alice.at('2.103').put(url, {'server': {'pinned_availability_zone': None}}
                                 ).status_int == 400
    # Re-pinning to the pin it has is a no-op; another zone over a pin is 409.
    assert alice.at('2.104').put(url, {'server': {'pinned_availability_zone': zone}}
                                 ).data['server']['pinned_availability_zone'] == zone
    assert alice.at('2.104').put(url, {'server': {'pinned_availability_zone': 'elsewhere'}}
                                 ).status_int == 409
    unpinned = alice.at('2.104').put(url, {'server': {'pinned_availability_zone': None}})
    assert unpinned.status_int == 200 and unpinned.data['server']['pinned_availability_zone'] is None
    assert alice.at('2.104').get(url).data['server']['pinned_availability_zone'] is None
    # Unpinned, it may only be pinned to the zone it is in.
    assert alice.at('2.104').put(url, {'server': {'pinned_availability_zone': 'elsewhere'}}
                                 ).status_int == 409
    repinned = alice.at('2.104').put(url, {'server': {'pinned_availability_zone': zone}})
    assert repinned.data['server']['pinned_availability_zone'] == zone
