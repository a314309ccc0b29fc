"""The all-in-one's message bus: an oslo.messaging driver whose broker is a
few queues in this process (``transport_url = memory:///``).

RPC clients, servers, dispatchers, versioning and the serializer are
oslo.messaging's own, exactly as over RabbitMQ (``rabbit://``); only the
driver under them differs.  It routes as AMQP does — a cast or call to
``topic`` reaches one of the topic's servers, to ``topic.server`` that
server, a fanout every server of the topic — and every message crosses as
JSON text, so nothing is shared between sender and receiver that would not
cross a real wire.  A call's reply goes straight to the waiting caller.

Why not kombu's in-memory transport behind oslo.messaging's AMQP driver:
that stack costs ~1 ms of CPU per call (kombu's channel cycling, the
driver's connection pool and retry wrappers, and listeners waking on
decaying 1 ms → 5 s poll timeouts after every message), and with the API,
conductor, scheduler and hosts on one GIL that overhead was a third of a
boot once compute hosts saved through the conductor (docs/benchmarks.md).
Here a listener sleeps until a message for one of its queues arrives.

A server's queue outlives it, as a RabbitMQ queue does: what is cast to a
stopped host waits for it to start again.  Each virtual host
(``memory:///NAME``) is a bus of its own.  Notifications are not carried
(nothing in pocketstack sends them).
"""
import collections
import itertools
import threading
import time

from oslo_messaging import exceptions as messaging_exc
from oslo_messaging._drivers import base
from oslo_messaging._drivers import common as rpc_common
from oslo_serialization import jsonutils


class _Broker:
    """The queues of one virtual host, and who listens to each."""

    def __init__(self):
        self.lock = threading.Lock()
        self.queues = collections.defaultdict(collections.deque)
        self.listeners = collections.defaultdict(list)   # queue name -> [_Listener]

    def put(self, queue, body):
        with self.lock:
            self.queues[queue].append(body)
            for listener in self.listeners.get(queue, ()):
                listener.arrived.notify()

    def purge(self):
        with self.lock:
            for queue in self.queues.values():
                queue.clear()


_brokers = collections.defaultdict(_Broker)   # virtual host -> _Broker
_fanout_ids = itertools.count()


def purge(virtual_host=''):
    """Drop every message waiting on a bus (tests start each cloud empty)."""
    _brokers[virtual_host].purge()


class _Reply:
    """Where a caller waits for the answer to one call."""

    def __init__(self):
        self.done = threading.Event()
        self.body = None

    def put(self, body):
        self.body = body
        self.done.set()


class _IncomingMessage(base.RpcIncomingMessage):

    def __init__(self, ctxt, message, reply):
        super().__init__(ctxt, message)
        self._reply = reply

    def acknowledge(self):
        pass   # taken off its queue already: delivered at most once

    def requeue(self):
        pass   # require_features refuses requeue, so it is never asked for

    def heartbeat(self):
        pass   # callers wait their own timeout; no monitor to keep alive

    def reply(self, reply=None, failure=None):
        if self._reply is None:
            return   # a cast
        if failure is not None:
            failure = rpc_common.serialize_remote_exception(failure)
        self._reply.put(jsonutils.dumps({'result': reply, 'failure': failure}))


class _Listener(base.PollStyleListener):

    def __init__(self, broker, queues):
        super().__init__()
        self._broker = broker
        self._queues = queues
        self._stopped = False
        self.arrived = threading.Condition(broker.lock)
        with broker.lock:
            for queue in queues:
                broker.listeners[queue].append(self)

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._broker.lock:
            while True:
                if self._stopped:
                    return None
                waiting = next((q for q in map(self._broker.queues.get, self._queues) if q),
                               None)
                if waiting:
                    envelope, reply = waiting.popleft()
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self.arrived.wait(remaining)
        body = jsonutils.loads(envelope)
        return _IncomingMessage(body['context'], body['message'], reply)

    def stop(self):
        with self._broker.lock:
            self._stopped = True
            self.arrived.notify_all()

    def cleanup(self):
        with self._broker.lock:
            for queue in self._queues:
                self._broker.listeners[queue].remove(self)
                if queue.startswith('fanout:'):
                    self._broker.queues.pop(queue, None)


class Driver(base.BaseDriver):
    """oslo.messaging's driver interface over the in-process broker."""

    def __init__(self, conf, url, default_exchange=None, allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._broker = _brokers[url.virtual_host or '']

    def _exchange(self, target):
        return target.exchange or self._default_exchange or 'openstack'

    def send(self, target, ctxt, message, wait_for_reply=None, timeout=None,
             call_monitor_timeout=None, retry=None, transport_options=None):
        envelope = jsonutils.dumps({'context': ctxt, 'message': message})
        reply = _Reply() if wait_for_reply else None
        exchange = self._exchange(target)
        if target.fanout:
            with self._broker.lock:
                queues = [q for q in self._broker.listeners
                          if q.startswith('fanout:%s:%s:' % (exchange, target.topic))]
            for queue in queues:
                self._broker.put(queue, (envelope, None))
            return None
        topic = '%s.%s' % (target.topic, target.server) if target.server else target.topic
        self._broker.put('%s:%s' % (exchange, topic), (envelope, reply))
        if reply is None:
            return None
        if not reply.done.wait(timeout):
            raise messaging_exc.MessagingTimeout(
                'Timed out waiting for a reply to %s on %s' % (message.get('method'), topic))
        answer = jsonutils.loads(reply.body)
        if answer['failure']:
            raise rpc_common.deserialize_remote_exception(answer['failure'],
                                                          self._allowed_remote_exmods)
        return answer['result']

    def listen(self, target, batch_size, batch_timeout):
        exchange = self._exchange(target)
        queues = ['%s:%s' % (exchange, target.topic)]
        if target.server:
            queues.insert(0, '%s:%s.%s' % (exchange, target.topic, target.server))
        queues.append('fanout:%s:%s:%d' % (exchange, target.topic, next(_fanout_ids)))
        return base.PollStyleListenerAdapter(_Listener(self._broker, queues),
                                             batch_size, batch_timeout)

    def send_notification(self, target, ctxt, message, version, retry=None):
        raise NotImplementedError('the in-process bus carries no notifications')

    def listen_for_notifications(self, targets_and_priorities, pool, batch_size,
                                 batch_timeout):
        raise NotImplementedError('the in-process bus carries no notifications')

    def cleanup(self):
        pass
