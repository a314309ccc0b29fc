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
import threading

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
        self._starting = []
        self._failures = []

    def _hosts(self):
        return [svc for svc in self.services if svc.topic == rpcapi.TOPIC]

    def start(self):
        """The conductor and the scheduler now; each compute host in a thread
        of its own, because its start (init_host) may call the Identity and
        Network APIs, which ``up`` serves only after this returns.  ``up``
        says ready only once every host serves (wait_started), so no
        client's request is cast to a host that is not consuming yet."""
        for svc in self.services:
            if svc.topic != rpcapi.TOPIC:
                svc.start()
        for svc in self._hosts():
            thread = threading.Thread(target=self._start_host, args=(svc,), daemon=True,
                                      name='start-%s' % svc.host)
            thread.start()
            self._starting.append(thread)

    def _start_host(self, svc):
        try:
            svc.start()
        except BaseException as e:
            self._failures.append(e)
            raise

    def wait_started(self):
        """Until every compute host has looked over its instances and serves
        its topic (``up`` says ready only then)."""
        for thread in self._starting:
            thread.join()
        if self._failures:
            raise self._failures[0]

    def stop(self):
        for svc in self._hosts():
            svc.manager.stop()   # a host still starting gives up waiting
        for thread in self._starting:
            thread.join()
        stop_all(self.services)


def all_in_one(conf):
    """``up``'s compute RPC services, started (registry.py's ``background``)."""
    processes = AllInOne(conf)
    processes.start()
    return [processes]
