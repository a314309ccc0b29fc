"""Client of the scheduler's RPC API (topic ``scheduler``)."""
from pocketstack.common import rpc

TOPIC = 'scheduler'


class SchedulerAPI:

    def __init__(self, conf):
        self.conf = conf
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = rpc.client(self.conf, TOPIC, timeout=self.conf.rpc_response_timeout_s)
        return self._client

    def select_destinations(self, context, request_spec, instance_uuids, excluded_hosts=()):
        """RPC *call*: choose and claim a host for each instance; returns
        [{'host': …, 'nodename': …}] in the order of ``instance_uuids``, or
        raises NoValidHost."""
        return self.client.call(context, 'select_destinations', request_spec=request_spec,
                                instance_uuids=list(instance_uuids),
                                excluded_hosts=list(excluded_hosts))
