"""The ML2 core plugin on a real SQLite database: networks and their
segments, subnets and their pools, ports, addresses, DHCP and bindings."""
import pytest

from pocketstack.common import context as ctx
from pocketstack.network import bootstrap
from pocketstack.network import exception
from pocketstack.network import service
from pocketstack.network.db import models


@pytest.fixture
def svc(tmp_path):
    conf = service.NetworkService.new_conf([], default_config_files=[])
    conf.set_override('connection', 'sqlite:///' + str(tmp_path / 'n.sqlite'), group='database')
    conf.set_override('vni_ranges', ['100:119'], group='ml2_type_vxlan')
    conf.set_override('network_vlan_ranges', ['public', 'physnet1:10:11'],
                      group='ml2_type_vlan')
    svc = service.NetworkService(conf)
    svc.sync_database()
    return svc


@pytest.fixture
def plugin(svc):
    return svc.core_plugin


def member(project='p1'):
    return ctx.RequestContext(user_id='u', project_id=project, roles=['member', 'reader'])




def admin():
    context = ctx.admin_context()
    context.project_id = 'admin'
    return context


def network(plugin, context=None, **attrs):
    context = context or member()
    attrs.setdefault('project_id', context.project_id)
    return plugin.create_network(context, attrs)


def subnet(plugin, net, cidr='10.0.0.0/24', context=None, **attrs):
    context = context or member(net['project_id'])
    body = {'network_id': net['id'], 'cidr': cidr, 'ip_version': 6 if ':' in cidr else 4,
            'project_id': context.project_id}
    body.update(attrs)
    return plugin.create_subnet(context, body)


def port(plugin, net, context=None, **attrs):
    context = context or member(net['project_id'])
    body = {'network_id': net['id'], 'project_id': context.project_id}
    body.update(attrs)
    return plugin.create_port(context, body)


# -- networks -----------------------------------------------------------------

def test_project_network_gets_vxlan_segment_and_view(plugin):
    net = network(plugin, name='n1')
    assert net['provider:network_type'] == 'vxlan'
    assert net['provider:segmentation_id'] == 100
    assert net['mtu'] == 1450 and net['status'] == 'ACTIVE'
    assert net['subnets'] == [] and net['tags'] == [] and net['revision_number'] == 0
    assert net['tenant_id'] == net['project_id'] == 'p1'
    assert net['availability_zones'] == ['nova']
    assert plugin.get_network(member(), net['id'])['name'] == 'n1'


def test_tenant_ids_run_out_and_come_back(svc, plugin):
    # the ranges are materialised on first use
    svc.conf.set_override('vni_ranges', ['100:101'], group='ml2_type_vxlan')
    svc.conf.set_override('tenant_network_types', ['vxlan', 'vlan'], group='ml2')
    nets = [network(plugin) for _ in range(4)]
    assert [(n['provider:network_type'], n['provider:segmentation_id']) for n in nets] == [
        ('vxlan', 100), ('vxlan', 101), ('vlan', 10), ('vlan', 11)]
    assert nets[2]['provider:physical_network'] == 'physnet1' and nets[2]['mtu'] == 1500
    with pytest.raises(exception.NoNetworkAvailable):
        network(plugin)
    plugin.delete_network(member(), nets[1]['id'])
    again = network(plugin)
    assert again['provider:segmentation_id'] == 101


def test_provider_networks(plugin):
    flat = network(plugin, admin(), **{'provider:network_type': 'flat',
                                       'provider:physical_network': 'public'})
    assert flat['mtu'] == 1500 and flat['provider:segmentation_id'] is None
    with pytest.raises(exception.FlatNetworkInUse):
        network(plugin, admin(), **{'provider:network_type': 'flat',
                                    'provider:physical_network': 'public'})
    vlan = network(plugin, admin(), **{'provider:network_type': 'vlan',
                                       'provider:physical_network': 'physnet1',
                                       'provider:segmentation_id': 10})
    assert vlan['provider:segmentation_id'] == 10
    with pytest.raises(exception.VlanIdInUse):
        network(plugin, admin(), **{'provider:network_type': 'vlan',
                                    'provider:physical_network': 'physnet1',
                                    'provider:segmentation_id': 10})
    # outside the range: allowed once
    network(plugin, admin(), **{'provider:network_type': 'vlan',
                                'provider:physical_network': 'physnet1',
                                'provider:segmentation_id': 3000})
    with pytest.raises(exception.VlanIdInUse):
        network(plugin, admin(), **{'provider:network_type': 'vlan',
                                    'provider:physical_network': 'physnet1',
                                    'provider:segmentation_id': 3000})
    with pytest.raises(exception.InvalidInput):
        network(plugin, admin(), **{'provider:network_type': 'vlan',
                                    'provider:physical_network': 'nowhere',
                                    'provider:segmentation_id': 5})
    with pytest.raises(exception.InvalidInput):
        network(plugin, admin(), **{'provider:network_type': 'vlan',
                                    'provider:physical_network': 'physnet1',
                                    'provider:segmentation_id': 4095})
    with pytest.raises(exception.TunnelIdInUse):
        vx = network(plugin, admin(), **{'provider:network_type': 'vxlan',
                                         'provider:segmentation_id': 5000})
        network(plugin, admin(), **{'provider:network_type': 'vxlan',
                                    'provider:segmentation_id': 5000})
    # releasing a flat network frees its physical network
    plugin.delete_network(admin(), flat['id'])
    network(plugin, admin(), **{'provider:network_type': 'flat',
                                'provider:physical_network': 'public'})
    listed = plugin.get_networks(admin(), {'provider:network_type': ['vlan']})
    assert sorted(n['provider:segmentation_id'] for n in listed) == [10, 3000]
    assert plugin.get_networks(admin(), {'provider:segmentation_id': [5000]})[0]['id'] == \
        vx['id']


def test_mtu_limits_and_provider_update(plugin):
    with pytest.raises(exception.InvalidInput):
        network(plugin, mtu=1451)
    net = network(plugin, mtu=1400)
    assert net['mtu'] == 1400
    updated = plugin.update_network(member(), net['id'], {'mtu': 1450, 'name': 'x'})
    assert updated['mtu'] == 1450 and updated['revision_number'] == 1
    with pytest.raises(exception.InvalidInput):
        plugin.update_network(admin(), net['id'], {'provider:segmentation_id': 4})
    plugin.update_network(admin(), net['id'],
                          {'provider:segmentation_id': net['provider:segmentation_id']})


def test_network_visibility_and_filters(plugin):
    own = network(plugin, name='own')
    shared = network(plugin, member('p2'), name='shared', shared=True)
    ext = network(plugin, admin(), name='ext', **{'router:external': True})
    hidden = network(plugin, member('p2'), name='hidden')
    names = sorted(n['name'] for n in plugin.get_networks(member()))
    assert names == ['ext', 'own', 'shared']
    with pytest.raises(exception.NetworkNotFound):
        plugin.get_network(member(), hidden['id'])
    with pytest.raises(exception.NetworkNotFound):
        plugin.update_network(member(), hidden['id'], {'name': 'x'})
    assert [n['id'] for n in plugin.get_networks(member(), {'router:external': [True]})] == \
        [ext['id']]
    assert [n['id'] for n in plugin.get_networks(member(), {'shared': [True]})] == \
        [shared['id']]
    assert [n['id'] for n in plugin.get_networks(admin(), {'tenant_id': ['p1']})] == \
        [own['id']]
    page = plugin.get_networks(admin(), sorts=[('name', True)], limit=2)
    assert [n['name'] for n in page] == ['ext', 'hidden']
    rest = plugin.get_networks(admin(), sorts=[('name', True)], marker=page[-1]['id'])
    assert [n['name'] for n in rest] == ['own', 'shared']


def test_unsharing_network_used_by_others_conflicts(plugin):
    net = network(plugin, shared=True)
    subnet(plugin, net, enable_dhcp=False)
    other = port(plugin, net, member('p2'))
    with pytest.raises(exception.InvalidSharedSetting):
        plugin.update_network(member(), net['id'], {'shared': False})
    plugin.delete_port(member('p2'), other['id'])
    assert plugin.update_network(member(), net['id'], {'shared': False})['shared'] is False


def test_delete_network_in_use_and_cleanup(plugin, svc):
    net = network(plugin)
    sub = subnet(plugin, net)
    p = port(plugin, net)
    with pytest.raises(exception.NetworkInUse):
        plugin.delete_network(member(), net['id'])
    with svc.db.writer() as session:
        session.add(models.Tag(resource_type='networks', resource_id=net['id'], tag='t'))
        session.add(models.Tag(resource_type='subnets', resource_id=sub['id'], tag='t'))
    plugin.delete_port(member(), p['id'])
    plugin.delete_network(member(), net['id'])   # the DHCP port goes with it
    with svc.db.reader() as session:
        assert session.query(models.Port).count() == 0
        assert session.query(models.Subnet).count() == 0
        assert session.query(models.Tag).count() == 0
    with pytest.raises(exception.NetworkNotFound):
        plugin.get_network(member(), net['id'])


# -- subnets ------------------------------------------------------------------

def test_subnet_defaults_and_dhcp_port(plugin):
    net = network(plugin)
    sub = subnet(plugin, net, name='s', dns_nameservers=['8.8.8.8'],
                 host_routes=[{'destination': '10.9.0.0/16', 'nexthop': '10.0.0.9'}])
    assert sub['gateway_ip'] == '10.0.0.1'
    assert sub['allocation_pools'] == [{'start': '10.0.0.2', 'end': '10.0.0.254'}]
    assert sub['enable_dhcp'] is True and sub['dns_nameservers'] == ['8.8.8.8']
    assert sub['subnetpool_id'] is None and sub['tenant_id'] == 'p1'
    assert plugin.get_network(member(), net['id'])['subnets'] == [sub['id']]
    dhcp = plugin.get_ports(admin(), {'device_owner': ['network:dhcp']})
    assert len(dhcp) == 1 and dhcp[0]['device_id'].endswith(net['id'])
    assert dhcp[0]['device_id'].startswith('dhcp')
    assert dhcp[0]['fixed_ips'][0]['subnet_id'] == sub['id']
    assert dhcp[0]['security_groups'] == []
    # disabling DHCP releases the address, and the port with it
    plugin.update_subnet(member(), sub['id'], {'enable_dhcp': False})
    assert plugin.get_ports(admin(), {'device_owner': ['network:dhcp']}) == []
    plugin.update_subnet(member(), sub['id'], {'enable_dhcp': True})
    assert len(plugin.get_ports(admin(), {'device_owner': ['network:dhcp']})) == 1


def test_subnet_gateway_variants(plugin):
    net = network(plugin)
    none = subnet(plugin, net, '10.0.1.0/24', gateway_ip=None)
    assert none['gateway_ip'] is None
    assert none['allocation_pools'] == [{'start': '10.0.1.1', 'end': '10.0.1.254'}]
    mid = subnet(plugin, net, '10.0.2.0/24', gateway_ip='10.0.2.100')
    assert mid['allocation_pools'] == [{'start': '10.0.2.1', 'end': '10.0.2.99'},
                                       {'start': '10.0.2.101', 'end': '10.0.2.254'}]
    v6 = subnet(plugin, net, 'fd00::/64')
    assert v6['gateway_ip'] == 'fd00::1' and v6['ip_version'] == 6


@pytest.mark.parametrize('attrs, error', [
    ({'cidr': 'bogus'}, exception.InvalidInput),
    ({'cidr': '10.0.0.5/24'}, exception.InvalidInput),
    ({'cidr': 'fd00::/64', 'ip_version': 4}, exception.InvalidInput),
    ({'gateway_ip': '10.1.0.1'}, exception.InvalidInput),
    ({'gateway_ip': '10.0.0.255'}, exception.InvalidInput),
    ({'allocation_pools': [{'start': '10.0.0.20', 'end': '10.0.0.10'}]},
     exception.InvalidAllocationPool),
    ({'allocation_pools': [{'start': '10.0.0.2', 'end': '10.0.0.10'},
                           {'start': '10.0.0.5', 'end': '10.0.0.20'}]},
     exception.OverlappingAllocationPools),
    ({'allocation_pools': [{'start': '10.0.0.1', 'end': '10.0.0.10'}]},
     exception.GatewayConflictWithAllocationPools),
    ({'dns_nameservers': ['nope']}, exception.InvalidInput),
    ({'host_routes': [{'destination': 'x', 'nexthop': '10.0.0.1'}]}, exception.InvalidInput),
    ({'ipv6_ra_mode': 'slaac'}, exception.InvalidInput),
    ({'subnetpool_id': 'abc'}, exception.BadRequest),
    ({'cidr': '10.0.0.7/32', 'gateway_ip': '10.0.0.7'}, exception.InvalidInput),
])
def test_subnet_validation(plugin, attrs, error):
    net = network(plugin)
    with pytest.raises(error):
        subnet(plugin, net, **attrs)
    assert plugin.get_subnets(admin()) == []


def test_overlapping_subnet_and_foreign_network(plugin):
    net = network(plugin)
    subnet(plugin, net, '10.0.0.0/16')
    with pytest.raises(exception.InvalidInput) as err:
        subnet(plugin, net, '10.0.5.0/24')
    assert 'overlaps with another subnet' in str(err.value)
    hidden = network(plugin, member('p3'))
    with pytest.raises(exception.NetworkNotFound):
        subnet(plugin, hidden, context=member('p1'))


def test_subnet_visibility_update_and_delete(plugin):
    net = network(plugin)
    sub = subnet(plugin, net, enable_dhcp=False)
    with pytest.raises(exception.SubnetNotFound):
        plugin.get_subnet(member('p2'), sub['id'])
    updated = plugin.update_subnet(member(), sub['id'], {
        'name': 'renamed', 'gateway_ip': '10.0.0.254',
        'allocation_pools': [{'start': '10.0.0.10', 'end': '10.0.0.20'}]})
    assert updated['gateway_ip'] == '10.0.0.254' and updated['revision_number'] == 1
    assert updated['allocation_pools'] == [{'start': '10.0.0.10', 'end': '10.0.0.20'}]
    with pytest.raises(exception.GatewayConflictWithAllocationPools):
        plugin.update_subnet(member(), sub['id'], {'gateway_ip': '10.0.0.15'})
    p = port(plugin, net)
    with pytest.raises(exception.IpAddressInUse):
        plugin.update_subnet(member(), sub['id'],
                             {'gateway_ip': p['fixed_ips'][0]['ip_address'],
                              'allocation_pools': [{'start': '10.0.0.30', 'end': '10.0.0.40'}]})
    with pytest.raises(exception.SubnetInUse):
        plugin.delete_subnet(member(), sub['id'])
    plugin.delete_port(member(), p['id'])
    plugin.delete_subnet(member(), sub['id'])
    assert plugin.get_network(member(), net['id'])['subnets'] == []


# -- ports --------------------------------------------------------------------

def test_port_defaults(plugin):
    net = network(plugin)
    v4 = subnet(plugin, net, enable_dhcp=False)
    v6 = subnet(plugin, net, 'fd00::/64', enable_dhcp=False)
    p = port(plugin, net, name='p')
    assert p['mac_address'].startswith('fa:16:3e:')
    assert {ip['subnet_id'] for ip in p['fixed_ips']} == {v4['id'], v6['id']}
    assert p['status'] == 'DOWN' and p['binding:vif_type'] == 'unbound'
    assert p['port_security_enabled'] is True and len(p['security_groups']) == 1
    sg = plugin.get_security_group(member(), p['security_groups'][0])
    assert sg['name'] == 'default'
    assert p['revision_number'] == 0 and p['tenant_id'] == 'p1'
    assert p['ip_allocation'] == 'immediate'


def test_port_fixed_ips_rules(plugin, svc):
    svc.conf.set_override('max_fixed_ips_per_port', 2)
    net = network(plugin)
    sub = subnet(plugin, net, '10.0.0.0/29', enable_dhcp=False)
    p = port(plugin, net, fixed_ips=[{'ip_address': '10.0.0.5'}])
    assert p['fixed_ips'] == [{'subnet_id': sub['id'], 'ip_address': '10.0.0.5'}]
    with pytest.raises(exception.IpAddressInUse):
        port(plugin, net, fixed_ips=[{'subnet_id': sub['id'], 'ip_address': '10.0.0.5'}])
    with pytest.raises(exception.InvalidIpForNetwork):
        port(plugin, net, fixed_ips=[{'ip_address': '10.9.0.5'}])
    with pytest.raises(exception.InvalidIpForSubnet):
        port(plugin, net, fixed_ips=[{'subnet_id': sub['id'], 'ip_address': '10.0.0.7'}])
    with pytest.raises(exception.InvalidInput):
        port(plugin, net, fixed_ips=[{'subnet_id': 'nope'}])
    with pytest.raises(exception.InvalidInput):
        port(plugin, net, fixed_ips=[{'ip_address': '10.0.0.2'}, {'ip_address': '10.0.0.2'}])
    with pytest.raises(exception.InvalidInput):
        port(plugin, net, fixed_ips=[{'subnet_id': sub['id']}] * 3)
    # the pool 10.0.0.2-6 has 4 addresses left (5 is taken)
    for _ in range(4):
        port(plugin, net, fixed_ips=[{'subnet_id': sub['id']}])
    with pytest.raises(exception.IpAddressGenerationFailure):
        port(plugin, net)
    # failed creates left no port behind
    assert len(plugin.get_ports(admin())) == 5


def test_port_update_fixed_ips_and_filters(plugin):
    net = network(plugin)
    sub = subnet(plugin, net, enable_dhcp=False)
    p = port(plugin, net, fixed_ips=[{'ip_address': '10.0.0.10'}, {'ip_address': '10.0.0.11'}])
    updated = plugin.update_port(member(), p['id'], {
        'fixed_ips': [{'ip_address': '10.0.0.11'}, {'subnet_id': sub['id'],
                                                    'ip_address': '10.0.0.12'}]})
    assert sorted(ip['ip_address'] for ip in updated['fixed_ips']) == ['10.0.0.11', '10.0.0.12']
    assert updated['revision_number'] == 1
    # the released address is free again
    other = port(plugin, net, fixed_ips=[{'ip_address': '10.0.0.10'}])
    found = plugin.get_ports(member(), {'fixed_ips': {'ip_address': ['10.0.0.12']}})
    assert [x['id'] for x in found] == [p['id']]
    found = plugin.get_ports(member(), {'fixed_ips': {'ip_address_substr': ['0.0.10']}})
    assert [x['id'] for x in found] == [other['id']]
    found = plugin.get_ports(member(), {'fixed_ips': {'subnet_id': [sub['id']]}})
    assert len(found) == 2
    with pytest.raises(exception.InvalidInput):
        plugin.update_port(member(), p['id'], {'network_id': 'other'})


def test_port_mac_address(plugin):
    net = network(plugin)
    p = port(plugin, net, mac_address='FA:16:3E:11:22:33')
    assert p['mac_address'] == 'fa:16:3e:11:22:33'
    with pytest.raises(exception.MacAddressInUse):
        port(plugin, net, mac_address='fa:16:3e:11:22:33')
    with pytest.raises(exception.InvalidInput):
        port(plugin, net, mac_address='zz:16:3e:11:22:33')
    # another network may reuse it
    port(plugin, network(plugin), mac_address='fa:16:3e:11:22:33')
    bound = plugin.update_port(admin(), p['id'], {'binding:host_id': 'host1'})
    with pytest.raises(exception.PortBound):
        plugin.update_port(admin(), p['id'], {'mac_address': 'fa:16:3e:11:22:44'})
    assert bound['status'] == 'ACTIVE'


def test_port_binding(plugin):
    net = network(plugin)
    p = port(plugin, net, **{'binding:host_id': 'compute1'})
    assert p['binding:vif_type'] == 'ovs' and p['status'] == 'ACTIVE'
    assert p['binding:vif_details']['bridge_name'] == 'br-int'
    assert plugin.get_ports(admin(), {'binding:host_id': ['compute1']})[0]['id'] == p['id']
    down = plugin.update_port(member(), p['id'], {'admin_state_up': False})
    assert down['status'] == 'DOWN'
    unbound = plugin.update_port(member(), p['id'], {'binding:host_id': '',
                                                     'admin_state_up': True})
    assert unbound['binding:vif_type'] == 'unbound' and unbound['binding:vif_details'] == {}
    assert unbound['status'] == 'DOWN'


def test_port_security_and_address_pairs(plugin):
    net = network(plugin)
    subnet(plugin, net, enable_dhcp=False)
    with pytest.raises(exception.AddressPairAndPortSecurityRequired):
        port(plugin, net, port_security_enabled=False,
             allowed_address_pairs=[{'ip_address': '10.0.0.50'}])
    with pytest.raises(exception.DuplicateAddressPairInRequest):
        port(plugin, net, allowed_address_pairs=[{'ip_address': '10.0.0.50'},
                                                 {'ip_address': '10.0.0.50'}])
    p = port(plugin, net, allowed_address_pairs=[{'ip_address': '10.0.0.50'},
                                                 {'ip_address': '10.1.0.0/24',
                                                  'mac_address': 'fa:16:3e:aa:bb:cc'}])
    assert p['allowed_address_pairs'] == [
        {'ip_address': '10.0.0.50', 'mac_address': p['mac_address']},
        {'ip_address': '10.1.0.0/24', 'mac_address': 'fa:16:3e:aa:bb:cc'}]
    with pytest.raises((exception.PortSecurityPortHasSecurityGroup,
                        exception.AddressPairAndPortSecurityRequired)):
        plugin.update_port(member(), p['id'], {'port_security_enabled': False})
    off = plugin.update_port(member(), p['id'], {'port_security_enabled': False,
                                                 'security_groups': [],
                                                 'allowed_address_pairs': []})
    assert off['port_security_enabled'] is False and off['security_groups'] == []
    insecure = port(plugin, net, port_security_enabled=False)
    assert insecure['security_groups'] == []
    sg = plugin.create_security_group(member(), {'name': 'web', 'project_id': 'p1'})
    tagged = plugin.update_port(member(), insecure['id'], {'port_security_enabled': True,
                                                           'security_groups': [sg['id']]})
    assert tagged['security_groups'] == [sg['id']]
    assert [x['id'] for x in plugin.get_ports(member(), {'security_groups': [sg['id']]})] == \
        [insecure['id']]


def test_port_visibility_and_foreign_networks(plugin):
    net = network(plugin)
    shared = network(plugin, member('p2'), shared=True)
    mine = port(plugin, net)
    # p2's port on p1's network: p1 sees it (own network), p3 does not
    theirs = port(plugin, shared, member('p1'))
    assert plugin.get_port(member('p2'), theirs['id'])['id'] == theirs['id']
    with pytest.raises(exception.PortNotFound):
        plugin.get_port(member('p2'), mine['id'])
    with pytest.raises(exception.PortNotFound):
        plugin.delete_port(member('p3'), mine['id'])
    with pytest.raises(exception.NetworkNotFound):
        port(plugin, network(plugin, member('p3')), member('p1'))


def test_l3_ports_and_bootstrap(plugin, svc):
    made = bootstrap.create_default_networks(svc, 'admin', 'demo')
    ports = plugin.get_ports(admin(), {'network_id': [made['public']]})
    gateway = [p for p in ports if p['device_owner'] == 'network:router_gateway']
    assert len(gateway) == 1 and gateway[0]['status'] == 'ACTIVE'
    assert gateway[0]['fixed_ips'][0]['ip_address'].startswith('172.24.4.')
    with pytest.raises(exception.L3PortInUse):
        plugin.delete_port(admin(), gateway[0]['id'])
    with pytest.raises(exception.NetworkInUse):
        plugin.delete_network(admin(), made['private'])
    interface = plugin.get_ports(admin(), {'device_owner': ['network:router_interface']})
    assert interface[0]['fixed_ips'][0]['ip_address'] == '10.0.0.1'
    public = plugin.get_network(member('demo'), made['public'])
    assert public['router:external'] is True and public['provider:network_type'] == 'flat'
