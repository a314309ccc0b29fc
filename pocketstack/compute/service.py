"""The Compute service: its configuration, and the objects its API,
conductor and scheduler share.

Nova runs several kinds of process; pocketstack has the same ones:

    nova-api        REST API (rest/) → ComputeService's service objects
                    (api.py and friends: the rules) → db/ (every query)
    nova-conductor  conductor/manager.py — the task flows, and the database
                    work compute hosts ask for
    nova-scheduler  scheduler/manager.py — select_destinations, race-free claims
    nova-compute    manager.py + virt/ — one per host, drives the hypervisor

They talk over oslo.messaging (common/rpc.py); in ``pocketstack up`` all of
them share one process and the in-process bus (common/memory_bus.py), scaled out they are
separate processes on RabbitMQ.  The API, the conductor and the scheduler
use the compute database through :class:`ComputeService`; a compute host
builds none (it reads only the options below) and reaches the database only
through the conductor.
"""
from oslo_config import cfg

from pocketstack.common import rpc
from pocketstack.common import service

default_opts = [
    cfg.ListOpt('enabled_apis', default=['osapi_compute', 'metadata'],
                help='APIs to serve: osapi_compute (port 8774) and metadata (8775).'),
    cfg.StrOpt('auth_strategy', default='keystone', choices=['keystone', 'noauth2'],
               help='keystone: tokens checked by keystonemiddleware; noauth2: the token '
                    '"user:project" names the caller (tests only).'),
    cfg.StrOpt('compute_driver', default='fake',
               help='Hypervisor driver of compute hosts (entry point in '
                    'pocketstack.compute.drivers).'),
    cfg.StrOpt('default_availability_zone', default='nova',
               help='Availability zone of compute hosts that name none.'),
    cfg.StrOpt('default_schedule_zone',
               help='Zone a server is scheduled into when the request names none '
                    '(default: any).'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='Seconds without a heartbeat after which a service is down.'),
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between heartbeats of a compute host.'),
    cfg.FloatOpt('cpu_allocation_ratio', default=4.0, min=0.1,
                 help='Virtual CPUs a host may give out per physical CPU.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.0, min=0.1,
                 help='RAM a host may give out per MB it has.'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.1,
                 help='Disk a host may give out per GB it has.'),
    cfg.ListOpt('compute_hosts', default=['compute1', 'compute2'],
                help='Compute hosts `pocketstack up` runs in its process.'),
    cfg.IntOpt('rpc_response_timeout_s', default=60, min=1,
               help='Seconds an RPC call waits for its answer.'),
    cfg.IntOpt('instance_build_timeout', default=0, min=0,
               help='Seconds after which a build that has not reached a compute host '
                    'goes to ERROR (the conductor checks periodically; 0: never).'),
]
conductor_opts = [
    cfg.BoolOpt('fail_unplaced_builds_on_start', default=False,
                help='When the conductor starts, builds created before it that no '
                     'compute host has taken go to ERROR.  Only right when this '
                     'conductor is the only one and its scheduler restarted with it '
                     '(pocketstack up turns it on): scaled out, another conductor '
                     'may be placing them.'),
]
scheduler_opts = [
    cfg.IntOpt('max_attempts', default=3, min=1,
               help='Hosts a build is tried on before the server goes to ERROR.'),
]
fake_driver_opts = [
    cfg.IntOpt('vcpus', default=8, min=1, help='vCPUs each fake hypervisor has.'),
    cfg.IntOpt('memory_mb', default=16384, min=1, help='RAM (MB) each fake hypervisor has.'),
    cfg.IntOpt('local_gb', default=200, min=1, help='Disk (GB) each fake hypervisor has.'),
    cfg.FloatOpt('spawn_time', default=0.0, min=0,
                 help='Seconds a spawn takes (simulated).'),
]
quota_opts = [
    cfg.IntOpt('instances', default=10, help='Servers per project (-1: unlimited).'),
    cfg.IntOpt('cores', default=20, help='vCPUs per project (-1: unlimited).'),
    cfg.IntOpt('ram', default=51200, help='RAM (MB) per project (-1: unlimited).'),
    cfg.IntOpt('metadata_items', default=128, help='Metadata items per server.'),
    cfg.IntOpt('key_pairs', default=100, help='Key pairs per user.'),
    cfg.IntOpt('server_groups', default=10, help='Server groups per project.'),
    cfg.IntOpt('server_group_members', default=10, help='Servers per server group.'),
    cfg.IntOpt('injected_files', default=5, help='Files injected per server.'),
    cfg.IntOpt('injected_file_content_bytes', default=10240,
               help='Bytes per injected file.'),
    cfg.IntOpt('injected_file_path_length', default=255,
               help='Characters in an injected file path.'),
]
api_opts = [
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Most items a list returns in one page.'),
    cfg.StrOpt('dhcp_domain', default='novalocal',
               help='Domain appended to an instance\'s hostname in its metadata '
                    '(empty: the bare hostname).'),
]
glance_opts = [
    cfg.StrOpt('endpoint_override',
               help='Image API URL; default: the catalog\'s public image endpoint.'),
]
neutron_opts = [
    cfg.StrOpt('endpoint_override',
               help='Network API URL; default: the catalog\'s public network endpoint.'),
]
metadata_opts = [
    cfg.StrOpt('metadata_proxy_shared_secret', default='', secret=True,
               help='Secret shared with the metadata proxy: requests carry '
                    'X-Instance-ID-Signature, an HMAC-SHA256 of X-Instance-ID with it.'),
]


class ComputeService(service.Service):
    """What every compute process of one configuration shares."""

    name = 'compute'
    apis = (('osapi_compute', 8774), ('metadata', 8775))
    options = {None: default_opts, 'conductor': conductor_opts, 'scheduler': scheduler_opts,
               'fake_driver': fake_driver_opts,
               'quota': quota_opts, 'api': api_opts, 'glance': glance_opts,
               'neutron': neutron_opts, 'metadata': metadata_opts}
    authtoken = True

    @classmethod
    def register_opts(cls, conf):
        """Every compute process's options (compute hosts' too: they parse
        the same compute.conf), oslo.messaging's among them."""
        super().register_opts(conf)
        rpc.register_opts(conf)

    @classmethod
    def list_opts(cls):
        return super().list_opts() + rpc.list_opts()

    def __init__(self, conf):
        from pocketstack.compute import (actions, aggregates, api, flavors, hosts, image,
                                         keypairs, migrations, network, quotas, rpcapi,
                                         server_groups)
        from pocketstack.compute.conductor import rpcapi as conductor_rpcapi
        from pocketstack.compute.scheduler import rpcapi as scheduler_rpcapi
        super().__init__(conf)
        # The other services' REST APIs, and the compute processes' RPC APIs.
        self.images = image.ImageClient(conf)
        self.network = network.NetworkClient(conf)
        self.compute_rpcapi = rpcapi.ComputeAPI(conf)
        self.compute_task_rpcapi = conductor_rpcapi.ComputeTaskAPI(conf)
        self.scheduler_rpcapi = scheduler_rpcapi.SchedulerAPI(conf)
        # The rules of each resource, over compute/db/.
        self.hosts = hosts.HostAPI(self)
        self.quotas = quotas.QuotaAPI(self)
        self.flavors = flavors.FlavorManager(self)
        self.keypairs = keypairs.KeypairManager(self)
        self.aggregates = aggregates.AggregateAPI(self)
        self.server_groups = server_groups.ServerGroupAPI(self)
        self.actions = actions.InstanceActionAPI(self)
        self.migrations = migrations.MigrationAPI(self)
        self.api = api.API(self)


def on_first_start(conf, identity):
    """``pocketstack up``'s hook: DevStack's flavors in a new compute database."""
    service = ComputeService.for_conf(conf)
    if service.schema_created:
        service.flavors.ensure_defaults()
