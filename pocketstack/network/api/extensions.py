"""``GET /v2.0/extensions[/{alias}]``: what this Network API implements.

Only the aliases of the loaded plugins and of the API layer itself are
listed, so a client that probes for an extension (openstacksdk, Nova,
python-openstackclient) only uses what really works here.
"""
from pocketstack.common import exception as common_exception

# Implemented by the API layer for every resource.
API_ALIASES = ('pagination', 'sorting', 'filter-validation', 'project-id',
               'revision-if-match', 'standard-attr-revisions', 'standard-attr-description',
               'standard-attr-timestamp', 'availability_zone')

# alias -> (name, description) as Neutron describes its extensions
DESCRIPTIONS = {
    'pagination': ('Pagination support', 'Extension that indicates that pagination is '
                   'enabled.'),
    'sorting': ('Sorting support', 'Extension that indicates that sorting is enabled.'),
    'filter-validation': ('Filter parameters validation', 'Provides validation on filter '
                          'parameters.'),
    'project-id': ('project_id field enabled', 'Extension that indicates that project_id '
                   'field is enabled.'),
    'revision-if-match': ('If-Match constraints based on revision_number', 'Extension '
                          'indicating that If-Match based on revision_number is supported.'),
    'standard-attr-revisions': ('Resource revision numbers', 'This extension will display '
                                'the revision number of neutron resources.'),
    'standard-attr-description': ('standard-attr-description', 'Extension to add '
                                  'descriptions to standard attributes'),
    'standard-attr-timestamp': ('Resource timestamps', 'Adds created_at and updated_at '
                                'fields to all Neutron resources that have Neutron standard '
                                'attributes.'),
    'standard-attr-tag': ('Tag support for resources with standard attribute',
                          'Enables to set tag on resources with standard attribute.'),
    'tag-ext': ('Tag support for resources: subnet, subnetpool, port, router',
                'Extends tag support to more L2 and L3 resources.'),
    'availability_zone': ('Availability Zone', 'The availability zone extension.'),
    'network_availability_zone': ('Network Availability Zone', 'Availability zone support '
                                  'for network.'),
    'router_availability_zone': ('Router Availability Zone', 'Availability zone support for '
                                 'router.'),
    'network': ('Network', 'Networks: isolated layer-2 domains.'),
    'subnet': ('Subnet', 'Subnets: IP address blocks of a network.'),
    'port': ('Port', 'Ports: connection points of devices to a network.'),
    'provider': ('Provider Network', 'Expose mapping of virtual networks to physical '
                 'networks'),
    'external-net': ('Neutron external network', 'Adds external network attribute to '
                     'network resource.'),
    'binding': ('Port Binding', 'Expose port bindings of a virtual port to external '
                'application'),
    'security-group': ('security-group', 'The security groups extension.'),
    'stateful-security-group': ('Stateful security group', 'Indicates if the security '
                                'group is stateful or not'),
    'port-security': ('Port Security', 'Provides port security'),
    'allowed-address-pairs': ('Allowed Address Pairs', 'Provides allowed address pairs'),
    'net-mtu': ('Network MTU', 'Provides MTU attribute for a network resource.'),
    'net-mtu-writable': ('Network MTU (writable)', 'Provides a writable MTU attribute for a '
                         'network resource.'),
    'extra_dhcp_opt': ('Neutron Extra DHCP options', 'Extra options configuration for DHCP.'),
    'router': ('Neutron L3 Router', 'Router abstraction for basic L3 forwarding between L2 '
               'Neutron networks and access to external networks via a NAT gateway.'),
    'ext-gw-mode': ('Neutron L3 Configurable external gateway mode', 'Extension of the '
                    'router abstraction for specifying whether SNAT should occur on the '
                    'external gateway'),
    'extraroute': ('Neutron Extra Route', 'Extra routes configuration for L3 router'),
    'extraroute-atomic': ('Atomically add/remove extra routes', 'Edit extra routes of a '
                          'router on server side by atomically adding/removing extra routes'),
    'l3-ha': ('HA Router extension', 'Adds HA capability to routers.'),
    'dvr': ('Distributed Virtual Router', 'Enables configuration of Distributed Virtual '
            'Routers.'),
    'fip-port-details': ('Floating IP Port Details Extension', 'Add port_details attribute '
                         'to Floating IP resource'),
    'quotas': ('Quota management support', 'Expose functions for quotas management per '
               'tenant'),
    'quota_details': ('Quota details management support', 'Expose functions for quotas '
                      'usage statistics per project'),
    'network-ip-availability': ('Network IP Availability', 'Provides IP availability data '
                                'for each network and subnet.'),
    'agent': ('agent', 'The agent management extension.'),
}


def _view(alias):
    name, description = DESCRIPTIONS.get(alias, (alias, alias))
    return {'alias': alias, 'name': name, 'description': description, 'links': [],
            'updated': '2013-01-20T00:00:00-00:00'}


class ExtensionsController:

    def __init__(self, service):
        self.service = service

    def aliases(self):
        aliases = list(API_ALIASES)
        aliases += [a for a in self.service.extension_aliases if a not in aliases]
        return aliases

    def index(self, req):
        return {'extensions': [_view(alias) for alias in self.aliases()]}

    def show(self, req, alias):
        if alias not in self.aliases():
            raise common_exception.NotFound('Extension with alias %s does not exist' % alias)
        return {'extension': _view(alias)}


class AvailabilityZonesController:
    """``GET /v2.0/availability_zones``: the one zone networks and routers
    are placed in (no agents here to spread them)."""

    def __init__(self, service):
        self.service = service

    def index(self, req):
        zones = self.service.conf.default_availability_zones or ['nova']
        return {'availability_zones': [
            {'name': zone, 'resource': resource, 'state': 'available'}
            for zone in zones for resource in ('network', 'router')]}
