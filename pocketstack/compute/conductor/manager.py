"""nova-conductor: the task flows that span hosts, and the database work of
compute hosts, which have no database of their own.  Two endpoints serve
topic ``conductor``, as in Nova:

``ComputeTaskManager`` (namespace ``compute_task``).  ``build_instances`` is
the middle of seed 004's ``nova boot``: the API cast it; it *calls* the
scheduler (``select_destinations``, which claims a host for each instance)
and then *casts* ``build_and_run_instance`` to each chosen compute host.  A
compute host whose spawn failed casts ``build_instances`` back here with
itself excluded (a reschedule), up to ``[scheduler] max_attempts``.
``unshelve_instance`` and ``resize_instance`` schedule the same way before
handing over to a host.

``ConductorManager`` (the default namespace): what a compute host reads and
saves — its instances, their action events, claims and moves, and its own
heartbeat — each a *call* into compute/db/ (Nova's remotable objects).

Builds that never reached a host are the conductor's to end, since no
compute host knows them: with ``instance_build_timeout`` (seconds; 0, the
default, is off, as in Nova) a periodic check fails those building longer
than that, and with ``[conductor] fail_unplaced_builds_on_start`` (set by
``pocketstack up`` only, where every process restarts together) the
conductor fails, before it serves, those created before it started — the
conductor and scheduler that were placing them are gone.  Each goes to ERROR
with a fault and its claim released.  Unshelves it was scheduling then are
undone too (the server stays shelved offloaded).  Builds on a host are that host's
(manager.py: ``init_host``).
"""
import contextlib
import datetime
import logging
import threading

from pocketstack.common import rpc
from pocketstack.common import utils
from pocketstack.compute import actions
from pocketstack.compute import events
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import hosts
from pocketstack.compute import states
from pocketstack.compute.db import actions as db_actions
from pocketstack.compute.db import allocations as db_allocations
from pocketstack.compute.db import hosts as db_hosts
from pocketstack.compute.db import instances as db_instances

LOG = logging.getLogger(__name__)


class ComputeTaskManager:

    target = rpc.Target(namespace='compute_task', version='1.0')

    def __init__(self, service, host):
        self.host = host
        self.conf = service.conf
        self.db = service.db
        self.migrations = service.migrations
        self.scheduler = service.scheduler_rpcapi
        self.compute = service.compute_rpcapi
        self._stop = threading.Event()
        self._checker = None

    # -- builds no host took ---------------------------------------------------------

    def start(self):
        """Before the conductor serves (processes.RpcService.start)."""
        if self.conf.conductor.fail_unplaced_builds_on_start:
            started = utils.utcnow()
            self._fail_unplaced_builds(started,
                                       'the conductor restarted before it reached a host')
            self._undo_unplaced_unshelves(started)
        if self.conf.instance_build_timeout:
            self._checker = threading.Thread(target=self._check_build_timeouts, daemon=True,
                                             name='build-timeouts-%s' % self.host)
            self._checker.start()

    def stop(self):
        self._stop.set()

    def _check_build_timeouts(self):
        timeout = self.conf.instance_build_timeout
        # A stuck build fails within a quarter of the timeout past it; the
        # query is one indexed read, so a check every second costs nothing.
        interval = min(60.0, max(1.0, timeout / 4))
        while not self._stop.wait(interval):
            try:
                self._fail_unplaced_builds(
                    utils.utcnow() - datetime.timedelta(seconds=timeout),
                    'it reached no host within instance_build_timeout (%d s)' % timeout)
            except Exception:  # noqa: BLE001 - the next check tries again
                LOG.exception('Could not check for builds past instance_build_timeout')

    def _fail_unplaced_builds(self, created_before, reason):
        """ERROR, with a fault, for each build no host holds created at or
        before ``created_before``.  Conditional on ``host IS NULL``: one a
        conductor places meanwhile is its host's, and that conductor's own
        update (expecting ``scheduling``) fails on one failed here."""
        for uuid in db_instances.unplaced_builds(self.db, created_before):
            fault = events.fault_of(compute_exc.OperationInterrupted(
                operation='Build', uuid=uuid, reason=reason))
            with self.db.writer():
                if not db_instances.fail(self.db, uuid, fault, host=self.host,
                                         expected_vm_state=states.BUILDING,
                                         expected_host=None, vm_state=states.ERROR,
                                         task_state=None, power_state=states.NOSTATE):
                    continue
                db_allocations.release(self.db, uuid)   # the scheduler may have claimed
            LOG.warning('Instance %s: build interrupted (%s); it is now ERROR', uuid, reason)

    def _undo_unplaced_unshelves(self, updated_before):
        """Unshelves a dead conductor was scheduling: the server stays shelved
        offloaded, as when no host has room (the user may unshelve again)."""
        for uuid in db_instances.unplaced_unshelves(self.db, updated_before):
            with self.db.writer():
                if db_instances.update(self.db, uuid, expected_task_state=states.UNSHELVING,
                                       expected_host=None, task_state=None):
                    db_allocations.release(self.db, uuid)
                    LOG.warning('Instance %s: its unshelve was interrupted; it stays '
                                'shelved offloaded', uuid)

    # -- the flows --------------------------------------------------------------------

    @contextlib.contextmanager
    def _events(self, context, uuids, name):
        """The step ``name`` recorded on each instance's current action."""
        with contextlib.ExitStack() as stack:
            for uuid in uuids:
                stack.enter_context(actions.event(self.db, context, uuid, name, self.host))
            yield

    def build_instances(self, context, instance_uuids, request_spec, excluded_hosts=(),
                        attempt=1):
        try:
            with self._events(context, instance_uuids, 'conductor_schedule_and_build_instances'):
                selections = self.scheduler.select_destinations(
                    context, request_spec, instance_uuids, excluded_hosts)
        except compute_exc.NoValidHost as e:
            LOG.warning('Failed to schedule instances %s: %s', instance_uuids, e.message)
            for uuid in instance_uuids:
                # A reschedule with no host left means every try failed (Nova's
                # alternates exhausted), not that no host ever had room.
                error = compute_exc.retries_exhausted(uuid) if attempt > 1 else e
                db_instances.fail(self.db, uuid, events.fault_of(error), host=self.host,
                                  vm_state=states.ERROR, task_state=None)
            return
        for uuid, selection in zip(instance_uuids, selections):
            if not db_instances.update(self.db, uuid, expected_task_state=states.SCHEDULING,
                                       host=selection['host'], node=selection['nodename']):
                # Deleted while it was being scheduled: give the claim back.
                db_allocations.release(self.db, uuid)
                continue
            self.compute.build_and_run_instance(
                context, uuid, selection['host'], request_spec,
                excluded_hosts=list(excluded_hosts) + [selection['host']], attempt=attempt)

    def _schedule_one(self, context, instance_uuid, event, request_spec, consumer_id,
                      excluded_hosts=()):
        """A host claimed for one instance's move, or None when none has room
        (the task state is then undone, the instance left as it was)."""
        try:
            with self._events(context, [instance_uuid], event):
                (selection,) = self.scheduler.select_destinations(
                    context, request_spec, [consumer_id], excluded_hosts)
                return selection
        except compute_exc.NoValidHost as e:
            LOG.warning('No host for %s of instance %s: %s', event, instance_uuid, e.message)
            # A resize's new flavor stops counting against the quota.
            db_instances.fail(self.db, instance_uuid, events.fault_of(e), host=self.host,
                              task_state=None, new_flavor=None)
            return None

    def unshelve_instance(self, context, instance_uuid, request_spec):
        selection = self._schedule_one(context, instance_uuid, 'conductor_unshelve_instance',
                                       request_spec, instance_uuid)
        if selection is not None:
            self.compute.unshelve_instance(context, instance_uuid, selection['host'],
                                           selection['nodename'])

    def resize_instance(self, context, instance_uuid, request_spec, new_flavor):
        """Choose a destination for the new flavor (never the current host),
        claimed for the migration, and let it prepare."""
        instance = db_instances.get(self.db, instance_uuid)
        selection = self._schedule_one(
            context, instance_uuid, 'conductor_migrate_server', dict(request_spec,
                                                                     flavor=new_flavor),
            'resize-' + instance_uuid, excluded_hosts=[instance['host']])
        if selection is None:
            self.migrations.update(instance_uuid, 'error')
            return
        self.migrations.update(instance_uuid, 'pre-migrating', dest_compute=selection['host'],
                               dest_node=selection['nodename'], dest_host=selection['host'])
        self.compute.prep_resize(context, instance_uuid, selection['host'],
                                 selection['nodename'], new_flavor)


class ConductorManager:
    """Each method is one call of conductor/rpcapi.ConductorAPI (whose
    docstring has the versions)."""

    target = rpc.Target(version='1.1')

    def __init__(self, service):
        self.db = service.db
        self.migrations = service.migrations

    @rpc.expected_exceptions(compute_exc.InstanceNotFound)
    def instance_get(self, context, uuid):
        return db_instances.get(self.db, uuid)

    def instance_update(self, context, uuid, values, expected, returning=False):
        with self.db.writer():
            changed = db_instances.update(
                self.db, uuid, expected_task_state=expected.get('task_state', db_instances.ANY),
                expected_vm_state=expected.get('vm_state', db_instances.ANY), **values)
            if not returning:
                return changed
            return db_instances.get(self.db, uuid) if changed else None

    def instances_on_host(self, context, host):
        return db_instances.on_host(self.db, host)

    def instance_fail(self, context, uuid, fault, host, values):
        return db_instances.fail(self.db, uuid, fault, host, **values)

    def instance_destroy(self, context, uuid):
        return db_instances.destroy(self.db, uuid)

    def event_start(self, context, uuid, name, host):
        return db_actions.start_event(self.db, context.request_id, uuid, name, host)

    def event_finish(self, context, event_id, traceback):
        db_actions.finish_event(self.db, event_id, traceback)

    def allocations_release(self, context, consumer_id):
        db_allocations.release(self.db, consumer_id)

    def allocations_confirm_resize(self, context, instance_uuid):
        db_allocations.confirm_resize(self.db, instance_uuid)

    def migration_update(self, context, instance_uuid, status):
        self.migrations.update(instance_uuid, status)

    def host_report(self, context, host, zone, resources, ratios):
        db_hosts.report(self.db, host, hosts.BINARY, 'compute', zone, resources, ratios)
