"""``kill -9`` at bad moments, then a restart on the same state (issue 12,
"nothing stuck after a crash"), as a user would try it:

* ``pocketstack up`` killed during a burst of 20 boots (their spawns stall,
  so the kill finds them scheduling, networking and spawning) and during a
  200 MiB image upload, then started again on its state directory: no
  server is left in BUILD or with a task, the interrupted ones are ERROR
  with a fault saying why, no address is held twice or by a failed server,
  the image is ``queued`` and takes a new upload, and new servers boot;
* the scaled-out layout with one ``pocketstack-compute`` killed while it
  spawns and started again: its builds are ERROR, its running server is
  still there and usable, the other host untouched.

tests/functional/compute/test_restart.py covers each task state in-process.
"""
import collections
import concurrent.futures
import hashlib
import http.client
import os
import signal
import time

import pytest

from tests.cloud_process import Up
from tests.functional.test_compute_rabbit import (  # noqa: F401 - cloud and its fixtures
    cloud, compute_service, database_url, rabbit_url)

DEADLINE_S = 60
BOOTS = 20
STALL = {'fake:spawn_time': '300'}   # a spawn the kill always interrupts
COMPUTE = {'OpenStack-API-Version': 'compute 2.37'}


def poll(what, fetch, done, timeout=DEADLINE_S):
    """fetch() until done(value); the value, or a failure naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail('still not %s after %ss: %r' % (what, timeout, value))
        time.sleep(0.1)


def kill_9(proc):
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)


# -- pocketstack up ----------------------------------------------------------------------

class UpUser:
    """The admin of a running ``pocketstack up``, over its REST APIs."""

    def __init__(self, up):
        self.up = up
        self.token = up.password_token('admin', 'secret', project='admin')

    def call(self, api, method, path, body=None, expect=None, headers=None):
        status, _, answer = self.up.http(method, path, body, token=self.token, api=api,
                                         headers=headers)
        if expect is not None:
            assert status == expect, (method, path, status, answer)
        return answer

    def compute(self, method, path, body=None, expect=None):
        return self.call('osapi_compute', method, '/v2.1' + path, body, expect, COMPUTE)

    def servers(self):
        return self.compute('GET', '/servers/detail', expect=200)['servers']

    def ports(self):
        return self.call('network', 'GET', '/v2.0/ports', expect=200)['ports']

    def image(self, image_id):
        return self.call('image', 'GET', '/v2/images/%s' % image_id, expect=200)


def start_upload(up, token, image_id, total):
    """A client streaming ``total`` bytes to the image, 1 MiB at a time; it
    has sent a tenth of them when this returns (the connection is kept open)."""
    conn = http.client.HTTPConnection('127.0.0.1', up.ports['image'], timeout=60)
    conn.putrequest('PUT', '/v2/images/%s/file' % image_id)
    conn.putheader('X-Auth-Token', token)
    conn.putheader('Content-Type', 'application/octet-stream')
    conn.putheader('Content-Length', str(total))
    conn.endheaders()
    for _ in range(total // 10 // 2 ** 20):
        conn.send(b'\0' * 2 ** 20)
    return conn


def test_up_killed_during_boots_and_an_upload_leaves_nothing_stuck(tmp_path, request):
    up = Up(tmp_path / 'state', tmp_path / 'home')
    request.addfinalizer(up.stop)
    up.start()
    admin = UpUser(up)
    (project,) = admin.call('identity', 'GET', '/v3/projects?name=admin', expect=200)['projects']
    admin.compute('PUT', '/os-quota-sets/%s' % project['id'], {'quota_set': {
        'instances': BOOTS + 5, 'cores': BOOTS + 5, 'ram': 128 * (BOOTS + 5)}}, expect=200)
    (shared,) = admin.call('network', 'GET', '/v2.0/networks?name=shared',
                           expect=200)['networks']
    (cirros,) = admin.call('image', 'GET', '/v2/images?name=cirros-0.6.3-x86_64-disk',
                           expect=200)['images']

    def boot(n, metadata=STALL):
        return admin.compute('POST', '/servers', {'server': {
            'name': 'burst-%s' % n, 'imageRef': cirros['id'], 'flavorRef': '42',
            'networks': [{'uuid': shared['id']}], 'metadata': metadata}},
            expect=202)['server']['id']
    image = admin.call('image', 'POST', '/v2/images', {
        'name': 'big', 'disk_format': 'raw', 'container_format': 'bare'}, expect=201)
    upload = start_upload(up, admin.token, image['id'], 200 * 2 ** 20)
    poll('saving', lambda: admin.image(image['id'])['status'], lambda s: s == 'saving')

    accepted = []

    def boot_unless_killed(n):
        try:
            accepted.append(boot(n))
        except OSError:
            pass   # the kill came first
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for n in range(BOOTS):
            pool.submit(boot_unless_killed, n)
        # Killed as the first guest spawns, while later boots still arrive.
        poll('spawning', lambda: collections.Counter(s['OS-EXT-STS:task_state']
                                                     for s in admin.servers()),
             lambda tasks: tasks['spawning'] > 0)
        kill_9(up.proc)
    upload.close()
    assert accepted
    up.start()   # the same state directory and ports

    # Ready means every service has looked over what the crash left.
    admin = UpUser(up)
    servers = {s['id']: s for s in admin.servers()}
    assert set(accepted) <= set(servers)
    ids = set(servers)
    for server in servers.values():
        assert (server['status'], server['OS-EXT-STS:task_state']) == ('ERROR', None), server
        assert 'restarted' in server['fault']['message'], server['fault']
        assert server['addresses'] == {}
    ports = admin.ports()
    assert not [p for p in ports if p['device_id'] in ids]
    addresses = [(ip['subnet_id'], ip['ip_address']) for p in ports for ip in p['fixed_ips']]
    assert len(addresses) == len(set(addresses))

    # The upload's image takes a new upload; the dead one's bytes are gone.
    assert admin.image(image['id'])['status'] == 'queued'
    assert not [f for f in os.listdir(tmp_path / 'state' / 'images') if f.startswith('.')]
    data = os.urandom(3 * 2 ** 20)
    status, _, body = up.http('PUT', '/v2/images/%s/file' % image['id'], token=admin.token,
                              api='image', raw=data,
                              headers={'Content-Type': 'application/octet-stream'})
    assert status == 204, body
    image = admin.image(image['id'])
    assert (image['status'], image['size'], image['checksum']) == (
        'active', len(data), hashlib.md5(data).hexdigest())

    # The cloud works on: new servers boot, each with an address of its own.
    new = boot('new', metadata={})
    server = poll('ACTIVE', lambda: admin.compute('GET', '/servers/%s' % new,
                                                  expect=200)['server'],
                  lambda s: s['status'] in ('ACTIVE', 'ERROR'))
    assert server['status'] == 'ACTIVE', server.get('fault')
    addresses = [(ip['subnet_id'], ip['ip_address'])
                 for p in admin.ports() for ip in p['fixed_ips']]
    assert len(addresses) == len(set(addresses))
    assert up.stop() == 0, up.stderr.text()


# -- one compute host scaled out -----------------------------------------------------------

def test_a_compute_host_killed_while_spawning_recovers_its_instances(cloud):
    cloud.start_all()
    cloud.add_flavors()
    image_id = cloud.upload_image('cirros')

    def boot(name, host, metadata=None):
        code, _, body = cloud.compute('POST', '/servers', {'server': {
            'name': name, 'imageRef': image_id, 'flavorRef': '42', 'networks': 'none',
            'availability_zone': 'nova:%s' % host, 'metadata': metadata or {}}})
        assert code == 202, body
        return body['server']['id']

    def server(server_id):
        code, _, body = cloud.compute('GET', '/servers/%s' % server_id)
        assert code == 200, body
        return body['server']

    running = boot('running', 'c1')
    elsewhere = boot('elsewhere', 'c2')
    cloud.wait_for_server(running, 'ACTIVE')
    cloud.wait_for_server(elsewhere, 'ACTIVE')
    stalled = [boot('stalled%d' % n, 'c1', STALL) for n in range(3)]
    for server_id in stalled:
        poll('spawning', lambda: server(server_id)['OS-EXT-STS:task_state'],
             lambda task: task == 'spawning')

    (c1,) = [p for p in cloud.processes if p.name == 'c1']
    kill_9(c1.proc)
    c1 = cloud.start('c1', compute_service('compute', '--host', 'c1', '--config-file',
                                           str(cloud.host_conf)))
    c1.wait_for_log('ComputeManager listening on topic compute (server c1)')

    # Listening means it has looked over its instances.
    for server_id in stalled:
        shown = server(server_id)
        assert (shown['status'], shown['OS-EXT-STS:task_state']) == ('ERROR', None)
        assert 'compute host c1 restarted during the build' in shown['fault']['message']
    assert cloud.wait_for_server(running, 'ACTIVE')['OS-EXT-SRV-ATTR:host'] == 'c1'
    assert cloud.wait_for_server(elsewhere, 'ACTIVE')['OS-EXT-SRV-ATTR:host'] == 'c2'
    # The restarted host serves: its servers stop and delete, a failed one too.
    code, _, body = cloud.compute('POST', '/servers/%s/action' % running, {'os-stop': None})
    assert code == 202, body
    cloud.wait_for_server(running, 'SHUTOFF')
    for server_id in (running, stalled[0]):
        code, _, body = cloud.compute('DELETE', '/servers/%s' % server_id)
        assert code == 204, body
        poll('deleted', lambda: cloud.compute('GET', '/servers/%s' % server_id)[0],
             lambda code: code == 404)
    # Nothing holds room on c1 but what is left there: a new build fits and runs.
    cloud.wait_for_server(boot('after', 'c1'), 'ACTIVE')
