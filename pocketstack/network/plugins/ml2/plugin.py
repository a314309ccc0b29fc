"""The ML2 core plugin: networks, subnets and ports (and, mixed in,
security groups), as Neutron's Modular Layer 2 plugin serves them.

* A network's segment comes from a type driver (type_drivers.py): the
  admin's provider attributes, or for a project network the first of
  ``[ml2] tenant_network_types`` with a free id.
* Addresses come from ipam.py; MAC addresses from ``base_mac``.
* A port with ``binding:host_id`` is bound by the first mechanism driver
  that can (mech_fake.py binds everything, as Open vSwitch would).
* A subnet with DHCP gives the network's DHCP port an address in it.

Every method follows the plugin contract of plugins/__init__.py.
"""
import ipaddress
import random
import threading
import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from pocketstack.common import utils
from pocketstack.network import exception
from pocketstack.network import ipam
from pocketstack.network import quota
from pocketstack.network.db import models
from pocketstack.network.db import query
from pocketstack.network.plugins import Plugin
from pocketstack.network.plugins.securitygroups import SecurityGroupsMixin

TYPE_DRIVERS = 'pocketstack.network.ml2.type_drivers'
MECHANISM_DRIVERS = 'pocketstack.network.ml2.mechanism_drivers'

DEVICE_OWNER_DHCP = 'network:dhcp'
DEVICE_OWNER_FLOATINGIP = 'network:floatingip'
# Ports the L3 plugin owns: deleted through routers and floating IPs only.
L3_DEVICE_OWNERS = ('network:router_interface', 'network:router_gateway',
                    'network:router_interface_distributed', DEVICE_OWNER_FLOATINGIP)
# The DHCP ports' device_id: "dhcp<host id>-<network id>", as the DHCP agent names them.
DHCP_HOST_ID = str(uuid.uuid5(uuid.NAMESPACE_DNS, 'pocketstack-dhcp'))

NETWORK_COLUMNS = {'tenant_id': 'project_id', 'router:external': 'external'}
SUBNET_COLUMNS = {'tenant_id': 'project_id'}
PORT_COLUMNS = {'tenant_id': 'project_id', 'binding:host_id': 'binding_host_id',
                'binding:vnic_type': 'binding_vnic_type', 'binding:vif_type': 'binding_vif_type'}
PROVIDER = ('network_type', 'physical_network', 'segmentation_id')
MAC_ATTEMPTS = 16


def _invalid(message):
    return exception.InvalidInput(error_message=message)


def _valid_mac(value):
    parts = str(value).split(':')
    if len(parts) != 6 or not all(len(p) == 2 and all(c in '0123456789abcdefABCDEF' for c in p)
                                  for p in parts):
        raise _invalid("'%s' is not a valid MAC address" % (value,))
    mac = str(value).lower()
    if mac == '00:00:00:00:00:00' or int(parts[0], 16) & 1:
        raise _invalid("'%s' is not a valid MAC address" % (value,))
    return mac


def _load_drivers(namespace, names, conf):
    from stevedore import driver
    return {name: driver.DriverManager(namespace, name, invoke_on_load=True,
                                       invoke_args=(conf,)).driver for name in names}


class Ml2Plugin(SecurityGroupsMixin, Plugin):

    supported_resources = ('networks', 'subnets', 'ports', 'security-groups',
                           'security-group-rules')
    supported_extension_aliases = (
        'provider', 'external-net', 'binding', 'security-group', 'stateful-security-group',
        'port-security', 'allowed-address-pairs', 'net-mtu', 'net-mtu-writable',
        'network_availability_zone', 'extra_dhcp_opt', 'ip-substring-filtering')

    def __init__(self, service):
        super().__init__(service)
        self.type_drivers = _load_drivers(TYPE_DRIVERS, self.conf.ml2.type_drivers, self.conf)
        self.mechanism_drivers = list(_load_drivers(
            MECHANISM_DRIVERS, self.conf.ml2.mechanism_drivers, self.conf).values())
        self._synced = False
        self._sync_lock = threading.Lock()

    # -- segments ------------------------------------------------------------

    def _sync_segment_ids(self):
        """Materialise the configured id ranges once per process, in a
        transaction of their own (committed before any network claims an id;
        not at start-up: the schema may not exist before the service
        migrates it)."""
        if self._synced:
            return
        with self._sync_lock:
            if self._synced:
                return
            with self.db.writer() as session:
                try:
                    with session.begin_nested():
                        for driver in self.type_drivers.values():
                            driver.sync(session)
                except sa_exc.IntegrityError:
                    pass   # another process materialised them at the same moment
            self._synced = True

    def _driver(self, network_type):
        driver = self.type_drivers.get(network_type)
        if driver is None:
            raise _invalid('Unknown network type %s' % network_type)
        return driver

    def _new_segment(self, session, network):
        """The segment of a new network: the admin's provider attributes, or
        the first project network type with a free id."""
        given = {key: network.get('provider:' + key) for key in PROVIDER
                 if 'provider:' + key in network}
        if given:
            if not given.get('network_type'):
                raise _invalid('provider:network_type required')
            driver = self._driver(given['network_type'])
            segment = {'network_type': driver.network_type,
                       'physical_network': given.get('physical_network') or None,
                       'segmentation_id': given.get('segmentation_id')}
            driver.validate_provider(segment)
            driver.reserve(session, segment)
            return driver, segment
        for network_type in self.conf.ml2.tenant_network_types:
            driver = self._driver(network_type)
            segment = driver.allocate_project_segment(session)
            if segment is not None:
                return driver, segment
        raise exception.NoNetworkAvailable()

    # -- views ---------------------------------------------------------------

    def _network_views(self, session, rows):
        ids = [row.id for row in rows]
        tags = query.tags_for(session, 'networks', ids)
        subnets = {network_id: [] for network_id in ids}
        if ids:
            for network_id, subnet_id in session.execute(
                    sa.select(models.Subnet.network_id, models.Subnet.id)
                    .where(models.Subnet.network_id.in_(ids))
                    .order_by(models.Subnet.created_at, models.Subnet.id)):
                subnets[network_id].append(subnet_id)
        zones = self.conf.default_availability_zones or ['nova']
        views = []
        for row in rows:
            segment = row.segments[0] if row.segments else None
            view = query.standard_view(row)
            view.update({
                'id': row.id, 'name': row.name, 'status': row.status,
                'admin_state_up': row.admin_state_up, 'shared': row.shared,
                'router:external': row.external, 'is_default': row.is_default,
                'mtu': row.mtu, 'port_security_enabled': row.port_security_enabled,
                'availability_zone_hints': row.availability_zone_hints or [],
                'availability_zones': list(zones), 'dns_domain': row.dns_domain,
                'subnets': subnets[row.id], 'ipv4_address_scope': None,
                'ipv6_address_scope': None, 'l2_adjacency': True,
                'provider:network_type': segment.network_type if segment else None,
                'provider:physical_network': segment.physical_network if segment else None,
                'provider:segmentation_id': segment.segmentation_id if segment else None,
                'tags': tags[row.id]})
            views.append(view)
        return views

    @staticmethod
    def _subnet_views(session, rows):
        tags = query.tags_for(session, 'subnets', [row.id for row in rows])
        views = []
        for row in rows:
            view = query.standard_view(row)
            view.update({
                'id': row.id, 'name': row.name, 'network_id': row.network_id,
                'ip_version': row.ip_version, 'cidr': row.cidr, 'gateway_ip': row.gateway_ip,
                'allocation_pools': [{'start': p.first_ip, 'end': p.last_ip}
                                     for p in row.allocation_pools],
                'enable_dhcp': row.enable_dhcp, 'dns_nameservers': row.dns_nameservers or [],
                'host_routes': row.host_routes or [], 'ipv6_ra_mode': row.ipv6_ra_mode,
                'ipv6_address_mode': row.ipv6_address_mode,
                'subnetpool_id': row.subnetpool_id, 'segment_id': row.segment_id,
                'service_types': row.service_types or [],
                'dns_publish_fixed_ip': row.dns_publish_fixed_ip, 'tags': tags[row.id]})
            views.append(view)
        return views

    @staticmethod
    def _port_views(session, rows):
        tags = query.tags_for(session, 'ports', [row.id for row in rows])
        views = []
        for row in rows:
            view = query.standard_view(row)
            view.update({
                'id': row.id, 'name': row.name, 'network_id': row.network_id,
                'mac_address': row.mac_address, 'admin_state_up': row.admin_state_up,
                'status': row.status, 'device_id': row.device_id,
                'device_owner': row.device_owner,
                'fixed_ips': [{'subnet_id': ip.subnet_id, 'ip_address': ip.ip_address}
                              for ip in row.fixed_ips],
                'security_groups': sorted(b.security_group_id
                                          for b in row.security_group_bindings),
                'allowed_address_pairs': [{'ip_address': p.ip_address,
                                           'mac_address': p.mac_address}
                                          for p in row.allowed_address_pairs],
                'port_security_enabled': row.port_security_enabled,
                'binding:host_id': row.binding_host_id,
                'binding:vif_type': row.binding_vif_type,
                'binding:vif_details': row.binding_vif_details or {},
                'binding:vnic_type': row.binding_vnic_type,
                'binding:profile': row.binding_profile or {},
                'dns_name': row.dns_name, 'extra_dhcp_opts': row.extra_dhcp_opts or [],
                'propagate_uplink_status': row.propagate_uplink_status,
                'ip_allocation': 'immediate', 'tags': tags[row.id]})
            views.append(view)
        return views

    # -- scoping -------------------------------------------------------------

    @staticmethod
    def _visible_networks(context):
        """Own networks, shared ones and external ones (admin: all)."""
        stmt = sa.select(models.Network)
        if not context.is_admin_role:
            stmt = stmt.where(sa.or_(models.Network.project_id == context.project_id,
                                     models.Network.shared.is_(True),
                                     models.Network.external.is_(True)))
        return stmt

    def network_policy_fields(self, context, network_ids):
        """{network id: what the policy of its subnets and ports reads of it}
        for the networks ``context`` sees (Neutron's owner checks)."""
        if not network_ids:
            return {}
        with self.db.reader() as session:
            rows = session.execute(self._visible_networks(context).with_only_columns(
                models.Network.id, models.Network.project_id, models.Network.shared,
                models.Network.external).where(models.Network.id.in_(set(network_ids))))
            return {row.id: {'network:project_id': row.project_id, 'shared': row.shared,
                             'router:external': row.external} for row in rows}

    def _get_network_row(self, session, context, network_id):
        row = session.scalar(self._visible_networks(context).where(
            models.Network.id == network_id))
        if row is None:
            raise exception.NetworkNotFound(net_id=network_id)
        return row

    def _visible_subnets(self, context):
        stmt = sa.select(models.Subnet)
        if not context.is_admin_role:
            visible = self._visible_networks(context).with_only_columns(models.Network.id)
            stmt = stmt.where(models.Subnet.network_id.in_(visible))
        return stmt

    def _get_subnet_row(self, session, context, subnet_id):
        row = session.scalar(self._visible_subnets(context).where(
            models.Subnet.id == subnet_id))
        if row is None:
            raise exception.SubnetNotFound(subnet_id=subnet_id)
        return row

    @staticmethod
    def _visible_ports(context):
        """Own ports and every port on an own network (admin: all)."""
        stmt = sa.select(models.Port)
        if not context.is_admin_role:
            own_networks = sa.select(models.Network.id).where(
                models.Network.project_id == context.project_id)
            stmt = stmt.where(sa.or_(models.Port.project_id == context.project_id,
                                     models.Port.network_id.in_(own_networks)))
        return stmt

    def _get_port_row(self, session, context, port_id):
        row = session.scalar(self._visible_ports(context).where(models.Port.id == port_id))
        if row is None:
            raise exception.PortNotFound(port_id=port_id)
        return row

    # -- networks --------------------------------------------------------------

    def create_network(self, context, network):
        project_id = network.get('project_id') or context.project_id or ''
        self._sync_segment_ids()
        with self.db.writer() as session:
            quota.check(session, self.conf, project_id, 'network')
            driver, segment = self._new_segment(session, network)
            mtu = self._mtu(driver, network.get('mtu'))
            row = models.Network(
                id=utils.new_id(dashes=True), project_id=project_id,
                name=network.get('name') or '', description=network.get('description') or '',
                admin_state_up=network.get('admin_state_up', True),
                shared=bool(network.get('shared', False)),
                external=bool(network.get('router:external', False)),
                is_default=bool(network.get('is_default', False)), mtu=mtu,
                port_security_enabled=network.get('port_security_enabled', True),
                availability_zone_hints=network.get('availability_zone_hints') or [],
                dns_domain=network.get('dns_domain') or '', revision_number=0)
            row.segments = [models.NetworkSegment(
                id=utils.new_id(dashes=True), network_type=segment['network_type'],
                physical_network=segment['physical_network'],
                segmentation_id=segment['segmentation_id'], segment_index=0)]
            session.add(row)
            session.flush()
            return self._network_views(session, [row])[0]

    @staticmethod
    def _mtu(driver, wanted):
        maximum = driver.mtu()
        if wanted is None:
            return maximum
        if wanted > maximum:
            raise _invalid('Requested MTU is too big, maximum is %d' % maximum)
        return wanted

    def get_networks(self, context, filters=None, fields=None, sorts=None, limit=None,
                     marker=None, page_reverse=False):
        filters = filters or {}
        stmt = self._visible_networks(context)
        for key in PROVIDER:
            values = filters.get('provider:' + key)
            if values:
                stmt = stmt.where(models.Network.id.in_(
                    sa.select(models.NetworkSegment.network_id).where(
                        getattr(models.NetworkSegment, key).in_(values))))
        with self.db.reader() as session:
            marker_row = self._get_network_row(session, context, marker) if marker else None
            rows = query.page(session, stmt, models.Network, filters, sorts, limit, marker_row,
                              page_reverse, NETWORK_COLUMNS, resource_type='networks')
            return self._network_views(session, rows)

    def get_network(self, context, id, fields=None):
        with self.db.reader() as session:
            return self._network_views(session, [self._get_network_row(session, context, id)])[0]

    def update_network(self, context, id, network):
        with self.db.writer() as session:
            row = self._get_network_row(session, context, id)
            segment = row.segments[0] if row.segments else None
            for key in PROVIDER:
                if 'provider:' + key in network:
                    current = getattr(segment, key) if segment else None
                    if network['provider:' + key] != current:
                        raise _invalid('Plugin does not support updating provider attributes')
            if network.get('shared') is False and row.shared:
                others = session.scalar(sa.select(sa.func.count()).select_from(models.Port)
                                        .where(models.Port.network_id == row.id,
                                               models.Port.project_id.not_in(
                                                   [row.project_id, ''])))
                if others:
                    raise exception.InvalidSharedSetting(network=row.name or row.id)
            if 'mtu' in network and segment is not None:
                row.mtu = self._mtu(self._driver(segment.network_type), network['mtu'])
            for attr, column in (('name', 'name'), ('description', 'description'),
                                 ('admin_state_up', 'admin_state_up'), ('shared', 'shared'),
                                 ('router:external', 'external'), ('is_default', 'is_default'),
                                 ('port_security_enabled', 'port_security_enabled'),
                                 ('dns_domain', 'dns_domain')):
                if attr in network:
                    value = network[attr]
                    setattr(row, column, '' if value is None and column in (
                        'name', 'description', 'dns_domain') else value)
            row.bump_revision()
            session.flush()
            return self._network_views(session, [row])[0]

    def delete_network(self, context, id):
        with self.db.writer() as session:
            row = self._get_network_row(session, context, id)
            in_use = session.scalar(sa.select(sa.func.count()).select_from(models.Port).where(
                models.Port.network_id == row.id, models.Port.device_owner != DEVICE_OWNER_DHCP))
            if in_use:
                raise exception.NetworkInUse(net_id=row.id)
            for port in session.scalars(sa.select(models.Port).where(
                    models.Port.network_id == row.id)):
                query.delete_tags(session, 'ports', port.id)
                session.delete(port)
            session.flush()
            for subnet in session.scalars(sa.select(models.Subnet).where(
                    models.Subnet.network_id == row.id)):
                query.delete_tags(session, 'subnets', subnet.id)
                session.delete(subnet)
            session.flush()
            for segment in row.segments:
                driver = self.type_drivers.get(segment.network_type)
                if driver is not None:
                    driver.release(session, {'physical_network': segment.physical_network,
                                             'segmentation_id': segment.segmentation_id})
            query.delete_tags(session, 'networks', row.id)
            session.delete(row)

    # -- subnets ---------------------------------------------------------------

    def create_subnet(self, context, subnet):
        with self.db.writer() as session:
            network = self._get_network_row(session, context, subnet['network_id'])
            if subnet.get('subnetpool_id') or subnet.get('use_default_subnetpool') or \
                    not subnet.get('cidr'):
                raise exception.BadRequest(resource='subnets', msg='a cidr is required '
                                           '(subnet pools are not supported)')
            ip_version = subnet['ip_version']
            if ip_version not in (4, 6):
                raise _invalid("%s is not in [4, 6]" % ip_version)
            cidr = ipam.parse_cidr(subnet['cidr'], ip_version)
            project_id = subnet.get('project_id') or network.project_id
            quota.check(session, self.conf, project_id, 'subnet')
            for other in session.scalars(sa.select(models.Subnet).where(
                    models.Subnet.network_id == network.id)):
                if cidr.overlaps(ipaddress.ip_network(other.cidr)):
                    raise _invalid('Requested subnet with cidr: %s for network: %s overlaps '
                                   'with another subnet' % (cidr, network.id))
            if 'gateway_ip' in subnet:
                gateway = self._gateway(cidr, subnet['gateway_ip'])
            else:
                first, last = ipam.usable_range(cidr)
                gateway = first if first <= last and cidr.prefixlen < cidr.max_prefixlen \
                    else None
            if subnet.get('allocation_pools') is not None:
                pools = ipam.validate_pools(cidr, subnet['allocation_pools'], gateway)
            else:
                pools = ipam.default_pools(cidr, gateway)
                if not pools:
                    raise _invalid('Subnet %s has no address to allocate besides its gateway'
                                   % cidr)
            self._check_ipv6_modes(subnet, ip_version)
            row = models.Subnet(
                id=utils.new_id(dashes=True), project_id=project_id,
                network_id=network.id, name=subnet.get('name') or '',
                description=subnet.get('description') or '', ip_version=ip_version,
                cidr=str(cidr), gateway_ip=str(gateway) if gateway else None,
                enable_dhcp=subnet.get('enable_dhcp', True),
                ipv6_ra_mode=subnet.get('ipv6_ra_mode'),
                ipv6_address_mode=subnet.get('ipv6_address_mode'),
                segment_id=subnet.get('segment_id'),
                dns_nameservers=self._nameservers(subnet.get('dns_nameservers') or []),
                host_routes=self._host_routes(subnet.get('host_routes') or [], cidr),
                service_types=subnet.get('service_types') or [],
                dns_publish_fixed_ip=bool(subnet.get('dns_publish_fixed_ip', False)),
                revision_number=0)
            row.allocation_pools = [models.AllocationPool(first_ip=str(a), last_ip=str(b))
                                    for a, b in pools]
            session.add(row)
            session.flush()
            if row.enable_dhcp:
                self._add_dhcp_address(session, network, row)
            network.bump_revision()
            session.flush()
            return self._subnet_views(session, [row])[0]

    @staticmethod
    def _gateway(cidr, value):
        if value is None:
            return None
        gateway = ipam.parse_ip(value)
        if gateway not in cidr or (cidr.version == 4 and cidr.prefixlen < 31 and gateway in (
                cidr.network_address, cidr.broadcast_address)):
            raise _invalid('Gateway is not valid on subnet')
        return gateway

    @staticmethod
    def _check_ipv6_modes(subnet, ip_version):
        if ip_version == 4 and (subnet.get('ipv6_ra_mode') or subnet.get('ipv6_address_mode')):
            raise _invalid('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp '
                           'is set to False or ip_version is 4')

    @staticmethod
    def _nameservers(values):
        result = []
        for value in values:
            address = str(ipam.parse_ip(value, 'nameserver'))
            if address in result:
                raise _invalid("Duplicate nameserver '%s'" % value)
            result.append(address)
        return result

    @staticmethod
    def _host_routes(routes, cidr):
        result = []
        for route in routes:
            try:
                destination = ipaddress.ip_network(str(route.get('destination')))
            except ValueError:
                raise _invalid("'%s' is not a valid host route destination"
                               % (route.get('destination'),)) from None
            nexthop = ipam.parse_ip(route.get('nexthop'), 'nexthop')
            if destination.version != cidr.version or nexthop.version != cidr.version:
                raise _invalid('Host route %s does not match the subnet ip_version' % route)
            entry = {'destination': str(destination), 'nexthop': str(nexthop)}
            if entry in result:
                raise _invalid("Duplicate hostroute '%s'" % route)
            result.append(entry)
        return result

    def get_subnets(self, context, filters=None, fields=None, sorts=None, limit=None,
                    marker=None, page_reverse=False):
        with self.db.reader() as session:
            marker_row = self._get_subnet_row(session, context, marker) if marker else None
            rows = query.page(session, self._visible_subnets(context), models.Subnet, filters,
                              sorts, limit, marker_row, page_reverse, SUBNET_COLUMNS,
                              resource_type='subnets')
            return self._subnet_views(session, rows)

    def get_subnet(self, context, id, fields=None):
        with self.db.reader() as session:
            return self._subnet_views(session, [self._get_subnet_row(session, context, id)])[0]

    def update_subnet(self, context, id, subnet):
        with self.db.writer() as session:
            row = self._get_subnet_row(session, context, id)
            cidr = ipaddress.ip_network(row.cidr)
            gateway = ipaddress.ip_address(row.gateway_ip) if row.gateway_ip else None
            if 'gateway_ip' in subnet:
                gateway = self._gateway(cidr, subnet['gateway_ip'])
                if gateway is not None and str(gateway) != row.gateway_ip:
                    holder = session.scalar(
                        sa.select(models.Port.device_owner)
                        .join(models.IPAllocation, models.IPAllocation.port_id == models.Port.id)
                        .where(models.IPAllocation.subnet_id == row.id,
                               models.IPAllocation.ip_address == str(gateway)))
                    if holder is not None and holder not in (
                            'network:router_interface',
                            'network:router_interface_distributed'):
                        raise exception.IpAddressInUse(net_id=row.network_id,
                                                       ip_address=gateway)
                row.gateway_ip = str(gateway) if gateway else None
            if subnet.get('allocation_pools') is not None:
                pools = ipam.validate_pools(cidr, subnet['allocation_pools'], gateway)
                row.allocation_pools = [models.AllocationPool(first_ip=str(a), last_ip=str(b))
                                        for a, b in pools]
            elif 'gateway_ip' in subnet:
                ipam.validate_pools(cidr, [{'start': p.first_ip, 'end': p.last_ip}
                                           for p in row.allocation_pools], gateway)
            if 'dns_nameservers' in subnet:
                row.dns_nameservers = self._nameservers(subnet['dns_nameservers'] or [])
            if 'host_routes' in subnet:
                row.host_routes = self._host_routes(subnet['host_routes'] or [], cidr)
            for attr in ('name', 'description'):
                if attr in subnet:
                    setattr(row, attr, subnet[attr] or '')
            for attr in ('service_types', 'segment_id', 'dns_publish_fixed_ip'):
                if attr in subnet:
                    setattr(row, attr, subnet[attr])
            if 'enable_dhcp' in subnet and subnet['enable_dhcp'] != row.enable_dhcp:
                row.enable_dhcp = subnet['enable_dhcp']
                network = session.get(models.Network, row.network_id)
                if row.enable_dhcp:
                    self._add_dhcp_address(session, network, row)
                else:
                    self._remove_dhcp_address(session, row)
            row.bump_revision()
            session.flush()
            return self._subnet_views(session, [row])[0]

    def delete_subnet(self, context, id):
        with self.db.writer() as session:
            row = self._get_subnet_row(session, context, id)
            in_use = session.scalar(
                sa.select(sa.func.count()).select_from(models.IPAllocation)
                .join(models.Port, models.Port.id == models.IPAllocation.port_id)
                .where(models.IPAllocation.subnet_id == row.id,
                       models.Port.device_owner != DEVICE_OWNER_DHCP))
            if in_use:
                raise exception.SubnetInUse(
                    subnet_id=row.id,
                    reason='One or more ports have an IP allocation from this subnet')
            self._remove_dhcp_address(session, row)
            query.delete_tags(session, 'subnets', row.id)
            network = session.get(models.Network, row.network_id)
            session.delete(row)
            network.bump_revision()

    # -- DHCP --------------------------------------------------------------------

    def _add_dhcp_address(self, session, network, subnet):
        """An address in ``subnet`` for the network's DHCP port (made on first need).
        A subnet too small to spare one simply serves no DHCP address."""
        port = session.scalar(sa.select(models.Port).where(
            models.Port.network_id == network.id, models.Port.device_owner == DEVICE_OWNER_DHCP))
        if port is None:
            port = models.Port(
                id=utils.new_id(dashes=True), project_id=network.project_id,
                network_id=network.id, name='', mac_address=self._new_mac(session, network.id),
                admin_state_up=True, status='ACTIVE', device_owner=DEVICE_OWNER_DHCP,
                device_id='dhcp%s-%s' % (DHCP_HOST_ID, network.id),
                port_security_enabled=False, revision_number=0)
            session.add(port)
            session.flush()
        try:
            ipam.allocate_any(session, subnet, port.id, port.mac_address)
        except exception.IpAddressGenerationFailure:
            pass
        port.bump_revision()
        session.flush()
        session.expire(port, ['fixed_ips'])

    @staticmethod
    def _remove_dhcp_address(session, subnet):
        port = session.scalar(sa.select(models.Port).where(
            models.Port.network_id == subnet.network_id,
            models.Port.device_owner == DEVICE_OWNER_DHCP))
        if port is None:
            return
        session.execute(sa.delete(models.IPAllocation).where(
            models.IPAllocation.port_id == port.id,
            models.IPAllocation.subnet_id == subnet.id))
        session.expire(port, ['fixed_ips'])
        if not port.fixed_ips:
            query.delete_tags(session, 'ports', port.id)
            session.delete(port)
        session.flush()

    # -- ports -------------------------------------------------------------------

    def _new_mac(self, session, network_id):
        base = self.conf.base_mac.lower().split(':')
        keep = 4 if len(base) == 6 and base[3] != '00' else 3
        for _ in range(MAC_ATTEMPTS):
            mac = ':'.join(base[:keep] + ['%02x' % random.randrange(256)
                                          for _ in range(6 - keep)])
            if not self._mac_taken(session, network_id, mac):
                return mac
        raise exception.MacAddressGenerationFailure(net_id=network_id)

    @staticmethod
    def _mac_taken(session, network_id, mac):
        return session.scalar(sa.select(models.Port.id).where(
            models.Port.network_id == network_id, models.Port.mac_address == mac)) is not None

    def create_port(self, context, port):
        project_id = port['project_id'] if 'project_id' in port else context.project_id or ''
        default_group = None
        if port.get('security_groups') is None and project_id and \
                port.get('port_security_enabled', True) and \
                not (port.get('device_owner') or '').startswith('network:'):
            # Made in a transaction of its own, before the port's: a project's
            # first ports, created side by side, all find the one group.
            default_group = self.ensure_default_security_group(context, project_id)
        with self.db.writer() as session:
            network = self._get_network_row(session, context, port['network_id'])
            if project_id:
                quota.check(session, self.conf, project_id, 'port')
            if port.get('mac_address'):
                mac = _valid_mac(port['mac_address'])
                if self._mac_taken(session, network.id, mac):
                    raise exception.MacAddressInUse(net_id=network.id, mac=mac)
            else:
                mac = self._new_mac(session, network.id)
            row = models.Port(
                id=utils.new_id(dashes=True), project_id=project_id,
                network_id=network.id, name=port.get('name') or '',
                description=port.get('description') or '', mac_address=mac,
                admin_state_up=port.get('admin_state_up', True),
                device_id=port.get('device_id') or '',
                device_owner=port.get('device_owner') or '',
                port_security_enabled=port.get('port_security_enabled',
                                               network.port_security_enabled),
                dns_name=port.get('dns_name') or '',
                propagate_uplink_status=bool(port.get('propagate_uplink_status', False)),
                binding_host_id=port.get('binding:host_id') or '',
                binding_vnic_type=port.get('binding:vnic_type') or 'normal',
                binding_profile=port.get('binding:profile') or {},
                extra_dhcp_opts=port.get('extra_dhcp_opts') or [], revision_number=0)
            session.add(row)
            session.flush()
            self._set_fixed_ips(session, network, row, port.get('fixed_ips'))
            groups = port.get('security_groups')
            if groups is None:
                groups = [default_group] if default_group and row.port_security_enabled \
                    else []
            self._set_security(session, context, row, groups,
                               port.get('allowed_address_pairs') or [])
            self._bind(row, network)
            session.flush()
            session.expire(row, ['fixed_ips', 'security_group_bindings',
                                 'allowed_address_pairs'])
            return self._port_views(session, [row])[0]

    def _subnets_of(self, session, network_id):
        return list(session.scalars(sa.select(models.Subnet).where(
            models.Subnet.network_id == network_id)
            .order_by(models.Subnet.created_at, models.Subnet.id)))

    def _set_fixed_ips(self, session, network, row, fixed_ips):
        """Give the port its addresses: ``fixed_ips`` as the api-ref reads it
        (None: one per IP version from the first subnet with room)."""
        subnets = self._subnets_of(session, network.id)
        if fixed_ips is None:
            for version in (4, 6):
                candidates = [s for s in subnets if s.ip_version == version]
                for i, subnet in enumerate(candidates):
                    try:
                        ipam.allocate_any(session, subnet, row.id, row.mac_address)
                        break
                    except exception.IpAddressGenerationFailure:
                        if i == len(candidates) - 1:
                            raise
            return
        if len(fixed_ips) > self.conf.max_fixed_ips_per_port:
            raise _invalid('Exceeded maximum amount of fixed ips per port.')
        by_id = {s.id: s for s in subnets}
        wanted = []
        for entry in fixed_ips:
            subnet_id, address = entry.get('subnet_id'), entry.get('ip_address')
            subnet = None
            if subnet_id:
                subnet = by_id.get(subnet_id)
                if subnet is None:
                    raise _invalid('Failed to create port on network %s, because fixed_ips '
                                   'included invalid subnet %s' % (network.id, subnet_id))
            if address is not None:
                address = ipam.parse_ip(address)
                if subnet is None:
                    subnet = next((s for s in subnets
                                   if address in ipaddress.ip_network(s.cidr)), None)
                    if subnet is None:
                        raise exception.InvalidIpForNetwork(ip_address=address)
                elif address not in ipaddress.ip_network(subnet.cidr):
                    raise exception.InvalidIpForSubnet(ip_address=address)
            elif subnet is None:
                raise _invalid('fixed_ips entries need a subnet_id or an ip_address')
            if address is not None and (subnet.id, address) in wanted:
                raise _invalid('Duplicate IP address %s' % address)
            wanted.append((subnet.id, address))
        for subnet_id, address in wanted:
            if address is None:
                ipam.allocate_any(session, by_id[subnet_id], row.id, row.mac_address)
            else:
                ipam.allocate_specific(session, by_id[subnet_id], row.id, address)

    def _set_security(self, session, context, row, groups, pairs):
        if groups and not row.port_security_enabled:
            raise exception.PortSecurityAndIPRequiredForSecurityGroups()
        if pairs and not row.port_security_enabled:
            raise exception.AddressPairAndPortSecurityRequired()
        self.bind_port_security_groups(session, context, row, groups)
        seen, result = set(), []
        for pair in pairs:
            if not pair.get('ip_address'):
                raise _invalid('allowed_address_pairs need an ip_address')
            try:
                ip = str(ipaddress.ip_interface(str(pair['ip_address'])).network
                         if '/' in str(pair['ip_address'])
                         else ipaddress.ip_address(str(pair['ip_address'])))
            except ValueError:
                raise _invalid("'%s' is not a valid IP address" % pair['ip_address']) from None
            mac = _valid_mac(pair['mac_address']) if pair.get('mac_address') else row.mac_address
            if (mac, ip) in seen:
                raise exception.DuplicateAddressPairInRequest(mac_address=mac, ip_address=ip)
            seen.add((mac, ip))
            result.append(models.AllowedAddressPair(port_id=row.id, mac_address=mac,
                                                    ip_address=ip))
        row.allowed_address_pairs = result

    def _bind(self, row, network):
        """Bind the port to ``binding:host_id`` (or unbind it) and set its status."""
        if row.binding_host_id:
            bound = any(driver.bind_port(row, network) for driver in self.mechanism_drivers)
            if not bound:
                row.binding_vif_type, row.binding_vif_details = 'binding_failed', {}
        else:
            row.binding_vif_type, row.binding_vif_details = 'unbound', {}
        if row.device_owner == DEVICE_OWNER_FLOATINGIP:
            row.status = 'N/A'
        elif not row.admin_state_up:
            row.status = 'DOWN'
        elif row.device_owner.startswith('network:') or row.binding_vif_type == 'ovs':
            row.status = 'ACTIVE'
        else:
            row.status = 'DOWN'

    def get_ports(self, context, filters=None, fields=None, sorts=None, limit=None,
                  marker=None, page_reverse=False):
        filters = dict(filters or {})
        stmt = self._visible_ports(context)
        wanted_ips = filters.pop('fixed_ips', None) or {}
        if wanted_ips:
            allocations = sa.select(models.IPAllocation.port_id)
            if wanted_ips.get('ip_address'):
                allocations = allocations.where(
                    models.IPAllocation.ip_address.in_(wanted_ips['ip_address']))
            if wanted_ips.get('subnet_id'):
                allocations = allocations.where(
                    models.IPAllocation.subnet_id.in_(wanted_ips['subnet_id']))
            for text in wanted_ips.get('ip_address_substr') or []:
                allocations = allocations.where(
                    models.IPAllocation.ip_address.contains(text, autoescape=True))
            stmt = stmt.where(models.Port.id.in_(allocations))
        groups = filters.pop('security_groups', None)
        if groups:
            stmt = stmt.where(models.Port.id.in_(
                sa.select(models.SecurityGroupPortBinding.port_id).where(
                    models.SecurityGroupPortBinding.security_group_id.in_(list(groups)))))
        with self.db.reader() as session:
            marker_row = self._get_port_row(session, context, marker) if marker else None
            rows = query.page(session, stmt, models.Port, filters, sorts, limit, marker_row,
                              page_reverse, PORT_COLUMNS, resource_type='ports')
            return self._port_views(session, rows)

    def get_port(self, context, id, fields=None):
        with self.db.reader() as session:
            return self._port_views(session, [self._get_port_row(session, context, id)])[0]

    def update_port(self, context, id, port):
        with self.db.writer() as session:
            row = self._get_port_row(session, context, id)
            network = session.get(models.Network, row.network_id)
            if 'network_id' in port and port['network_id'] != row.network_id:
                raise _invalid('Cannot update read-only attribute network_id')
            if port.get('mac_address') and port['mac_address'].lower() != row.mac_address:
                if row.binding_host_id:
                    raise exception.PortBound(port_id=row.id, vif_type=row.binding_vif_type)
                mac = _valid_mac(port['mac_address'])
                if self._mac_taken(session, network.id, mac):
                    raise exception.MacAddressInUse(net_id=network.id, mac=mac)
                row.mac_address = mac
            if 'fixed_ips' in port:
                self._replace_fixed_ips(session, network, row, port['fixed_ips'] or [])
            for attr, column in (('name', 'name'), ('description', 'description'),
                                 ('device_id', 'device_id'), ('device_owner', 'device_owner'),
                                 ('dns_name', 'dns_name')):
                if attr in port:
                    setattr(row, column, port[attr] or '')
            for attr, column in (('admin_state_up', 'admin_state_up'),
                                 ('propagate_uplink_status', 'propagate_uplink_status'),
                                 ('binding:vnic_type', 'binding_vnic_type')):
                if attr in port:
                    setattr(row, column, port[attr])
            if 'binding:profile' in port:
                row.binding_profile = port['binding:profile'] or {}
            if 'extra_dhcp_opts' in port:
                row.extra_dhcp_opts = port['extra_dhcp_opts'] or []
            if 'binding:host_id' in port:
                row.binding_host_id = port['binding:host_id'] or ''
            groups = port.get('security_groups') if 'security_groups' in port else [
                b.security_group_id for b in row.security_group_bindings]
            pairs = port.get('allowed_address_pairs') if 'allowed_address_pairs' in port else [
                {'ip_address': p.ip_address, 'mac_address': p.mac_address}
                for p in row.allowed_address_pairs]
            if 'port_security_enabled' in port and \
                    port['port_security_enabled'] != row.port_security_enabled:
                row.port_security_enabled = port['port_security_enabled']
                if not row.port_security_enabled and groups and \
                        'security_groups' not in port:
                    raise exception.PortSecurityPortHasSecurityGroup()
            self._set_security(session, context, row, groups or [], pairs or [])
            self._bind(row, network)
            if 'fixed_ips' in port:
                self.service.nova_notifier.port_changed(session, row)
            row.bump_revision()
            session.flush()
            session.expire(row, ['fixed_ips', 'security_group_bindings',
                                 'allowed_address_pairs'])
            return self._port_views(session, [row])[0]

    def _replace_fixed_ips(self, session, network, row, fixed_ips):
        """The port's addresses become ``fixed_ips``: an entry naming an
        address the port has (or only a subnet it has one in) keeps it, the
        port's other addresses are released, the remaining entries allocated."""
        if len(fixed_ips) > self.conf.max_fixed_ips_per_port:
            raise _invalid('Exceeded maximum amount of fixed ips per port.')
        current = {(ip.subnet_id, ipaddress.ip_address(ip.ip_address)): ip for ip in row.fixed_ips}
        keep, new = set(), []
        for entry in fixed_ips:
            address = entry.get('ip_address')
            address = ipam.parse_ip(address) if address is not None else None
            match = next((key for key in current if key not in keep
                          and (address is None or key[1] == address)
                          and (not entry.get('subnet_id') or key[0] == entry['subnet_id'])),
                         None)
            if match is None:
                new.append(entry)
            else:
                keep.add(match)
        for key, allocation in current.items():
            if key not in keep:
                session.delete(allocation)
        session.flush()
        self._set_fixed_ips(session, network, row, new)
        session.expire(row, ['fixed_ips'])

    def delete_port(self, context, id, l3_port_check=True):
        with self.db.writer() as session:
            row = self._get_port_row(session, context, id)
            if l3_port_check and row.device_owner in L3_DEVICE_OWNERS:
                raise exception.L3PortInUse(port_id=row.id, device_owner=row.device_owner)
            l3 = self.service.plugin_for('floatingips')
            if l3 is not None and row.device_owner != DEVICE_OWNER_FLOATINGIP:
                l3.disassociate_floatingips(context, row.id)
            self.service.nova_notifier.port_changed(session, row, 'network-vif-deleted')
            query.delete_tags(session, 'ports', row.id)
            session.delete(row)
