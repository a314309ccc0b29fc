"""Clients of the conductor's two RPC APIs, both on topic ``conductor`` (as
Nova's): the task flows the API starts (namespace ``compute_task``) and the
database work compute hosts ask for (the default namespace) — a compute
host has no database of its own."""
from pocketstack.common import rpc

TOPIC = 'conductor'


class ComputeTaskAPI(rpc.RPCAPI):
    """The flows that span hosts; every method is a *cast*.

    1.0 - build_instances, unshelve_instance, resize_instance (the first
          versioned API)
    """

    topic = TOPIC
    namespace = 'compute_task'
    RPC_API_VERSION = '1.0'

    def build_instances(self, context, instance_uuids, request_spec, excluded_hosts=(),
                        attempt=1):
        """Seed 004: schedule the instances and have their hosts build them."""
        self.prepare('1.0').cast(context, 'build_instances', instance_uuids=list(instance_uuids),
                                 request_spec=request_spec, excluded_hosts=list(excluded_hosts),
                                 attempt=attempt)

    def unshelve_instance(self, context, instance_uuid, request_spec):
        self.prepare('1.0').cast(context, 'unshelve_instance', instance_uuid=instance_uuid,
                                 request_spec=request_spec)

    def resize_instance(self, context, instance_uuid, request_spec, new_flavor):
        self.prepare('1.0').cast(context, 'resize_instance', instance_uuid=instance_uuid,
                                 request_spec=request_spec, new_flavor=new_flavor)


class ConductorAPI(rpc.RPCAPI):
    """What compute hosts save and read through the conductor (Nova's
    remotable object methods); every method is a *call*, so a host knows
    its change landed before it goes on.

    1.0 - instance_get, instance_update, instance_fail, instance_destroy,
          event_start, event_finish, allocations_release,
          allocations_confirm_resize, migration_update, host_report
    1.1 - instances_on_host (a compute host starting looks over its instances)
    """

    topic = TOPIC
    RPC_API_VERSION = '1.1'

    def _call(self, context, method, version='1.0', **kwargs):
        return self.prepare(version).call(context, method, **kwargs)

    def instance_get(self, context, uuid):
        """The instance (InstanceNotFound once it is deleted)."""
        return self._call(context, 'instance_get', uuid=uuid)

    def instances_on_host(self, context, host):
        """The live instances whose ``host`` is ``host``, oldest first."""
        return self._call(context, 'instances_on_host', version='1.1', host=host)

    def instance_update(self, context, uuid, values, expected=None, returning=False):
        """Change the instance if it is still in the ``expected`` states
        ({'task_state' and/or 'vm_state': a state or a list of them; None is
        no task}); whether it was (not: deleted meanwhile, or in another
        state) — with ``returning``, the instance as it is now, or None."""
        return self._call(context, 'instance_update', uuid=uuid, values=values,
                          expected=expected or {}, returning=returning)

    def instance_fail(self, context, uuid, fault, host, values):
        """Apply ``values`` and record ``fault`` in one transaction; False
        when the instance is gone."""
        return self._call(context, 'instance_fail', uuid=uuid, fault=fault, host=host,
                          values=values)

    def instance_destroy(self, context, uuid):
        """Mark the instance deleted and release its claims."""
        return self._call(context, 'instance_destroy', uuid=uuid)

    def event_start(self, context, uuid, name, host):
        """The id of the new event of the request's action, or None."""
        return self._call(context, 'event_start', uuid=uuid, name=name, host=host)

    def event_finish(self, context, event_id, traceback=None):
        self._call(context, 'event_finish', event_id=event_id, traceback=traceback)

    def allocations_release(self, context, consumer_id):
        self._call(context, 'allocations_release', consumer_id=consumer_id)

    def allocations_confirm_resize(self, context, instance_uuid):
        self._call(context, 'allocations_confirm_resize', instance_uuid=instance_uuid)

    def migration_update(self, context, instance_uuid, status):
        self._call(context, 'migration_update', instance_uuid=instance_uuid, status=status)

    def host_report(self, context, host, zone, resources, ratios, timeout=None):
        """The host's heartbeat (its service registered in ``zone`` on the
        first one) and its hypervisor's capacity and allocation ratios."""
        self.prepare('1.0', timeout=timeout).call(context, 'host_report', host=host, zone=zone,
                                                  resources=resources, ratios=ratios)
