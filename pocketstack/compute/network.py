"""The Network service, seen from Compute (Nova's ``neutronv2/api.py``, compactly).

Everything goes through Neutron's REST API (v2.0) with the user's token —
the ports a server gets are the user's ports, in the user's project — except
what only an admin may do: binding a port to a host (``binding:host_id``),
undoing that, and finding ports of any project by ``device_id``
(``token=ADMIN``: the service user, service_client.py).

A server's ports are described by its *network info* (Nova's VIF model,
kept on the instance as JSON): one dict per port ::

    {'id': port id, 'address': MAC, 'type': 'ovs', 'devname': 'tap<id[:11]>',
     'preserve_on_delete': the user gave the port (so it outlives the server),
     'active': port status ACTIVE, 'vnic_type': 'normal',
     'network': {'id', 'label': network name, 'mtu',
                 'subnets': [{'id', 'cidr', 'gateway', 'version', 'dhcp',
                              'dns': [addresses], 'routes': [{'cidr', 'gateway'}],
                              'ips': [{'address', 'type': 'fixed', 'version',
                                       'floating_ips': [addresses]}]}]}}
"""
import ipaddress
import logging
import urllib.parse

from pocketstack.common import exception
from pocketstack.common import service_client

LOG = logging.getLogger(__name__)

ADMIN = service_client.ADMIN


class NetworkError(exception.PocketstackError):
    """Neutron refused a request; ``neutron_type`` is its fault's ``type``
    (``PortNotFound``, ``IpAddressAlreadyAllocated``…)."""

    def __init__(self, message, code, neutron_type=None):
        super().__init__(message)
        self.code = code
        self.neutron_type = neutron_type


def _query(**params):
    """A query string; list values repeat the parameter (``id=a&id=b``)."""
    pairs = []
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple, set)) else [value]:
            pairs.append((key, item if not isinstance(item, bool) else str(item)))
    return '?' + urllib.parse.urlencode(pairs) if pairs else ''


def devname(port_id):
    return ('tap' + port_id)[:14]


class NetworkClient(service_client.ServiceClient):

    service_name = 'Network'

    def __init__(self, conf):
        super().__init__(conf, 'network', 'neutron')

    def error(self, resp, method, path):
        try:
            fault = resp.json()['NeutronError']
            message, kind = fault.get('message') or '', fault.get('type')
        except (ValueError, KeyError, TypeError, AttributeError):
            message, kind = ' '.join(resp.text.split())[:200], None
        code = resp.status_code if resp.status_code in (400, 403, 404, 409) else 500
        if resp.status_code == 401:
            code = 403
        if code == 500:
            message = 'Network service answered %s to %s %s: %s' % (
                resp.status_code, method, path, message)
        return NetworkError(message, code, kind)

    # -- plain REST --------------------------------------------------------------------

    def _get(self, context, path, token=None):
        return self.request(context, 'GET', '/v2.0' + path, token=token)

    def list(self, context, collection, token=None, **filters):
        """Items of ``collection`` (e.g. 'ports') matching ``filters``."""
        key = collection.replace('-', '_')
        return self._get(context, '/%s%s' % (collection, _query(**filters)), token)[key]

    def show(self, context, member, item_id, token=None):
        """One item of the collection ``member + 's'``; NetworkError 404 when
        the caller may not see it."""
        path = '/%ss/%s' % (member, service_client.quoted(item_id))
        return self._get(context, path, token)[member.replace('-', '_')]

    def create_port(self, context, values):
        return self.request(context, 'POST', '/v2.0/ports', body={'port': values})['port']

    def update_port(self, context, port_id, values, token=None):
        return self.request(context, 'PUT', '/v2.0/ports/%s' % service_client.quoted(port_id),
                            body={'port': values}, token=token)['port']

    def delete_port(self, context, port_id, token=None):
        """Delete a port; one that is gone already is no error."""
        try:
            self.request(context, 'DELETE', '/v2.0/ports/%s' % service_client.quoted(port_id),
                         token=token)
        except NetworkError as e:
            if e.code != 404:
                raise

    # -- what the API checks before a boot -----------------------------------------------

    def available_networks(self, context, project_id):
        """(the project's own networks, the shared ones) a server may use:
        external networks are for floating IPs, not for servers."""
        own = [n for n in self.list(context, 'networks', project_id=project_id, shared=False)
               if not n.get('router:external')]
        shared = [n for n in self.list(context, 'networks', shared=True)
                  if not n.get('router:external')]
        return own, shared

    def floating_ip_pools(self, context):
        """The external networks the caller may see: where floating IPs
        come from (what Nova's ``os-floating-ip-pools`` lists); none without
        a Network service."""
        if not self.configured():
            return []
        return self.list(context, 'networks', **{'router:external': True})

    def get_network(self, context, network_id):
        try:
            return self.show(context, 'network', network_id)
        except NetworkError as e:
            if e.code == 404:
                raise exception.NotFound('Network %s could not be found.' % network_id)
            raise

    def get_port(self, context, port_id, token=None):
        try:
            return self.show(context, 'port', port_id, token=token)
        except NetworkError as e:
            if e.code == 404:
                raise exception.NotFound('Port %s could not be found.' % port_id)
            raise

    def security_group(self, context, name_or_id):
        """The project's security group of that name, or with that id; None
        when there is none."""
        found = self.list(context, 'security-groups', name=name_or_id,
                          project_id=context.project_id)
        if len(found) > 1:
            raise exception.Conflict('Multiple security groups found matching \'%s\'. Use '
                                     'an ID to be more specific.' % name_or_id)
        if found:
            return found[0]
        try:
            return self.show(context, 'security-group', name_or_id)
        except NetworkError as e:
            if e.code == 404:
                return None
            raise

    # -- a server's ports --------------------------------------------------------------

    def ports_of(self, context, instance_uuid, token=ADMIN):
        return self.list(context, 'ports', token=token, device_id=instance_uuid)

    def allocate(self, context, instance, requests, host, security_group_ids=None):
        """Give the instance a port for each request ({'network_id',
        'fixed_ip'} or {'port_id'}) and bind them all to ``host``; its new
        network info.  Whatever was done is undone if a step fails."""
        owner = 'compute:%s' % (instance['availability_zone']
                                or self.conf.default_availability_zone)
        done = []   # (port, preserve_on_delete)
        try:
            for request in requests:
                if request.get('port_id'):
                    port = self.get_port(context, request['port_id'])
                    if port.get('device_id') and port['device_id'] != instance['uuid']:
                        raise exception.Conflict('Port %s is still in use.' % port['id'])
                    port = self.update_port(context, port['id'], {
                        'device_id': instance['uuid'], 'device_owner': owner})
                    done.append((port, True))
                    continue
                values = {'network_id': request['network_id'], 'device_id': instance['uuid'],
                          'device_owner': owner, 'admin_state_up': True}
                if request.get('fixed_ip'):
                    values['fixed_ips'] = [{'ip_address': request['fixed_ip']}]
                if security_group_ids:
                    values['security_groups'] = list(security_group_ids)
                done.append((self.create_port(context, values), False))
            bound = [(self.bind(context, port['id'], host), preserve) for port, preserve in done]
        except Exception:
            self.release(context, [{'id': p['id'], 'preserve_on_delete': keep}
                                   for p, keep in done])
            raise
        return self.network_info(context, [p for p, _ in bound],
                                 {p['id']: keep for p, keep in bound})

    def bind(self, context, port_id, host):
        """Bind the port to ``host`` ('' unbinds); the port as the admin sees it."""
        return self.update_port(context, port_id, {'binding:host_id': host}, token=ADMIN)

    def bind_all(self, context, network_info, host):
        for vif in network_info or ():
            try:
                self.bind(context, vif['id'], host)
            except NetworkError as e:
                if e.code != 404:
                    raise
                LOG.warning('Port %s is gone; not binding it to %s', vif['id'], host)

    def release(self, context, network_info, instance_uuid=None):
        """Undo a server's ports: delete those it created, unbind and free
        those it was given.  With ``instance_uuid``, also the ports Neutron
        has for it that the network info does not list (as Nova: they are
        deleted).  Failures are logged, never raised: a server's delete must
        not hang on a port."""
        preserved = {vif['id'] for vif in network_info or () if vif.get('preserve_on_delete')}
        ports = [vif['id'] for vif in network_info or ()]
        if instance_uuid is not None:
            try:
                ports += [p['id'] for p in self.ports_of(context, instance_uuid)
                          if p['id'] not in ports]
            except Exception:  # noqa: BLE001 - logged; the cached ports are released anyway
                LOG.exception('Could not list the ports of instance %s', instance_uuid)
        for port_id in ports:
            try:
                if port_id in preserved:
                    self.update_port(context, port_id, {
                        'device_id': '', 'device_owner': '', 'binding:host_id': ''},
                        token=ADMIN)
                else:
                    self.delete_port(context, port_id, token=ADMIN)
            except NetworkError as e:
                if e.code != 404:
                    LOG.warning('Could not release port %s: %s', port_id, e.message)
            except Exception:  # noqa: BLE001 - see above
                LOG.exception('Could not release port %s', port_id)

    # -- network info ---------------------------------------------------------------------

    def network_info(self, context, ports, preserve, token=None):
        """The VIF list of ``ports`` (Neutron's port dicts, in order);
        ``preserve`` maps port ids to preserve_on_delete."""
        if not ports:
            return []
        network_ids = sorted({p['network_id'] for p in ports})
        subnet_ids = sorted({ip['subnet_id'] for p in ports for ip in p.get('fixed_ips') or ()})
        networks = {n['id']: n for n in self.list(context, 'networks', token=token,
                                                  id=network_ids)}
        subnets = {s['id']: s for s in self.list(context, 'subnets', token=token,
                                                 id=subnet_ids)} if subnet_ids else {}
        floating = {}
        for fip in self.list(context, 'floatingips', token=token,
                             port_id=[p['id'] for p in ports]):
            floating.setdefault((fip['port_id'], fip.get('fixed_ip_address')), []).append(
                fip['floating_ip_address'])
        return [_vif(port, networks.get(port['network_id']) or {}, subnets, floating,
                     preserve.get(port['id'], True)) for port in ports]

    def refresh(self, context, instance):
        """The instance's network info as Neutron has it now: its ports (by
        device_id), their addresses and floating IPs."""
        cached = instance.get('network_info') or []
        preserve = {vif['id']: vif.get('preserve_on_delete', True) for vif in cached}
        token = token_for(context, instance)
        ports = self.ports_of(context, instance['uuid'], token=token)
        order = {vif['id']: n for n, vif in enumerate(cached)}
        ports.sort(key=lambda p: (order.get(p['id'], len(order)), p.get('created_at') or ''))
        return self.network_info(context, ports, preserve, token=token)


def token_for(context, instance):
    """Whose token reads the server's ports: the user's for the project's own
    servers, the service user's (ADMIN) for an admin looking at another's."""
    return None if instance['project_id'] == context.project_id else ADMIN


def _vif(port, network, subnets, floating, preserve):
    by_subnet = {}
    for ip in port.get('fixed_ips') or ():
        by_subnet.setdefault(ip['subnet_id'], []).append(ip['ip_address'])
    vif_subnets = []
    for subnet_id, addresses in by_subnet.items():
        subnet = subnets.get(subnet_id) or {}
        version = subnet.get('ip_version') or ipaddress.ip_address(addresses[0]).version
        vif_subnets.append({
            'id': subnet_id, 'cidr': subnet.get('cidr'), 'gateway': subnet.get('gateway_ip'),
            'version': version, 'dhcp': bool(subnet.get('enable_dhcp')),
            'dns': list(subnet.get('dns_nameservers') or []),
            'routes': [{'cidr': r['destination'], 'gateway': r['nexthop']}
                       for r in subnet.get('host_routes') or ()],
            'ips': [{'address': a, 'type': 'fixed', 'version': version,
                     'floating_ips': floating.get((port['id'], a), [])} for a in addresses]})
    return {'id': port['id'], 'address': port.get('mac_address'), 'type': 'ovs',
            'devname': devname(port['id']), 'vnic_type': port.get('binding:vnic_type', 'normal'),
            'active': port.get('status') == 'ACTIVE', 'preserve_on_delete': preserve,
            'network': {'id': port['network_id'], 'label': network.get('name') or '',
                        'mtu': network.get('mtu'), 'subnets': vif_subnets}}


def addresses(network_info):
    """{network label: [{'version', 'addr', 'type', 'mac'}…]}: fixed
    addresses, each followed by its floating ones."""
    result = {}
    for vif in network_info or ():
        entries = result.setdefault(vif['network']['label'], [])
        for subnet in vif['network']['subnets']:
            for ip in subnet['ips']:
                entries.append({'version': ip['version'], 'addr': ip['address'],
                                'type': 'fixed', 'mac': vif['address']})
                for address in ip.get('floating_ips') or ():
                    entries.append({'version': ipaddress.ip_address(address).version,
                                    'addr': address, 'type': 'floating',
                                    'mac': vif['address']})
    return result


def all_addresses(network_info):
    return [e['addr'] for entries in addresses(network_info).values() for e in entries]
