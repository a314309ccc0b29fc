"""Client of the scheduler's RPC API (topic ``scheduler``)."""
from pocketstack.common import rpc

TOPIC = 'scheduler'


class SchedulerAPI(rpc.RPCAPI):
    """1.0 - select_destinations (the first versioned API)"""

    topic = TOPIC
    RPC_API_VERSION = '1.0'

    def select_destinations(self, context, request_spec, instance_uuids, excluded_hosts=()):
        """RPC *call*: choose and claim a host for each instance; returns
        [{'host': …, 'nodename': …}] in the order of ``instance_uuids``, or
        raises NoValidHost."""
        return self.prepare('1.0').call(context, 'select_destinations',
                                        request_spec=request_spec,
                                        instance_uuids=list(instance_uuids),
                                        excluded_hosts=list(excluded_hosts))
