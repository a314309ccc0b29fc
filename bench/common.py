"""What every benchmark shares: timing loops, percentiles, HTTP clients, and
the bare WSGI app every figure is compared with.

A figure alone says little about pocketstack (this machine may be slow or
busy); the same measurement of a hello-world app served the same way in the
same run says how much pocketstack itself costs.  Every benchmark prints both
and their ratio.
"""
import http.client
import json
import os
import platform
import statistics
import threading
import time

from pocketstack.common import server as server_mod


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float('nan')
    k = (len(ordered) - 1) * p / 100.0
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


def measure_sequential(call, n, warmup=5):
    """Latencies (seconds) of ``n`` calls one after another."""
    for _ in range(warmup):
        call()
    latencies = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - start)
    return latencies


def measure_throughput(make_call, concurrency, duration_s):
    """Completed calls per second with ``concurrency`` threads for ``duration_s``;
    ``make_call()`` gives each thread its own callable (its own connection).

    A call that raises stops the measurement and the error is raised here: a
    failing request must never pass for a slow one.
    """
    calls = [make_call() for _ in range(concurrency)]
    counts = [0] * concurrency
    errors = []
    stop = threading.Event()

    def worker(i):
        try:
            while not stop.is_set():
                calls[i]()
                counts[i] += 1
        except Exception as e:  # noqa: BLE001 -- re-raised below
            errors.append(e)
            stop.set()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(duration_s)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


class Http:
    """One keep-alive HTTP connection.

    The server closes a connection left idle longer than its timeout (cheroot:
    10 s); a request that finds its reused connection closed that way is sent
    again once on a new connection, as HTTP clients do for a stale keep-alive.
    """

    STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)

    def __init__(self, port, host='127.0.0.1'):
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.used = False

    def request(self, method, path, body=None, headers=None, expect=None):
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            headers.setdefault('Content-Type', 'application/json')
        try:
            resp, payload = self._send(method, path, data, headers)
        except self.STALE:
            if not self.used:
                raise
            self.conn.close()
            resp, payload = self._send(method, path, data, headers)
        self.used = True
        if expect is not None and resp.status != expect:
            raise RuntimeError('%s %s: %s %s' % (method, path, resp.status, payload[:300]))
        return resp, payload

    def _send(self, method, path, data, headers):
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        return resp, resp.read()


def hello_app(environ, start_response):
    """The baseline: the least a WSGI app can do."""
    body = b'{"hello": "world"}'
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]


def serve(name, app):
    """Serve ``app`` as ``pocketstack up`` serves an API: a ``ThreadedServer``
    (cheroot) with its default thread count, on a free port of 127.0.0.1.
    The server is started; ``server.port`` is its port, ``server.stop()`` ends it."""
    server = server_mod.ThreadedServer(name, app, '127.0.0.1', server_mod.free_port())
    server.start()
    return server


def ms(seconds):
    return '%7.2f ms' % (seconds * 1000)


def latency_row(label, ours, baseline):
    """One line: our p50/p99, the baseline's, and how many times slower we are."""
    p50, p99 = percentile(ours, 50), percentile(ours, 99)
    b50, b99 = percentile(baseline, 50), percentile(baseline, 99)
    return ('%-34s p50 %s  p99 %s | hello-world p50 %s  p99 %s | ratio p50 %5.1fx  p99 %5.1fx'
            % (label, ms(p50), ms(p99), ms(b50), ms(b99), p50 / b50, p99 / b99))


def throughput_row(label, ours, baseline, concurrency):
    """One line: our rate, the baseline's, and how many times fewer requests we serve."""
    return '%-34s %8.1f req/s at concurrency %d | hello-world %8.1f req/s | ratio %5.1fx' % (
        label, ours, concurrency, baseline, baseline / ours)


def machine():
    return 'machine: %d CPUs, Python %s, %s' % (os.cpu_count(), platform.python_version(),
                                                platform.platform())


def rss_kib(pid, field='VmRSS'):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return None


def median(values):
    return statistics.median(values)
