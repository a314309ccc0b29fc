"""Network acceptance with the real clients (issue 5): the ``openstack``
CLI's network commands, ``nova boot --nic net-id=…`` and servers with
ports, floating IPs and security groups, against ``pocketstack up`` with
the networks it makes on first start (public, shared, private, router1)."""
import ipaddress
import json
import time

import pytest

from tests.clients.test_compute_cli import (DEADLINE, DEFAULT_IMAGE, Servers, demo_token, failed, nova,
                                            nova_show, sdk_connection, server_ids_named,
                                            table_rows)

DEMO = 'pocketstack-demo'


def network_api(cloud, method, path, body=None, token=None):
    return cloud.http(method, '/v2.0' + path, body, token=token, api='network')


@pytest.fixture
def servers(cloud):
    made = Servers(cloud)
    yield made
    made.delete_all()


def test_first_start_networks(cloud):
    networks = {n['Name']: n for n in cloud.openstack_json('network', 'list')}
    assert {'public', 'shared', 'private'} <= set(networks)
    public = cloud.openstack_json('network', 'show', 'public')
    assert public['router:external'] is True
    subnets = {s['Name']: s for s in cloud.openstack_json('subnet', 'list')}
    assert subnets['private-subnet']['Subnet'] == '10.0.0.0/26'
    assert subnets['public-subnet']['Subnet'] == '172.24.4.0/24'
    routers = cloud.openstack_json('router', 'list', cloud=DEMO)
    assert [r['Name'] for r in routers] == ['router1']


def test_network_agent_list_set_show(cloud):
    agents = {a['Agent Type']: a for a in cloud.openstack_json('network', 'agent', 'list')}
    assert set(agents) == {'DHCP agent', 'L3 agent', 'Metadata agent'}
    assert all(a['Alive'] and a['State'] for a in agents.values()), agents
    dhcp = agents['DHCP agent']['ID']
    rc, _, err = cloud.openstack('network', 'agent', 'set', '--disable', '--description',
                                 'drain', dhcp)
    assert rc == 0, err
    try:
        shown = cloud.openstack_json('network', 'agent', 'show', dhcp)
        assert (shown['admin_state_up'], shown['description'], shown['binary']) == (
            False, 'drain', 'neutron-dhcp-agent')
        listed = cloud.openstack_json('network', 'agent', 'list', '--agent-type', 'dhcp')
        assert [a['ID'] for a in listed] == [dhcp]
    finally:
        cloud.openstack('network', 'agent', 'set', '--enable', dhcp)
    # A project's member sees no agents (Neutron filters the list; it does not refuse it).
    rc, out, err = cloud.openstack('network', 'agent', 'list', '-f', 'json',
                                   cloud='pocketstack-demo')
    assert rc == 0 and json.loads(out) == [], err


def test_network_chain_and_errors(cloud):
    """The issue's openstack chain, then the errors it names."""
    ok = cloud.openstack_json
    n1 = ok('network', 'create', 'cli-n1')
    s1 = ok('subnet', 'create', '--network', 'cli-n1', '--subnet-range', '192.168.10.0/24',
            'cli-s1')
    assert s1['gateway_ip'] == '192.168.10.1'
    p1 = ok('port', 'create', '--network', 'cli-n1', '--fixed-ip',
            'subnet=cli-s1,ip-address=192.168.10.50', 'cli-p1')
    assert p1['fixed_ips'][0]['ip_address'] == '192.168.10.50'
    r1 = ok('router', 'create', 'cli-r1')
    rc, _, err = cloud.openstack('router', 'add', 'subnet', 'cli-r1', 'cli-s1')
    assert rc == 0, err
    rc, _, err = cloud.openstack('router', 'set', '--external-gateway', 'public', 'cli-r1')
    assert rc == 0, err
    router = ok('router', 'show', 'cli-r1')
    assert router['external_gateway_info']['network_id'] == ok('network', 'show',
                                                                'public')['id']
    fip = ok('floating', 'ip', 'create', 'public')
    assert ipaddress.ip_address(fip['floating_ip_address']) in \
        ipaddress.ip_network('172.24.4.0/24')
    sg = ok('security', 'group', 'create', 'cli-sg1')
    rule = ok('security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '22',
              'cli-sg1')
    assert rule['port_range_min'] == 22 and rule['protocol'] == 'tcp'

    # errors
    rc, _, err = cloud.openstack('subnet', 'create', '--network', 'cli-n1',
                                 '--subnet-range', '10.0.0.0/33', 'cli-bad')
    assert failed(rc, err, 400), err
    rc, _, err = cloud.openstack('port', 'create', '--network', 'cli-n1', '--fixed-ip',
                                 'subnet=cli-s1,ip-address=10.99.0.5', 'cli-bad')
    assert failed(rc, err, 400), err
    rc, _, err = cloud.openstack('port', 'create', '--network', 'cli-n1', '--fixed-ip',
                                 'subnet=cli-s1,ip-address=192.168.10.50', 'cli-bad')
    assert failed(rc, err, 409), err
    rc, _, err = cloud.openstack('network', 'delete', 'cli-n1')
    assert rc != 0 and 'NetworkInUse' in err or '409' in err, err
    rc, _, err = cloud.openstack('network', 'show', n1['id'], cloud=DEMO)
    assert rc != 0, err   # another project's network: not found
    status, _, body = network_api(cloud, 'POST', '/networks', {'network': {
        'name': 'x', 'provider:network_type': 'vlan'}}, token=demo_token(cloud))
    assert status == 403, body
    assert body['NeutronError']['type'] == 'PolicyNotAuthorized'

    # clean up, in the order Neutron needs
    for args in (('floating', 'ip', 'delete', fip['id']),
                 ('router', 'unset', '--external-gateway', 'cli-r1'),
                 ('router', 'remove', 'subnet', 'cli-r1', 'cli-s1'),
                 ('router', 'delete', r1['id']), ('port', 'delete', p1['id']),
                 ('security', 'group', 'delete', sg['id']), ('network', 'delete', n1['id'])):
        rc, _, err = cloud.openstack(*args)
        assert rc == 0, '%s: %s' % (args, err)


def test_full_subnet(cloud):
    ok = cloud.openstack_json
    net = ok('network', 'create', 'cli-tiny')
    try:
        ok('subnet', 'create', '--network', 'cli-tiny', '--subnet-range', '192.168.30.0/30',
           '--no-dhcp', 'cli-tiny-s')
        ok('port', 'create', '--network', 'cli-tiny', 'cli-tiny-p1')   # the only address: .2
        rc, _, err = cloud.openstack('port', 'create', '--network', 'cli-tiny', 'cli-tiny-p2')
        assert failed(rc, err, 409), err
    finally:
        for port in ok('port', 'list', '--network', net['id']):
            cloud.openstack('port', 'delete', port['ID'])
        cloud.openstack('network', 'delete', net['id'])


def test_server_with_network_floating_ip_and_security_group(cloud, servers):
    ok = cloud.openstack_json
    net = ok('network', 'create', 'vm-n1')
    ok('subnet', 'create', '--network', 'vm-n1', '--subnet-range', '192.168.40.0/24',
       'vm-s1')
    ok('router', 'create', 'vm-r1')
    cloud.openstack('router', 'add', 'subnet', 'vm-r1', 'vm-s1')
    cloud.openstack('router', 'set', '--external-gateway', 'public', 'vm-r1')
    fip = ok('floating', 'ip', 'create', 'public')['floating_ip_address']
    ok('security', 'group', 'create', 'vm-sg1')
    try:
        rc, out, err = cloud.openstack('server', 'create', '--flavor', 'm1.nano', '--image',
                                       DEFAULT_IMAGE, '--network', 'vm-n1', '--wait', 'vm1',
                                       '-f', 'json')
        for server_id in server_ids_named(cloud, servers.token, 'vm1'):
            servers.track(server_id)
        assert rc == 0, err
        server = json.loads(out)
        [port] = ok('port', 'list', '--server', server['id'], '--long')
        assert port['Status'] == 'ACTIVE'
        rc, _, err = cloud.openstack('server', 'add', 'floating', 'ip', 'vm1', fip)
        assert rc == 0, err
        # The Network service tells Compute (os-server-external-events) once
        # the association commits; `server show NAME` reads Compute's list.
        deadline = time.monotonic() + DEADLINE
        while True:
            addresses = ok('server', 'show', 'vm1')['addresses']['vm-n1']
            if fip in addresses or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert fip in addresses
        assert any(ipaddress.ip_address(a) in ipaddress.ip_network('192.168.40.0/24')
                   for a in addresses)
        rc, _, err = cloud.openstack('server', 'add', 'security', 'group', 'vm1', 'vm-sg1')
        assert rc == 0, err
        groups = {g['name'] for g in ok('server', 'show', 'vm1')['security_groups']}
        assert 'vm-sg1' in groups
        rc, _, err = cloud.openstack('server', 'remove', 'security', 'group', 'vm1', 'vm-sg1')
        assert rc == 0, err
        groups = {g['name'] for g in ok('server', 'show', 'vm1')['security_groups']}
        assert 'vm-sg1' not in groups
        rc, _, err = cloud.openstack('server', 'remove', 'floating', 'ip', 'vm1', fip)
        assert rc == 0, err
        assert ok('floating', 'ip', 'show', fip)['port_id'] is None
        # a port of the user's own, attached and detached (os-interface)
        extra = ok('port', 'create', '--network', 'vm-n1', 'vm-extra')
        rc, _, err = cloud.openstack('server', 'add', 'port', 'vm1', 'vm-extra')
        assert rc == 0, err
        assert ok('port', 'show', 'vm-extra')['device_id'] == server['id']
        addresses = ok('server', 'show', server['id'])['addresses']['vm-n1']
        assert extra['fixed_ips'][0]['ip_address'] in addresses
        rc, _, err = cloud.openstack('server', 'remove', 'port', 'vm1', 'vm-extra')
        assert rc == 0, err
        kept = ok('port', 'show', 'vm-extra')   # given by the user: kept, unbound
        assert kept['device_id'] == '' and kept['binding_host_id'] in ('', None)
        rc, _, err = cloud.openstack('port', 'delete', 'vm-extra')
        assert rc == 0, err
        rc, _, err = cloud.openstack('server', 'delete', '--wait', 'vm1')
        assert rc == 0, err
        assert ok('port', 'list', '--network', net['id'], '--device-owner',
                  'compute:nova') == []
    finally:
        cloud.openstack('floating', 'ip', 'delete', fip)
        cloud.openstack('router', 'unset', '--external-gateway', 'vm-r1')
        cloud.openstack('router', 'remove', 'subnet', 'vm-r1', 'vm-s1')
        cloud.openstack('router', 'delete', 'vm-r1')
        cloud.openstack('security', 'group', 'delete', 'vm-sg1')
        cloud.openstack('network', 'delete', net['id'])


def test_nova_boot_with_net_id(cloud, servers):
    private = cloud.openstack_json('network', 'show', 'private', cloud=DEMO)
    image = cloud.openstack_json('image', 'show', DEFAULT_IMAGE)['id']
    rc, out, err = nova(cloud, 'boot', 'nova-net1', '--flavor', 'm1.nano', '--image', image,
                        '--nic', 'net-id=%s' % private['id'], '--poll')
    for server_id in server_ids_named(cloud, servers.token, 'nova-net1'):
        servers.track(server_id)
    assert rc == 0, err
    shown = nova_show(cloud, 'nova-net1')
    assert shown['status'] == 'ACTIVE'
    address = shown['private network']
    assert ipaddress.ip_address(address) in ipaddress.ip_network('10.0.0.0/26')
    rc, out, err = nova(cloud, 'list')
    assert rc == 0, err
    [row] = [r for r in table_rows(out) if 'nova-net1' in r]
    assert 'private=%s' % address in ' '.join(row)


def test_openstacksdk_create_server_wait_gets_an_address_and_a_floating_ip(cloud, servers,
                                                                            sdk_demo):
    """openstacksdk's cloud layer as most tools use it: ``create_server(wait=True)``
    on the demo project's network (DevStack's ``private``, routed to
    ``public``); with ``auto_ip`` it adds a floating IP, as on a DevStack."""
    server = sdk_demo.create_server('sdk-net1', image=DEFAULT_IMAGE, flavor='m1.nano',
                                    network='private', wait=True, timeout=DEADLINE)
    servers.track(server.id)
    assert server.status == 'ACTIVE'
    # (the object create_server returns has no *_v4 filled in; get_server does)
    server = sdk_demo.get_server('sdk-net1')
    assert ipaddress.ip_address(server.private_v4) in ipaddress.ip_network('10.0.0.0/26')
    assert ipaddress.ip_address(server.public_v4) in ipaddress.ip_network('172.24.4.0/24')
    types = {a['addr']: a['OS-EXT-IPS:type'] for a in server.addresses['private']}
    assert types == {server.private_v4: 'fixed', server.public_v4: 'floating'}
    assert sdk_demo.delete_server('sdk-net1', wait=True, timeout=DEADLINE,
                                  delete_ips=True) is True
    assert sdk_demo.get_server('sdk-net1') is None
    assert sdk_demo.list_floating_ips(filters={'floating_ip_address': server.public_v4}) == []


@pytest.fixture
def sdk_demo(cloud, monkeypatch):
    conn = sdk_connection(cloud, monkeypatch, DEMO)
    yield conn
    conn.close()
