"""kombu's in-memory transport, made to wait instead of spin.

oslo.messaging sets the memory transport's polling interval to 0 "to speed
up tests", so every idle RPC server of the all-in-one would busy-poll a CPU.
This transport is the same in-process broker, but a consumer with nothing to
read sleeps on a condition that every published message wakes: no CPU while
idle, no added latency when busy.  ``pocketstack.common.rpc`` installs it as
kombu's ``memory`` transport before ``kombu+memory:////`` is first used.
"""
import socket
import threading
import time
from queue import Empty

from kombu.transport import memory

_arrived = threading.Condition()
_generation = 0


def _notify():
    global _generation
    with _arrived:
        _generation += 1
        _arrived.notify_all()


class Channel(memory.Channel):

    def _put(self, queue, message, **kwargs):
        super()._put(queue, message, **kwargs)
        _notify()


class Transport(memory.Transport):
    Channel = Channel

    def drain_events(self, connection, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            seen = _generation
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                pass
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise socket.timeout()
            with _arrived:
                if _generation == seen:  # nothing published since we looked
                    _arrived.wait(remaining)


def install():
    from kombu import transport
    transport.TRANSPORT_ALIASES['memory'] = 'pocketstack.common.memory_bus:Transport'
