"""Regions, services and endpoints through the Identity API, and the catalog
tokens carry."""
import pytest

from tests.functional.identity.test_domains_projects import create, member_client

URL = 'http://127.0.0.1:5000/v3'


def token_catalog(identity):
    """The catalog of a fresh admin token, by service type."""
    resp = identity.admin.get('/v3/auth/catalog',
                              token=identity.password_token(
                                  'admin', identity.conf.bootstrap.admin_password, 'admin'))
    assert resp.status_int == 200, resp.body
    return {s['type']: s for s in resp.data['catalog']}


def test_regions(identity):
    admin = identity.admin
    resp = admin.post('/v3/regions', {'region': {'id': 'West', 'description': 'Sunset'}})
    assert resp.status_int == 201, resp.body
    assert resp.data['region'] == {'id': 'West', 'description': 'Sunset',
                                   'parent_region_id': None,
                                   'links': {'self': URL + '/regions/West'}}
    resp = admin.post('/v3/regions', {'region': {'parent_region_id': 'West'}})
    assert resp.status_int == 201
    child = resp.data['region']
    assert len(child['id']) == 32 and child['parent_region_id'] == 'West'
    assert admin.get('/v3/regions/West').data['region']['description'] == 'Sunset'
    listed = admin.get('/v3/regions?parent_region_id=West').data['regions']
    assert [r['id'] for r in listed] == [child['id']]
    assert sorted(r['id'] for r in admin.get('/v3/regions').data['regions']) == \
        sorted(['RegionOne', 'West', child['id']])

    assert admin.post('/v3/regions', {'region': {'id': 'West'}}).status_int == 409
    resp = admin.post('/v3/regions', {'region': {'id': 'East', 'parent_region_id': 'nope'}})
    assert resp.status_int == 400 and 'nope' in resp.data['error']['message']
    resp = admin.patch('/v3/regions/West', {'region': {'parent_region_id': child['id']}})
    assert resp.status_int == 400
    resp = admin.patch('/v3/regions/West', {'region': {'description': 'Dusk'}})
    assert resp.status_int == 200 and resp.data['region']['description'] == 'Dusk'

    assert admin.delete('/v3/regions/West').status_int == 409  # it has a child
    assert admin.delete('/v3/regions/%s' % child['id']).status_int == 204
    assert admin.delete('/v3/regions/West').status_int == 204
    resp = admin.get('/v3/regions/West')
    assert resp.status_int == 404
    assert resp.data['error']['message'] == 'Could not find region: West.'


def test_services(identity):
    admin = identity.admin
    resp = admin.post('/v3/services', {'service': {'name': 'nameless'}})
    assert resp.status_int == 400 and 'type' in resp.data['error']['message']
    resp = admin.post('/v3/services', {'service': {'type': 'volumev3', 'name': 'cinder',
                                                   'description': 'Block storage'}})
    assert resp.status_int == 201, resp.body
    svc = resp.data['service']
    assert svc == {'id': svc['id'], 'type': 'volumev3', 'name': 'cinder',
                   'description': 'Block storage', 'enabled': True,
                   'links': {'self': '%s/services/%s' % (URL, svc['id'])}}
    bare = create(admin, 'service', type='dns')
    assert 'name' not in bare and 'description' not in bare
    assert [s['id'] for s in admin.get('/v3/services?type=volumev3').data['services']] == \
        [svc['id']]
    assert {'identity', 'compute', 'volumev3', 'dns'} == {
        s['type'] for s in admin.get('/v3/services').data['services']}
    resp = admin.patch('/v3/services/%s' % svc['id'], {'service': {'enabled': False}})
    assert resp.status_int == 200 and resp.data['service']['enabled'] is False
    assert admin.delete('/v3/services/%s' % svc['id']).status_int == 204
    assert admin.get('/v3/services/%s' % svc['id']).status_int == 404
    assert admin.patch('/v3/services/nope', {'service': {'name': 'x'}}).status_int == 404


def test_endpoints_and_the_token_catalog(identity):
    admin = identity.admin
    svc = create(admin, 'service', type='volumev3', name='cinder')
    assert token_catalog(identity)['volumev3']['endpoints'] == []

    resp = admin.post('/v3/endpoints', {'endpoint': {
        'service_id': svc['id'], 'interface': 'public', 'url': 'http://cinder:8776/v3',
        'region': 'RegionOne'}})  # the legacy spelling of region_id
    assert resp.status_int == 201, resp.body
    endpoint = resp.data['endpoint']
    assert endpoint == {'id': endpoint['id'], 'service_id': svc['id'], 'interface': 'public',
                        'url': 'http://cinder:8776/v3', 'region_id': 'RegionOne',
                        'region': 'RegionOne', 'enabled': True,
                        'links': {'self': '%s/endpoints/%s' % (URL, endpoint['id'])}}
    internal = create(admin, 'endpoint', service_id=svc['id'], interface='internal',
                      url='http://cinder-internal:8776/v3', region_id='RegionOne')
    assert token_catalog(identity)['volumev3'] == {
        'id': svc['id'], 'type': 'volumev3', 'name': 'cinder',
        'endpoints': [
            {'id': internal['id'], 'interface': 'internal', 'region': 'RegionOne',
             'region_id': 'RegionOne', 'url': 'http://cinder-internal:8776/v3'},
            {'id': endpoint['id'], 'interface': 'public', 'region': 'RegionOne',
             'region_id': 'RegionOne', 'url': 'http://cinder:8776/v3'}]}

    def listed(query):
        resp = admin.get('/v3/endpoints' + query)
        assert resp.status_int == 200
        return sorted(e['id'] for e in resp.data['endpoints'])
    assert listed('?service_id=%s' % svc['id']) == sorted([endpoint['id'], internal['id']])
    assert listed('?service_id=%s&interface=internal' % svc['id']) == [internal['id']]
    assert len(listed('?region_id=RegionOne')) == 3 * 2 + 2  # identity, compute, ours

    resp = admin.patch('/v3/endpoints/%s' % endpoint['id'], {'endpoint': {
        'url': 'http://cinder.example:8776/v3'}})
    assert resp.status_int == 200
    admin.patch('/v3/endpoints/%s' % internal['id'], {'endpoint': {'enabled': False}})
    assert [e['url'] for e in token_catalog(identity)['volumev3']['endpoints']] == [
        'http://cinder.example:8776/v3']
    admin.patch('/v3/services/%s' % svc['id'], {'service': {'enabled': False}})
    assert 'volumev3' not in token_catalog(identity)

    assert admin.delete('/v3/regions/RegionOne').status_int == 409  # endpoints use it
    assert admin.delete('/v3/endpoints/%s' % endpoint['id']).status_int == 204
    assert admin.get('/v3/endpoints/%s' % endpoint['id']).status_int == 404
    assert admin.delete('/v3/services/%s' % svc['id']).status_int == 204
    assert admin.get('/v3/endpoints/%s' % internal['id']).status_int == 404


@pytest.mark.parametrize('endpoint, words', [
    ({'interface': 'public', 'url': 'http://x'}, 'service_id'),
    ({'service_id': 'nope', 'interface': 'public', 'url': 'http://x'}, 'nope'),
    ({'service_id': 'SVC', 'interface': 'private', 'url': 'http://x'}, 'private'),
    ({'service_id': 'SVC', 'interface': 'public'}, 'url'),
    ({'service_id': 'SVC', 'interface': 'public', 'url': 'http://x', 'region_id': 'nope'},
     'nope'),
    ({'service_id': 'SVC', 'interface': 'public', 'url': 'http://x', 'enabled': 'yes'},
     'enabled'),
])
def test_bad_endpoints(identity, endpoint, words):
    svc = create(identity.admin, 'service', type='dns')
    endpoint = {k: svc['id'] if v == 'SVC' else v for k, v in endpoint.items()}
    resp = identity.admin.post('/v3/endpoints', {'endpoint': endpoint})
    assert resp.status_int == 400, resp.body
    assert words in resp.data['error']['message']


def test_non_admin_reads_regions_only(identity):
    client, _user, _proj = member_client(identity)
    assert client.get('/v3/regions').status_int == 200
    assert client.get('/v3/regions/RegionOne').status_int == 200
    assert client.post('/v3/regions', {'region': {'id': 'Mine'}}).status_int == 403
    assert client.delete('/v3/regions/RegionOne').status_int == 403
    assert client.get('/v3/services').status_int == 403
    assert client.post('/v3/services', {'service': {'type': 'x'}}).status_int == 403
    assert client.get('/v3/endpoints').status_int == 403
    assert identity.anon.get('/v3/regions').status_int == 401
    assert identity.admin.get('/v3/regions/Mine').status_int == 404
