"""Client of the compute hosts' RPC API (topic ``compute``, one server per
host): every message goes to the host that runs the instance."""
from pocketstack.common import rpc

TOPIC = 'compute'
# The service's binary as Nova names it: clients look hosts up by it
# (`openstack compute service set HOST nova-compute`).
BINARY = 'nova-compute'


class ComputeAPI(rpc.RPCAPI):
    """1.0 - build_and_run_instance, terminate_instance, the power actions,
          snapshot, backup, shelve, shelve offload, unshelve, rebuild, the
          resize and revert steps, get_console_output (the first versioned
          API)
    """

    topic = TOPIC
    RPC_API_VERSION = '1.0'

    def _cast(self, context, host, method, **kwargs):
        self.prepare('1.0', server=host).cast(context, method, **kwargs)

    def build_and_run_instance(self, context, instance_uuid, host, request_spec,
                               excluded_hosts, attempt):
        """RPC *cast* to ``compute.<host>`` (seed 004): spawn the instance there."""
        self._cast(context, host, 'build_and_run_instance', instance_uuid=instance_uuid,
                   request_spec=request_spec, excluded_hosts=excluded_hosts, attempt=attempt)

    def terminate_instance(self, context, instance_uuid, host):
        self._cast(context, host, 'terminate_instance', instance_uuid=instance_uuid)

    def power_action(self, context, instance_uuid, host, action, **kwargs):
        """stop/start/reboot/pause/unpause/suspend/resume: ``<action>_instance``."""
        self._cast(context, host, '%s_instance' % action, instance_uuid=instance_uuid, **kwargs)

    def snapshot_instance(self, context, instance_uuid, host, image_id):
        self._cast(context, host, 'snapshot_instance', instance_uuid=instance_uuid,
                   image_id=image_id)

    def backup_instance(self, context, instance_uuid, host, image_id, backup_type, rotation):
        self._cast(context, host, 'backup_instance', instance_uuid=instance_uuid,
                   image_id=image_id, backup_type=backup_type, rotation=rotation)

    def shelve_instance(self, context, instance_uuid, host, image_id):
        self._cast(context, host, 'shelve_instance', instance_uuid=instance_uuid,
                   image_id=image_id)

    def shelve_offload_instance(self, context, instance_uuid, host):
        self._cast(context, host, 'shelve_offload_instance', instance_uuid=instance_uuid)

    def unshelve_instance(self, context, instance_uuid, host, node):
        self._cast(context, host, 'unshelve_instance', instance_uuid=instance_uuid, node=node)

    def rebuild_instance(self, context, instance_uuid, host, image_ref):
        self._cast(context, host, 'rebuild_instance', instance_uuid=instance_uuid,
                   image_ref=image_ref)

    def prep_resize(self, context, instance_uuid, host, node, new_flavor):
        self._cast(context, host, 'prep_resize', instance_uuid=instance_uuid, node=node,
                   new_flavor=new_flavor)

    def resize_instance(self, context, instance_uuid, host, dest_host, dest_node):
        self._cast(context, host, 'resize_instance', instance_uuid=instance_uuid,
                   dest_host=dest_host, dest_node=dest_node)

    def finish_resize(self, context, instance_uuid, host, source_host):
        self._cast(context, host, 'finish_resize', instance_uuid=instance_uuid,
                   source_host=source_host)

    def confirm_resize(self, context, instance_uuid, host):
        self._cast(context, host, 'confirm_resize', instance_uuid=instance_uuid)

    def revert_resize(self, context, instance_uuid, host):
        self._cast(context, host, 'revert_resize', instance_uuid=instance_uuid)

    def finish_revert_resize(self, context, instance_uuid, host):
        self._cast(context, host, 'finish_revert_resize', instance_uuid=instance_uuid)

    def get_console_output(self, context, instance_uuid, host, length=None):
        """RPC *call*: the console log lines the hypervisor kept."""
        return self.prepare('1.0', server=host).call(
            context, 'get_console_output', instance_uuid=instance_uuid, length=length)
