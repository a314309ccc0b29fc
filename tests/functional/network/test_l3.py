"""Routers and floating IPs: gateway, interfaces, routes, association."""
from tests.functional.network.conftest import fault


def _external(network, cidr='172.24.4.0/24'):
    public = network.create(network.admin, 'networks', name='public',
                            **{'router:external': True})
    network.create(network.admin, 'subnets', network_id=public['id'], cidr=cidr,
                   ip_version=4, enable_dhcp=False)
    return public


def test_router_gateway_interface_and_floating_ip(network):
    public = _external(network)
    alice = network.client()
    assert [n['id'] for n in alice.get('/networks?router:external=true').data['networks']] \
        == [public['id']]
    net, sub = network.network_with_subnet(alice, '192.168.10.0/24')
    router = network.create(alice, 'routers', name='r1')
    assert router['external_gateway_info'] is None

    resp = alice.put('/routers/%s/add_router_interface' % router['id'],
                     {'subnet_id': sub['id']})
    assert resp.status_int == 200, resp.body
    interface = resp.data
    assert interface['subnet_id'] == sub['id']
    port = alice.get('/ports/%s' % interface['port_id']).data['port']
    assert port['device_owner'] == 'network:router_interface'
    assert port['fixed_ips'][0]['ip_address'] == '192.168.10.1'
    # the interface port is the router's: not deletable through the port API
    assert fault(alice.delete('/ports/%s' % port['id'])) == (409, 'L3PortInUse')

    resp = alice.put('/routers/%s' % router['id'], {'router': {
        'external_gateway_info': {'network_id': public['id']}}})
    assert resp.status_int == 200, resp.body
    gateway = resp.data['router']['external_gateway_info']
    assert gateway['network_id'] == public['id']
    assert gateway['external_fixed_ips'][0]['ip_address'].startswith('172.24.4.')

    fip = network.create(alice, 'floatingips', floating_network_id=public['id'])
    assert fip['floating_ip_address'].startswith('172.24.4.')
    assert fip['port_id'] is None and fip['status'] == 'DOWN'
    vm_port = network.create(alice, 'ports', network_id=net['id'], device_id='vm1',
                             device_owner='compute:nova')
    resp = alice.put('/floatingips/%s' % fip['id'], {'floatingip': {'port_id': vm_port['id']}})
    assert resp.status_int == 200, resp.body
    assert resp.data['floatingip']['router_id'] == router['id']
    assert resp.data['floatingip']['fixed_ip_address'] == vm_port['fixed_ips'][0]['ip_address']
    found = alice.get('/floatingips?port_id=%s' % vm_port['id']).data['floatingips']
    assert [f['id'] for f in found] == [fip['id']]

    # the interface is needed by the floating IP
    resp = alice.put('/routers/%s/remove_router_interface' % router['id'],
                     {'subnet_id': sub['id']})
    assert resp.status_int == 409
    # a server's port is the compute service's to delete (delete_port);
    # deleting it disassociates the floating IP
    assert fault(alice.delete('/ports/%s' % vm_port['id']))[0] == 403
    assert network.admin.delete('/ports/%s' % vm_port['id']).status_int == 204
    assert alice.get('/floatingips/%s' % fip['id']).data['floatingip']['port_id'] is None
    resp = alice.put('/routers/%s/remove_router_interface' % router['id'],
                     {'subnet_id': sub['id']})
    assert resp.status_int == 200
    assert fault(alice.get('/ports/%s' % port['id'])) == (404, 'PortNotFound')
    assert alice.delete('/floatingips/%s' % fip['id']).status_int == 204
    assert alice.delete('/routers/%s' % router['id']).status_int == 204
    # nothing of the router is left on the external network but its DHCP-less subnet
    assert network.admin.get('/ports?network_id=%s' % public['id']).data['ports'] == []


def test_floating_ip_needs_a_router(network):
    public = _external(network)
    alice = network.client()
    net, _sub = network.network_with_subnet(alice)
    vm_port = network.create(alice, 'ports', network_id=net['id'])
    resp = alice.post('/floatingips', {'floatingip': {'floating_network_id': public['id'],
                                                      'port_id': vm_port['id']}})
    assert resp.status_int == 404
    assert resp.data['NeutronError']['type'] == 'ExternalGatewayForFloatingIPNotFound'
    assert alice.get('/floatingips').data['floatingips'] == []


def test_extra_routes(network):
    alice = network.client()
    _net, sub = network.network_with_subnet(alice, '10.50.0.0/24')
    router = network.create(alice, 'routers', name='r')
    alice.put('/routers/%s/add_router_interface' % router['id'], {'subnet_id': sub['id']})
    route = {'destination': '10.99.0.0/16', 'nexthop': '10.50.0.20'}
    resp = alice.put('/routers/%s' % router['id'], {'router': {'routes': [route]}})
    assert resp.data['router']['routes'] == [route]
    extra = {'destination': '10.98.0.0/16', 'nexthop': '10.50.0.21'}
    resp = alice.put('/routers/%s/add_extraroutes' % router['id'],
                     {'router': {'routes': [extra]}})
    assert resp.status_int == 200
    assert resp.data['router']['routes'] == [route, extra]
    bad = {'destination': '10.97.0.0/16', 'nexthop': '192.0.2.1'}   # not on an attached subnet
    resp = alice.put('/routers/%s' % router['id'], {'router': {'routes': [bad]}})
    assert resp.status_int == 400


def test_routers_of_other_projects(network):
    alice, bob = network.client('alice', 'p1'), network.client('bob', 'p2')
    router = network.create(alice, 'routers', name='r')
    assert fault(bob.get('/routers/%s' % router['id'])) == (404, 'RouterNotFound')
    resp = bob.put('/routers/%s/add_router_interface' % router['id'],
                   {'subnet_id': '00000000-0000-0000-0000-000000000000'})
    assert fault(resp) == (404, 'RouterNotFound')
    resp = alice.put('/routers/%s/add_router_interface' % router['id'], {'subnet_id': 5})
    assert fault(resp) == (400, 'InvalidInput')


def test_interface_by_port_and_gateway_rules(network):
    public = _external(network)
    alice = network.client()
    net, sub = network.network_with_subnet(alice, '10.60.0.0/24')
    router = network.create(alice, 'routers', name='r')
    port = network.create(alice, 'ports', network_id=net['id'],
                          fixed_ips=[{'subnet_id': sub['id'], 'ip_address': '10.60.0.254'}])
    resp = alice.put('/routers/%s/add_router_interface' % router['id'], {'port_id': port['id']})
    assert resp.status_int == 200, resp.body
    assert resp.data['port_id'] == port['id'] and resp.data['subnet_ids'] == [sub['id']]
    shown = alice.get('/ports/%s' % port['id']).data['port']
    assert shown['device_owner'] == 'network:router_interface'
    assert shown['device_id'] == router['id']
    # the same subnet twice is refused
    resp = alice.put('/routers/%s/add_router_interface' % router['id'],
                     {'subnet_id': sub['id']})
    assert resp.status_int == 400
    # an admin may choose the gateway's address; a member may not
    resp = alice.put('/routers/%s' % router['id'], {'router': {'external_gateway_info': {
        'network_id': public['id'],
        'external_fixed_ips': [{'ip_address': '172.24.4.100'}]}}})
    assert resp.status_int == 403
    resp = network.admin.put('/routers/%s' % router['id'], {'router': {
        'external_gateway_info': {'network_id': public['id'],
                                  'external_fixed_ips': [{'ip_address': '172.24.4.100'}]}}})
    assert resp.status_int == 200, resp.body
    gateway = resp.data['router']['external_gateway_info']
    assert gateway['external_fixed_ips'][0]['ip_address'] == '172.24.4.100'
    # a floating IP through this router keeps the gateway in place
    vm_port = network.create(alice, 'ports', network_id=net['id'])
    fip = network.create(alice, 'floatingips', floating_network_id=public['id'],
                         port_id=vm_port['id'])
    resp = alice.put('/routers/%s' % router['id'],
                     {'router': {'external_gateway_info': {}}})
    assert resp.status_int == 409
    assert alice.delete('/floatingips/%s' % fip['id']).status_int == 204
    resp = alice.put('/routers/%s' % router['id'],
                     {'router': {'external_gateway_info': {}}})
    assert resp.status_int == 200
    assert resp.data['router']['external_gateway_info'] is None
    # a router with interfaces cannot go
    assert alice.delete('/routers/%s' % router['id']).status_int == 409
    resp = alice.put('/routers/%s/remove_router_interface' % router['id'],
                     {'port_id': port['id']})
    assert resp.status_int == 200
    # the interface's port goes with it, as in Neutron
    assert fault(alice.get('/ports/%s' % port['id'])) == (404, 'PortNotFound')
    assert alice.delete('/routers/%s' % router['id']).status_int == 204


def test_floating_ip_addresses_chosen_by_an_admin(network):
    public = _external(network)
    fip = network.create(network.admin, 'floatingips', floating_network_id=public['id'],
                         floating_ip_address='172.24.4.77')
    assert fip['floating_ip_address'] == '172.24.4.77'
    resp = network.admin.post('/floatingips', {'floatingip': {
        'floating_network_id': public['id'], 'floating_ip_address': '172.24.4.77'}})
    assert resp.status_int == 409
    alice = network.client()
    resp = alice.post('/floatingips', {'floatingip': {
        'floating_network_id': public['id'], 'floating_ip_address': '172.24.4.78'}})
    assert resp.status_int == 403
    net, _sub = network.network_with_subnet(alice)
    resp = alice.post('/floatingips', {'floatingip': {'floating_network_id': net['id']}})
    assert resp.status_int in (400, 404)   # not an external network
