"""The Compute API in-process on its ``noauth2`` pipeline, with DevStack's
flavors, for the resources around servers (flavor management, key pairs,
limits, zones, hypervisors, services, actions, metadata, tags, ips).

No RPC service runs: what the other compute processes would have written —
compute hosts and their heartbeats, instances, their actions and events,
claims — is written straight into the compute database
(``compute.add_host``, ``compute.add_instance`` …), so these tests depend on
nothing but the API they exercise.
"""
import datetime
import uuid

import pytest
import sqlalchemy as sa

from pocketstack.common import context as ctx_mod
from pocketstack.common import rpc
from pocketstack.common import utils
from pocketstack.common import wsgi
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import hosts
from pocketstack.compute import service as compute_service
from pocketstack.compute.db import models
from pocketstack.compute.scheduler import manager as scheduler_manager
from tests.conftest import ComputeClient, make_conf

NANO = {'id': '42', 'name': 'm1.nano', 'ram': 128, 'vcpus': 1, 'disk': 1, 'ephemeral': 0,
        'swap': 0, 'extra_specs': {}}


class ComputeApi:

    def __init__(self, tmp_path, overrides=None):
        self.conf = make_conf('compute', tmp_path, overrides={
            ('DEFAULT', 'auth_strategy'): 'noauth2', **(overrides or {})})
        self.service = compute_service.ComputeService.for_conf(self.conf)
        self.service.flavors.ensure_defaults()
        self.app = wsgi.load_app(self.conf, 'osapi_compute')
        self.db = self.service.db

    def client(self, user='alice', project='p1', version=None, roles=None):
        return ComputeClient(self.app, user, project, version, roles)

    def admin(self, version=None):
        return self.client('admin', 'admin', version)

    # -- what other compute processes would have written ------------------------------

    def add_host(self, host, up=True, disabled=False, zone=None, vcpus=8, memory_mb=16384,
                 local_gb=200, binary=hosts.BINARY):
        """A compute host as its ComputeManager registers it: its service
        (heartbeat just now, or long ago when not ``up``) and hypervisor."""
        seen = utils.utcnow() - datetime.timedelta(
            seconds=0 if up else 10 * self.conf.service_down_time)
        with self.db.writer() as session:
            svc = models.Service(uuid=str(uuid.uuid4()), host=host, binary=binary,
                                 topic='compute', availability_zone=zone, disabled=disabled,
                                 last_seen_up=seen, updated_at=seen)
            session.add(svc)
            if binary == hosts.BINARY:
                session.add(models.ComputeNode(
                    uuid=str(uuid.uuid4()), host=host, hypervisor_hostname=host,
                    hypervisor_type='fake', vcpus=vcpus, memory_mb=memory_mb,
                    local_gb=local_gb, host_ip='192.0.2.1'))
            session.flush()
            return svc.uuid

    def schedule(self, zone=None):
        """The host the scheduler picks for an m1.nano server in ``zone``
        (any zone: None); None when there is no valid host."""
        scheduler = scheduler_manager.SchedulerManager(self.service)
        spec = {'flavor': {'vcpus': 1, 'ram': 128, 'disk': 1}, 'availability_zone': zone}
        try:
            (chosen,) = scheduler.select_destinations(ctx_mod.admin_context(), spec,
                                                      [str(uuid.uuid4())])
        except rpc.ExpectedException as e:
            # How an RPC method raises an error its callers expect (the
            # dispatcher hands the NoValidHost on as itself).
            if isinstance(e.exc_info[1], compute_exc.NoValidHost):
                return None
            raise
        return chosen['host']

    def node_id(self, host):
        with self.db.reader() as session:
            return session.scalar(sa.select(models.ComputeNode.id).where(
                models.ComputeNode.host == host))

    def claim(self, host, consumer_id, vcpus, memory_mb, disk_gb):
        """An allocation as the scheduler's claim writes it."""
        with self.db.writer() as session:
            session.add(models.Allocation(consumer_id=consumer_id, node_id=self.node_id(host),
                                          vcpus=vcpus, memory_mb=memory_mb, disk_gb=disk_gb))

    def add_instance(self, name='web', project_id='p1', user_id='alice', host='compute1',
                     flavor=None, vm_state='active', task_state=None, metadata=None, tags=(),
                     deleted=False, **columns):
        """An instance row as a finished boot leaves it; its uuid."""
        uuid_ = str(uuid.uuid4())
        now = utils.utcnow()
        with self.db.writer() as session:
            row = models.Instance(
                uuid=uuid_, user_id=user_id, project_id=project_id, display_name=name,
                hostname=name, flavor=flavor or NANO, vm_state=vm_state,
                task_state=task_state, power_state=1, host=host, node=host,
                created_at=now, updated_at=now, **columns)
            row.metadata_items = [models.InstanceMetadata(key=k, value=v)
                                  for k, v in (metadata or {}).items()]
            row.tags = [models.InstanceTag(tag=t) for t in tags]
            session.add(row)
            session.flush()
            if deleted:
                row.deleted, row.vm_state, row.deleted_at = row.id, 'deleted', now
        return uuid_

    def add_action(self, instance_uuid, action, request_id=None, user_id='alice',
                   project_id='p1', start_time=None, events=(), message=None):
        """An action with its events [(event, result, host, traceback,
        details)], each taking a second from ``start_time``; its request id."""
        request_id = request_id or 'req-%s' % uuid.uuid4()
        start = start_time or utils.utcnow()
        with self.db.writer() as session:
            row = models.InstanceAction(
                instance_uuid=instance_uuid, action=action, request_id=request_id,
                user_id=user_id, project_id=project_id, start_time=start, message=message)
            end = start
            for n, (event, result, host, trace, details) in enumerate(events):
                end = start + datetime.timedelta(seconds=n + 1)
                row.events.append(models.InstanceActionEvent(
                    event=event, result=result, host=host, traceback=trace, details=details,
                    start_time=start + datetime.timedelta(seconds=n), finish_time=end))
            if events:
                row.finish_time = row.updated_at = end
            session.add(row)
        return request_id

    def instance(self, instance_uuid):
        """The stored instance's metadata, tags and updated_at."""
        with self.db.reader() as session:
            row = session.scalar(sa.select(models.Instance).where(
                models.Instance.uuid == instance_uuid))
            return {'metadata': {m.key: m.value for m in row.metadata_items},
                    'tags': sorted(t.tag for t in row.tags), 'updated_at': row.updated_at}


@pytest.fixture
def compute(tmp_path):
    api = ComputeApi(tmp_path)
    yield api
    api.db.dispose()


@pytest.fixture
def make_compute(tmp_path):
    """``make_compute(overrides={(group, option): value})``."""
    made = []

    def make(overrides=None):
        api = ComputeApi(tmp_path, overrides)
        made.append(api)
        return api
    yield make
    for api in made:
        api.db.dispose()
