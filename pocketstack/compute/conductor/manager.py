"""nova-conductor: the task flows that span hosts.

``build_instances`` is the middle of seed 004's ``nova boot``: the API cast
it; it *calls* the scheduler (``select_destinations``, which claims a host for
each instance) and then *casts* ``build_and_run_instance`` to each chosen
compute host.  A compute host whose spawn failed casts ``build_instances``
back here with itself excluded (a reschedule), up to ``[scheduler]
max_attempts``.  ``unshelve_instance`` and ``resize_instance`` schedule the
same way before handing over to a host.
"""
import contextlib
import logging

from pocketstack.compute import exception as compute_exc
from pocketstack.compute import instances
from pocketstack.compute import migrations
from pocketstack.compute import states

LOG = logging.getLogger(__name__)


class ConductorManager:

    def __init__(self, service, host):
        self.service = service
        self.host = host
        self.db = service.db
        self.scheduler = service.scheduler_rpcapi
        self.compute = service.compute_rpcapi

    @contextlib.contextmanager
    def _events(self, context, uuids, name):
        """The step ``name`` recorded on each instance's current action."""
        with contextlib.ExitStack() as stack:
            for uuid in uuids:
                stack.enter_context(instances.event(self.db, context, uuid, name, self.host))
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
                self._set_error(uuid, compute_exc.retries_exhausted(uuid) if attempt > 1 else e)
            return
        for uuid, selection in zip(instance_uuids, selections):
            if not instances.update(self.db, uuid, expected_task_state=states.SCHEDULING,
                                    host=selection['host'], node=selection['nodename']):
                # Deleted while it was being scheduled: give the claim back.
                instances.release_allocations(self.db, uuid)
                continue
            self.compute.build_and_run_instance(
                context, uuid, selection['host'], request_spec,
                excluded_hosts=list(excluded_hosts) + [selection['host']], attempt=attempt)

    def _set_error(self, uuid, error):
        instances.fail(self.db, uuid, error, host=self.host, vm_state=states.ERROR,
                       task_state=None)

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
            instances.fail(self.db, instance_uuid, e, host=self.host, task_state=None,
                           new_flavor=None)
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
        instance = instances.get(self.db, instance_uuid)
        selection = self._schedule_one(
            context, instance_uuid, 'conductor_migrate_server', dict(request_spec,
                                                                     flavor=new_flavor),
            'resize-' + instance_uuid, excluded_hosts=[instance['host']])
        if selection is None:
            migrations.update(self.db, instance_uuid, 'error')
            return
        migrations.update(self.db, instance_uuid, 'pre-migrating',
                          dest_compute=selection['host'], dest_node=selection['nodename'],
                          dest_host=selection['host'])
        self.compute.prep_resize(context, instance_uuid, selection['host'],
                                 selection['nodename'], new_flavor)
