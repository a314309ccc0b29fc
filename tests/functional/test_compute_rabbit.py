"""Compute scaled out as Nova is deployed: the API, one conductor, one
scheduler and two compute hosts, each a process of its own, talking over
RabbitMQ; the API, the conductor and the scheduler share a PostgreSQL
database, and the compute hosts have none at all (no ``[database]`` in their
config file): they save through the conductor.  The Image API beside them.

A server boots, resizes to another host, shelves (its ``<name>-shelved``
image lands in the Image API), unshelves and is deleted over that bus; the
metadata API the compute API process also serves answers for it; every
process exits 0 on SIGTERM, and no compute host made a database.

Each run gets a RabbitMQ virtual host of its own, so parallel runs (xdist,
two checkouts on one machine) never consume each other's messages: the
queues are named by topic (``conductor``, ``compute.c1``…), not by run.
"""
import hashlib
import hmac
import os
import signal
import subprocess
import time
import uuid

import pytest

from tests import backends
from tests.cloud_process import OutputReader, clean_env, command, free_port, http

DEADLINE_S = 60
SECRET = 'metadata-proxy-secret'
HEADERS = {'X-Auth-Token': 'admin:admin', 'OpenStack-API-Version': 'compute 2.37'}


def _unavailable(message):
    """As backends.require: fatal under CI, a skip with the reason elsewhere."""
    if os.environ.get('CI') == 'true':
        pytest.fail(message)
    pytest.skip(message)


def rabbitmqctl(*args):
    try:
        proc = subprocess.run(['rabbitmqctl', *args], capture_output=True, text=True,
                              timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        _unavailable('rabbitmqctl %s failed: %s' % (' '.join(args), e))
    if proc.returncode != 0:
        _unavailable('rabbitmqctl %s failed: %s%s' % (' '.join(args), proc.stdout,
                                                      proc.stderr))


@pytest.fixture
def rabbit_url():
    """A transport URL on a new virtual host of the machine's RabbitMQ
    (guest/guest), deleted afterwards."""
    backends.require('rabbitmq')
    vhost = 'pst_%s' % uuid.uuid4().hex[:12]
    rabbitmqctl('add_vhost', vhost)
    try:
        rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*')
        yield 'rabbit://guest:guest@127.0.0.1:5672/%s' % vhost
    finally:
        rabbitmqctl('delete_vhost', vhost)


@pytest.fixture
def database_url():
    url, drop = backends.fresh_database_url('postgresql')
    yield url
    drop()


class Process:
    """A service process; its log (stderr) is kept for assertions and failures."""

    def __init__(self, name, argv):
        self.name = name
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, env=clean_env())
        self.log = OutputReader(self.proc.stderr)

    def wait_for_log(self, text, timeout=DEADLINE_S):
        if self.log.wait_for(lambda line: text in line, timeout) is None:
            pytest.fail('%s did not log %r:\n%s' % (self.name, text, self.log.text()))

    def terminate(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout=30):
        """The exit status (None, and killed, if it does not end in time)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def compute_service(kind, *args):
    """argv of a compute process: pocketstack-conductor, pocketstack-compute…"""
    return [command('pocketstack-%s' % kind), *args]


class ScaledOutCloud:
    """The processes' config files; :meth:`start_all` starts them."""

    def __init__(self, tmp_path, rabbit_url, database_url):
        self.processes = []
        self.database_url = database_url
        self.ports = {name: free_port() for name in ('image', 'osapi_compute', 'metadata')}
        self.image_url = 'http://127.0.0.1:%d' % self.ports['image']
        self.compute_url = 'http://127.0.0.1:%d' % self.ports['osapi_compute']
        self.metadata_url = 'http://127.0.0.1:%d' % self.ports['metadata']
        self.image_conf = tmp_path / 'image.conf'
        self.image_conf.write_text(
            '[DEFAULT]\nstate_path = %s\nimage_workers = 1\nimage_listen_port = %d\n'
            '[paste_deploy]\nflavor = noauth\n' % (tmp_path / 'image-state', self.ports['image']))
        self.compute_conf = tmp_path / 'compute.conf'
        self.compute_conf.write_text(
            '[DEFAULT]\nstate_path = %s\ntransport_url = %s\nauth_strategy = noauth2\n'
            'osapi_compute_listen_port = %d\nosapi_compute_workers = 2\n'
            'metadata_listen_port = %d\nmetadata_workers = 1\n'
            '[database]\nconnection = %s\n'
            '[glance]\nendpoint_override = %s\n'
            '[metadata]\nmetadata_proxy_shared_secret = %s\n'
            % (tmp_path / 'compute-state', rabbit_url, self.ports['osapi_compute'],
               self.ports['metadata'], database_url, self.image_url, SECRET))
        # What a compute host is told: the bus and the Image API, no database.
        self.host_state = tmp_path / 'host-state'
        self.host_conf = tmp_path / 'compute-host.conf'
        self.host_conf.write_text(
            '[DEFAULT]\nstate_path = %s\ntransport_url = %s\n'
            '[glance]\nendpoint_override = %s\n' % (self.host_state, rabbit_url, self.image_url))

    def start_all(self):
        image = self.start('image', [command('pocketstack-image'), '--config-file',
                                     str(self.image_conf)])
        config = ['--config-file', str(self.compute_conf)]
        # The conductor migrates the new database before the others start.
        conductor = self.start('conductor', compute_service('conductor', *config))
        conductor.wait_for_log('ConductorManager listening on topic conductor')
        scheduler = self.start('scheduler', compute_service('scheduler', *config))
        hosts = [self.start(host, compute_service('compute', '--host', host, '--config-file',
                                                  str(self.host_conf)))
                 for host in ('c1', 'c2')]
        api = self.start('compute-api', compute_service('compute-api', *config))
        image.wait_for_log('image listening on 127.0.0.1:%d' % self.ports['image'])
        scheduler.wait_for_log('SchedulerManager listening on topic scheduler')
        for host in hosts:
            host.wait_for_log('ComputeManager listening on topic compute (server %s)'
                              % host.name)
        for name in ('osapi_compute', 'metadata'):
            api.wait_for_log('%s listening on 127.0.0.1:%d' % (name, self.ports[name]))

    def start(self, name, argv):
        process = Process(name, argv)
        self.processes.append(process)
        return process

    def stop(self):
        """{process name: exit status} after SIGTERM to each (again: the same).
        All at once: an RPC server takes up to 5 s to notice (oslo.messaging
        polls the bus with a timeout growing to 5 s)."""
        for process in self.processes:
            process.terminate()
        return {process.name: process.wait() for process in self.processes}

    def logs(self):
        return '\n'.join('--- %s\n%s' % (p.name, p.log.text()) for p in self.processes)

    # -- what an operator and a user do ---------------------------------------------

    def add_flavors(self):
        """m1.nano and m1.micro, as an operator creates them."""
        for flavor_id, name, ram in (('42', 'm1.nano', 128), ('84', 'm1.micro', 192)):
            code, _, body = self.compute('POST', '/flavors', {'flavor': {
                'id': flavor_id, 'name': name, 'ram': ram, 'vcpus': 1, 'disk': 1}})
            assert code == 200, body

    def upload_image(self, name):
        headers = {'X-Auth-Token': 'admin:admin'}
        status, _, image = http('POST', self.image_url + '/v2/images',
                                {'name': name, 'disk_format': 'qcow2',
                                 'container_format': 'bare', 'visibility': 'public'},
                                headers=headers)
        assert status == 201, image
        status, _, _ = http('PUT', self.image_url + '/v2/images/%s/file' % image['id'],
                            raw=b'\0' * 4096,
                            headers=dict(headers, **{'Content-Type': 'application/octet-stream'}))
        assert status == 204
        return image['id']

    def images_named(self, name):
        status, _, body = http('GET', self.image_url + '/v2/images?name=%s' % name,
                               headers={'X-Auth-Token': 'admin:admin'})
        assert status == 200, body
        return body['images']

    def compute(self, method, path, body=None):
        return http(method, self.compute_url + '/v2.1' + path, body, headers=HEADERS)

    def wait_for_server(self, server_id, status):
        """The server once it is ``status`` with no task running (None once
        deleted, for 'DELETED')."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            code, _, body = self.compute('GET', '/servers/%s' % server_id)
            if code == 404 and status == 'DELETED':
                return None
            assert code == 200, body
            server = body['server']
            if server['status'] == status and server['OS-EXT-STS:task_state'] is None:
                return server
            if server['status'] == 'ERROR' or time.monotonic() > deadline:
                pytest.fail('server %s is %s (task %s, fault %s), not %s\n%s' % (
                    server_id, server['status'], server['OS-EXT-STS:task_state'],
                    server.get('fault'), status, self.logs()))
            time.sleep(0.1)


@pytest.fixture
def cloud(tmp_path, rabbit_url, database_url):
    cloud = ScaledOutCloud(tmp_path, rabbit_url, database_url)
    yield cloud
    cloud.stop()  # whatever a failed test left running


def wait_until(predicate, what, cloud):
    deadline = time.monotonic() + DEADLINE_S
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail('still not %s after %ss\n%s' % (what, DEADLINE_S, cloud.logs()))
        time.sleep(0.1)


def test_boot_resize_shelve_unshelve_delete_over_rabbitmq(cloud):
    cloud.start_all()
    cloud.add_flavors()
    image_id = cloud.upload_image('cirros')

    code, _, body = cloud.compute('POST', '/servers', {'server': {
        'name': 'rabbit1', 'imageRef': image_id, 'flavorRef': '42', 'networks': 'none'}})
    assert code == 202, body
    server_id = body['server']['id']
    server = cloud.wait_for_server(server_id, 'ACTIVE')
    assert server['OS-EXT-SRV-ATTR:host'] in ('c1', 'c2')

    # The API process's metadata API serves the server, as the proxy asks.
    status, _, doc = http('GET', cloud.metadata_url + '/openstack/latest/meta_data.json',
                          headers={'X-Instance-ID': server_id, 'X-Tenant-ID': 'admin',
                                   'X-Instance-ID-Signature': hmac.new(
                                       SECRET.encode(), server_id.encode(),
                                       hashlib.sha256).hexdigest()})
    assert status == 200, doc
    assert (doc['uuid'], doc['name'], doc['project_id']) == (server_id, 'rabbit1', 'admin')

    # A resize moves the server to the other host (never the one it is on).
    source = server['OS-EXT-SRV-ATTR:host']
    code, _, body = cloud.compute('POST', '/servers/%s/action' % server_id,
                                  {'resize': {'flavorRef': '84'}})
    assert code == 202, body
    server = cloud.wait_for_server(server_id, 'VERIFY_RESIZE')
    assert server['OS-EXT-SRV-ATTR:host'] == ({'c1', 'c2'} - {source}).pop()
    code, _, body = cloud.compute('POST', '/servers/%s/action' % server_id,
                                  {'confirmResize': None})
    assert code == 204, body
    server = cloud.wait_for_server(server_id, 'ACTIVE')
    assert server['flavor']['id'] == '84'
    code, _, body = cloud.compute('GET', '/os-migrations')
    assert [(m['status'], m['source_compute']) for m in body['migrations']] == [
        ('confirmed', source)]

    code, _, body = cloud.compute('POST', '/servers/%s/action' % server_id, {'shelve': None})
    assert code == 202, body
    server = cloud.wait_for_server(server_id, 'SHELVED_OFFLOADED')
    assert server['OS-EXT-SRV-ATTR:host'] is None
    (snapshot,) = cloud.images_named('rabbit1-shelved')
    assert snapshot['status'] == 'active'

    code, _, body = cloud.compute('POST', '/servers/%s/action' % server_id, {'unshelve': None})
    assert code == 202, body
    server = cloud.wait_for_server(server_id, 'ACTIVE')
    assert server['OS-EXT-SRV-ATTR:host'] in ('c1', 'c2')
    # Its snapshot has served its purpose once the server runs again.
    wait_until(lambda: not cloud.images_named('rabbit1-shelved'), 'deleted', cloud)

    code, _, body = cloud.compute('DELETE', '/servers/%s' % server_id)
    assert code == 204, body
    cloud.wait_for_server(server_id, 'DELETED')
    code, _, body = cloud.compute('GET', '/servers/detail')
    assert code == 200 and body['servers'] == []

    logs = cloud.logs()
    assert cloud.stop() == {'compute-api': 0, 'c2': 0, 'c1': 0, 'scheduler': 0,
                            'conductor': 0, 'image': 0}, logs
    # The hosts never opened a database (a default one would be a SQLite file
    # in their state directory).
    assert not list(cloud.host_state.glob('**/*.sqlite*')), logs
