"""Tags on resources, quotas, and network IP availability."""
from tests.functional.network.conftest import fault


def test_tags(network):
    alice, bob = network.client('alice', 'p1'), network.client('bob', 'p2')
    net = network.create(alice, 'networks', name='n')
    path = '/networks/%s/tags' % net['id']
    assert alice.put(path + '/red').status_int == 201
    assert alice.put(path, {'tags': ['blue', 'green']}).data == {'tags': ['blue', 'green']}
    assert alice.get(path).data == {'tags': ['blue', 'green']}
    assert alice.get(path + '/blue').status_int == 204
    assert alice.get(path + '/red').status_int == 404
    other = network.create(alice, 'networks', name='other')
    alice.put('/networks/%s/tags/blue' % other['id'])
    found = alice.get('/networks?tags=blue,green').data['networks']
    assert [n['id'] for n in found] == [net['id']]
    found = alice.get('/networks?tags-any=blue').data['networks']
    assert {n['id'] for n in found} == {net['id'], other['id']}
    found = alice.get('/networks?not-tags=green').data['networks']
    assert [n['id'] for n in found] == [other['id']]
    assert alice.get('/networks/%s' % net['id']).data['network']['tags'] == ['blue', 'green']
    assert bob.get(path).status_int == 404
    assert alice.delete(path + '/blue').status_int == 204
    assert alice.delete(path).status_int == 204
    assert alice.get(path).data == {'tags': []}


def test_quotas(network):
    alice = network.client()
    quota = alice.get('/quotas/p1').data['quota']
    assert quota['network'] == 100 and quota['port'] == 500
    assert alice.put('/quotas/p1', {'quota': {'network': 1}}).status_int == 403
    resp = network.admin.put('/quotas/p1', {'quota': {'network': 1}})
    assert resp.data['quota']['network'] == 1
    network.create(alice, 'networks', name='one')
    resp = alice.post('/networks', {'network': {'name': 'two'}})
    assert fault(resp) == (409, 'OverQuota')
    assert resp.data['NeutronError']['message'] == \
        "Quota exceeded for resources: ['network']."
    details = alice.get('/quotas/p1/details').data['quota']
    assert details['network'] == {'limit': 1, 'used': 1, 'reserved': 0}
    assert alice.get('/quotas/p2').status_int == 403
    assert [q['project_id'] for q in network.admin.get('/quotas').data['quotas']] == ['p1']
    assert network.admin.delete('/quotas/p1').status_int == 204
    assert alice.get('/quotas/p1').data['quota']['network'] == 100
    assert fault(network.admin.put('/quotas/p1', {'quota': {'widgets': 3}}))[0] == 400


def test_network_ip_availability(network):
    alice = network.client()
    net, sub = network.network_with_subnet(alice, '10.60.0.0/28')
    network.create(alice, 'ports', network_id=net['id'])
    # the admin's alone: left out of a list, 404 when asked for
    assert alice.get('/network-ip-availabilities').data == {'network_ip_availabilities': []}
    assert fault(alice.get('/network-ip-availabilities/%s' % net['id']))[0] == 404
    resp = network.admin.get('/network-ip-availabilities/%s' % net['id'])
    availability = resp.data['network_ip_availability']
    assert availability['total_ips'] == 13        # .2-.14
    assert availability['used_ips'] == 2          # the DHCP port and ours
    [subnet] = availability['subnet_ip_availability']
    assert subnet['subnet_id'] == sub['id'] and subnet['used_ips'] == 2
    listed = network.admin.get('/network-ip-availabilities?ip_version=4').data
    assert [a['network_id'] for a in listed['network_ip_availabilities']] == [net['id']]
