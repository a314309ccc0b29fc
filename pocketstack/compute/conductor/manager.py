"""nova-conductor: the task flows that span hosts.

``build_instances`` is the middle of seed 004's ``nova boot``: the API cast
it; it *calls* the scheduler (``select_destinations``, which claims a host for
each instance) and then *casts* ``build_and_run_instance`` to each chosen
compute host.  A compute host whose spawn failed casts ``build_instances``
back here with itself excluded (a reschedule), up to ``[scheduler]
max_attempts``.  ``unshelve_instance`` and ``resize_instance`` schedule the
same way before handing over to a host.
"""
import logging

from pocketstack.compute import exception as compute_exc
from pocketstack.compute import instances
from pocketstack.compute import states

LOG = logging.getLogger(__name__)


class ConductorManager:

    def __init__(self, service, host):
        self.service = service
        self.host = host
        self.db = service.db
        self.scheduler = service.scheduler_rpcapi
        self.compute = service.compute_rpcapi

    def build_instances(self, context, instance_uuids, request_spec, excluded_hosts=(),
                        attempt=1):
        with instances.event(self.db, context, instance_uuids[0],
                             'conductor_schedule_and_build_instances', self.host):
            try:
                selections = self.scheduler.select_destinations(
                    context, request_spec, instance_uuids, excluded_hosts)
            except compute_exc.NoValidHost as e:
                LOG.warning('Failed to schedule instances %s: %s', instance_uuids, e.message)
                for uuid in instance_uuids:
                    self._set_error(uuid, e)
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
        if instances.update(self.db, uuid, vm_state=states.ERROR, task_state=None):
            instances.add_fault(self.db, uuid, error, host=self.host)

    def unshelve_instance(self, context, instance_uuid, request_spec):
        with instances.event(self.db, context, instance_uuid, 'conductor_unshelve_instance',
                             self.host):
            try:
                (selection,) = self.scheduler.select_destinations(
                    context, request_spec, [instance_uuid])
            except compute_exc.NoValidHost as e:
                instances.update(self.db, instance_uuid, task_state=None)
                instances.add_fault(self.db, instance_uuid, e, host=self.host)
                return
        self.compute.unshelve_instance(context, instance_uuid, selection['host'],
                                       selection['nodename'])

    def resize_instance(self, context, instance_uuid, request_spec, new_flavor):
        """Choose a destination for the new flavor (never the current host) and
        let it prepare."""
        instance = instances.get(self.db, instance_uuid)
        migration_id = 'resize-' + instance_uuid
        spec = dict(request_spec, flavor=new_flavor)
        with instances.event(self.db, context, instance_uuid, 'conductor_migrate_server',
                             self.host):
            try:
                (selection,) = self.scheduler.select_destinations(
                    context, spec, [migration_id], excluded_hosts=[instance['host']])
            except compute_exc.NoValidHost as e:
                instances.update(self.db, instance_uuid, task_state=None, new_flavor=None)
                instances.add_fault(self.db, instance_uuid, e, host=self.host)
                raise
        self.compute.prep_resize(context, instance_uuid, selection['host'],
                                 selection['nodename'], new_flavor)
