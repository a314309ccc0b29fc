"""Address allocation against a real (SQLite) network database."""
import ipaddress

import pytest

from pocketstack.common import utils
from pocketstack.network import exception, ipam
from pocketstack.network import service as network_service
from pocketstack.network.db import models

net = ipaddress.ip_network


@pytest.fixture
def database(tmp_path):
    conf = network_service.NetworkService.new_conf([])
    conf.set_override('state_path', str(tmp_path))
    from pocketstack.common import service
    database = service.database(conf, 'pocketstack.network.db')
    service.sync(database, 'pocketstack.network.db')
    yield database
    database.dispose()


def _subnet(session, cidr, pools):
    network = models.Network(id=utils.new_id(dashes=True), project_id='p', mtu=1500)
    subnet = models.Subnet(id=utils.new_id(dashes=True), project_id='p',
                           network_id=network.id, ip_version=net(cidr).version, cidr=cidr)
    subnet.allocation_pools = [models.AllocationPool(first_ip=str(a), last_ip=str(b))
                               for a, b in pools]
    session.add_all([network, subnet])
    session.flush()
    return subnet


def _port(session, subnet):
    port = models.Port(id=utils.new_id(dashes=True), project_id='p',
                       network_id=subnet.network_id, mac_address=utils.new_id()[:12])
    session.add(port)
    session.flush()
    return port


def test_default_pools_leave_out_gateway_network_and_broadcast():
    gateway = ipaddress.ip_address('10.0.0.1')
    assert ipam.default_pools(net('10.0.0.0/24'), gateway) == [
        (ipaddress.ip_address('10.0.0.2'), ipaddress.ip_address('10.0.0.254'))]
    middle = ipaddress.ip_address('10.0.0.9')
    assert [tuple(map(str, p)) for p in ipam.default_pools(net('10.0.0.0/28'), middle)] == \
        [('10.0.0.1', '10.0.0.8'), ('10.0.0.10', '10.0.0.14')]
    assert [tuple(map(str, p)) for p in ipam.default_pools(net('fd00::/126'), None)] == \
        [('fd00::1', 'fd00::3')]


@pytest.mark.parametrize('pools, error', [
    ([{'start': '10.0.1.2', 'end': '10.0.1.9'}], exception.InvalidAllocationPool),
    ([{'start': '10.0.0.9', 'end': '10.0.0.2'}], exception.InvalidAllocationPool),
    ([{'start': '10.0.0.0', 'end': '10.0.0.9'}], exception.OutOfBoundsAllocationPool),
    ([{'start': '10.0.0.2', 'end': '10.0.0.9'}, {'start': '10.0.0.9', 'end': '10.0.0.20'}],
     exception.OverlappingAllocationPools),
    ([{'start': '10.0.0.1', 'end': '10.0.0.9'}], exception.GatewayConflictWithAllocationPools),
    ([{'start': '10.0.0.2'}], exception.InvalidAllocationPool),
])
def test_invalid_pools(pools, error):
    with pytest.raises(error):
        ipam.validate_pools(net('10.0.0.0/24'), pools, ipaddress.ip_address('10.0.0.1'))


def test_cidr_checks():
    assert ipam.parse_cidr('10.0.0.0/24', 4) == net('10.0.0.0/24')
    for bad, version in (('10.0.0.5/24', 4), ('banana', 4), ('10.0.0.0/24', 6)):
        with pytest.raises(exception.InvalidInput):
            ipam.parse_cidr(bad, version)


def test_small_pool_fills_then_refuses(database):
    with database.writer() as session:
        subnet = _subnet(session, '10.0.0.0/29', [('10.0.0.2', '10.0.0.6')])
        got = {str(ipam.allocate_any(session, subnet, _port(session, subnet).id))
               for _ in range(5)}
        assert got == {'10.0.0.%d' % i for i in range(2, 7)}
        with pytest.raises(exception.IpAddressGenerationFailure):
            ipam.allocate_any(session, subnet, _port(session, subnet).id)


def test_specific_addresses(database):
    with database.writer() as session:
        subnet = _subnet(session, '10.0.0.0/24', [('10.0.0.2', '10.0.0.254')])
        port = _port(session, subnet)
        ip = ipaddress.ip_address
        assert ipam.allocate_specific(session, subnet, port.id, ip('10.0.0.1')) == ip('10.0.0.1')
        with pytest.raises(exception.IpAddressInUse):
            ipam.allocate_specific(session, subnet, _port(session, subnet).id, ip('10.0.0.1'))
        for outside in ('10.0.0.0', '10.0.0.255', '10.0.1.1'):
            with pytest.raises(exception.InvalidIpForSubnet):
                ipam.allocate_specific(session, subnet, port.id, ip(outside))
        # a failed attempt left the transaction usable and took nothing
        assert session.query(models.IPAllocation).count() == 1


def test_big_pool_guesses_stay_in_pools(database):
    with database.writer() as session:
        subnet = _subnet(session, '10.128.0.0/16', [('10.128.0.2', '10.128.255.254')])
        pool = (ipaddress.ip_address('10.128.0.2'), ipaddress.ip_address('10.128.255.254'))
        got = [ipam.allocate_any(session, subnet, _port(session, subnet).id)
               for _ in range(200)]
        assert len(set(got)) == 200
        assert all(pool[0] <= a <= pool[1] for a in got)


def test_slaac_addresses_come_from_the_mac(database):
    address = ipam.eui64(net('fd00:1::/64'), 'fa:16:3e:12:34:56')
    assert str(address) == 'fd00:1::f816:3eff:fe12:3456'
    with database.writer() as session:
        subnet = _subnet(session, 'fd00:1::/64', [('fd00:1::2', 'fd00:1::ffff:ffff:ffff:ffff')])
        subnet.ipv6_address_mode = 'slaac'
        port = _port(session, subnet)
        address = ipam.allocate_any(session, subnet, port.id, 'fa:16:3e:12:34:56')
        assert str(address) == 'fd00:1::f816:3eff:fe12:3456'
