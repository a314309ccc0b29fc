"""``/servers/{id}/os-interface``: the server's ports (Nova's
attach_interfaces API, behind ``openstack server add/remove port|network``).

Ports are read from the Network service (those whose ``device_id`` is the
server); attaching makes or takes a port and binds it to the server's host,
detaching deletes a port made for the server or unbinds a given one."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion

_FIXED_IPS = {'type': 'array', 'minItems': 1, 'maxItems': 1, 'items': {
    'type': 'object', 'properties': {'ip_address': {'type': 'string'}},
    'required': ['ip_address'], 'additionalProperties': False}}
CREATE = {'type': 'object', 'properties': {'interfaceAttachment': {
    'type': 'object', 'properties': {
        'net_id': {'type': 'string', 'format': 'uuid'},
        'port_id': {'type': 'string', 'format': 'uuid'},
        'fixed_ips': _FIXED_IPS,
        'tag': {'type': 'string', 'maxLength': 60}},
    'additionalProperties': False}},
    'additionalProperties': False}


def interface_view(req, port):
    view = {'port_state': port.get('status'),
            'fixed_ips': [{'subnet_id': ip['subnet_id'], 'ip_address': ip['ip_address']}
                          for ip in port.get('fixed_ips') or ()],
            'port_id': port['id'], 'net_id': port['network_id'],
            'mac_addr': port.get('mac_address')}
    if microversion.api_version(req) >= (2, 70):
        view['tag'] = None
    return view


class InterfacesController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy

    def _authorize(self, req, server_id, action):
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:os-attach-interfaces:%s' % action,
                              {'project_id': instance['project_id']})

    def index(self, req, server_id):
        self._authorize(req, server_id, 'list')
        return {'interfaceAttachments': [interface_view(req, p) for p in
                                         self.api.interfaces(req.context, server_id)]}

    def show(self, req, server_id, port_id):
        self._authorize(req, server_id, 'show')
        return {'interfaceAttachment': interface_view(
            req, self.api.interface(req.context, server_id, port_id))}

    def create(self, req, server_id):
        self._authorize(req, server_id, 'create')
        body = req.json_body() if req.body else {}
        wsgi.check_schema(CREATE, body)
        attachment = body.get('interfaceAttachment') or {}
        if 'tag' in attachment and microversion.api_version(req) < (2, 49):
            raise exception.ValidationError('Invalid input for field/attribute '
                                            'interfaceAttachment: tag is not allowed before '
                                            'microversion 2.49')
        net_id, port_id = attachment.get('net_id'), attachment.get('port_id')
        if net_id and port_id:
            raise exception.BadRequest('Must not input both network_id and port_id')
        fixed_ips = attachment.get('fixed_ips')
        if fixed_ips and not net_id:
            raise exception.BadRequest('Must input network_id when request IP address')
        port = self.api.attach_interface(
            req.context, server_id, network_id=net_id, port_id=port_id,
            fixed_ip=fixed_ips[0]['ip_address'] if fixed_ips else None)
        return {'interfaceAttachment': interface_view(req, port)}

    @wsgi.status(202)
    def delete(self, req, server_id, port_id):
        self._authorize(req, server_id, 'delete')
        self.api.detach_interface(req.context, server_id, port_id)


def security_group_view(group):
    """A Neutron security group in Nova's format (ingress rules only)."""
    rules = []
    for rule in group.get('security_group_rules') or ():
        if rule.get('direction') != 'ingress':
            continue
        protocol = rule.get('protocol')
        from_port, to_port = rule.get('port_range_min'), rule.get('port_range_max')
        if protocol in ('icmp', '1'):
            from_port = -1 if from_port is None else from_port
            to_port = -1 if to_port is None else to_port
        rules.append({'id': rule['id'], 'parent_group_id': rule['security_group_id'],
                      'ip_protocol': protocol, 'from_port': from_port, 'to_port': to_port,
                      'group': {'name': rule['remote_group_id'],
                                'tenant_id': rule.get('tenant_id') or rule.get('project_id')}
                      if rule.get('remote_group_id') else {},
                      'ip_range': {'cidr': rule['remote_ip_prefix']}
                      if rule.get('remote_ip_prefix') else {}})
    return {'id': group['id'], 'name': group['name'],
            'description': group.get('description') or '',
            'tenant_id': group.get('tenant_id') or group.get('project_id'), 'rules': rules}


class ServerSecurityGroupsController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy

    def index(self, req, server_id):
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:os-security-groups:list',
                              {'project_id': instance['project_id']})
        groups = self.api.security_groups(req.context, server_id)
        names = {g['id']: g['name'] for g in groups}
        views = [security_group_view(g) for g in groups]
        for view in views:
            for rule in view['rules']:
                if rule['group']:
                    rule['group']['name'] = names.get(rule['group']['name'],
                                                      rule['group']['name'])
        return {'security_groups': views}


def routes(service):
    ctl = InterfacesController(service)
    groups = ServerSecurityGroupsController(service)
    return [
        wsgi.Route('/servers/{server_id}/os-interface', GET=(ctl, 'index'),
                   POST=(ctl, 'create')),
        wsgi.Route('/servers/{server_id}/os-interface/{port_id}', GET=(ctl, 'show'),
                   DELETE=(ctl, 'delete')),
        wsgi.Route('/servers/{server_id}/os-security-groups', GET=(groups, 'index')),
    ]
