"""The networks ``pocketstack up`` makes on first start, as DevStack does,
so ``openstack server create --network private`` and floating IPs work at
once:

* ``public`` (admin project): external, flat on physical network
  ``public``, subnet ``public-subnet`` 172.24.4.0/24 without DHCP;
* ``shared`` (admin project, shared): subnet ``shared-subnet`` 192.168.233.0/24;
* ``private`` (demo project): subnet ``private-subnet`` 10.0.0.0/26;
* ``router1`` (demo project): gateway on ``public``, interface on
  ``private-subnet``.
"""
import logging

from pocketstack.common import context as ctx_mod
from pocketstack.common import exception as common_exception

LOG = logging.getLogger(__name__)

PUBLIC_CIDR, PUBLIC_GATEWAY = '172.24.4.0/24', '172.24.4.1'
PUBLIC_POOL = {'start': '172.24.4.2', 'end': '172.24.4.254'}
SHARED_CIDR = '192.168.233.0/24'
PRIVATE_CIDR, PRIVATE_GATEWAY = '10.0.0.0/26', '10.0.0.1'


def _subnet(name, network, cidr, **extra):
    return dict({'name': name, 'network_id': network['id'], 'project_id': network['project_id'],
                 'ip_version': 4, 'cidr': cidr}, **extra)


def create_default_networks(network_service, admin_project_id, demo_project_id=None):
    """Create DevStack's networks in one transaction; returns {name: id}."""
    core = network_service.core_plugin
    l3 = network_service.plugin_for('routers')
    context = ctx_mod.admin_context()
    context.project_id = admin_project_id
    made = {}
    with network_service.db.writer():
        public = core.create_network(context, {
            'name': 'public', 'project_id': admin_project_id, 'admin_state_up': True,
            'shared': False, 'router:external': True, 'provider:network_type': 'flat',
            'provider:physical_network': 'public'})
        core.create_subnet(context, _subnet(
            'public-subnet', public, PUBLIC_CIDR, gateway_ip=PUBLIC_GATEWAY,
            allocation_pools=[PUBLIC_POOL], enable_dhcp=False))
        shared = core.create_network(context, {
            'name': 'shared', 'project_id': admin_project_id, 'admin_state_up': True,
            'shared': True})
        core.create_subnet(context, _subnet('shared-subnet', shared, SHARED_CIDR,
                                            enable_dhcp=True))
        made.update(public=public['id'], shared=shared['id'])
        if demo_project_id is None:
            return made
        private = core.create_network(context, {
            'name': 'private', 'project_id': demo_project_id, 'admin_state_up': True})
        private_subnet = core.create_subnet(context, _subnet(
            'private-subnet', private, PRIVATE_CIDR, gateway_ip=PRIVATE_GATEWAY,
            enable_dhcp=True))
        made['private'] = private['id']
        if l3 is not None:
            router = l3.create_router(context, {
                'name': 'router1', 'project_id': demo_project_id, 'admin_state_up': True,
                'external_gateway_info': {'network_id': public['id']}})
            l3.add_router_interface(context, router['id'],
                                    {'subnet_id': private_subnet['id']})
            made['router1'] = router['id']
    return made


def on_first_start(conf, identity):
    """``pocketstack up``'s hook: DevStack's networks in a new network database."""
    from pocketstack.network import service as network_service
    network = network_service.NetworkService.for_conf(conf)
    if not network.schema_created:
        return
    admin = identity.resource.get_project_by_name('admin', 'default')
    try:
        demo_id = identity.resource.get_project_by_name('demo', 'default')['id']
    except common_exception.NotFound:
        demo_id = None   # bootstrapped without the demo project
    made = create_default_networks(network, admin['id'], demo_id)
    LOG.info('Created the default networks %s', ', '.join(sorted(made)))
