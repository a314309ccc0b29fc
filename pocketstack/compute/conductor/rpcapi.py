"""Client of the conductor's RPC API (topic ``conductor``)."""
from pocketstack.common import rpc

TOPIC = 'conductor'


class ConductorAPI(rpc.RPCAPI):

    topic = TOPIC

    def build_instances(self, context, instance_uuids, request_spec, excluded_hosts=(),
                        attempt=1):
        """RPC *cast* (seed 004): schedule the instances and have their hosts build them."""
        self.client.cast(context, 'build_instances', instance_uuids=list(instance_uuids),
                         request_spec=request_spec, excluded_hosts=list(excluded_hosts),
                         attempt=attempt)

    def unshelve_instance(self, context, instance_uuid, request_spec):
        self.client.cast(context, 'unshelve_instance', instance_uuid=instance_uuid,
                         request_spec=request_spec)

    def resize_instance(self, context, instance_uuid, request_spec, new_flavor):
        self.client.cast(context, 'resize_instance', instance_uuid=instance_uuid,
                         request_spec=request_spec, new_flavor=new_flavor)
