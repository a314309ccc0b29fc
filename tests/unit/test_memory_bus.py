"""The all-in-one's bus routes as RabbitMQ does for the services on it: a
topic's message reaches one of its servers, ``topic.server`` that server, a
fanout all of them; what is sent to a stopped server waits for it; a call
nobody answers times out; virtual hosts are separate buses; and a message is
a copy (JSON on the way), never the sender's objects."""
import threading
import uuid

import pytest

from pocketstack.common import context as ctx_mod
from pocketstack.common import rpc
from pocketstack.compute.service import ComputeService


class Recorder:

    target = rpc.Target(version='1.0')

    def __init__(self, name):
        self.name = name
        self.seen = []
        self.arrived = threading.Semaphore(0)

    def note(self, context, value):
        self.seen.append(value)
        self.arrived.release()

    def whoami(self, context, value):
        value['touched'] = self.name    # changes the server's copy only
        return self.name


class Bus:
    """Servers and a client of one fresh topic on one fresh virtual host."""

    def __init__(self, vhost=None):
        self.conf = ComputeService.new_conf([])
        self.conf.set_override('transport_url', 'memory:///%s' % (vhost or uuid.uuid4().hex))
        self.conf.set_override('rpc_response_timeout_s', 5)
        self.topic = 'topic-%s' % uuid.uuid4().hex
        self.servers = []

    def serve(self, host):
        endpoint = Recorder(host)
        server = rpc.server(self.conf, self.topic, host, [endpoint])
        server.start()
        self.servers.append(server)
        return endpoint, server

    def client(self, server=None, fanout=False, timeout=None):
        target = rpc.messaging.Target(topic=self.topic, version='1.0')
        client = rpc.messaging.get_rpc_client(rpc.transport(self.conf), target,
                                              serializer=rpc.Serializer())
        return client.prepare(server=server, fanout=fanout, timeout=timeout)

    def stop(self):
        for server in self.servers:
            server.stop()
            server.wait()


@pytest.fixture
def bus():
    bus = Bus()
    yield bus
    bus.stop()


CTX = ctx_mod.admin_context()


def _wait(endpoint, count):
    for _ in range(count):
        assert endpoint.arrived.acquire(timeout=5), 'a message never arrived'


def test_a_topic_message_reaches_one_server_and_a_host_message_only_its_host(bus):
    a, _ = bus.serve('a')
    b, _ = bus.serve('b')
    a.arrived = b.arrived = threading.Semaphore(0)   # one count for both
    for n in range(20):
        bus.client().cast(CTX, 'note', value=n)
    for n in range(5):
        bus.client(server='b').cast(CTX, 'note', value='for b %d' % n)
    _wait(a, 25)
    assert sorted(v for v in a.seen + b.seen if isinstance(v, int)) == list(range(20))
    assert [v for v in b.seen if isinstance(v, str)] == ['for b %d' % n for n in range(5)]
    assert not [v for v in a.seen if isinstance(v, str)]


def test_a_fanout_reaches_every_server(bus):
    a, _ = bus.serve('a')
    b, _ = bus.serve('b')
    bus.client(fanout=True).cast(CTX, 'note', value='everyone')
    _wait(a, 1)
    _wait(b, 1)
    assert a.seen == b.seen == ['everyone']


def test_a_cast_to_a_stopped_server_waits_for_it_to_start_again(bus):
    _, server = bus.serve('h1')
    server.stop()
    server.wait()
    bus.client(server='h1').cast(CTX, 'note', value='while you were out')
    again, _ = bus.serve('h1')
    _wait(again, 1)
    assert again.seen == ['while you were out']


def test_a_call_nobody_answers_times_out(bus):
    with pytest.raises(rpc.MessagingTimeout):
        bus.client(server='nobody', timeout=0.2).call(CTX, 'whoami', value={})


def test_the_answer_is_a_copy_and_the_arguments_too(bus):
    bus.serve('h1')
    sent = {'mine': True}
    assert bus.client().call(CTX, 'whoami', value=sent) == 'h1'
    assert sent == {'mine': True}


def test_virtual_hosts_are_separate_buses():
    first, second = Bus(), Bus()
    second.topic = first.topic
    try:
        listener, _ = first.serve('h1')
        with pytest.raises(rpc.MessagingTimeout):
            second.client(server='h1', timeout=0.2).call(CTX, 'whoami', value={})
        assert listener.seen == []
    finally:
        first.stop()
        second.stop()
