"""kombu's in-memory transport, made to wait instead of spin.

oslo.messaging sets the memory transport's polling interval to 0 "to speed
up tests", so every idle RPC server of the all-in-one would busy-poll a CPU.
This transport is the same in-process broker, but a consumer with nothing to
read sleeps until a message arrives on one of the queues it consumes — and
only those consumers wake: a message to ``conductor`` does not wake the
compute hosts, the scheduler and every RPC client's reply listener (with a
dozen consumers in one process, waking them all for each message cost more
CPU than the messages themselves).  No CPU while idle, no added latency when
busy.  ``pocketstack.common.rpc`` installs it as kombu's ``memory`` transport
before ``kombu+memory:////`` is first used.
"""
import collections
import socket
import threading
import time
from queue import Empty

from kombu.transport import memory

_lock = threading.Lock()
_waiters = collections.defaultdict(set)   # queue name -> {Event of a waiting consumer}


def _notify(queue):
    with _lock:
        for arrived in _waiters.get(queue, ()):
            arrived.set()


class Channel(memory.Channel):

    def _put(self, queue, message, **kwargs):
        super()._put(queue, message, **kwargs)
        _notify(queue)


class Transport(memory.Transport):
    Channel = Channel

    def drain_events(self, connection, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        arrived = threading.Event()
        while True:
            queues = {q for channel in self.channels for q in channel._active_queues}
            # Listen before looking, so a message put in between is not missed.
            with _lock:
                for queue in queues:
                    _waiters[queue].add(arrived)
            try:
                try:
                    self.cycle.get(self._deliver, timeout=timeout)
                    return
                except Empty:
                    pass
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise socket.timeout()
                arrived.wait(remaining)
                arrived.clear()
            finally:
                with _lock:
                    for queue in queues:
                        _waiters[queue].discard(arrived)


def install():
    from kombu import transport
    transport.TRANSPORT_ALIASES['memory'] = 'pocketstack.common.memory_bus:Transport'
