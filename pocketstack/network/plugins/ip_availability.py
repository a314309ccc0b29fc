"""The network IP availability service plugin (admin only, by policy):
``/v2.0/network-ip-availabilities[/{network_id}]``.

For each network and each of its subnets: how many addresses its
allocation pools hold (``total_ips``) and how many are allocated
(``used_ips``).  Pool sizes come from their bounds; the allocated addresses
of the networks shown are read once and placed in subnets and pools here.
"""
import ipaddress

import sqlalchemy as sa

from pocketstack.network import exception
from pocketstack.network.db import models
from pocketstack.network.db import query
from pocketstack.network.plugins import Plugin


# filter attribute -> Network column (ip_version is handled on subnets)
NETWORK_COLUMNS = {'network_id': 'id', 'network_name': 'name', 'tenant_id': 'project_id'}


def _pool_size(pool):
    return int(ipaddress.ip_address(pool.last_ip)) - int(ipaddress.ip_address(pool.first_ip)) + 1


def _subnet_availability(subnet, addresses):
    """total/used addresses of a subnet: in its pools (``total_ips``,
    ``used_ips`` counts every allocation) and in detail."""
    network = ipaddress.ip_network(subnet.cidr)
    in_subnet = network.num_addresses
    if network.version == 4 and network.prefixlen < 31:
        in_subnet -= 2   # network and broadcast addresses
    pools = [(ipaddress.ip_address(p.first_ip), ipaddress.ip_address(p.last_ip))
             for p in subnet.allocation_pools]
    in_pools = sum(1 for a in addresses if any(first <= a <= last for first, last in pools))
    total = sum(_pool_size(p) for p in subnet.allocation_pools)
    return {'subnet_id': subnet.id, 'subnet_name': subnet.name, 'cidr': subnet.cidr,
            'ip_version': subnet.ip_version, 'total_ips': total, 'used_ips': len(addresses),
            'ip_availability_details': {
                'total_ips_in_subnet': in_subnet, 'total_ips_in_allocation_pool': total,
                'used_ips_in_subnet': len(addresses), 'used_ips_in_allocation_pool': in_pools}}


def _totals(subnets):
    """A network's figures: the sums of its subnets'."""
    keys = ('total_ips_in_subnet', 'total_ips_in_allocation_pool', 'used_ips_in_subnet',
            'used_ips_in_allocation_pool')
    return {'total_ips': sum(s['total_ips'] for s in subnets),
            'used_ips': sum(s['used_ips'] for s in subnets),
            'ip_availability_details': {
                k: sum(s['ip_availability_details'][k] for s in subnets) for k in keys}}


class IpAvailabilityPlugin(Plugin):

    supported_resources = ('network-ip-availabilities',)
    supported_extension_aliases = ('network-ip-availability',)

    def _availability(self, session, networks):
        ids = [n.id for n in networks]
        allocated = {}   # subnet id -> [addresses]
        if ids:
            for subnet_id, address in session.execute(
                    sa.select(models.IPAllocation.subnet_id, models.IPAllocation.ip_address)
                    .where(models.IPAllocation.network_id.in_(ids))):
                allocated.setdefault(subnet_id, []).append(ipaddress.ip_address(address))
        result = []
        for network in networks:
            subnets = [_subnet_availability(s, allocated.get(s.id, []))
                       for s in network.subnets]
            view = {'network_id': network.id, 'network_name': network.name,
                    'project_id': network.project_id, 'tenant_id': network.project_id}
            view.update(_totals(subnets))
            view['subnet_ip_availability'] = subnets
            result.append(view)
        return result

    def get_network_ip_availabilities(self, context, filters=None, fields=None, sorts=None,
                                      limit=None, marker=None, page_reverse=False):
        """Filters: network_id, network_name, project_id/tenant_id, ip_version
        (networks with a subnet of that version; only those subnets shown)."""
        filters = filters or {}
        stmt = query.apply_filters(
            sa.select(models.Network).order_by(models.Network.created_at, models.Network.id),
            models.Network, filters, NETWORK_COLUMNS)
        versions = {int(v) for v in filters.get('ip_version') or []}
        if versions:
            stmt = stmt.where(models.Network.id.in_(
                sa.select(models.Subnet.network_id).where(
                    models.Subnet.ip_version.in_(versions))))
        with self.db.reader() as session:
            result = self._availability(session, list(session.scalars(stmt)))
        if versions:
            for network in result:
                subnets = [s for s in network['subnet_ip_availability']
                           if s['ip_version'] in versions]
                network.update(_totals(subnets))
                network['subnet_ip_availability'] = subnets
        return result

    def get_network_ip_availability(self, context, id, fields=None):
        with self.db.reader() as session:
            network = session.get(models.Network, id)
            if network is None:
                raise exception.NetworkNotFound(net_id=id)
            return self._availability(session, [network])[0]
