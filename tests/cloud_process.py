"""Running pocketstack's commands as real processes, for functional and client tests.

* :class:`Up` — ``pocketstack up`` on a free port, in a temporary state
  directory and a temporary HOME (the user's ~/.config is never touched),
  with helpers to speak HTTP to it and to run the real ``openstack`` CLI.
* :func:`http` — one raw HTTP request, answered as (status, headers, JSON).
"""
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from pocketstack.common.server import free_port

BIN = os.path.dirname(sys.executable)


def command(name):
    return os.path.join(BIN, name)


def clean_env(**extra):
    """This environment without OS_* variables, so a developer's own
    OS_CLOUD or OS_AUTH_URL never leaks into a test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(extra)
    return env


def http(method, url, body=None, headers=None, raw=None, timeout=30):
    """(status, headers, decoded JSON body or None) — errors included, not raised."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('Accept', 'application/json')
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as e:
        resp = e
    with resp:
        payload = resp.read()
        try:
            decoded = json.loads(payload) if payload else None
        except ValueError:
            decoded = None
        return resp.status, resp.headers, decoded


class OutputReader:
    """Collects a pipe's lines in a thread; lets a test wait for one."""

    def __init__(self, stream):
        self.lines = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in stream:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_for(self, predicate, timeout):
        """The first line for which predicate(line) is true, or None at
        timeout / end of stream."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def text(self):
        with self._cond:
            return ''.join(self.lines)


def serve(argv, env, wait_for, timeout=60):
    """Start one service process (stderr collected); returns it and its
    OutputReader once a line satisfies ``wait_for``."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)
    log = OutputReader(proc.stderr)
    if not log.wait_for(wait_for, timeout):
        proc.kill()
        raise AssertionError('server did not start:\n%s' % log.text())
    return proc, log


class Up:
    """One ``pocketstack up`` process."""

    def __init__(self, state_dir, home, port=None):
        from pocketstack.cmd import registry
        self.state_dir = str(state_dir)
        self.home = str(home)
        # Every API on a free port, so clouds of parallel tests never collide.
        self.ports = {name: free_port() for name in registry.api_names()}
        if port:
            self.ports['identity'] = port
        self.port = self.ports['identity']
        self.proc = None
        self.stdout = self.stderr = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def api_url(self, name):
        return 'http://127.0.0.1:%d' % self.ports[name]

    @property
    def clouds_file(self):
        return os.path.join(self.state_dir, 'clouds.yaml')

    def start(self, *extra_args, timeout=60):
        self.proc = subprocess.Popen(
            [command('pocketstack'), 'up', '--state-dir', self.state_dir,
             *[arg for name, port in self.ports.items()
               for arg in ('--port', '%s=%d' % (name, port))], *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=clean_env(HOME=self.home, XDG_CONFIG_HOME=''))
        self.stdout = OutputReader(self.proc.stdout)
        self.stderr = OutputReader(self.proc.stderr)
        ready = self.stdout.wait_for(lambda line: line.startswith('ready in'), timeout)
        if ready is None:
            self.stop()
            raise AssertionError('pocketstack up did not become ready:\n%s\n%s'
                                 % (self.stdout.text(), self.stderr.text()))
        return ready

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stop the process; returns its exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    # -- speaking to it ------------------------------------------------------

    def http(self, method, path, body=None, token=None, headers=None, raw=None, api='identity'):
        headers = dict(headers or {})
        if token:
            headers['X-Auth-Token'] = token
        return http(method, self.api_url(api) + path, body=body, headers=headers, raw=raw)

    def password_token(self, user, password, project=None, domain='Default'):
        auth = {'identity': {'methods': ['password'], 'password': {
            'user': {'name': user, 'domain': {'name': domain}, 'password': password}}}}
        if project:
            auth['scope'] = {'project': {'name': project, 'domain': {'name': domain}}}
        status, headers, body = self.http('POST', '/v3/auth/tokens', {'auth': auth})
        assert status == 201, body
        return headers['X-Subject-Token']

    def openstack(self, *args, cloud='pocketstack', env=None, timeout=120):
        """Run the real ``openstack`` CLI: (returncode, stdout, stderr).

        ``cloud=None`` leaves out --os-cloud (for calls that pass their own
        --os-* credentials)."""
        argv = [command('openstack')]
        if cloud:
            argv += ['--os-cloud', cloud]
        argv += list(args)
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout,
            env=clean_env(HOME=self.home, OS_CLIENT_CONFIG_FILE=self.clouds_file,
                          **(env or {})))
        return proc.returncode, proc.stdout, proc.stderr

    def openstack_json(self, *args, **kw):
        """Run ``openstack … -f json``; assert success; the decoded output."""
        rc, out, err = self.openstack(*args, '-f', 'json', **kw)
        assert rc == 0, 'openstack %s failed (%s):\n%s' % (' '.join(args), rc, err)
        return json.loads(out)


@contextlib.contextmanager
def running_up(root):
    """``pocketstack up`` in ``root`` for the block, with ``.admin`` an admin
    token; it must stop cleanly afterwards."""
    up = Up(root / 'state', root / 'home')
    up.start()
    up.admin = up.password_token('admin', 'secret', project='admin')
    yield up
    assert up.stop() == 0, up.stderr.text()
