"""RPC inside a service, with oslo.messaging (seed 004: REST between
projects, RPC inside one).

``transport_url`` picks the bus: ``memory:///`` (the default, the
all-in-one: every RPC server and client in one process shares the broker of
common/memory_bus.py) or ``rabbit://guest:guest@host:5672/`` when the processes are
spread over machines.  The request context travels with every message, so a
compute host logs the request id the API logged.

Each topic's API is versioned, as ironic's and Nova's are: the client
(``rpcapi.py``) sends each method at the version that introduced it
(``self.prepare('1.1')``), the server's manager declares the version it
speaks (``target = Target(version=RPC_API_VERSION)``), and oslo.messaging
refuses a message newer than the server (UnsupportedVersion) instead of
calling a method with arguments it does not know.  Errors a caller is meant
to handle (NoValidHost, InstanceNotFound) are listed with
``@expected_exceptions``: the server logs them in one line, not a traceback.
"""
import datetime
import os
import threading
import warnings

import futurist
from futurist import _utils as futurist_utils

# That backend imports eventlet, whose green DNS resolver (dnspython, ~150 ms
# of start-up) nothing here uses: eventlet never patches our sockets.
os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
with warnings.catch_warnings():
    # oslo.messaging loads oslo.service's eventlet backend (we use threads),
    # which warns at import that eventlet is deprecated.
    warnings.simplefilter('ignore')
    import oslo_messaging as messaging
from pocketstack.common import context as ctx_mod

DEFAULT_TRANSPORT_URL = 'memory:///'
# Errors raised by an RPC server in these modules are re-raised as themselves
# by the caller (others arrive as oslo.messaging's RemoteError).
REMOTE_EXCEPTION_MODULES = ['pocketstack.common.exception', 'pocketstack.compute.exception']

_transports = {}
_lock = threading.Lock()


def _library_opts():
    from oslo_messaging import opts
    from oslo_messaging._metrics import client as metrics
    from oslo_messaging._tracing import client as tracing
    return list(opts.list_opts()) + [
        ('oslo_messaging_metrics', metrics.oslo_messaging_metrics),
        ('oslo_messaging_tracing', tracing.oslo_messaging_tracing)]


def list_opts():
    """oslo.messaging's options, by group, for the sample file: there
    ``transport_url`` shows our default (on a copy: the library registers
    its own object, and an unequal one would be refused as a duplicate)."""
    import copy
    groups = []
    for group, group_opts in _library_opts():
        group_opts = list(group_opts)
        for i, opt in enumerate(group_opts):
            if group is None and opt.dest == 'transport_url':
                group_opts[i] = copy.copy(opt)
                group_opts[i].sample_default = DEFAULT_TRANSPORT_URL
        groups.append((group, group_opts))
    return groups


def register_opts(conf):
    """oslo.messaging's options on a service's own ConfigOpts (the library
    registers some only on the global CONF)."""
    for group, group_opts in _library_opts():
        conf.register_opts(group_opts, group=group)
    # oslo.messaging's own transport_url has no default; ours is the in-process bus.
    conf.set_default('transport_url', DEFAULT_TRANSPORT_URL)


def transport(conf):
    """One transport per bus URL per process (connections are pooled in it)."""
    url = conf.transport_url
    with _lock:
        if url not in _transports:
            _transports[url] = messaging.get_rpc_transport(
                conf, url=url, allowed_remote_exmods=REMOTE_EXCEPTION_MODULES)
        return _transports[url]


Target = messaging.Target
expected_exceptions = messaging.expected_exceptions
# What a method decorated with expected_exceptions raises when called
# directly, not over RPC (the error is its exc_info[1]).
ExpectedException = messaging.ExpectedException
MessagingTimeout = messaging.MessagingTimeout
_DATETIME = '__datetime__'


class Serializer(messaging.NoOpSerializer):
    """Sends the RequestContext as a dict and rebuilds it on the other side;
    datetimes in arguments and results (an instance's ``launched_at``) cross
    the JSON wire as tagged ISO strings and arrive as datetimes again."""

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return ctx_mod.RequestContext.from_dict(context)

    def serialize_entity(self, context, entity):
        if isinstance(entity, datetime.datetime):
            return {_DATETIME: entity.isoformat()}
        if isinstance(entity, dict):
            return {k: self.serialize_entity(context, v) for k, v in entity.items()}
        if isinstance(entity, (list, tuple)):
            return [self.serialize_entity(context, v) for v in entity]
        return entity

    def deserialize_entity(self, context, entity):
        if isinstance(entity, dict):
            if len(entity) == 1 and _DATETIME in entity:
                return datetime.datetime.fromisoformat(entity[_DATETIME])
            return {k: self.deserialize_entity(context, v) for k, v in entity.items()}
        if isinstance(entity, list):
            return [self.deserialize_entity(context, v) for v in entity]
        return entity


class RPCAPI:
    """Base of a topic's client class (ComputeAPI, ConductorAPI…).

    A subclass names its ``topic`` (and ``namespace``, when several endpoints
    share a topic, as the conductor's two do) and the newest version it may
    send, ``RPC_API_VERSION``; each method calls ``self.prepare(version)``
    with the version that introduced it.  The oslo.messaging client is made
    on first use, so building a service object does not touch the bus."""

    topic = None
    namespace = None
    RPC_API_VERSION = '1.0'

    def __init__(self, conf):
        self.conf = conf
        self._client = None

    def prepare(self, version, server=None, timeout=None):
        """The client for one message of ``version`` (to ``server``: one
        host; a call waits ``timeout`` seconds, default rpc_response_timeout_s)."""
        if self._client is None:
            target = messaging.Target(topic=self.topic, namespace=self.namespace,
                                      version=self.RPC_API_VERSION)
            self._client = messaging.get_rpc_client(
                transport(self.conf), target, serializer=Serializer(),
                timeout=self.conf.rpc_response_timeout_s)
        return self._client.prepare(version=version, server=server, timeout=timeout)


class _Executor(futurist.ThreadPoolExecutor):
    """oslo.messaging's threading executor (futurist's pool), whose workers
    leave as soon as it shuts down.  futurist's idle workers notice only at
    their next poll of the work queue, once a second, so each RPC server's
    ``wait()`` took a second — every compute service stop, and the test
    suite stops thousands.  Queued work still runs first, as in futurist."""

    def shutdown(self, wait=True, *, cancel_futures=False):
        if wait:
            self._work_queue.join()
        super().shutdown(wait=False, cancel_futures=cancel_futures)   # tells them to stop
        for _ in self._workers:   # and wakes each with a no-op, after which it stops
            self._work_queue.put(futurist_utils.WorkItem(futurist.Future(), lambda: None))
        if wait:
            for worker in self._workers:
                worker.join()


def server(conf, topic, host, endpoints):
    """An RPC server for ``topic`` on ``host``: casts and calls to the topic,
    or to ``topic.host``, reach the method of the endpoint whose ``target``
    namespace and version match the message."""
    target = messaging.Target(topic=topic, server=host)
    rpc_server = messaging.get_rpc_server(transport(conf), target, endpoints,
                                          serializer=Serializer(),
                                          access_policy=messaging.DefaultRPCAccessPolicy)
    # oslo.messaging accepts only its executors by name; the class is this attribute.
    rpc_server._executor_cls = _Executor
    return rpc_server
