"""The Network service object: configuration, database, policy and plugins.

As in neutron-server, the API knows nothing of networks itself: each REST
resource is served by a plugin chosen by entry point —

    core_plugin = ml2           networks, subnets, ports (+ security groups)
    service_plugins = router    routers, floating IPs (L3)

``service.plugin_for(resource)`` answers which plugin object serves a
collection (e.g. ``'routers'``); the API router calls its Neutron-named
methods (``create_router``, ``get_routers``, …).
"""
from oslo_config import cfg

from pocketstack.common import service
from pocketstack.network import agents

API_NAME = 'network'
DEFAULT_PORT = 9696

CORE_PLUGINS = 'pocketstack.network.core_plugins'
SERVICE_PLUGINS = 'pocketstack.network.service_plugins'

default_opts = [
    cfg.StrOpt('auth_strategy', default='keystone', choices=['keystone', 'noauth'],
               help='keystone: tokens checked by keystonemiddleware; noauth: the token '
                    '"user:project" names the caller (tests only).'),
    cfg.StrOpt('core_plugin', default='ml2',
               help='Core plugin (entry point in %s).' % CORE_PLUGINS),
    cfg.ListOpt('service_plugins', default=['router', 'tag', 'quotas',
                                            'network_ip_availability', 'agent'],
                help='Service plugins (entry points in %s).' % SERVICE_PLUGINS),
    cfg.StrOpt('base_mac', default='fa:16:3e:00:00:00',
               help='Base of generated MAC addresses: the first three octets are kept '
                    '(a fourth non-zero octet is kept too), the rest are random.'),
    cfg.IntOpt('global_physnet_mtu', default=1500, min=68,
               help='MTU of the underlying physical network; tenant networks of '
                    'overlay types get it minus the encapsulation overhead.'),
    cfg.IntOpt('pagination_max_limit', default=-1,
               help='Largest page a list may return (-1: no limit).'),
    cfg.IntOpt('max_fixed_ips_per_port', default=5, min=1,
               help='Most fixed IPs a port may have.'),
    cfg.BoolOpt('allow_overlapping_ips', default=True,
                help='Let different projects use overlapping CIDRs.'),
    cfg.ListOpt('default_availability_zones', default=[],
                help='Availability zones of networks and routers without hints.'),
    cfg.StrOpt('dns_domain', default='openstacklocal',
               help='Domain used for ports\' DNS names.'),
]
ml2_opts = [
    cfg.ListOpt('type_drivers', default=['local', 'flat', 'vlan', 'vxlan'],
                help='Network type drivers to load.'),
    cfg.ListOpt('tenant_network_types', default=['vxlan'],
                help='Network types of project networks, in order of preference.'),
    cfg.ListOpt('mechanism_drivers', default=['fake'],
                help='Mechanism drivers that bind ports.'),
    cfg.IntOpt('path_mtu', default=0,
               help='MTU of overlay paths (0: global_physnet_mtu).'),
]
ml2_type_flat_opts = [
    cfg.ListOpt('flat_networks', default=['*'],
                help='Physical networks flat networks may use (* = any).'),
]
ml2_type_vlan_opts = [
    cfg.ListOpt('network_vlan_ranges', default=['public', 'physnet1:1000:1999'],
                help='<physical_network>[:<vlan_min>:<vlan_max>]: physical networks, '
                     'and the VLAN ids project networks may be given on each.'),
]
ml2_type_vxlan_opts = [
    cfg.ListOpt('vni_ranges', default=['1:1000'],
                help='<vni_min>:<vni_max> ranges of VXLAN ids for project networks.'),
]
nova_opts = [
    cfg.StrOpt('endpoint_override',
               help='Compute API URL (…/v2.1) that port and floating IP changes are '
                    'reported to; default: the catalog\'s public compute endpoint.'),
]
quota_opts = [
    cfg.IntOpt('quota_network', default=100, help='Networks per project (-1: unlimited).'),
    cfg.IntOpt('quota_subnet', default=100, help='Subnets per project (-1: unlimited).'),
    cfg.IntOpt('quota_port', default=500, help='Ports per project (-1: unlimited).'),
    cfg.IntOpt('quota_router', default=10, help='Routers per project (-1: unlimited).'),
    cfg.IntOpt('quota_floatingip', default=50,
               help='Floating IPs per project (-1: unlimited).'),
    cfg.IntOpt('quota_security_group', default=10,
               help='Security groups per project (-1: unlimited).'),
    cfg.IntOpt('quota_security_group_rule', default=100,
               help='Security group rules per project (-1: unlimited).'),
]


class NetworkService(service.Service):

    name = API_NAME
    apis = ((API_NAME, DEFAULT_PORT),)
    options = {None: default_opts, 'ml2': ml2_opts, 'ml2_type_flat': ml2_type_flat_opts,
               'ml2_type_vlan': ml2_type_vlan_opts, 'ml2_type_vxlan': ml2_type_vxlan_opts,
               'quotas': quota_opts, 'nova': nova_opts, 'agent': agents.agent_opts}
    authtoken = True

    def __init__(self, conf):
        from pocketstack.network import nova_notifier
        super().__init__(conf)
        self.nova_notifier = nova_notifier.NovaNotifier(conf)
        self.core_plugin = _load(CORE_PLUGINS, conf.core_plugin, self)
        self.service_plugins = {name: _load(SERVICE_PLUGINS, name, self)
                                for name in conf.service_plugins}
        self._by_resource = {}
        for plugin in [self.core_plugin, *self.service_plugins.values()]:
            for resource in plugin.supported_resources:
                self._by_resource.setdefault(resource, plugin)

    def plugin_for(self, resource):
        """The plugin serving a collection ('networks', 'routers', …), or None."""
        return self._by_resource.get(resource)

    @property
    def extension_aliases(self):
        """What /v2.0/extensions lists: the aliases the loaded plugins implement."""
        aliases = []
        for plugin in [self.core_plugin, *self.service_plugins.values()]:
            aliases.extend(a for a in plugin.supported_extension_aliases if a not in aliases)
        return aliases


def _load(namespace, name, service):
    from stevedore import driver
    return driver.DriverManager(namespace, name, invoke_on_load=True,
                                invoke_args=(service,)).driver
