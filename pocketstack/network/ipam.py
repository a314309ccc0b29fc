"""Address allocation (IPAM) for ports.

An address belongs to a port when its ``ipallocations`` row exists; the
table's unique (subnet, address) key is the only guard against two
concurrent creates taking the same one.  Every candidate is inserted in a
savepoint: a taken address (seen, or lost to a race) costs a retry, never
the caller's transaction.

Picking a free address must not slow down as a subnet fills (a /16 holding
10,000 ports): a few random guesses inside the allocation pools find a free
address with one indexed lookup each while the subnet is mostly free; when
they miss, one scan of the subnet's allocations finds the first free
address, or proves the subnet full.
"""
import ipaddress
import random

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from pocketstack.network import exception
from pocketstack.network.db import models

RANDOM_GUESSES = 8
# Pools at most this big are always scanned: the scan is cheap, and nearly
# full small subnets would make random guesses miss.
SCAN_BELOW = 1024


def _invalid(message):
    return exception.InvalidInput(error_message=message)


def parse_cidr(cidr, ip_version=None):
    """The network of a subnet's ``cidr`` (400 when malformed, when host bits
    are set, or when not of ``ip_version``)."""
    try:
        network = ipaddress.ip_network(str(cidr))
    except ValueError:
        try:
            recommended = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            raise _invalid("'%s' is not a valid IP subnet" % (cidr,)) from None
        raise _invalid("'%s' isn't a recognized IP subnet cidr, '%s' is recommended"
                       % (cidr, recommended)) from None
    if ip_version is not None and network.version != ip_version:
        raise _invalid('Cidr %s does not match the subnet ip_version %s' % (cidr, ip_version))
    return network


def parse_ip(value, what='IP address'):
    try:
        return ipaddress.ip_address(str(value))
    except ValueError:
        raise _invalid("'%s' is not a valid %s" % (value, what)) from None


def usable_range(network):
    """(first, last) addresses a subnet may hand out: IPv4 keeps its network
    and broadcast addresses back (but /31 and /32 have none to spare); IPv6
    keeps the subnet-router anycast address (the network address)."""
    first, last = network.network_address, network.broadcast_address
    if network.version == 4:
        if network.prefixlen < 31:
            return first + 1, last - 1
        return first, last
    return first + 1, last


def default_pools(network, gateway):
    """The whole usable range, less the gateway: one or two pools."""
    first, last = usable_range(network)
    if gateway is None or not first <= gateway <= last:
        return [(first, last)] if first <= last else []
    pools = []
    if first < gateway:
        pools.append((first, gateway - 1))
    if gateway < last:
        pools.append((gateway + 1, last))
    return pools


def validate_pools(network, pools, gateway):
    """``pools`` [{'start', 'end'}] as (first, last) addresses, after the
    api-ref's checks: inside the subnet, start ≤ end, no overlap, and not
    holding the gateway."""
    result = []
    for pool in pools:
        if 'start' not in pool or 'end' not in pool:
            raise exception.InvalidAllocationPool(pool=pool)
        start, end = parse_ip(pool['start']), parse_ip(pool['end'])
        if start.version != network.version or end.version != network.version or \
                start not in network or end not in network or start > end:
            raise exception.InvalidAllocationPool(pool=pool)
        first, last = usable_range(network)
        if start < first or end > last:
            raise exception.OutOfBoundsAllocationPool(pool=pool, subnet_cidr=str(network))
        result.append((start, end))
    result.sort()
    for (_s1, e1), (s2, _e2) in zip(result, result[1:]):
        if s2 <= e1:
            raise exception.OverlappingAllocationPools(
                pool_1=_pool_text(result[0]), pool_2=_pool_text((s2, _e2)), subnet_cidr=network)
    if gateway is not None:
        for start, end in result:
            if start <= gateway <= end:
                raise exception.GatewayConflictWithAllocationPools(
                    pool=_pool_text((start, end)), ip_address=gateway)
    return result


def _pool_text(pool):
    return '%s-%s' % pool


def pools_of(subnet):
    return [(ipaddress.ip_address(p.first_ip), ipaddress.ip_address(p.last_ip))
            for p in subnet.allocation_pools]


def is_taken(session, subnet_id, address):
    return session.scalar(sa.select(models.IPAllocation.id).where(
        models.IPAllocation.subnet_id == subnet_id,
        models.IPAllocation.ip_address == str(address))) is not None


def _try_insert(session, port_id, subnet, address):
    """Take ``address`` for the port; False when someone has it."""
    try:
        with session.begin_nested():
            session.add(models.IPAllocation(port_id=port_id, subnet_id=subnet.id,
                                            network_id=subnet.network_id,
                                            ip_address=str(address)))
            session.flush()
        return True
    except sa_exc.IntegrityError:
        return False


def allocate_specific(session, subnet, port_id, address):
    """Give the port ``address`` of ``subnet`` (409 IpAddressInUse when taken)."""
    network = ipaddress.ip_network(subnet.cidr)
    if address not in network:
        raise exception.InvalidIpForSubnet(ip_address=address)
    if network.version == 4 and network.prefixlen < 31 and \
            address in (network.network_address, network.broadcast_address):
        raise exception.InvalidIpForSubnet(ip_address=address)
    if is_taken(session, subnet.id, address) or \
            not _try_insert(session, port_id, subnet, address):
        raise exception.IpAddressInUse(net_id=subnet.network_id, ip_address=address)
    return address


AUTO_ADDRESS_MODES = ('slaac', 'dhcpv6-stateless')


def eui64(network, mac):
    """The SLAAC address a host with ``mac`` takes in the /64 ``network``
    (RFC 4291: the MAC with ff:fe in the middle and its U/L bit flipped)."""
    octets = [int(part, 16) for part in mac.split(':')]
    octets[0] ^= 0x02
    interface_id = octets[:3] + [0xff, 0xfe] + octets[3:]
    return network.network_address + int.from_bytes(bytes(interface_id), 'big')


def allocate_any(session, subnet, port_id, mac=None):
    """Give the port a free address of ``subnet``'s pools (409
    IpAddressGenerationFailure when there is none); on an IPv6 subnet whose
    hosts configure themselves (SLAAC), the address the port's ``mac``
    gives it."""
    network = ipaddress.ip_network(subnet.cidr)
    if mac and subnet.ipv6_address_mode in AUTO_ADDRESS_MODES and network.prefixlen == 64:
        return allocate_specific(session, subnet, port_id, eui64(network, mac))
    pools = pools_of(subnet)
    sizes = [int(last) - int(first) + 1 for first, last in pools]
    total = sum(sizes)
    if total > SCAN_BELOW:
        for _ in range(RANDOM_GUESSES):
            first, last = random.choices(pools, weights=sizes)[0]
            address = first + random.randrange(int(last) - int(first) + 1)
            if not is_taken(session, subnet.id, address) and \
                    _try_insert(session, port_id, subnet, address):
                return address
    for address in _free_addresses(session, subnet, pools):
        if _try_insert(session, port_id, subnet, address):
            return address
    raise exception.IpAddressGenerationFailure(net_id=subnet.network_id)


def _free_addresses(session, subnet, pools, window=16):
    """Free addresses of the pools, in a random order within each window of
    the first free ones (as Neutron spreads them), from one scan."""
    taken = {ipaddress.ip_address(a) for a in session.scalars(
        sa.select(models.IPAllocation.ip_address).where(
            models.IPAllocation.subnet_id == subnet.id))}
    batch = []
    for first, last in pools:
        address = first
        while address <= last:
            if address not in taken:
                batch.append(address)
                if len(batch) == window:
                    random.shuffle(batch)
                    yield from batch
                    batch = []
            address += 1
    random.shuffle(batch)
    yield from batch
