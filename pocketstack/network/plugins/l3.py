"""The L3 service plugin: routers and floating IPs.

A router is a row plus ports the core plugin makes for it: a gateway port
on an external network (device_owner ``network:router_gateway``, no
project) and one interface port per attached subnet, holding the subnet's
gateway address (``network:router_interface``).  A floating IP is an
address held by a port on an external network (``network:floatingip``);
associating it with a project port's fixed address needs a router that
joins that address's subnet to the external network, as in Neutron.

Ports are made and removed through the core plugin, inside this plugin's
transaction, so a failure anywhere leaves no port behind.
"""
import ipaddress

import sqlalchemy as sa

from pocketstack.common import context as ctx_mod
from pocketstack.common import utils
from pocketstack.network import exception
from pocketstack.network import quota
from pocketstack.network.db import models
from pocketstack.network.db import query
from pocketstack.network.plugins import Plugin

DEVICE_OWNER_GATEWAY = 'network:router_gateway'
DEVICE_OWNER_INTERFACE = 'network:router_interface'
DEVICE_OWNER_FLOATINGIP = 'network:floatingip'

ROUTER_COLUMNS = {'tenant_id': 'project_id'}
FIP_COLUMNS = {'tenant_id': 'project_id', 'port_id': 'fixed_port_id'}


def _bad(resource, msg):
    return exception.BadRequest(resource=resource, msg=msg)


class L3RouterPlugin(Plugin):

    supported_resources = ('routers', 'floatingips')
    supported_extension_aliases = ('router', 'ext-gw-mode', 'extraroute',
                                   'extraroute-atomic', 'l3-ha', 'dvr',
                                   'router_availability_zone', 'fip-port-details')

    @property
    def core(self):
        return self.service.core_plugin

    # -- views ---------------------------------------------------------------

    @staticmethod
    def _gateway_info(row):
        if row.gw_port is None:
            return None
        return {'network_id': row.gw_port.network_id, 'enable_snat': row.enable_snat,
                'external_fixed_ips': [{'subnet_id': ip.subnet_id,
                                        'ip_address': ip.ip_address}
                                       for ip in row.gw_port.fixed_ips]}

    def _router_views(self, session, rows):
        tags = query.tags_for(session, 'routers', [row.id for row in rows])
        views = []
        for row in rows:
            view = query.standard_view(row)
            view.update({
                'id': row.id, 'name': row.name, 'status': row.status,
                'admin_state_up': row.admin_state_up,
                'external_gateway_info': self._gateway_info(row),
                'routes': [{'destination': r.destination, 'nexthop': r.nexthop}
                           for r in row.routes],
                'distributed': row.distributed, 'ha': row.ha,
                'availability_zone_hints': list(row.availability_zone_hints or []),
                'availability_zones': list(row.availability_zone_hints or ['nova']),
                'flavor_id': None, 'tags': tags[row.id]})
            views.append(view)
        return views

    def _fip_views(self, session, rows):
        tags = query.tags_for(session, 'floatingips', [row.id for row in rows])
        views = []
        for row in rows:
            view = query.standard_view(row)
            view.update({
                'id': row.id, 'floating_ip_address': row.floating_ip_address,
                'floating_network_id': row.floating_network_id, 'router_id': row.router_id,
                'port_id': row.fixed_port_id, 'fixed_ip_address': row.fixed_ip_address,
                'status': row.status, 'dns_name': row.dns_name, 'dns_domain': row.dns_domain,
                'port_details': self._port_details(session, row.fixed_port_id),
                'port_forwardings': [], 'qos_policy_id': None, 'tags': tags[row.id]})
            views.append(view)
        return views

    @staticmethod
    def _port_details(session, port_id):
        port = session.get(models.Port, port_id) if port_id else None
        if port is None:
            return None
        return {'name': port.name, 'network_id': port.network_id,
                'mac_address': port.mac_address, 'admin_state_up': port.admin_state_up,
                'status': port.status, 'device_id': port.device_id,
                'device_owner': port.device_owner}

    # -- scoping -------------------------------------------------------------

    def _get_router_row(self, session, context, router_id):
        row = session.scalar(query.owned(models.Router, context).where(
            models.Router.id == router_id))
        if row is None:
            raise exception.RouterNotFound(router_id=router_id)
        return row

    def _get_fip_row(self, session, context, fip_id):
        row = session.scalar(query.owned(models.FloatingIP, context).where(
            models.FloatingIP.id == fip_id))
        if row is None:
            raise exception.FloatingIPNotFound(floatingip_id=fip_id)
        return row

    @staticmethod
    def _external_network(session, context, network_id, resource):
        """The external network ``network_id``: 404 when it does not exist (or
        is another project's internal network), 400 when it is not external."""
        network = session.get(models.Network, network_id) if network_id else None
        visible = network is not None and (
            network.external or network.shared or context.is_admin_role
            or network.project_id == context.project_id)
        if not visible:
            raise exception.NetworkNotFound(net_id=network_id)
        if not network.external:
            if resource == 'router':
                raise _bad('router', 'Network %s is not an external network' % network_id)
            raise _bad('floatingip', 'Network %s is not a valid external network'
                       % network_id)
        return network

    @staticmethod
    def _interface_rows(router):
        return [rp for rp in router.attached_ports if rp.port_type == DEVICE_OWNER_INTERFACE]

    @staticmethod
    def _router_subnet_ids(router):
        """Subnets the router has an interface address in."""
        return {ip.subnet_id for rp in router.attached_ports
                if rp.port_type == DEVICE_OWNER_INTERFACE for ip in rp.port.fixed_ips}

    # -- routers -------------------------------------------------------------

    def create_router(self, context, router):
        project_id = router.get('project_id') or context.project_id
        with self.db.writer() as session:
            quota.check(session, self.conf, project_id, 'router')
            row = models.Router(
                id=utils.new_id(dashes=True), project_id=project_id,
                name=router.get('name') or '', description=router.get('description') or '',
                admin_state_up=router.get('admin_state_up', True),
                distributed=bool(router.get('distributed')), ha=bool(router.get('ha')),
                availability_zone_hints=list(router.get('availability_zone_hints') or []),
                revision_number=0)
            session.add(row)
            session.flush()
            if router.get('external_gateway_info'):
                self._set_gateway(session, context, row, router['external_gateway_info'])
            session.flush()
            session.refresh(row)
            return self._router_views(session, [row])[0]

    def get_routers(self, context, filters=None, fields=None, sorts=None, limit=None,
                    marker=None, page_reverse=False):
        with self.db.reader() as session:
            marker_row = self._get_router_row(session, context, marker) if marker else None
            rows = query.page(session, query.owned(models.Router, context), models.Router,
                              filters, sorts, limit, marker_row, page_reverse, ROUTER_COLUMNS,
                              resource_type='routers')
            return self._router_views(session, rows)

    def get_router(self, context, id, fields=None):
        with self.db.reader() as session:
            return self._router_views(session, [self._get_router_row(session, context, id)])[0]

    def update_router(self, context, id, router):
        with self.db.writer() as session:
            row = self._get_router_row(session, context, id)
            for attr in ('name', 'description'):
                if attr in router:
                    setattr(row, attr, router[attr] or '')
            for attr in ('admin_state_up', 'distributed', 'ha'):
                if attr in router and router[attr] is not None:
                    setattr(row, attr, router[attr])
            if 'external_gateway_info' in router:
                self._set_gateway(session, context, row, router['external_gateway_info'])
            if 'routes' in router:
                self._set_routes(session, row, router['routes'] or [])
            row.bump_revision()
            session.flush()
            session.refresh(row)
            return self._router_views(session, [row])[0]

    def delete_router(self, context, id):
        with self.db.writer() as session:
            row = self._get_router_row(session, context, id)
            if self._interface_rows(row):
                raise exception.RouterInUse(router_id=id, reason='still has ports')
            self._remove_gateway(session, row)
            query.delete_tags(session, 'routers', id)
            session.delete(row)

    # -- gateway ---------------------------------------------------------------

    def _set_gateway(self, session, context, row, info):
        """Apply ``external_gateway_info`` ({} or None removes the gateway)."""
        info = info or {}
        network_id = info.get('network_id')
        if not network_id:
            if info:
                raise _bad('router', 'external_gateway_info requires a network_id')
            self._remove_gateway(session, row)
            return
        network = self._external_network(session, context, network_id, 'router')
        if info.get('enable_snat') is not None:
            row.enable_snat = bool(info['enable_snat'])
        fixed_ips = info.get('external_fixed_ips')
        if row.gw_port is not None and row.gw_port.network_id == network.id:
            if fixed_ips is not None:
                self.core.update_port(ctx_mod.admin_context(), row.gw_port_id,
                                      {'fixed_ips': fixed_ips})
                session.refresh(row.gw_port)
            return
        self._remove_gateway(session, row)
        port = {'network_id': network.id, 'device_id': row.id,
                'device_owner': DEVICE_OWNER_GATEWAY, 'project_id': '', 'name': '',
                'admin_state_up': True, 'security_groups': []}
        if fixed_ips:
            port['fixed_ips'] = fixed_ips
        gw_port = self.core.create_port(ctx_mod.admin_context(), port)
        if not gw_port.get('fixed_ips'):
            raise _bad('router', 'No subnet on external network %s to hold a gateway '
                       'address' % network.id)
        row.gw_port_id = gw_port['id']
        session.add(models.RouterPort(router_id=row.id, port_id=gw_port['id'],
                                      port_type=DEVICE_OWNER_GATEWAY))
        session.flush()
        session.refresh(row)

    def _remove_gateway(self, session, row):
        if row.gw_port_id is None:
            return
        network_id = row.gw_port.network_id
        fips = session.scalar(sa.select(sa.func.count()).select_from(models.FloatingIP).where(
            models.FloatingIP.router_id == row.id,
            models.FloatingIP.floating_network_id == network_id))
        if fips:
            raise exception.RouterExternalGatewayInUseByFloatingIp(router_id=row.id,
                                                                   net_id=network_id)
        port_id = row.gw_port_id
        row.gw_port_id = None
        session.flush()
        self.core.delete_port(ctx_mod.admin_context(), port_id, l3_port_check=False)
        session.expire(row)

    # -- extra routes --------------------------------------------------------

    @staticmethod
    def _set_routes(session, row, routes):
        """Replace the router's routes; each nexthop must be on a subnet the
        router is attached to, and not the router's own address."""
        cidrs, own = [], set()
        for rp in row.attached_ports:
            for ip in rp.port.fixed_ips:
                cidrs.append(ipaddress.ip_network(session.get(models.Subnet, ip.subnet_id).cidr))
                own.add(ipaddress.ip_address(ip.ip_address))
        wanted = []
        for route in routes:
            destination, nexthop = _parse_route(route)
            if nexthop in own:
                raise exception.InvalidRoutes(routes=routes,
                                              reason='the nexthop is used by router')
            if not any(nexthop in cidr for cidr in cidrs):
                raise exception.InvalidRoutes(routes=routes,
                                              reason='the nexthop is not connected with router')
            if (str(destination), str(nexthop)) not in wanted:
                wanted.append((str(destination), str(nexthop)))
        row.routes = [models.RouterRoute(router_id=row.id, destination=d, nexthop=n)
                      for d, n in wanted]

    def add_extraroutes(self, context, router_id, body):
        return self._change_routes(context, router_id, body, add=True)

    def remove_extraroutes(self, context, router_id, body):
        return self._change_routes(context, router_id, body, add=False)

    def _change_routes(self, context, router_id, body, add):
        routes = ((body or {}).get('router') or {}).get('routes')
        if not isinstance(routes, list):
            raise _bad('router', "Request body must name the routes: "
                                 "{'router': {'routes': [...]}}")
        given = [_parse_route(route) for route in routes]
        with self.db.writer() as session:
            row = self._get_router_row(session, context, router_id)
            current = [(ipaddress.ip_network(r.destination), ipaddress.ip_address(r.nexthop))
                       for r in row.routes]
            if add:
                result = current + [r for r in given if r not in current]
            else:
                result = [r for r in current if r not in given]
            self._set_routes(session, row, [{'destination': str(d), 'nexthop': str(n)}
                                   for d, n in result])
            row.bump_revision()
            session.flush()
            session.refresh(row)
            view = self._router_views(session, [row])[0]
            return {'router': view}

    # -- interfaces ------------------------------------------------------------

    def add_router_interface(self, context, router_id, body):
        body = body or {}
        subnet_id, port_id = body.get('subnet_id'), body.get('port_id')
        if subnet_id and port_id:
            raise _bad('router', 'Cannot specify both subnet-id and port-id')
        if not subnet_id and not port_id:
            raise _bad('router', 'Either subnet_id or port_id must be specified')
        with self.db.writer() as session:
            router = self._get_router_row(session, context, router_id)
            attached = self._router_subnet_ids(router)
            if port_id:
                port = self._interface_by_port(session, context, router, port_id, attached)
            else:
                port = self._interface_by_subnet(session, context, router, subnet_id,
                                                 attached)
            session.add(models.RouterPort(router_id=router.id, port_id=port.id,
                                          port_type=DEVICE_OWNER_INTERFACE))
            router.bump_revision()
            session.flush()
            return _interface_info(router, port)

    def _check_subnet_attachable(self, session, router, subnet, attached):
        if subnet.id in attached:
            raise _bad('router', 'Router already has a port on subnet %s' % subnet.id)
        cidr = ipaddress.ip_network(subnet.cidr)
        for other_id in attached:
            other = session.get(models.Subnet, other_id)
            if other.ip_version == subnet.ip_version and \
                    ipaddress.ip_network(other.cidr).overlaps(cidr):
                raise _bad('router', 'Cidr %s of subnet %s overlaps with cidr %s of subnet %s'
                           % (subnet.cidr, subnet.id, other.cidr, other.id))

    def _interface_by_subnet(self, session, context, router, subnet_id, attached):
        self.core.get_subnet(context, subnet_id)   # 404 unless the caller may see it
        subnet = session.get(models.Subnet, subnet_id)
        if not subnet.gateway_ip:
            raise _bad('router', 'Subnet for router interface must have a gateway IP')
        self._check_subnet_attachable(session, router, subnet, attached)
        port = self.core.create_port(ctx_mod.admin_context(), {
            'network_id': subnet.network_id, 'project_id': router.project_id,
            'fixed_ips': [{'subnet_id': subnet.id, 'ip_address': subnet.gateway_ip}],
            'device_id': router.id, 'device_owner': DEVICE_OWNER_INTERFACE,
            'name': '', 'admin_state_up': True, 'security_groups': []})
        return session.get(models.Port, port['id'])

    def _interface_by_port(self, session, context, router, port_id, attached):
        self.core.get_port(context, port_id)   # 404 unless the caller may see it
        port = session.get(models.Port, port_id)
        if port.device_id or port.device_owner:
            raise exception.PortInUse(port_id=port.id, net_id=port.network_id,
                                      device_id=port.device_id or port.device_owner)
        if not port.fixed_ips:
            raise _bad('router', 'Router port must have at least one fixed IP')
        subnets = [session.get(models.Subnet, ip.subnet_id) for ip in port.fixed_ips]
        if sum(1 for s in subnets if s.ip_version == 4) > 1:
            raise _bad('router', 'Cannot have multiple IPv4 subnets on router port')
        for subnet in subnets:
            self._check_subnet_attachable(session, router, subnet, attached)
        self.core.update_port(ctx_mod.admin_context(), port.id, {
            'device_id': router.id, 'device_owner': DEVICE_OWNER_INTERFACE})
        session.refresh(port)
        return port

    def remove_router_interface(self, context, router_id, body):
        body = body or {}
        subnet_id, port_id = body.get('subnet_id'), body.get('port_id')
        if not subnet_id and not port_id:
            raise _bad('router', 'Either subnet_id or port_id must be specified')
        with self.db.writer() as session:
            router = self._get_router_row(session, context, router_id)
            interfaces = [rp.port for rp in self._interface_rows(router)]
            if port_id:
                port = next((p for p in interfaces if p.id == port_id), None)
                if port is None:
                    raise exception.RouterInterfaceNotFound(router_id=router.id,
                                                            port_id=port_id)
                subnet_ids = [ip.subnet_id for ip in port.fixed_ips]
                if subnet_id and subnet_id not in subnet_ids:
                    raise _bad('router', 'Subnet %s is not an address of port %s'
                               % (subnet_id, port_id))
                if subnet_id is None:
                    gone = subnet_ids
                else:
                    gone = [subnet_id]
            else:
                self.core.get_subnet(context, subnet_id)
                port = next((p for p in interfaces
                             if any(ip.subnet_id == subnet_id for ip in p.fixed_ips)), None)
                if port is None:
                    raise exception.RouterInterfaceNotFoundForSubnet(router_id=router.id,
                                                                     subnet_id=subnet_id)
                gone = [subnet_id]
            for sid in gone:
                self._check_interface_unused(session, router, sid)
            info = _interface_info(router, port)
            remaining = [{'subnet_id': ip.subnet_id, 'ip_address': ip.ip_address}
                         for ip in port.fixed_ips if ip.subnet_id not in gone]
            if remaining:
                self.core.update_port(ctx_mod.admin_context(), port.id, {'fixed_ips': remaining})
            else:
                self.core.delete_port(ctx_mod.admin_context(), port.id, l3_port_check=False)
            router.bump_revision()
            session.flush()
            info['subnet_ids'] = gone
            info['subnet_id'] = gone[0] if gone else None
            return info

    @staticmethod
    def _check_interface_unused(session, router, subnet_id):
        """Floating IPs and routes that go through the subnet keep it attached."""
        subnet = session.get(models.Subnet, subnet_id)
        cidr = ipaddress.ip_network(subnet.cidr)
        fips = session.scalars(sa.select(models.FloatingIP).where(
            models.FloatingIP.router_id == router.id,
            models.FloatingIP.fixed_ip_address.is_not(None)))
        if any(ipaddress.ip_address(f.fixed_ip_address) in cidr for f in fips):
            raise exception.RouterInterfaceInUseByFloatingIP(router_id=router.id,
                                                             subnet_id=subnet_id)
        if any(ipaddress.ip_address(r.nexthop) in cidr for r in router.routes):
            raise exception.RouterInterfaceInUseByRoute(router_id=router.id,
                                                        subnet_id=subnet_id)

    # -- floating IPs ----------------------------------------------------------

    def create_floatingip(self, context, floatingip):
        fip = floatingip
        project_id = fip.get('project_id') or context.project_id
        with self.db.writer() as session:
            network = self._external_network(session, context,
                                             fip.get('floating_network_id'), 'floatingip')
            quota.check(session, self.conf, project_id, 'floatingip')
            fip_id = utils.new_id(dashes=True)
            port = self._floating_port(session, network, fip_id, fip)
            row = models.FloatingIP(
                id=fip_id, project_id=project_id,
                floating_ip_address=port.fixed_ips[0].ip_address,
                floating_network_id=network.id, floating_port_id=port.id,
                description=fip.get('description') or '', status='DOWN',
                dns_name=fip.get('dns_name') or '', dns_domain=fip.get('dns_domain') or '',
                revision_number=0)
            session.add(row)
            session.flush()
            if fip.get('port_id'):
                self._associate(session, context, row, fip['port_id'],
                                fip.get('fixed_ip_address'))
            session.flush()
            return self._fip_views(session, [row])[0]

    def _floating_port(self, session, network, fip_id, fip):
        """The port holding the floating address: the address asked for, or
        one from the subnet asked for, or from the first IPv4 subnet with room."""
        port = {'network_id': network.id, 'device_id': fip_id,
                'device_owner': DEVICE_OWNER_FLOATINGIP, 'project_id': '', 'name': '',
                'admin_state_up': True, 'security_groups': []}
        v4_subnets = [s for s in network.subnets if s.ip_version == 4]
        if fip.get('floating_ip_address'):
            candidates = [[{'ip_address': fip['floating_ip_address']}]]
            if fip.get('subnet_id'):
                candidates[0][0]['subnet_id'] = fip['subnet_id']
        elif fip.get('subnet_id'):
            if fip['subnet_id'] not in {s.id for s in v4_subnets}:
                raise _bad('floatingip', 'Subnet %s is not an IPv4 subnet of network %s'
                           % (fip['subnet_id'], network.id))
            candidates = [[{'subnet_id': fip['subnet_id']}]]
        else:
            if not v4_subnets:
                raise _bad('floatingip', 'Network %s does not contain any IPv4 subnet'
                           % network.id)
            candidates = [[{'subnet_id': s.id}] for s in v4_subnets]
        for i, fixed_ips in enumerate(candidates):
            try:
                # a savepoint per subnet: a full one is passed over cleanly
                with session.begin_nested():
                    created = self.core.create_port(ctx_mod.admin_context(),
                                                    dict(port, fixed_ips=fixed_ips))
                break
            except exception.IpAddressGenerationFailure:
                if i == len(candidates) - 1:
                    raise
        return session.get(models.Port, created['id'])

    def _associate(self, session, context, row, port_id, fixed_ip_address):
        """Point the floating IP at ``port_id``'s fixed address through the
        router joining that address's subnet to the floating network."""
        self.core.get_port(context, port_id)   # 404 unless the caller may see it
        port = session.get(models.Port, port_id)
        if port.project_id != row.project_id:
            raise _bad('floatingip', 'Cannot create floating IP and bind it to Port %s, '
                       'since that port is owned by a different tenant' % port_id)
        if port.device_owner in (DEVICE_OWNER_GATEWAY, DEVICE_OWNER_FLOATINGIP,
                                 DEVICE_OWNER_INTERFACE):
            raise _bad('floatingip', 'Port %s has owner %s and therefore cannot be '
                       'associated with a floating IP' % (port_id, port.device_owner))
        v4 = [ip for ip in port.fixed_ips
              if ipaddress.ip_address(ip.ip_address).version == 4]
        if fixed_ip_address:
            chosen = next((ip for ip in v4 if ip.ip_address == fixed_ip_address), None)
            if chosen is None:
                raise _bad('floatingip', 'Port %s does not have fixed ip %s'
                           % (port_id, fixed_ip_address))
        elif not v4:
            raise _bad('floatingip', 'Cannot add floating IP to port %s that has no fixed '
                       'IPv4 addresses' % port_id)
        elif len(v4) > 1:
            raise _bad('floatingip', 'Port %s has multiple fixed IPv4 addresses.  Must '
                       'provide a specific IPv4 address when assigning a floating IP'
                       % port_id)
        else:
            chosen = v4[0]
        taken = session.scalar(sa.select(models.FloatingIP).where(
            models.FloatingIP.fixed_port_id == port.id,
            models.FloatingIP.fixed_ip_address == chosen.ip_address,
            models.FloatingIP.floating_network_id == row.floating_network_id,
            models.FloatingIP.id != row.id))
        if taken is not None:
            raise exception.FloatingIPPortAlreadyAssociated(
                floating_ip_address=row.floating_ip_address, fip_id=row.id,
                port_id=port.id, fixed_ip=chosen.ip_address, net_id=row.floating_network_id)
        router_id = self._router_for(session, row.floating_network_id, chosen.subnet_id)
        if router_id is None:
            raise exception.ExternalGatewayForFloatingIPNotFound(
                external_network_id=row.floating_network_id, subnet_id=chosen.subnet_id,
                port_id=port.id)
        if row.fixed_port_id and row.fixed_port_id != port.id:
            self._disassociate(session, row)
        row.fixed_port_id, row.fixed_ip_address = port.id, chosen.ip_address
        row.router_id, row.status = router_id, 'ACTIVE'
        self.service.nova_notifier.port_changed(session, port)

    @staticmethod
    def _router_for(session, network_id, subnet_id):
        """A router with its gateway on ``network_id`` and an interface on ``subnet_id``."""
        gw_port = sa.orm.aliased(models.Port)
        stmt = (sa.select(models.Router.id)
                .join(gw_port, gw_port.id == models.Router.gw_port_id)
                .join(models.RouterPort, models.RouterPort.router_id == models.Router.id)
                .join(models.IPAllocation,
                      models.IPAllocation.port_id == models.RouterPort.port_id)
                .where(gw_port.network_id == network_id,
                       models.RouterPort.port_type == DEVICE_OWNER_INTERFACE,
                       models.IPAllocation.subnet_id == subnet_id)
                .order_by(models.Router.created_at, models.Router.id))
        return session.scalars(stmt).first()

    def _disassociate(self, session, row, notify=True):
        if notify and row.fixed_port_id:
            self.service.nova_notifier.port_changed(session,
                                                    session.get(models.Port, row.fixed_port_id))
        row.fixed_port_id = row.fixed_ip_address = row.router_id = None
        row.status = 'DOWN'

    def get_floatingips(self, context, filters=None, fields=None, sorts=None, limit=None,
                        marker=None, page_reverse=False):
        with self.db.reader() as session:
            marker_row = self._get_fip_row(session, context, marker) if marker else None
            rows = query.page(session, query.owned(models.FloatingIP, context), models.FloatingIP,
                              filters, sorts, limit, marker_row, page_reverse, FIP_COLUMNS,
                              resource_type='floatingips')
            return self._fip_views(session, rows)

    def get_floatingip(self, context, id, fields=None):
        with self.db.reader() as session:
            return self._fip_views(session, [self._get_fip_row(session, context, id)])[0]

    def update_floatingip(self, context, id, floatingip):
        with self.db.writer() as session:
            row = self._get_fip_row(session, context, id)
            if 'description' in floatingip:
                row.description = floatingip['description'] or ''
            if 'port_id' in floatingip:
                if floatingip['port_id']:
                    self._associate(session, context, row, floatingip['port_id'],
                                    floatingip.get('fixed_ip_address'))
                else:
                    self._disassociate(session, row)
            elif floatingip.get('fixed_ip_address'):
                if row.fixed_port_id is None:
                    raise _bad('floatingip', 'fixed_ip_address needs a port_id')
                self._associate(session, context, row, row.fixed_port_id,
                                floatingip['fixed_ip_address'])
            row.bump_revision()
            session.flush()
            return self._fip_views(session, [row])[0]

    def delete_floatingip(self, context, id):
        with self.db.writer() as session:
            row = self._get_fip_row(session, context, id)
            port_id = row.floating_port_id
            self._disassociate(session, row)
            query.delete_tags(session, 'floatingips', id)
            session.delete(row)
            session.flush()
            self.core.delete_port(ctx_mod.admin_context(), port_id, l3_port_check=False)

    def disassociate_floatingips(self, context, port_id):
        """Called by the core plugin before it deletes ``port_id``: the port's
        floating IPs stay allocated, pointing at nothing."""
        with self.db.writer() as session:
            rows = session.scalars(sa.select(models.FloatingIP).where(
                models.FloatingIP.fixed_port_id == port_id)).all()
            for row in rows:
                # the port is going: the core plugin tells Compute about it
                self._disassociate(session, row, notify=False)
                row.bump_revision()
            session.flush()
            return {row.router_id for row in rows}


def _parse_route(route):
    """(destination network, nexthop address) of a route, or InvalidRoutes."""
    if not isinstance(route, dict) or set(route) != {'destination', 'nexthop'}:
        raise exception.InvalidRoutes(routes=route,
                                      reason='a route is {"destination": <CIDR>, '
                                             '"nexthop": <IP address>}')
    try:
        destination = ipaddress.ip_network(str(route['destination']))
    except ValueError:
        raise exception.InvalidRoutes(routes=route, reason="'%s' is not a valid CIDR"
                                      % route['destination']) from None
    try:
        nexthop = ipaddress.ip_address(str(route['nexthop']))
    except ValueError:
        raise exception.InvalidRoutes(routes=route, reason="'%s' is not a valid IP address"
                                      % route['nexthop']) from None
    if destination.version != nexthop.version:
        raise exception.InvalidRoutes(routes=route, reason='destination and nexthop must '
                                                           'be of the same IP version')
    return destination, nexthop


def _interface_info(router, port):
    subnet_ids = [ip.subnet_id for ip in port.fixed_ips]
    return {'id': router.id, 'tenant_id': router.project_id, 'project_id': router.project_id,
            'port_id': port.id, 'network_id': port.network_id,
            'subnet_id': subnet_ids[0] if subnet_ids else None, 'subnet_ids': subnet_ids}
