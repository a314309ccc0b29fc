"""An in-process compute cloud for each test.

* the Image API served for real on a free port (its ``noauth`` pipeline: the
  token ``user:project`` names the caller), with the default image uploaded —
  the compute API reaches it over HTTP with the user's token, as Nova reaches
  Glance;
* the Compute API loaded from its paste file on the ``noauth2`` pipeline and
  called in-process (:class:`ComputeClient`);
* the conductor, scheduler and compute hosts ``compute1``/``compute2`` as RPC
  services on the in-process bus (common/memory_bus.py), stopped at teardown;
* with ``network=True``, the Network API served for real on a free port too
  (its ``noauth`` pipeline, so compute's ``user:project`` tokens pass through
  and ``admin:admin`` is the admin) — the compute services reach it over
  HTTP as Nova reaches Neutron.  Without it, Compute has no Network service.

The in-process bus is process-global and every cloud uses the same default
virtual host and topics.  Tests of one xdist worker run one after another, so each cloud
starts on emptied queues: a message a previous test left behind (a reschedule
cast while its services stopped) can never reach this test's services.
"""
import threading
import time

import pytest
import sqlalchemy as sa
from pocketstack.common import memory_bus, server, wsgi
from pocketstack.compute import processes
from pocketstack.compute import service as compute_service
from pocketstack.compute.db import allocations as db_allocations
from pocketstack.compute.db import models
from pocketstack.image import default_image
from pocketstack.image import service as image_service
from tests.conftest import ApiClient, ComputeClient, make_conf, make_image_conf

IMAGE_NAME = 'cirros-0.6.3-x86_64-disk'
DEADLINE_S = 30


class ComputeCloud:

    def __init__(self, tmp_path, overrides, services, network=False):
        self.network_server = self.network_service = self.network_app = None
        network_overrides = {}
        if network:
            self._start_network(tmp_path / 'network')
            network_overrides = {('neutron', 'endpoint_override'): self.network_url}
        self.image_conf = make_image_conf(tmp_path)
        self.image_app = wsgi.load_app(self.image_conf, 'image')
        self.image_service = image_service.ImageService.for_conf(self.image_conf)
        self.image_server = server.ThreadedServer('image', self.image_app, '127.0.0.1',
                                                  server.free_port())
        self.image_server.start()
        self.image = default_image.register(self.image_service, 'admin', IMAGE_NAME)
        self.image_url = 'http://127.0.0.1:%d' % self.image_server.port
        self.conf = make_conf('compute', tmp_path, overrides={
            ('DEFAULT', 'auth_strategy'): 'noauth2',
            ('glance', 'endpoint_override'): self.image_url, **network_overrides,
            **(overrides or {})})
        self.service = compute_service.ComputeService.for_conf(self.conf)
        self.service.flavors.ensure_defaults()
        self.app = wsgi.load_app(self.conf, 'osapi_compute')
        self.rpc_services = []
        memory_bus.purge()
        self.start(*services)

    def _start_network(self, state_path):
        from pocketstack.network import service as network_service
        state_path.mkdir()
        self.network_conf = make_conf('network', state_path, overrides={
            ('DEFAULT', 'auth_strategy'): 'noauth'})
        self.network_app = wsgi.load_app(self.network_conf, 'neutron')
        self.network_service = network_service.NetworkService.for_conf(self.network_conf)
        self.network_server = server.ThreadedServer('network', self.network_app, '127.0.0.1',
                                                    server.free_port())
        self.network_server.start()
        self.network_url = 'http://127.0.0.1:%d' % self.network_server.port

    def start(self, *kinds):
        """Start RPC services: 'conductor', 'scheduler', 'compute' (every
        configured host).  A compute host waits for a conductor to answer its
        first heartbeat, as nova-compute does: started before any conductor,
        it starts in a thread of its own, which ends once one is started."""
        started = []
        for kind in kinds:
            if kind == 'compute':
                started += [processes.compute(self.conf, h) for h in self.conf.compute_hosts]
            else:
                started.append(getattr(processes, kind)(self.conf))
        conductor = any(s.topic == 'conductor' for s in self.rpc_services + started)
        for svc in started:
            if svc.topic == 'compute' and not conductor:
                threading.Thread(target=svc.start, daemon=True).start()
            else:
                svc.start()
            self.rpc_services.append(svc)

    def restart(self, kind, hosts=None):
        """Stop the RPC services of ``kind`` ('conductor', 'scheduler',
        'compute': those of ``hosts``, default all) and start new ones, as
        after a crash: a new compute host has an empty hypervisor and looks
        over its instances before it serves (ComputeManager.init_host)."""
        old = [s for s in self.rpc_services   # a service's topic is its kind
               if s.topic == kind and (hosts is None or s.host in hosts)]
        processes.stop_all(old)
        self.rpc_services = [s for s in self.rpc_services if s not in old]
        if kind == 'compute':
            restarted = [processes.compute(self.conf, svc.host) for svc in old]
        else:
            restarted = [getattr(processes, kind)(self.conf)]
        for svc in restarted:
            svc.start()
            self.rpc_services.append(svc)

    def stop(self):
        processes.stop_all(self.rpc_services)
        self.image_server.stop()
        self.service.db.dispose()
        self.image_service.db.dispose()
        if self.network_server is not None:
            self.network_server.stop()
            self.network_service.db.dispose()

    # -- callers -------------------------------------------------------------------

    def client(self, user='alice', project='p1', version=None, roles=None):
        return ComputeClient(self.app, user, project, version, roles)

    def admin(self, version=None):
        return self.client('admin', 'admin', version)

    def network_client(self, user='alice', project='p1'):
        """A caller of the Network API (``/v2.0/…``); ``admin`` is its admin."""
        return ApiClient(self.network_app, '%s:%s' % (user, project),
                         host='http://127.0.0.1:9696')

    def image_client(self, user='admin', project='admin'):
        return ApiClient(self.image_app, '%s:%s' % (user, project),
                         host='http://127.0.0.1:9292')

    # -- servers -------------------------------------------------------------------

    def boot(self, client, name='s1', flavor='42', image=None, **extra):
        """POST /servers; asserts the 202 and returns the server's id."""
        server = dict({'name': name, 'imageRef': image or self.image['id'],
                       'flavorRef': flavor, 'networks': 'none'}, **extra)
        resp = client.at(client.version or '2.37').post('/servers', {'server': server})
        assert resp.status_int == 202, resp.body
        return resp.data['server']['id']

    def wait_for_status(self, client, server_id, *statuses, timeout=DEADLINE_S):
        """The server once its status is one of ``statuses`` and no task is
        running on it; fails at the deadline with what it was instead."""
        deadline = time.monotonic() + timeout
        while True:
            resp = client.get('/servers/%s' % server_id)
            if resp.status_int == 404 and 'DELETED' in statuses:
                return None
            assert resp.status_int == 200, resp.body
            server = resp.data['server']
            if server['status'] in statuses and server['OS-EXT-STS:task_state'] is None:
                return server
            if time.monotonic() > deadline:
                pytest.fail('server %s is %s (task %s), not %s after %ss' % (
                    server_id, server['status'], server['OS-EXT-STS:task_state'],
                    '/'.join(statuses), timeout))
            time.sleep(0.05)

    def wait_until(self, predicate, what, timeout=DEADLINE_S):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail('still not %s after %ss' % (what, timeout))
            time.sleep(0.05)

    def boot_active(self, client, name='s1', **kw):
        server_id = self.boot(client, name, **kw)
        return self.wait_for_status(client, server_id, 'ACTIVE')

    # -- what the services recorded --------------------------------------------------

    def allocations(self):
        """{host: {'vcpus', 'memory_mb', 'disk_gb', 'count'}} the scheduler has claimed."""
        with self.service.db.reader() as session:
            hosts = dict(session.execute(sa.select(models.ComputeNode.id,
                                                   models.ComputeNode.host)).all())
        usage = db_allocations.usage(self.service.db)
        return {hosts[node]: used for node, used in usage.items()}

    def consumers(self):
        """The consumer ids holding allocations."""
        with self.service.db.reader() as session:
            return set(session.scalars(sa.select(models.Allocation.consumer_id)))

    def actions(self, server_id, timeout=DEADLINE_S):
        """[(action, [(event, result, host)…])…] oldest first, as ``openstack
        server event list/show`` shows them, once every event has finished.
        As in Nova, a host finishes its event after the instance is saved
        ACTIVE, so a status wait alone can look a moment too early."""
        deadline = time.monotonic() + timeout
        while True:
            with self.service.db.reader() as session:
                rows = session.scalars(sa.select(models.InstanceAction).where(
                    models.InstanceAction.instance_uuid == server_id)
                    .order_by(models.InstanceAction.id)).all()
                actions = [(a.action, [(e.event, e.result, e.host) for e in a.events])
                           for a in rows]
            running = [e for _, events in actions for e in events if e[1] is None]
            if not running:
                return actions
            if time.monotonic() > deadline:
                pytest.fail('events of %s still running after %ss: %s' % (
                    server_id, timeout, running))
            time.sleep(0.02)

    def guests(self, host):
        """Instance uuids the fake hypervisor of ``host`` holds."""
        (svc,) = [s for s in self.rpc_services if s.topic == 'compute' and s.host == host]
        return set(svc.manager.driver.list_instance_uuids())




@pytest.fixture
def make_cloud(tmp_path):
    """``make_cloud(overrides={(group, option): value}, services=(…))``: a
    compute cloud on this test's state directory."""
    clouds = []

    def make(overrides=None, services=('conductor', 'scheduler', 'compute'), network=False):
        cloud = ComputeCloud(tmp_path, overrides, services, network=network)
        clouds.append(cloud)
        return cloud
    yield make
    for cloud in clouds:
        cloud.stop()


@pytest.fixture
def cloud(make_cloud):
    return make_cloud()


@pytest.fixture
def alice(cloud):
    """A member of project p1, asking for 2.37 (networks required)."""
    return cloud.client('alice', 'p1', '2.37')


@pytest.fixture
def admin(cloud):
    return cloud.admin('2.37')
