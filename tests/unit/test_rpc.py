"""common.rpc over the in-process bus, as compute's processes use it:
datetimes cross the JSON wire as datetimes, a message newer than the server
is refused, and an error the caller expects arrives as itself without a
traceback in the server's log."""
import datetime
import logging
import uuid

import pytest

from pocketstack.common import context as ctx_mod
from pocketstack.common import rpc
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.service import ComputeService


class Endpoint:

    target = rpc.Target(version='1.1')

    def echo(self, context, value):
        return {'value': value, 'request_id': context.request_id}

    @rpc.expected_exceptions(compute_exc.NoValidHost)
    def refuse(self, context):
        raise compute_exc.NoValidHost(reason='none has room')


class EndpointAPI(rpc.RPCAPI):
    RPC_API_VERSION = '1.2'

    def call(self, version, method, **kwargs):
        return self.prepare(version).call(ctx_mod.admin_context(request_id='req-1'), method,
                                          **kwargs)


@pytest.fixture
def api(tmp_path):
    conf = ComputeService.new_conf([])
    # A bus of its own: the memory broker is shared by the whole process.
    conf.set_override('transport_url', 'memory:///rpc-%s' % uuid.uuid4().hex)
    conf.set_override('rpc_response_timeout_s', 5)
    topic = 'test-%s' % uuid.uuid4().hex
    server = rpc.server(conf, topic, 'h1', [Endpoint()])
    server.start()
    client = EndpointAPI(conf)
    client.topic = topic
    yield client
    server.stop()
    server.wait()


def test_datetimes_arrive_as_datetimes(api):
    when = datetime.datetime(2026, 12, 2, 18, 31, 11)
    answer = api.call('1.0', 'echo', value={'launched_at': when, 'nested': [when, 'text']})
    assert answer == {'value': {'launched_at': when, 'nested': [when, 'text']},
                      'request_id': 'req-1'}


def test_a_message_newer_than_the_server_is_refused(api):
    assert api.call('1.1', 'echo', value=1)['value'] == 1
    with pytest.raises(rpc.messaging.RemoteError) as refused:
        api.call('1.2', 'echo', value=1)
    assert refused.value.exc_type == 'UnsupportedVersion'   # the method never ran


def test_an_expected_error_arrives_as_itself_and_logs_no_traceback(api, caplog):
    with caplog.at_level(logging.DEBUG, logger='oslo_messaging'):
        with pytest.raises(compute_exc.NoValidHost, match='none has room'):
            api.call('1.0', 'refuse')
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
