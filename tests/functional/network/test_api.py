"""The API layer every resource shares: versions, extensions, the attribute
map's checks, fields, filters, sorting, pagination, If-Match, bulk create,
the fault format and who may do what."""
from tests.functional.network.conftest import fault


def test_versions_and_resources(network):
    resp = network.admin.get('/')
    assert resp.status_int == 200
    [version] = resp.data['versions']
    assert version['id'] == 'v2.0' and version['status'] == 'CURRENT'
    assert version['links'][0]['href'].endswith('/v2.0/')
    resp = network.admin.get('/v2.0/')
    collections = {r['collection'] for r in resp.data['resources']}
    assert {'networks', 'subnets', 'ports', 'routers', 'floatingips', 'security_groups',
            'security_group_rules'} <= collections


def test_extensions_list_only_what_is_served(network):
    resp = network.admin.get('/extensions')
    aliases = {e['alias'] for e in resp.data['extensions']}
    assert {'router', 'security-group', 'binding', 'provider', 'external-net', 'quotas',
            'standard-attr-tag', 'pagination', 'sorting', 'revision-if-match'} <= aliases
    assert 'qos' not in aliases and 'trunk' not in aliases
    assert network.admin.get('/extensions/router').data['extension']['alias'] == 'router'
    assert fault(network.admin.get('/extensions/qos')) == (404, 'HTTPNotFound')


def test_unknown_path_and_method(network):
    assert network.admin.get('/nothing-here').status_int == 404
    resp = network.admin.request('PATCH', '/networks')
    assert resp.status_int == 405


def test_body_checks(network):
    alice = network.client()
    assert fault(alice.post('/networks', {'net': {}})) == (400, 'HTTPBadRequest')
    resp = alice.post('/networks', {'network': {'name': 'n', 'colour': 'blue'}})
    assert fault(resp) == (400, 'HTTPBadRequest')
    assert 'colour' in resp.data['NeutronError']['message']
    resp = alice.post('/networks', {'network': {'name': 'n', 'admin_state_up': 'maybe'}})
    assert fault(resp)[0] == 400
    resp = alice.post('/networks', {'network': {'id': 'x'}})
    assert fault(resp)[0] == 400
    resp = alice.post('/subnets', {'subnet': {'cidr': '10.0.0.0/24', 'ip_version': 4}})
    assert fault(resp)[0] == 400
    assert "network_id" in resp.data['NeutronError']['message']
    net = network.create(alice, 'networks', name='n')
    resp = alice.put('/networks/%s' % net['id'], {'network': {'status': 'DOWN'}})
    assert fault(resp)[0] == 400
    # nothing half-made: still exactly one network
    assert len(alice.get('/networks').data['networks']) == 1


def test_admin_only_attributes(network):
    alice = network.client()
    resp = alice.post('/networks', {'network': {'name': 'n', 'provider:network_type': 'vlan'}})
    assert fault(resp) == (403, 'PolicyNotAuthorized')
    resp = alice.post('/networks', {'network': {'name': 'n', 'shared': True}})
    assert resp.status_int == 403
    net = network.create(alice, 'networks', name='mine')
    assert 'provider:network_type' not in net
    shown = network.admin.get('/networks/%s' % net['id']).data['network']
    assert shown['provider:network_type'] == 'vxlan'
    assert isinstance(shown['provider:segmentation_id'], int)


def test_fields_filters_and_isolation(network):
    alice, bob = network.client('alice', 'p1'), network.client('bob', 'p2')
    a1 = network.create(alice, 'networks', name='a1')
    network.create(alice, 'networks', name='a2', admin_state_up=False)
    network.create(bob, 'networks', name='b1')
    resp = alice.get('/networks?fields=id&fields=name')
    assert all(set(n) == {'id', 'name'} for n in resp.data['networks'])
    assert {n['name'] for n in resp.data['networks']} == {'a1', 'a2'}
    resp = alice.get('/networks?admin_state_up=false')
    assert [n['name'] for n in resp.data['networks']] == ['a2']
    resp = alice.get('/networks?name=a1&name=a2&name=b1')
    assert {n['name'] for n in resp.data['networks']} == {'a1', 'a2'}
    assert fault(alice.get('/networks?colour=blue')) == (400, 'HTTPBadRequest')
    assert fault(bob.get('/networks/%s' % a1['id'])) == (404, 'NetworkNotFound')
    assert fault(bob.delete('/networks/%s' % a1['id'])) == (404, 'NetworkNotFound')
    assert len(network.admin.get('/networks').data['networks']) == 3


def test_sorting_and_pagination_links(network):
    alice = network.client()
    for name in ('c', 'a', 'e', 'b', 'd'):
        network.create(alice, 'networks', name=name)
    resp = alice.get('/networks?sort_key=name&sort_dir=desc')
    assert [n['name'] for n in resp.data['networks']] == ['e', 'd', 'c', 'b', 'a']
    assert fault(alice.get('/networks?sort_key=colour&sort_dir=asc'))[0] == 400
    assert fault(alice.get('/networks?sort_key=name&sort_dir=up'))[0] == 400

    page = alice.get('/networks?sort_key=name&sort_dir=asc&limit=2').data
    assert [n['name'] for n in page['networks']] == ['a', 'b']
    [link] = page['networks_links']
    assert link['rel'] == 'next'
    names, pages = ['a', 'b'], 1
    while any(link['rel'] == 'next' for link in page.get('networks_links', [])):
        href = next(link['href'] for link in page['networks_links'] if link['rel'] == 'next')
        page = alice.get(href.split('9696', 1)[1]).data
        names += [n['name'] for n in page['networks']]
        pages += 1
    assert names == ['a', 'b', 'c', 'd', 'e'] and pages == 3
    # the last page points back, and going back gives the page before it
    previous = next(link['href'] for link in page['networks_links']
                    if link['rel'] == 'previous')
    back = alice.get(previous.split('9696', 1)[1]).data
    assert [n['name'] for n in back['networks']] == ['c', 'd']
    assert fault(alice.get('/networks?marker=00000000-0000-0000-0000-000000000000'))[0] == 404


def test_if_match_revision_number(network):
    alice = network.client()
    net = network.create(alice, 'networks', name='n')
    path = '/networks/%s' % net['id']
    resp = alice.put(path, {'network': {'name': 'n2'}},
                     headers={'If-Match': 'revision_number=%d' % net['revision_number']})
    assert resp.status_int == 200
    assert resp.data['network']['revision_number'] > net['revision_number']
    resp = alice.put(path, {'network': {'name': 'n3'}},
                     headers={'If-Match': 'revision_number=%d' % net['revision_number']})
    assert fault(resp) == (412, 'RevisionNumberConstraintFailed')
    assert alice.get(path).data['network']['name'] == 'n2'
    resp = alice.delete(path, headers={'If-Match': 'revision_number=0'})
    assert resp.status_int == 412


def test_bulk_create_is_all_or_nothing(network):
    alice = network.client()
    resp = alice.post('/networks', {'networks': [{'name': 'x'}, {'name': 'y'}]})
    assert resp.status_int == 201
    assert [n['name'] for n in resp.data['networks']] == ['x', 'y']
    net = resp.data['networks'][0]
    resp = alice.post('/subnets', {'subnets': [
        {'network_id': net['id'], 'cidr': '10.9.0.0/24', 'ip_version': 4},
        {'network_id': net['id'], 'cidr': 'not-a-cidr', 'ip_version': 4}]})
    assert resp.status_int == 400
    assert alice.get('/subnets').data['subnets'] == []


def test_project_id_and_tenant_id(network):
    alice = network.client()
    net = network.create(alice, 'networks', name='n')
    assert net['project_id'] == net['tenant_id'] == 'p1'
    resp = alice.post('/networks', {'network': {'name': 'n', 'project_id': 'p2'}})
    assert resp.status_int == 403
    made = network.create(network.admin, 'networks', name='for-p2', project_id='p2')
    assert made['project_id'] == 'p2'
    assert [n['id'] for n in network.client('bob', 'p2').get('/networks').data['networks']] \
        == [made['id']]


def test_availability_zones(network):
    zones = network.admin.get('/availability_zones').data['availability_zones']
    assert {'name': 'nova', 'resource': 'network', 'state': 'available'} in zones
