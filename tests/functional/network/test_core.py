"""Networks, subnets and ports through the API, with the errors the issue
names: invalid CIDR, addresses outside the subnet or taken, a full subnet,
a network in use, another project's network, provider attributes."""
import ipaddress
import threading

from tests.functional.network.conftest import fault


def test_network_subnet_port_lifecycle(network):
    alice = network.client()
    net, sub = network.network_with_subnet(alice, '192.168.10.0/24')
    assert sub['gateway_ip'] == '192.168.10.1'
    assert sub['allocation_pools'] == [{'start': '192.168.10.2', 'end': '192.168.10.254'}]
    assert alice.get('/networks/%s' % net['id']).data['network']['subnets'] == [sub['id']]
    port = network.create(alice, 'ports', network_id=net['id'], name='p1',
                          fixed_ips=[{'subnet_id': sub['id'], 'ip_address': '192.168.10.50'}])
    assert port['fixed_ips'] == [{'subnet_id': sub['id'], 'ip_address': '192.168.10.50'}]
    assert port['mac_address'].startswith('fa:16:3e:')
    assert port['status'] == 'DOWN'
    auto = network.create(alice, 'ports', network_id=net['id'])
    [ip] = auto['fixed_ips']
    assert ipaddress.ip_address(ip['ip_address']) in ipaddress.ip_network('192.168.10.0/24')
    assert ip['ip_address'] not in ('192.168.10.1', '192.168.10.50')
    # the project's default security group is made and used
    [sg_id] = auto['security_groups']
    groups = alice.get('/security-groups?name=default').data['security_groups']
    assert [g['id'] for g in groups] == [sg_id]
    # filter ports by address
    resp = alice.get('/ports?fixed_ips=ip_address=192.168.10.50')
    assert [p['id'] for p in resp.data['ports']] == [port['id']]
    assert alice.delete('/ports/%s' % port['id']).status_int == 204
    # the address is free again
    again = network.create(alice, 'ports', network_id=net['id'],
                           fixed_ips=[{'ip_address': '192.168.10.50'}])
    assert again['fixed_ips'][0]['subnet_id'] == sub['id']


def test_dhcp_port(network):
    alice = network.client()
    net, sub = network.network_with_subnet(alice, '10.20.0.0/24')
    ports = network.admin.get('/ports?network_id=%s&device_owner=network:dhcp'
                              % net['id']).data['ports']
    assert len(ports) == 1
    assert ports[0]['fixed_ips'][0]['subnet_id'] == sub['id']
    # a network whose only port is its DHCP port can go
    assert alice.delete('/networks/%s' % net['id']).status_int == 204
    assert network.admin.get('/ports').data['ports'] == []


def test_subnet_errors(network):
    alice = network.client()
    net = network.create(alice, 'networks', name='n')

    def subnet(**attrs):
        return alice.post('/subnets', {'subnet': dict(
            {'network_id': net['id'], 'ip_version': 4}, **attrs)})

    assert fault(subnet(cidr='10.0.0.0/33'))[0] == 400
    assert fault(subnet(cidr='banana'))[0] == 400
    assert fault(subnet(cidr='10.0.0.0/24', gateway_ip='10.9.9.9'))[0] == 400
    assert fault(subnet(cidr='10.0.0.0/24', allocation_pools=[
        {'start': '10.0.1.2', 'end': '10.0.1.9'}]))[0] == 400
    assert fault(subnet(cidr='fd00::/64'))[0] == 400   # version mismatch
    assert subnet(cidr='10.0.0.0/24').status_int == 201
    assert fault(subnet(cidr='10.0.0.128/25'))[0] == 400   # overlaps
    assert len(alice.get('/subnets').data['subnets']) == 1
    v6 = alice.post('/subnets', {'subnet': {'network_id': net['id'], 'ip_version': 6,
                                            'cidr': 'fd00:1::/64'}})
    assert v6.status_int == 201
    assert v6.data['subnet']['gateway_ip'] == 'fd00:1::1'


def test_port_address_errors(network):
    alice = network.client()
    net, sub = network.network_with_subnet(alice, '192.168.20.0/29')

    def port(**attrs):
        return alice.post('/ports', {'port': dict({'network_id': net['id']}, **attrs)})

    outside = port(fixed_ips=[{'subnet_id': sub['id'], 'ip_address': '192.168.99.5'}])
    assert fault(outside) == (400, 'InvalidIpForSubnet')
    assert fault(port(fixed_ips=[{'ip_address': '10.1.1.1'}]))[0] == 400
    assert fault(port(mac_address='not-a-mac'))[0] == 400
    [dhcp] = network.admin.get('/ports?device_owner=network:dhcp').data['ports']
    free = next(a for a in ('192.168.20.%d' % i for i in range(2, 7))
                if a != dhcp['fixed_ips'][0]['ip_address'])
    taken = port(fixed_ips=[{'ip_address': free}])
    assert taken.status_int == 201
    assert fault(port(fixed_ips=[{'ip_address': free}])) == (409, 'IpAddressInUse')
    assert fault(port(mac_address=taken.data['port']['mac_address'])) == \
        (409, 'MacAddressInUse')
    # a /29 has 5 addresses for ports (.2-.6); DHCP holds one, we took one
    made = [port() for _ in range(3)]
    assert [r.status_int for r in made] == [201, 201, 201]
    assert fault(port()) == (409, 'IpAddressGenerationFailure')
    ports = alice.get('/ports?network_id=%s' % net['id']).data['ports']
    addresses = [ip['ip_address'] for p in ports for ip in p['fixed_ips']]
    assert len(addresses) == len(set(addresses)) == 5


def test_concurrent_port_creates_never_share_an_address(network):
    alice = network.client()
    net, sub = network.network_with_subnet(alice, '10.30.0.0/27')
    results = []

    def create():
        for _ in range(5):
            results.append(alice.post('/ports', {'port': {'network_id': net['id']}}))

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [r.data['port'] for r in results if r.status_int == 201]
    failed = [fault(r) for r in results if r.status_int != 201]
    assert all(f == (409, 'IpAddressGenerationFailure') for f in failed)
    addresses = [p['fixed_ips'][0]['ip_address'] for p in created]
    assert len(addresses) == len(set(addresses))
    assert len(created) == 28   # .2-.30 minus the DHCP port's address: full, no more


def test_network_in_use_and_other_projects(network):
    alice, bob = network.client('alice', 'p1'), network.client('bob', 'p2')
    net, sub = network.network_with_subnet(alice)
    port = network.create(alice, 'ports', network_id=net['id'])
    assert fault(alice.delete('/networks/%s' % net['id'])) == (409, 'NetworkInUse')
    assert fault(alice.delete('/subnets/%s' % sub['id'])) == (409, 'SubnetInUse')
    assert fault(bob.get('/networks/%s' % net['id'])) == (404, 'NetworkNotFound')
    assert fault(bob.get('/ports/%s' % port['id'])) == (404, 'PortNotFound')
    assert fault(bob.post('/ports', {'port': {'network_id': net['id']}}))[0] == 404
    assert alice.delete('/ports/%s' % port['id']).status_int == 204
    assert alice.delete('/networks/%s' % net['id']).status_int == 204
    assert alice.get('/subnets').data['subnets'] == []


def test_shared_network_usable_by_others(network):
    shared = network.create(network.admin, 'networks', name='shared', shared=True)
    network.create(network.admin, 'subnets', network_id=shared['id'], cidr='10.40.0.0/24',
                   ip_version=4)
    bob = network.client('bob', 'p2')
    assert [n['id'] for n in bob.get('/networks').data['networks']] == [shared['id']]
    port = network.create(bob, 'ports', network_id=shared['id'])
    assert port['project_id'] == 'p2'
    # visible, but not theirs to change
    resp = bob.put('/networks/%s' % shared['id'], {'network': {'name': 'mine'}})
    assert fault(resp) == (403, 'PolicyNotAuthorized')


def test_provider_networks_for_admins(network):
    net = network.create(network.admin, 'networks', name='vlan-net',
                         **{'provider:network_type': 'vlan',
                            'provider:physical_network': 'physnet1',
                            'provider:segmentation_id': 1234})
    assert net['provider:segmentation_id'] == 1234
    again = network.admin.post('/networks', {'network': {
        'name': 'dup', 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1',
        'provider:segmentation_id': 1234}})
    assert again.status_int == 409
    resp = network.admin.put('/networks/%s' % net['id'],
                             {'network': {'provider:segmentation_id': 1235}})
    assert resp.status_int == 400
    alice = network.client()
    resp = alice.put('/networks/%s' % net['id'],
                     {'network': {'provider:network_type': 'flat'}})
    assert resp.status_int in (403, 404)
    # the id is free again once the network is gone
    assert network.admin.delete('/networks/%s' % net['id']).status_int == 204
    network.create(network.admin, 'networks', name='reuse',
                   **{'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1',
                      'provider:segmentation_id': 1234})


def test_port_binding_is_admin_business(network):
    alice = network.client()
    net, _sub = network.network_with_subnet(alice)
    port = network.create(alice, 'ports', network_id=net['id'])
    assert 'binding:host_id' not in port
    resp = alice.put('/ports/%s' % port['id'], {'port': {'binding:host_id': 'compute1'}})
    assert fault(resp) == (403, 'PolicyNotAuthorized')
    resp = network.admin.put('/ports/%s' % port['id'], {'port': {
        'binding:host_id': 'compute1', 'device_id': 'server-1',
        'device_owner': 'compute:nova'}})
    bound = resp.data['port']
    assert bound['binding:host_id'] == 'compute1'
    assert bound['binding:vif_type'] == 'ovs'
    assert bound['status'] == 'ACTIVE'
    assert alice.get('/ports?device_id=server-1').data['ports'][0]['id'] == port['id']
