"""Servers on real networks: the Compute API and hosts talking to the Network
API over HTTP (issue 5, "Compute ↔ Network") — ports made or taken at boot,
bound to the server's host, shown as ``addresses``, given back on delete or
on a failed build; ``os-interface``; security groups; floating IPs."""
import ipaddress

import pytest


@pytest.fixture
def cloud(make_cloud):
    return make_cloud(network=True)


@pytest.fixture
def net(cloud):
    """alice's network 'n1' with the subnet 10.1.0.0/24."""
    return make_network(cloud, 'n1', '10.1.0.0/24')


def make_network(cloud, name, cidr, client=None, **attrs):
    client = client or cloud.network_client()
    resp = client.post('/v2.0/networks', {'network': dict({'name': name}, **attrs)})
    assert resp.status_int == 201, resp.body
    network = resp.data['network']
    resp = client.post('/v2.0/subnets', {'subnet': {
        'network_id': network['id'], 'cidr': cidr, 'ip_version': 4, 'name': name + '-sub'}})
    assert resp.status_int == 201, resp.body
    network['subnet'] = resp.data['subnet']
    return network


def server_ports(cloud, server_id):
    """The ports the Network service has for the server (as its admin sees them)."""
    resp = cloud.network_client('admin', 'admin').get('/v2.0/ports?device_id=%s' % server_id)
    assert resp.status_int == 200, resp.body
    return resp.data['ports']


def get_port(cloud, port_id):
    return cloud.network_client('admin', 'admin').get('/v2.0/ports/%s' % port_id)


def host_of(cloud, server_id):
    return cloud.admin().get('/servers/%s' % server_id).data['server']['OS-EXT-SRV-ATTR:host']


def boot(cloud, client, networks, name='s1', **extra):
    return client.post('/servers', {'server': dict({
        'name': name, 'imageRef': cloud.image['id'], 'flavorRef': '42',
        'networks': networks}, **extra)})


def boot_naming_no_network(cloud, client):
    """A boot before 2.37, when ``networks`` could be left out."""
    return client.at('2.36').post('/servers', {'server': {
        'name': 'old', 'imageRef': cloud.image['id'], 'flavorRef': '42'}})


def test_boot_on_a_network_gets_a_bound_port_and_an_address(cloud, alice, net):
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}])
    (port,) = server_ports(cloud, server['id'])
    assert port['device_owner'] == 'compute:nova'
    assert port['network_id'] == net['id']
    assert port['binding:host_id'] == host_of(cloud, server['id'])
    address = port['fixed_ips'][0]['ip_address']
    assert ipaddress.ip_address(address) in ipaddress.ip_network('10.1.0.0/24')
    assert server['addresses'] == {'n1': [{
        'version': 4, 'addr': address, 'OS-EXT-IPS:type': 'fixed',
        'OS-EXT-IPS-MAC:mac_addr': port['mac_address']}]}
    # The list shows the same addresses, and /ips names them by network.
    (listed,) = alice.get('/servers/detail').data['servers']
    assert listed['addresses'] == server['addresses']
    # An admin sees them too (another project's ports, read as the service).
    assert cloud.admin().get('/servers/%s' % server['id']).data['server']['addresses'] == \
        server['addresses']
    assert alice.get('/servers/%s/ips' % server['id']).data == {
        'addresses': {'n1': [{'version': 4, 'addr': address}]}}
    assert alice.get('/servers/%s/ips/n1' % server['id']).data == {
        'n1': [{'version': 4, 'addr': address}]}
    assert alice.get('/servers/%s/ips/other' % server['id']).status_int == 404
    # The ip filter finds it by address.
    found = alice.get('/servers?ip=%s' % address.replace('.', r'\.')).data['servers']
    assert [s['id'] for s in found] == [server['id']]
    assert alice.get('/servers?ip=10\\.9\\.').data['servers'] == []


def test_boot_with_a_fixed_ip(cloud, alice, net):
    server = cloud.boot_active(alice, networks=[{'uuid': net['id'], 'fixed_ip': '10.1.0.50'}])
    assert [a['addr'] for a in server['addresses']['n1']] == ['10.1.0.50']
    # The address is taken now: a second server asking for it fails to build.
    resp = boot(cloud, alice, [{'uuid': net['id'], 'fixed_ip': '10.1.0.50'}], name='s2')
    assert resp.status_int == 202
    failed = cloud.wait_for_status(alice, resp.data['server']['id'], 'ERROR')
    assert '10.1.0.50' in failed['fault']['message']
    assert server_ports(cloud, failed['id']) == []


def test_boot_with_a_port_binds_it_and_delete_keeps_it_unbound(cloud, alice, net):
    network = cloud.network_client()
    port = network.post('/v2.0/ports', {'port': {'network_id': net['id'],
                                                 'name': 'mine'}}).data['port']
    server = cloud.boot_active(alice, networks=[{'port': port['id']}])
    bound = get_port(cloud, port['id']).data['port']
    assert bound['device_id'] == server['id']
    assert bound['device_owner'] == 'compute:nova'
    assert bound['binding:host_id'] == host_of(cloud, server['id'])
    assert server['addresses']['n1'][0]['addr'] == port['fixed_ips'][0]['ip_address']
    # In use now: another server may not take it.
    resp = boot(cloud, alice, [{'port': port['id']}], name='s2')
    assert resp.status_int == 409
    assert alice.delete('/servers/%s' % server['id']).status_int == 204
    cloud.wait_for_status(alice, server['id'], 'DELETED')
    kept = get_port(cloud, port['id']).data['port']
    assert (kept['device_id'], kept['device_owner'], kept['binding:host_id']) == ('', '', '')
    assert kept['fixed_ips'] == port['fixed_ips']


def test_delete_deletes_the_ports_made_for_the_server(cloud, alice, net):
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}])
    (port,) = server_ports(cloud, server['id'])
    assert alice.delete('/servers/%s' % server['id']).status_int == 204
    cloud.wait_for_status(alice, server['id'], 'DELETED')
    assert get_port(cloud, port['id']).status_int == 404


def test_requested_networks_are_checked_before_the_build(cloud, alice, net):
    missing = '3f6e7c1e-8f0b-4a36-9f07-0d3c0e1a2b3c'
    resp = boot(cloud, alice, [{'uuid': missing}])
    assert resp.status_int == 400
    assert resp.data['badRequest']['message'] == 'Network %s could not be found.' % missing
    resp = boot(cloud, alice, [{'port': missing}])
    assert resp.status_int == 400
    assert resp.data['badRequest']['message'] == 'Port %s could not be found.' % missing
    resp = boot(cloud, alice, [{'uuid': net['id'], 'fixed_ip': 'not-an-ip'}])
    assert resp.status_int == 400
    # Another project's network is not there for alice.
    bobs = make_network(cloud, 'bobnet', '10.2.0.0/24', client=cloud.network_client('bob', 'p2'))
    assert boot(cloud, alice, [{'uuid': bobs['id']}]).status_int == 400
    # One port cannot serve several servers.
    port = cloud.network_client().post('/v2.0/ports', {'port': {
        'network_id': net['id']}}).data['port']
    resp = boot(cloud, alice, [{'port': port['id']}], min_count=2, max_count=2)
    assert resp.status_int == 400
    # Network tags came with 2.32.
    assert boot(cloud, alice.at('2.31'), [{'uuid': net['id'], 'tag': 'a'}]).status_int == 400
    # None of these left a server or a port behind.
    assert alice.get('/servers').data['servers'] == []
    assert cloud.network_client().get('/v2.0/ports?device_owner=compute:nova'
                                      ).data['ports'] == []
    assert get_port(cloud, port['id']).data['port']['device_id'] == ''


def test_auto_takes_the_projects_only_network(cloud, alice, net):
    server = cloud.boot_active(alice, networks='auto')
    assert list(server['addresses']) == ['n1']
    # 'none' is no network at all.
    bare = cloud.boot_active(alice, 'bare', networks='none')
    assert bare['addresses'] == {}
    assert server_ports(cloud, bare['id']) == []


def test_auto_with_two_networks_is_409_and_without_any_400(cloud, alice, net):
    make_network(cloud, 'n2', '10.3.0.0/24')
    resp = boot(cloud, alice, 'auto')
    assert resp.status_int == 409
    assert resp.data['conflictingRequest']['message'] == (
        'Multiple possible networks found, use a Network ID to be more specific.')
    # Before 2.37 a boot naming no network takes the available one, or fails alike.
    resp = boot_naming_no_network(cloud, alice)
    assert resp.status_int == 409
    bob = cloud.client('bob', 'p2', '2.37')
    resp = boot(cloud, bob, 'auto')
    assert resp.status_int == 400
    assert resp.data['badRequest']['message'] == (
        'Unable to automatically allocate a network for project p2')
    # Before 2.37 a project with no network boots without one.
    resp = boot_naming_no_network(cloud, bob)
    assert resp.status_int == 202
    assert cloud.wait_for_status(bob, resp.data['server']['id'], 'ACTIVE')['addresses'] == {}


def test_auto_falls_back_to_the_shared_network(cloud):
    shared = make_network(cloud, 'shared', '10.5.0.0/24',
                          client=cloud.network_client('admin', 'admin'), shared=True)
    bob = cloud.client('bob', 'p2', '2.37')
    server = cloud.boot_active(bob, networks='auto')
    assert list(server['addresses']) == ['shared']
    (port,) = server_ports(cloud, server['id'])
    assert port['network_id'] == shared['id'] and port['project_id'] == 'p2'


def test_a_failed_build_gives_its_ports_back(cloud, alice, net):
    network = cloud.network_client()
    given = network.post('/v2.0/ports', {'port': {'network_id': net['id']}}).data['port']
    server_id = cloud.boot(alice, networks=[{'uuid': net['id']}, {'port': given['id']}],
                           metadata={'fake:spawn_fail': 'true'})
    server = cloud.wait_for_status(alice, server_id, 'ERROR')
    assert server['addresses'] == {}
    assert server_ports(cloud, server_id) == []
    kept = get_port(cloud, given['id']).data['port']
    assert (kept['device_id'], kept['binding:host_id']) == ('', '')
    ports = network.get('/v2.0/ports?network_id=%s&device_owner=compute:nova'
                        % net['id']).data['ports']
    assert ports == []


def test_a_rescheduled_build_ends_with_one_port_on_the_host_that_built_it(cloud, alice, net):
    first = cloud.boot_active(alice, 'first', networks='none')['id']
    busy = host_of(cloud, first)
    free = ({'compute1', 'compute2'} - {busy}).pop()
    server_id = cloud.boot(alice, 'second', networks=[{'uuid': net['id']}],
                           metadata={'fake:spawn_fail_on_host': free})
    server = cloud.wait_for_status(alice, server_id, 'ACTIVE')
    (port,) = server_ports(cloud, server_id)
    assert port['binding:host_id'] == busy
    assert server['addresses']['n1'][0]['addr'] == port['fixed_ips'][0]['ip_address']


def test_attach_and_detach_interfaces(cloud, alice, net):
    other = make_network(cloud, 'n2', '10.3.0.0/24')
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}])
    path = '/servers/%s/os-interface' % server['id']
    (first,) = alice.get(path).data['interfaceAttachments']
    assert first['net_id'] == net['id'] and first['mac_addr']

    # A new port on a network, with the address asked for.
    resp = alice.post(path, {'interfaceAttachment': {
        'net_id': other['id'], 'fixed_ips': [{'ip_address': '10.3.0.20'}]}})
    assert resp.status_int == 200, resp.body
    made = resp.data['interfaceAttachment']
    assert made['net_id'] == other['id']
    assert made['fixed_ips'][0]['ip_address'] == '10.3.0.20'
    assert get_port(cloud, made['port_id']).data['port']['binding:host_id'] == \
        host_of(cloud, server['id'])
    # A port of the user's.
    given = cloud.network_client().post('/v2.0/ports', {'port': {
        'network_id': other['id']}}).data['port']
    resp = alice.post(path, {'interfaceAttachment': {'port_id': given['id']}})
    assert resp.status_int == 200, resp.body
    assert {a['port_id'] for a in alice.get(path).data['interfaceAttachments']} == {
        first['port_id'], made['port_id'], given['id']}
    shown = alice.get('/servers/%s' % server['id']).data['server']
    assert sorted(a['addr'] for a in shown['addresses']['n2']) == sorted(
        ['10.3.0.20', given['fixed_ips'][0]['ip_address']])
    assert alice.get('%s/%s' % (path, given['id'])).data['interfaceAttachment'][
        'port_id'] == given['id']
    assert alice.get('%s/%s' % (path, 'b3c7c0a5-1b1e-4f60-9d0e-5ad0b8c0f111')
                     ).status_int == 404
    # Errors: both or an unknown network or port.
    assert alice.post(path, {'interfaceAttachment': {
        'net_id': other['id'], 'port_id': given['id']}}).status_int == 400
    assert alice.post(path, {'interfaceAttachment': {
        'net_id': '3f6e7c1e-8f0b-4a36-9f07-0d3c0e1a2b3c'}}).status_int == 404
    assert alice.post(path, {'interfaceAttachment': {
        'port_id': given['id']}}).status_int == 409  # in use (by this server)

    # Detach: the made port is deleted, the given one unbound and kept.
    assert alice.delete('%s/%s' % (path, made['port_id'])).status_int == 202
    assert alice.delete('%s/%s' % (path, given['id'])).status_int == 202
    assert get_port(cloud, made['port_id']).status_int == 404
    kept = get_port(cloud, given['id']).data['port']
    assert (kept['device_id'], kept['binding:host_id']) == ('', '')
    assert [a['port_id'] for a in alice.get(path).data['interfaceAttachments']] == [
        first['port_id']]
    assert list(alice.get('/servers/%s' % server['id']).data['server']['addresses']) == ['n1']
    assert alice.delete('%s/%s' % (path, given['id'])).status_int == 404


def test_interfaces_need_a_server_at_rest(cloud, alice, net):
    server = cloud.boot_active(alice, networks='none')
    alice.action(server['id'], 'shelve')
    cloud.wait_for_status(alice, server['id'], 'SHELVED_OFFLOADED')
    resp = alice.post('/servers/%s/os-interface' % server['id'],
                      {'interfaceAttachment': {'net_id': net['id']}})
    assert resp.status_int == 409


def test_security_groups_of_a_server(cloud, alice, net):
    network = cloud.network_client()
    web = network.post('/v2.0/security-groups', {'security_group': {
        'name': 'web', 'description': 'web servers'}}).data['security_group']
    resp = network.post('/v2.0/security-group-rules', {'security_group_rule': {
        'security_group_id': web['id'], 'direction': 'ingress', 'protocol': 'tcp',
        'port_range_min': 22, 'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0'}})
    assert resp.status_int == 201, resp.body
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}])
    assert server['security_groups'] == [{'name': 'default'}]
    path = '/servers/%s/os-security-groups' % server['id']
    assert [g['name'] for g in alice.get(path).data['security_groups']] == ['default']

    assert alice.action(server['id'], 'addSecurityGroup', {'name': 'web'}).status_int == 202
    (port,) = server_ports(cloud, server['id'])
    assert web['id'] in port['security_groups'] and len(port['security_groups']) == 2
    groups = {g['name']: g for g in alice.get(path).data['security_groups']}
    assert set(groups) == {'default', 'web'}
    assert groups['web']['description'] == 'web servers'
    assert groups['web']['tenant_id'] == 'p1'
    assert [(r['ip_protocol'], r['from_port'], r['to_port'], r['ip_range'])
            for r in groups['web']['rules']] == [('tcp', 22, 22, {'cidr': '0.0.0.0/0'})]
    shown = alice.get('/servers/%s' % server['id']).data['server']
    assert sorted(g['name'] for g in shown['security_groups']) == ['default', 'web']
    # Twice is an error; so is an unknown group.
    assert alice.action(server['id'], 'addSecurityGroup', {'name': 'web'}).status_int == 400
    resp = alice.action(server['id'], 'addSecurityGroup', {'name': 'nope'})
    assert resp.status_int == 404
    assert resp.data['itemNotFound']['message'] == 'Security group nope not found.'

    assert alice.action(server['id'], 'removeSecurityGroup', {'name': 'web'}).status_int == 202
    (port,) = server_ports(cloud, server['id'])
    assert web['id'] not in port['security_groups']
    assert alice.action(server['id'], 'removeSecurityGroup',
                        {'name': 'web'}).status_int == 400


def test_boot_in_named_security_groups(cloud, alice, net):
    network = cloud.network_client()
    web = network.post('/v2.0/security-groups', {'security_group': {
        'name': 'web'}}).data['security_group']
    resp = boot(cloud, alice, [{'uuid': net['id']}], security_groups=[{'name': 'web'}])
    assert resp.status_int == 202
    assert resp.data['server']['security_groups'] == [{'name': 'web'}]
    server = cloud.wait_for_status(alice, resp.data['server']['id'], 'ACTIVE')
    assert server['security_groups'] == [{'name': 'web'}]
    (port,) = server_ports(cloud, server['id'])
    assert port['security_groups'] == [web['id']]
    resp = boot(cloud, alice, [{'uuid': net['id']}], name='s2',
                security_groups=[{'name': 'nope'}])
    assert resp.status_int == 400


def test_a_floating_ip_shows_in_the_servers_addresses(cloud, alice, net):
    admin_net = cloud.network_client('admin', 'admin')
    public = make_network(cloud, 'public', '172.24.4.0/24', client=admin_net,
                          **{'router:external': True})
    network = cloud.network_client()
    router = network.post('/v2.0/routers', {'router': {
        'name': 'r1', 'external_gateway_info': {'network_id': public['id']}}})
    assert router.status_int == 201, router.body
    router = router.data['router']
    resp = network.put('/v2.0/routers/%s/add_router_interface' % router['id'],
                       {'subnet_id': net['subnet']['id']})
    assert resp.status_int == 200, resp.body
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}])
    (port,) = server_ports(cloud, server['id'])
    # What `openstack server add floating ip` does: straight to the Network API.
    resp = network.post('/v2.0/floatingips', {'floatingip': {
        'floating_network_id': public['id'], 'port_id': port['id']}})
    assert resp.status_int == 201, resp.body
    floating = resp.data['floatingip']['floating_ip_address']
    both = {'n1': [
        {'version': 4, 'addr': port['fixed_ips'][0]['ip_address'],
         'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port['mac_address']},
        {'version': 4, 'addr': floating, 'OS-EXT-IPS:type': 'floating',
         'OS-EXT-IPS-MAC:mac_addr': port['mac_address']}]}
    shown = alice.get('/servers/%s' % server['id']).data['server']
    assert shown['addresses'] == both
    # The list shows what the last show saw.
    (listed,) = alice.get('/servers/detail').data['servers']
    assert listed['addresses'] == both
    # Disassociated: gone from the server again.
    fip_id = resp.data['floatingip']['id']
    assert network.put('/v2.0/floatingips/%s' % fip_id,
                       {'floatingip': {'port_id': None}}).status_int == 200
    assert [a['OS-EXT-IPS:type'] for a in alice.get('/servers/%s' % server['id']).data[
        'server']['addresses']['n1']] == ['fixed']

    # Associated again, and the Network service says so (network-changed):
    # the list is up to date without a show.
    assert network.put('/v2.0/floatingips/%s' % fip_id,
                       {'floatingip': {'port_id': port['id']}}).status_int == 200
    event = {'name': 'network-changed', 'server_uuid': server['id'], 'tag': port['id']}
    assert alice.post('/os-server-external-events', {'events': [event]}).status_int == 403
    resp = cloud.admin().post('/os-server-external-events', {'events': [event]})
    assert resp.status_int == 200, resp.body
    assert resp.data['events'] == [dict(event, status='completed', code=200)]
    (listed,) = alice.get('/servers/detail').data['servers']
    assert listed['addresses'] == both
    # Events for servers that do not exist are answered one by one.
    missing = dict(event, server_uuid='3f6e7c1e-8f0b-4a36-9f07-0d3c0e1a2b3c')
    resp = cloud.admin().post('/os-server-external-events', {'events': [event, missing]})
    assert resp.status_int == 207
    assert [(e['code'], e['status']) for e in resp.data['events']] == [
        (200, 'completed'), (404, 'failed')]
    assert cloud.admin().post('/os-server-external-events',
                              {'events': [missing]}).status_int == 404


def test_shelve_unbinds_and_unshelve_binds_to_the_new_host(cloud, alice, net):
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}])
    (port,) = server_ports(cloud, server['id'])
    alice.action(server['id'], 'shelve')
    cloud.wait_for_status(alice, server['id'], 'SHELVED_OFFLOADED')
    assert get_port(cloud, port['id']).data['port']['binding:host_id'] == ''
    assert alice.action(server['id'], 'unshelve').status_int == 202
    cloud.wait_for_status(alice, server['id'], 'ACTIVE')
    assert get_port(cloud, port['id']).data['port']['binding:host_id'] == \
        host_of(cloud, server['id'])
    # Deleted while offloaded (no host runs it): its port goes all the same.
    alice.action(server['id'], 'shelve')
    cloud.wait_for_status(alice, server['id'], 'SHELVED_OFFLOADED')
    assert alice.delete('/servers/%s' % server['id']).status_int == 204
    cloud.wait_for_status(alice, server['id'], 'DELETED')
    assert get_port(cloud, port['id']).status_int == 404


def test_resize_binds_the_ports_to_the_destination(cloud, alice, net):
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}])
    source = host_of(cloud, server['id'])
    assert alice.action(server['id'], 'resize', {'flavorRef': '84'}).status_int == 202
    cloud.wait_for_status(alice, server['id'], 'VERIFY_RESIZE')
    destination = host_of(cloud, server['id'])
    assert destination != source
    (port,) = server_ports(cloud, server['id'])
    assert port['binding:host_id'] == destination
    assert alice.action(server['id'], 'revertResize').status_int == 202
    cloud.wait_for_status(alice, server['id'], 'ACTIVE')
    (port,) = server_ports(cloud, server['id'])
    assert port['binding:host_id'] == source


def test_the_metadata_api_describes_the_servers_network(cloud, alice, net):
    import hashlib
    import hmac
    import json

    from pocketstack.common import wsgi
    from tests.conftest import ApiClient
    network = cloud.network_client()
    static = network.post('/v2.0/networks', {'network': {'name': 'static'}}).data['network']
    resp = network.post('/v2.0/subnets', {'subnet': {
        'network_id': static['id'], 'cidr': '10.7.0.0/24', 'ip_version': 4,
        'enable_dhcp': False, 'dns_nameservers': ['10.7.0.53']}})
    assert resp.status_int == 201, resp.body
    server = cloud.boot_active(alice, networks=[{'uuid': net['id']}, {'uuid': static['id']}])
    ports = {p['network_id']: p for p in server_ports(cloud, server['id'])}
    metadata = ApiClient(wsgi.load_app(cloud.conf, 'metadata'), host='http://169.254.169.254')
    # As Neutron's metadata proxy asks (the shared secret is empty here).
    headers = {'X-Instance-ID': server['id'], 'X-Tenant-ID': 'p1',
               'X-Instance-ID-Signature': hmac.new(b'', server['id'].encode(),
                                                   hashlib.sha256).hexdigest()}
    resp = metadata.get('/openstack/latest/network_data.json', headers=headers)
    assert resp.status_int == 200, resp.body
    document = json.loads(resp.body)
    links = {link['vif_id']: link for link in document['links']}
    assert set(links) == {p['id'] for p in ports.values()}
    for port in ports.values():
        link = links[port['id']]
        assert link['ethernet_mac_address'] == port['mac_address']
        assert link['type'] == 'ovs' and link['id'] == 'tap' + port['id'][:11]
    networks = {n['network_id']: n for n in document['networks']}
    assert networks[net['id']]['type'] == 'ipv4_dhcp'  # DHCP serves it its address
    assert networks[net['id']]['link'] == links[ports[net['id']]['id']]['id']
    fixed = networks[static['id']]
    assert fixed['type'] == 'ipv4'
    assert fixed['ip_address'] == ports[static['id']]['fixed_ips'][0]['ip_address']
    assert fixed['netmask'] == '255.255.255.0'
    assert fixed['routes'] == [{'network': '0.0.0.0', 'netmask': '0.0.0.0',
                                'gateway': '10.7.0.1'}]
    assert fixed['services'] == [{'type': 'dns', 'address': '10.7.0.53'}]
    assert document['services'] == [{'type': 'dns', 'address': '10.7.0.53'}]
    ec2 = metadata.get('/latest/meta-data/local-ipv4', headers=headers)
    assert ec2.body.decode() in {p['fixed_ips'][0]['ip_address'] for p in ports.values()}


def test_an_unreachable_network_service_is_503(make_cloud):
    from pocketstack.common import server as common_server
    nobody = 'http://127.0.0.1:%d' % common_server.free_port()
    cloud = make_cloud({('neutron', 'endpoint_override'): nobody})
    alice = cloud.client(version='2.37')
    resp = boot(cloud, alice, [{'uuid': '3f6e7c1e-8f0b-4a36-9f07-0d3c0e1a2b3c'}])
    assert resp.status_int == 503
    assert 'Network service cannot be reached' in resp.data['serviceUnavailable']['message']
    # A server that needs no network still boots.
    assert cloud.boot_active(alice, networks='none')['addresses'] == {}


def test_floating_ip_pools_are_the_external_networks_until_2_35(cloud, alice, net):
    """Nova's proxy, as openstacksdk's create_server(auto_ip=True) asks it."""
    admin_net = cloud.network_client('admin', 'admin')
    make_network(cloud, 'public', '172.24.4.0/24', client=admin_net,
                 **{'router:external': True})
    nameless = make_network(cloud, '', '172.24.5.0/24', client=admin_net,
                            **{'router:external': True})
    resp = alice.at('2.35').get('/os-floating-ip-pools')
    assert resp.status_int == 200, resp.body
    # alice's own network n1 is not external; a nameless pool shows its id.
    assert sorted(p['name'] for p in resp.data['floating_ip_pools']) == sorted(
        ['public', nameless['id']])
    assert alice.at('2.1').get('/os-floating-ip-pools').status_int == 200
    gone = alice.at('2.36').get('/os-floating-ip-pools')
    assert gone.status_int == 404
    assert gone.data == {'itemNotFound': {'code': 404,
                                          'message': 'The resource could not be found.'}}


def test_floating_ip_pools_without_a_network_service_are_none(make_cloud):
    alice = make_cloud().client('alice', 'p1', '2.35')
    resp = alice.get('/os-floating-ip-pools')
    assert resp.status_int == 200 and resp.data == {'floating_ip_pools': []}
