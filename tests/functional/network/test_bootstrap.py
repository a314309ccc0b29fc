"""What ``pocketstack up`` makes on first start, as DevStack does."""
from pocketstack.network import bootstrap


def test_default_networks(network):
    made = bootstrap.create_default_networks(network.service, 'admin-project', 'demo-project')
    assert set(made) == {'public', 'shared', 'private', 'router1'}
    demo = network.client('demo', 'demo-project')
    names = {n['name']: n for n in demo.get('/networks').data['networks']}
    assert set(names) == {'public', 'shared', 'private'}
    assert names['public']['router:external'] is True
    assert names['shared']['shared'] is True
    subnets = {s['name']: s for s in demo.get('/subnets').data['subnets']}
    assert subnets['private-subnet']['cidr'] == '10.0.0.0/26'
    assert subnets['public-subnet']['cidr'] == '172.24.4.0/24'
    assert subnets['public-subnet']['enable_dhcp'] is False
    [router] = demo.get('/routers').data['routers']
    assert router['name'] == 'router1'
    assert router['external_gateway_info']['network_id'] == made['public']
    interfaces = demo.get('/ports?device_id=%s&device_owner=network:router_interface'
                          % router['id']).data['ports']
    assert [p['fixed_ips'][0]['ip_address'] for p in interfaces] == ['10.0.0.1']
    # a port on private gets an address in 10.0.0.0/26 and a floating IP can reach it
    port = network.create(demo, 'ports', network_id=made['private'])
    fip = network.create(demo, 'floatingips', floating_network_id=made['public'],
                         port_id=port['id'])
    assert fip['router_id'] == router['id']


def test_without_demo_project(network):
    made = bootstrap.create_default_networks(network.service, 'admin-project')
    assert set(made) == {'public', 'shared'}
