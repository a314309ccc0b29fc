"""Starting the compute RPC services: conductor, scheduler and compute hosts.

``pocketstack up`` starts one conductor, one scheduler and ``compute_hosts``
hosts in its own process; scaled out, ``pocketstack-conductor``,
``pocketstack-scheduler`` and ``pocketstack-compute --host NAME`` each start
one of them in a process of its own on a shared RabbitMQ.  The conductor and
the scheduler work on the compute database; a compute host never opens it
(it builds no ComputeService): it has only the bus, the Image and Network
APIs and its hypervisor.
"""
import concurrent.futures
import logging

from pocketstack.common import rpc
from pocketstack.compute import rpcapi
from pocketstack.compute.conductor import rpcapi as conductor_rpcapi
from pocketstack.compute.scheduler import rpcapi as scheduler_rpcapi

LOG = logging.getLogger(__name__)


class RpcService:
    """Managers served on one topic (the first is the one started and stopped)."""

    def __init__(self, conf, topic, host, *endpoints):
        self.topic = topic
        self.host = host
        self.manager = endpoints[0]
        self.endpoints = endpoints
        self.server = rpc.server(conf, topic, host, list(endpoints))

    def start(self):
        if hasattr(self.manager, 'start'):
            self.manager.start()
        self.server.start()
        LOG.info('%s listening on topic %s (server %s)',
                 ', '.join(type(e).__name__ for e in self.endpoints), self.topic, self.host)

    def stop(self):
        if hasattr(self.manager, 'stop'):
            self.manager.stop()
        self.server.stop()
        self.server.wait()


def conductor(conf, host=None):
    """Both of the conductor's endpoints on topic ``conductor``."""
    from pocketstack.compute.conductor import manager
    from pocketstack.compute.service import ComputeService
    service = ComputeService.for_conf(conf)
    host = host or conf.host
    return RpcService(conf, conductor_rpcapi.TOPIC, host,
                      manager.ComputeTaskManager(service, host),
                      manager.ConductorManager(service))


def scheduler(conf, host=None):
    from pocketstack.compute.scheduler import manager
    from pocketstack.compute.service import ComputeService
    service = ComputeService.for_conf(conf)
    return RpcService(conf, scheduler_rpcapi.TOPIC, host or conf.host,
                      manager.SchedulerManager(service))


def compute(conf, host):
    from pocketstack.compute import manager
    return RpcService(conf, rpcapi.TOPIC, host, manager.ComputeManager(conf, host))


# The order services stop in: compute hosts first (the work they still run
# calls the conductor), then the conductor (its flows call the scheduler),
# then the scheduler.  Each group stops side by side.
STOP_ORDER = (rpcapi.TOPIC, conductor_rpcapi.TOPIC, scheduler_rpcapi.TOPIC)


def stop_all(services):
    for topic in STOP_ORDER:
        group = [s for s in services if s.topic == topic]
        if group:
            with concurrent.futures.ThreadPoolExecutor(len(group)) as pool:
                list(pool.map(lambda svc: svc.stop(), group))


class AllInOne:
    """Conductor, scheduler and every configured compute host in this process."""

    def __init__(self, conf):
        # The conductor first: a compute host's first heartbeat waits for one.
        self.services = [conductor(conf), scheduler(conf)] + [
            compute(conf, host) for host in conf.compute_hosts]

    def start(self):
        for svc in self.services:
            svc.start()

    def stop(self):
        stop_all(self.services)


def all_in_one(conf):
    """``up``'s compute RPC services, started (registry.py's ``background``)."""
    processes = AllInOne(conf)
    processes.start()
    return [processes]
