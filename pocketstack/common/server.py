"""Serving WSGI apps: threaded for the all-in-one, prefork when run alone.

* :class:`ThreadedServer` — cheroot in a thread of this process.  ``pocketstack
  up`` runs one per API, all in one process.
* :func:`serve_prefork` — the nova-api model of seed 003: the parent binds the
  listening socket, then forks ``<api>_workers`` children that accept on it;
  a dead child is replaced.  gunicorn's arbiter does exactly this; we give it
  our app and log the start-up as nova-api does::

      identity listening on 127.0.0.1:5000
      Starting 2 workers
      Started child 3447
"""
import logging
import os
import socket
import threading

LOG = logging.getLogger(__name__)


def free_port(host='127.0.0.1'):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def connect_host(bind):
    """Where to connect to reach a server bound to ``bind``."""
    if bind in ('', '0.0.0.0'):
        return '127.0.0.1'
    if bind == '::':
        return '::1'
    return bind


class ThreadedServer:
    """One API served by cheroot's thread pool in this process."""

    def __init__(self, name, app, host, port, threads=16):
        from cheroot import wsgi as cheroot_wsgi
        self.name = name
        self.app = app
        self.server = cheroot_wsgi.Server((host, port), app, numthreads=threads,
                                          server_name='pocketstack-%s' % name)
        self.server.shutdown_timeout = 1
        self.server.prepare()  # binds now, so the port is known and errors are early
        self.host, self.port = self.server.bind_addr[:2]
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.server.serve, name='wsgi-%s' % self.name,
                                        daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s:%s', self.name, self.host, self.port)

    def stop(self):
        stopping = threading.Thread(target=self.server.stop, daemon=True)
        stopping.start()
        # cheroot's selector loop sees the stop only when its select()
        # returns, every half second when idle, so each stop took that long
        # (the test suite stops thousands of servers); a connection to the
        # port wakes it at once.
        while stopping.is_alive():
            try:
                socket.create_connection((connect_host(self.host), self.port),
                                         timeout=0.1).close()
            except OSError:
                pass    # closed already: the loop has ended
            stopping.join(0.02)
        if self._thread:
            self._thread.join(timeout=5)


def serve_prefork(name, app_loader, host, port, workers, on_starting=None):
    """Serve ``name`` from ``workers`` forked processes sharing one socket.

    ``app_loader`` builds the WSGI app; it is called once in the parent before
    forking, so workers share its memory and start instantly.
    """
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            self.cfg.set('bind', '%s:%d' % (host, port))
            self.cfg.set('workers', workers)
            self.cfg.set('worker_class', 'gthread')
            self.cfg.set('threads', 8)
            self.cfg.set('proc_name', 'pocketstack-%s' % name)
            self.cfg.set('preload_app', True)
            self.cfg.set('accesslog', None)
            self.cfg.set('loglevel', 'warning')
            self.cfg.set('graceful_timeout', 5)
            self.cfg.set('keepalive', 30)
            self.cfg.set('when_ready', _when_ready)
            self.cfg.set('post_fork', _post_fork)
            if on_starting:
                self.cfg.set('on_starting', lambda arbiter: on_starting())

        def load(self):
            return app_loader()

    def _when_ready(arbiter):
        LOG.info('%s listening on %s:%d', name, host, port)
        LOG.info('Starting %d workers', workers)

    def _post_fork(arbiter, worker):
        LOG.info('Started child %d', worker.pid)

    LOG.info('Parent process %d serving %s', os.getpid(), name)
    Application().run()
