"""``pocketstack up`` as a child process, for tests: what the plugin's
``openstack_cloud`` fixture yields.

The cloud runs as a user would run it — the ``up`` command, in a process
of its own — on free ports (so parallel sessions and a developer's own
cloud never collide), in the state directory it is given, with HOME and
XDG_CONFIG_HOME pointed at a directory of its own (``up`` merges its clouds
into ``~/.config/openstack/clouds.yaml``; a test must never touch the
user's).  Its output goes to ``<state-dir>/pocketstack-up.log``.
"""
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from pocketstack.cmd import clouds

# The same interpreter as the tests, whatever is on PATH; argv[0] names the
# command in argparse's messages.
_UP = ('import sys; sys.argv[0] = "pocketstack"; '
       'from pocketstack.cmd.cli import main; sys.exit(main())')
_PORT_ATTEMPTS = 3   # a free port may be taken by another process before up binds it


class CloudStartError(Exception):
    """``pocketstack up`` exited or did not become ready; the message ends
    with its log."""


class Cloud:
    """One ``pocketstack up`` process.

    After :meth:`start`: ``clouds_yaml`` (its path), ``cloud_name`` (the
    admin's cloud, ``pocketstack``) and ``demo_cloud_name``
    (``pocketstack-demo``: user demo, a member of project demo),
    ``auth_url``, ``admin`` and ``demo`` (the ``auth`` mapping of each cloud:
    username, password, project_name, the domain names and auth_url),
    ``ports`` ({API name: port}) and ``urls``.
    """

    cloud_name = clouds.ADMIN_CLOUD
    demo_cloud_name = clouds.DEMO_CLOUD

    def __init__(self, state_dir, home, args=(), timeout=60):
        self.state_dir = os.path.abspath(state_dir)
        self.home = os.path.abspath(home)
        self.args = list(args)
        self.timeout = timeout
        self.log_path = os.path.join(self.state_dir, 'pocketstack-up.log')
        self.clouds_yaml = os.path.join(self.state_dir, 'clouds.yaml')
        self.proc = None
        self.ports = {}
        self.clouds = {}

    # -- what a test reads -------------------------------------------------------

    @property
    def urls(self):
        return {name: 'http://127.0.0.1:%d' % port for name, port in self.ports.items()}

    @property
    def auth_url(self):
        return self.admin['auth_url']

    @property
    def admin(self):
        return self.clouds[self.cloud_name]['auth']

    @property
    def demo(self):
        return self.clouds[self.demo_cloud_name]['auth']

    def env(self, cloud=None):
        """``{'OS_CLOUD': …, 'OS_CLIENT_CONFIG_FILE': …}``, for an ``openstack``
        command run as a subprocess: ``env=dict(os.environ, **cloud.env())``.
        The CLI reads only that clouds.yaml; other OS_* variables in the
        environment (OS_PASSWORD…) still win over it, as they always do."""
        return {'OS_CLOUD': cloud or self.cloud_name, 'OS_CLIENT_CONFIG_FILE': self.clouds_yaml}

    def connect(self, cloud=None, **kwargs):
        """An openstacksdk ``Connection`` to ``cloud`` (default the admin's),
        configured from this cloud's clouds.yaml only: neither the user's
        clouds.yaml nor OS_* variables are read."""
        try:
            from openstack import config as os_config
            from openstack import connection
        except ImportError as e:
            raise ImportError('openstack_cloud.connect() needs openstacksdk, which is not '
                              'installed (pip install openstacksdk, or pocketstack[test]); '
                              'the cloud itself runs without it: %s' % e) from e
        config = os_config.OpenStackConfig(config_files=[self.clouds_yaml], vendor_files=[],
                                           secure_files=[], load_envvars=False)
        return connection.Connection(config=config.get_one(cloud or self.cloud_name, **kwargs))

    def log(self):
        """Everything ``up`` printed so far."""
        try:
            with open(self.log_path, errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    # -- starting and stopping ---------------------------------------------------

    def start(self):
        """Start ``up`` and return once it says it is ready and every API
        answers; raises CloudStartError (with the log) otherwise."""
        from pocketstack.cmd import registry
        from pocketstack.common.server import free_port
        os.makedirs(self.state_dir, exist_ok=True)
        os.makedirs(self.home, exist_ok=True)
        for attempt in range(_PORT_ATTEMPTS):
            self.ports = {name: free_port() for name in registry.api_names()}
            self._spawn()
            if self._wait_ready():
                break
            if 'cannot listen' not in self.log() or attempt == _PORT_ATTEMPTS - 1:
                self.stop()
                raise CloudStartError('pocketstack up did not become ready (see %s):\n%s'
                                      % (self.log_path, self.log()))
        self._wait_answering()
        import yaml
        with open(self.clouds_yaml) as f:
            self.clouds = yaml.safe_load(f)['clouds']
        return self

    def _spawn(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_') and k != 'XDG_CONFIG_HOME'}
        env.update(HOME=self.home, PYTHONUNBUFFERED='1')
        argv = [sys.executable, '-c', _UP, 'up', '--state-dir', self.state_dir]
        for name, port in self.ports.items():
            argv += ['--port', '%s=%d' % (name, port)]
        with open(self.log_path, 'w') as log:   # the child keeps its own descriptor
            self.proc = subprocess.Popen(argv + self.args, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, env=env)

    def _wait_ready(self):
        """Whether ``up`` printed "ready in …" before exiting or the timeout
        (it does once every API answers and every compute host serves)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            exited = self.proc.poll() is not None
            if any(line.startswith('ready in') for line in self.log().splitlines()):
                return True
            if exited:
                return False
            time.sleep(0.05)
        return False

    def _wait_answering(self):
        for name, url in self.urls.items():
            try:
                urllib.request.urlopen(url + '/', timeout=10).close()
            except urllib.error.HTTPError:
                pass   # an answer all the same (401, 300…)
            except OSError as e:
                self.stop()
                raise CloudStartError('the %s API (%s) does not answer: %s\n%s'
                                      % (name, url, e, self.log()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL if it has not exited within ``timeout``
        seconds; returns its exit status (None if never started)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
