"""The network IP availability service plugin (admin only):
``/v2.0/network-ip-availabilities[/{network_id}]``.

For each network and each of its subnets: how many addresses its
allocation pools hold (``total_ips``) and how many are allocated
(``used_ips``).  Counting is done in SQL; pool sizes from their bounds.
"""
import ipaddress

import sqlalchemy as sa

from pocketstack.network import exception
from pocketstack.network.db import models
from pocketstack.network.plugins import Plugin


def _pool_size(pool):
    return int(ipaddress.ip_address(pool.last_ip)) - int(ipaddress.ip_address(pool.first_ip)) + 1


def _require_admin(context):
    if not context.is_admin_role:
        raise exception.PolicyNotAuthorized(action='get_network_ip_availability')


class IpAvailabilityPlugin(Plugin):

    supported_resources = ('network-ip-availabilities',)
    supported_extension_aliases = ('network-ip-availability',)

    def _availability(self, session, networks):
        ids = [n.id for n in networks]
        used = dict(session.execute(
            sa.select(models.IPAllocation.subnet_id, sa.func.count())
            .where(models.IPAllocation.network_id.in_(ids))
            .group_by(models.IPAllocation.subnet_id)).all()) if ids else {}
        result = []
        for network in networks:
            subnets = [{'subnet_id': s.id, 'subnet_name': s.name, 'cidr': s.cidr,
                        'ip_version': s.ip_version,
                        'total_ips': sum(_pool_size(p) for p in s.allocation_pools),
                        'used_ips': used.get(s.id, 0)} for s in network.subnets]
            result.append({
                'network_id': network.id, 'network_name': network.name,
                'project_id': network.project_id, 'tenant_id': network.project_id,
                'total_ips': sum(s['total_ips'] for s in subnets),
                'used_ips': sum(s['used_ips'] for s in subnets),
                'subnet_ip_availability': subnets})
        return result

    def get_network_ip_availabilities(self, context, filters=None, fields=None, sorts=None,
                                      limit=None, marker=None, page_reverse=False):
        """Filters: network_id, network_name, project_id/tenant_id, ip_version
        (networks with a subnet of that version; only those subnets shown)."""
        _require_admin(context)
        filters = filters or {}
        stmt = sa.select(models.Network).order_by(models.Network.created_at, models.Network.id)
        for attribute, column in (('network_id', models.Network.id),
                                  ('network_name', models.Network.name),
                                  ('project_id', models.Network.project_id),
                                  ('tenant_id', models.Network.project_id)):
            if filters.get(attribute):
                stmt = stmt.where(column.in_(list(filters[attribute])))
        versions = {int(v) for v in filters.get('ip_version') or []}
        if versions:
            stmt = stmt.where(models.Network.id.in_(
                sa.select(models.Subnet.network_id).where(
                    models.Subnet.ip_version.in_(versions))))
        with self.db.reader() as session:
            result = self._availability(session, list(session.scalars(stmt)))
        if versions:
            for network in result:
                network['subnet_ip_availability'] = [
                    s for s in network['subnet_ip_availability'] if s['ip_version'] in versions]
                network['total_ips'] = sum(s['total_ips']
                                           for s in network['subnet_ip_availability'])
                network['used_ips'] = sum(s['used_ips']
                                          for s in network['subnet_ip_availability'])
        return result

    def get_network_ip_availability(self, context, id, fields=None):
        _require_admin(context)
        with self.db.reader() as session:
            network = session.get(models.Network, id)
            if network is None:
                raise exception.NetworkNotFound(net_id=id)
            return self._availability(session, [network])[0]
