"""Starting the compute RPC services: conductor, scheduler and compute hosts.

``pocketstack up`` starts one conductor, one scheduler and ``compute_hosts``
hosts in its own process; scaled out, ``pocketstack-conductor``,
``pocketstack-scheduler`` and ``pocketstack-compute --host NAME`` each start
one of them in a process of its own on a shared RabbitMQ.
"""
import logging

from pocketstack.common import rpc
from pocketstack.compute import service as service_mod
from pocketstack.compute.conductor import rpcapi as conductor_rpcapi
from pocketstack.compute.scheduler import rpcapi as scheduler_rpcapi

LOG = logging.getLogger(__name__)


class RpcService:
    """One manager served on its topic."""

    def __init__(self, conf, topic, host, manager):
        self.topic = topic
        self.host = host
        self.manager = manager
        self.server = rpc.server(conf, topic, host, [manager])

    def start(self):
        if hasattr(self.manager, 'start'):
            self.manager.start()
        self.server.start()
        LOG.info('%s listening on topic %s (server %s)', type(self.manager).__name__,
                 self.topic, self.host)

    def stop(self):
        if hasattr(self.manager, 'stop'):
            self.manager.stop()
        self.server.stop()
        self.server.wait()


def conductor(conf, host=None):
    from pocketstack.compute.conductor import manager
    service = service_mod.ComputeService.for_conf(conf)
    host = host or conf.host
    return RpcService(conf, conductor_rpcapi.TOPIC, host, manager.ConductorManager(service, host))


def scheduler(conf, host=None):
    from pocketstack.compute.scheduler import manager
    service = service_mod.ComputeService.for_conf(conf)
    return RpcService(conf, scheduler_rpcapi.TOPIC, host or conf.host,
                      manager.SchedulerManager(service))


def compute(conf, host):
    from pocketstack.compute import manager, rpcapi
    service = service_mod.ComputeService.for_conf(conf)
    return RpcService(conf, rpcapi.TOPIC, host, manager.ComputeManager(service, host))


def all_in_one(conf):
    """Conductor, scheduler and every configured compute host, started."""
    services = [conductor(conf), scheduler(conf)] + [compute(conf, h) for h in conf.compute_hosts]
    for svc in services:
        svc.start()
    return services
