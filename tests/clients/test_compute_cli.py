"""Compute acceptance with the real clients (issue 4): the seeds' ``nova``
commands, the ``openstack`` CLI and openstacksdk against ``pocketstack up``,
as a user would drive them; plus the raw requests whose status codes the
Compute api-ref promises.

The session cloud has two fake hosts (compute1, compute2).  Every test boots
the servers it needs under its own names and deletes them when it ends (the
``servers`` fixture), so the tests run in any order and in parallel (each
xdist worker has its own cloud) without exhausting the hosts."""
import base64
import hashlib
import json
import re
import subprocess
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from pocketstack.compute import service as compute_service
from tests import cloud_process

DEFAULT_IMAGE = 'cirros-0.6.3-x86_64-disk'
HOSTS = {'compute1', 'compute2'}
DEADLINE = 60  # seconds a state change may take before a test gives up on it


# -- helpers ---------------------------------------------------------------------

def admin_token(cloud):
    return cloud.password_token('admin', 'secret', project='admin')


def demo_token(cloud):
    return cloud.password_token('demo', 'demopass', project='demo')


def compute(cloud, method, path, body=None, token=None, headers=None):
    """A raw Compute API request: (status, headers, decoded body)."""
    return cloud.http(method, '/v2.1' + path, body, token=token, headers=headers,
                      api='osapi_compute')


def get_server(cloud, token, server_id):
    """The server as the API shows it (None once it is gone)."""
    status, _, body = compute(cloud, 'GET', '/servers/' + server_id, token=token)
    if status == 404:
        return None
    assert status == 200, body
    return body['server']


def wait_for_server(cloud, token, server_id, status, timeout=DEADLINE):
    """Poll until the server has ``status`` and no task (a deadline against
    hanging, not a measure of speed); the server."""
    deadline = time.monotonic() + timeout
    while True:
        server = get_server(cloud, token, server_id)
        assert server is not None, 'server %s vanished waiting for %s' % (server_id, status)
        if server['status'] == status and server['OS-EXT-STS:task_state'] is None:
            return server
        assert server['status'] != 'ERROR', server.get('fault')
        assert time.monotonic() < deadline, \
            'server %s stayed %s/%s, never %s' % (server_id, server['status'],
                                                  server['OS-EXT-STS:task_state'], status)
        time.sleep(0.1)


def wait_until_gone(cloud, token, server_id, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while get_server(cloud, token, server_id) is not None:
        assert time.monotonic() < deadline, 'server %s was never deleted' % server_id
        time.sleep(0.1)


def server_ids_named(cloud, token, name):
    status, _, body = compute(cloud, 'GET', '/servers?name=^%s$' % re.escape(name),
                              token=token)
    assert status == 200, body
    return [s['id'] for s in body['servers']]


def nova(cloud, *args):
    """Run the real ``nova`` CLI (python-novaclient reads OS_* variables, not
    clouds.yaml); stdin is /dev/null as an xdist worker's stdin is its
    control channel."""
    env = cloud_process.clean_env(
        HOME=cloud.home, OS_AUTH_URL=cloud.url + '/v3', OS_USERNAME='admin',
        OS_PASSWORD='secret', OS_PROJECT_NAME='admin', OS_USER_DOMAIN_NAME='Default',
        OS_PROJECT_DOMAIN_NAME='Default')
    proc = subprocess.run([cloud_process.command('nova'), *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=180)
    return proc.returncode, proc.stdout, proc.stderr


def table_rows(output):
    """The cells of a prettytable (header row included)."""
    return [[cell.strip() for cell in line.strip()[1:-1].split('|')]
            for line in output.splitlines() if line.startswith('|')]


def nova_show(cloud, name):
    """``nova show`` as a dict of Property → Value."""
    rc, out, err = nova(cloud, 'show', name)
    assert rc == 0, err
    rows = table_rows(out)
    assert rows[0] == ['Property', 'Value']
    return dict(rows[1:])


def image_rows(cloud):
    return {row['Name']: row for row in cloud.openstack_json('image', 'list')}


def failed(rc, err, status):
    """The CLI failed and reported the API's ``status``."""
    return rc != 0 and str(status) in err


def ssh_public_key():
    """A fresh ed25519 public key in OpenSSH format and its Nova fingerprint
    (the MD5 of the key blob, colon separated)."""
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    text = key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()
    digest = hashlib.md5(base64.b64decode(text.split()[1]), usedforsecurity=False).hexdigest()
    return text + ' tester@pocketstack', ':'.join(re.findall('..', digest))


class Servers:
    """Boots servers for one test and deletes them all when it ends."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.token = admin_token(cloud)
        self.ids = []

    def track(self, server_id):
        self.ids.append(server_id)
        return server_id

    def create(self, name, *extra, flavor='m1.nano', cloud_name='pocketstack', check=True):
        """``openstack server create … --wait name`` → (rc, server or None, stderr)."""
        rc, out, err = self.cloud.openstack(
            'server', 'create', '--flavor', flavor, '--image', DEFAULT_IMAGE,
            '--nic', 'none', *extra, '--wait', name, '-f', 'json', cloud=cloud_name)
        for server_id in server_ids_named(self.cloud, self._token_for(cloud_name), name):
            if server_id not in self.ids:
                self.track(server_id)
        if check:
            assert rc == 0, 'server create %s failed:\n%s' % (name, err)
        return rc, json.loads(out) if rc == 0 else None, err

    def boot(self, name, *extra, **kw):
        """A server that reached ACTIVE."""
        return self.create(name, *extra, **kw)[1]

    def _token_for(self, cloud_name):
        return demo_token(self.cloud) if cloud_name == 'pocketstack-demo' else self.token

    def delete_all(self):
        # Admin may delete any project's server, locked or not.
        for server_id in self.ids:
            status, _, body = compute(self.cloud, 'DELETE', '/servers/' + server_id,
                                      token=self.token)
            assert status in (204, 404), body
        for server_id in self.ids:
            wait_until_gone(self.cloud, self.token, server_id)


@pytest.fixture
def servers(cloud):
    made = Servers(cloud)
    yield made
    made.delete_all()


@pytest.fixture(scope='module')
def image_id(cloud):
    return cloud.openstack_json('image', 'show', DEFAULT_IMAGE)['id']


@pytest.fixture(scope='module')
def active_server(cloud):
    """One ACTIVE server of the admin project that the error tests only look at."""
    made = Servers(cloud)
    made.boot('err-target')
    yield made.ids[0]
    made.delete_all()


# -- seed 000: nova --debug list ---------------------------------------------------

def test_nova_debug_list_shows_the_seed_requests(cloud, servers):
    server = servers.boot('seed-list')
    rc, out, err = nova(cloud, '--debug', 'list')
    assert rc == 0, err

    compute_url = cloud.api_url('osapi_compute')
    token_request = err.index('"POST /v3/auth/tokens HTTP/1.1" 201')
    discovery = re.search(r'REQ: curl -g -i -X GET %s/v2\.1/? ' % re.escape(compute_url), err)
    detail = re.search(r'REQ: curl -g -i -X GET %s/v2\.1/servers/detail .*'
                       r'-H "OpenStack-API-Version: compute (2\.\d+)"' % re.escape(compute_url),
                       err)
    assert discovery and detail, err
    assert token_request < discovery.start() < detail.start()
    assert '"GET /v2.1/servers/detail HTTP/1.1" 200' in err
    # The answer carries the microversion asked for.
    detail_response = re.search(r'RESP: \[200\] .*OpenStack-API-Version: compute (2\.\d+)',
                                err[detail.end():])
    assert detail_response and detail_response.group(1) == detail.group(1)

    rows = table_rows(out)
    assert rows[0][:3] == ['ID', 'Name', 'Status']
    assert [server['id'], 'seed-list', 'ACTIVE'] in [row[:3] for row in rows[1:]]


# -- seed 004: nova boot / shelve / unshelve ---------------------------------------

def test_nova_boot_shelve_unshelve(cloud, servers, image_id):
    token = servers.token
    rc, out, err = nova(cloud, 'boot', 't3', '--flavor', 'm1.nano', '--image', image_id,
                        '--nic', 'none', '--poll')
    for server_id in server_ids_named(cloud, token, 't3'):
        servers.track(server_id)
    assert rc == 0, err
    server_id = dict(table_rows(out)[1:])['id']
    shown = nova_show(cloud, 't3')
    assert shown['status'] == 'ACTIVE'
    assert shown['OS-EXT-SRV-ATTR:host'] in HOSTS

    rc, _, err = nova(cloud, '--debug', 'shelve', 't3')
    assert rc == 0, err
    action_url = '%s/v2.1/servers/%s/action' % (cloud.api_url('osapi_compute'), server_id)
    assert re.search(r"REQ: curl -g -i -X POST %s .*-d '\{\"shelve\": null\}'"
                     % re.escape(action_url), err), err
    assert '"POST /v2.1/servers/%s/action HTTP/1.1" 202' % server_id in err

    wait_for_server(cloud, token, server_id, 'SHELVED_OFFLOADED')
    shown = nova_show(cloud, 't3')
    assert shown['status'] == 'SHELVED_OFFLOADED'
    assert shown['OS-EXT-STS:vm_state'] == 'shelved_offloaded'
    assert shown['OS-EXT-SRV-ATTR:host'] == '-'  # offloaded: on no host
    shelved = image_rows(cloud)['t3-shelved']
    assert shelved['Status'] == 'active'

    rc, _, err = nova(cloud, 'unshelve', 't3')
    assert rc == 0, err
    wait_for_server(cloud, token, server_id, 'ACTIVE')
    shown = nova_show(cloud, 't3')
    assert shown['status'] == 'ACTIVE'
    assert shown['OS-EXT-SRV-ATTR:host'] in HOSTS
    # The shelved snapshot is deleted once the server is back on a host.
    assert 't3-shelved' not in image_rows(cloud)
    status, _, _ = cloud.http('GET', '/v2/images/' + shelved['ID'], token=token, api='image')
    assert status == 404


# -- the openstack CLI: create, list, actions, resize, snapshot, console, events -----

def test_server_create_and_list(cloud, servers):
    server = servers.boot('s1', flavor='m1.tiny')
    assert server['name'] == 's1'
    assert server['status'] == 'ACTIVE'

    shown = cloud.openstack_json('server', 'show', 's1')
    assert shown['id'] == server['id']
    assert shown['OS-EXT-SRV-ATTR:host'] in HOSTS
    assert shown['OS-EXT-STS:vm_state'] == 'active'
    assert shown['OS-EXT-STS:power_state'] == 1  # running
    assert shown['flavor']['original_name'] == 'm1.tiny'
    assert shown['image'].startswith(DEFAULT_IMAGE + ' (')

    rows = {row['Name']: row for row in cloud.openstack_json('server', 'list')}
    assert rows['s1']['ID'] == server['id']
    assert rows['s1']['Status'] == 'ACTIVE'
    assert rows['s1']['Image'] == DEFAULT_IMAGE
    assert rows['s1']['Flavor'] == 'm1.tiny'


@pytest.mark.parametrize('action, options, status, power_state', [
    ('stop', (), 'SHUTOFF', 4),
    ('start', (), 'ACTIVE', 1),
    ('reboot', ('--soft', '--wait'), 'ACTIVE', 1),
    ('reboot', ('--hard', '--wait'), 'ACTIVE', 1),
    ('pause', (), 'PAUSED', 3),
    ('unpause', (), 'ACTIVE', 1),
    ('suspend', (), 'SUSPENDED', 7),
    ('resume', (), 'ACTIVE', 1),
])
def test_server_power_actions(cloud, servers, action, options, status, power_state):
    """Each action from the state it needs (a stopped server for start, …)."""
    server = servers.boot('power-' + action + ''.join(options[:1]).replace('-', ''))
    token = servers.token
    before = {'start': 'stop', 'unpause': 'pause', 'resume': 'suspend'}.get(action)
    if before:
        rc, _, err = cloud.openstack('server', before, server['id'])
        assert rc == 0, err
        wait_for_server(cloud, token, server['id'],
                        {'stop': 'SHUTOFF', 'pause': 'PAUSED', 'suspend': 'SUSPENDED'}[before])

    rc, _, err = cloud.openstack('server', action, *options, server['id'])
    assert rc == 0, err
    wait_for_server(cloud, token, server['id'], status)
    shown = cloud.openstack_json('server', 'show', server['id'])
    assert shown['status'] == status
    assert shown['OS-EXT-STS:power_state'] == power_state


def test_server_lock_unlock(cloud, servers):
    """A locked server refuses its (non-admin) owner's actions until unlocked."""
    server = servers.boot('locked1', cloud_name='pocketstack-demo')
    demo = 'pocketstack-demo'
    rc, _, err = cloud.openstack('server', 'lock', '--reason', 'maintenance', server['id'],
                                 cloud=demo)
    assert rc == 0, err
    shown = cloud.openstack_json('server', 'show', server['id'], cloud=demo)
    assert (shown['locked'], shown['locked_reason']) == (True, 'maintenance')

    rc, _, err = cloud.openstack('server', 'stop', server['id'], cloud=demo)
    assert failed(rc, err, 409), err
    assert 'locked' in err
    assert cloud.openstack_json('server', 'show', server['id'], cloud=demo)['status'] == 'ACTIVE'

    rc, _, err = cloud.openstack('server', 'unlock', server['id'], cloud=demo)
    assert rc == 0, err
    shown = cloud.openstack_json('server', 'show', server['id'], cloud=demo)
    assert (shown['locked'], shown['locked_reason']) == (False, None)
    rc, _, err = cloud.openstack('server', 'stop', server['id'], cloud=demo)
    assert rc == 0, err
    wait_for_server(cloud, demo_token(cloud), server['id'], 'SHUTOFF')


def resize_to_small(cloud, servers, name):
    """A server booted as m1.tiny and resized to m1.small (VERIFY_RESIZE);
    (server id, its host before the resize)."""
    server = servers.boot(name, flavor='m1.tiny')
    host = cloud.openstack_json('server', 'show', server['id'])['OS-EXT-SRV-ATTR:host']
    rc, _, err = cloud.openstack('server', 'resize', '--flavor', 'm1.small', '--wait',
                                 server['id'])
    assert rc == 0, err
    shown = cloud.openstack_json('server', 'show', server['id'])
    assert shown['status'] == 'VERIFY_RESIZE'
    assert shown['flavor']['original_name'] == 'm1.small'
    # Resizing to the same host is not allowed by default: it moved.
    assert shown['OS-EXT-SRV-ATTR:host'] == (HOSTS - {host}).pop()
    return server['id'], host


def test_server_resize_confirm(cloud, servers):
    server_id, host = resize_to_small(cloud, servers, 'resize-confirm')
    rc, _, err = cloud.openstack('server', 'resize', 'confirm', server_id)
    assert rc == 0, err
    wait_for_server(cloud, servers.token, server_id, 'ACTIVE')
    shown = cloud.openstack_json('server', 'show', server_id)
    assert shown['status'] == 'ACTIVE'
    assert shown['flavor']['original_name'] == 'm1.small'
    assert shown['OS-EXT-SRV-ATTR:host'] == (HOSTS - {host}).pop()
    row = {r['ID']: r for r in cloud.openstack_json('server', 'list')}[server_id]
    assert row['Flavor'] == 'm1.small'


def test_server_resize_revert(cloud, servers):
    server_id, host = resize_to_small(cloud, servers, 'resize-revert')
    rc, _, err = cloud.openstack('server', 'resize', 'revert', server_id)
    assert rc == 0, err
    wait_for_server(cloud, servers.token, server_id, 'ACTIVE')
    shown = cloud.openstack_json('server', 'show', server_id)
    assert shown['status'] == 'ACTIVE'
    assert shown['flavor']['original_name'] == 'm1.tiny'
    assert shown['OS-EXT-SRV-ATTR:host'] == host


def test_server_rescue_and_unrescue(cloud, servers):
    server = servers.boot('rescue1')
    rc, _, err = cloud.openstack('server', 'rescue', '--image', DEFAULT_IMAGE,
                                 '--password', 'pw', server['id'])
    assert rc == 0, err
    rescued = wait_for_server(cloud, servers.token, server['id'], 'RESCUE')
    assert rescued['OS-EXT-STS:vm_state'] == 'rescued'
    rc, _, err = cloud.openstack('server', 'unrescue', server['id'])
    assert rc == 0, err
    wait_for_server(cloud, servers.token, server['id'], 'ACTIVE')


def test_server_migrate_and_confirm(cloud, servers):
    server = servers.boot('migrate1')
    source = server['OS-EXT-SRV-ATTR:host']
    rc, _, err = cloud.openstack('server', 'migrate', '--wait', server['id'])
    assert rc == 0, err
    moved = cloud.openstack_json('server', 'show', server['id'])
    assert moved['status'] == 'VERIFY_RESIZE'
    assert moved['OS-EXT-SRV-ATTR:host'] not in (source, None)
    rc, _, err = cloud.openstack('server', 'migration', 'confirm', server['id'])
    assert rc == 0, err
    confirmed = wait_for_server(cloud, servers.token, server['id'], 'ACTIVE')
    assert confirmed['OS-EXT-SRV-ATTR:host'] == moved['OS-EXT-SRV-ATTR:host']
    (record,) = cloud.openstack_json('server', 'migration', 'list', '--server', server['id'])
    assert (record['Status'], record['Type'], record['Source Compute'],
            record['Dest Compute']) == ('confirmed', 'migration', source,
                                        moved['OS-EXT-SRV-ATTR:host'])
    # Members may not move servers.
    demo = servers.boot('migrate2', cloud_name='pocketstack-demo')
    rc, _, err = cloud.openstack('server', 'migrate', demo['id'], cloud='pocketstack-demo')
    assert rc != 0 and '403' in err, err


def test_server_backup_create_rotates(cloud, servers):
    server = servers.boot('backup1')
    made = []
    try:
        for name in ('backup1-a', 'backup1-b'):
            made.append(cloud.openstack_json('server', 'backup', 'create', '--name', name,
                                             '--type', 'daily', '--rotate', '1', '--wait',
                                             server['id'])['id'])
        wait_for_server(cloud, servers.token, server['id'], 'ACTIVE')
        rows = image_rows(cloud)
        # The newest kept, the older one rotated out of the Image service.
        assert rows['backup1-b']['Status'] == 'active' and 'backup1-a' not in rows
        shown = cloud.openstack_json('image', 'show', 'backup1-b')
        assert (shown['properties']['image_type'], shown['properties']['backup_type']) == (
            'backup', 'daily')
    finally:
        for image in made:
            cloud.openstack('image', 'delete', image)


def test_server_image_create(cloud, servers, image_id):
    server = servers.boot('snap-source', flavor='m1.tiny')
    rc, out, err = cloud.openstack('server', 'image', 'create', '--name', 'snap1', '--wait',
                                   server['id'], '-f', 'json')
    assert rc == 0, err
    snapshot = json.loads(out)
    try:
        assert snapshot['name'] == 'snap1'
        shown = cloud.openstack_json('image', 'show', snapshot['id'])
        assert shown['status'] == 'active'
        assert shown['properties']['image_type'] == 'snapshot'
        assert shown['properties']['instance_uuid'] == server['id']
        assert shown['properties']['base_image_ref'] == image_id
        assert image_rows(cloud)['snap1']['ID'] == snapshot['id']
        # The server carries on as before.
        assert cloud.openstack_json('server', 'show', server['id'])['status'] == 'ACTIVE'
    finally:
        rc, _, err = cloud.openstack('image', 'delete', snapshot['id'])
        assert rc == 0, err


def test_console_log_show(cloud, servers):
    server = servers.boot('console1')
    rc, out, err = cloud.openstack('console', 'log', 'show', server['id'])
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert lines
    rc, out, err = cloud.openstack('console', 'log', 'show', '--lines', '1', server['id'])
    assert rc == 0, err
    assert out.strip().splitlines() == lines[-1:]


def test_server_event_list_and_show(cloud, servers):
    server = servers.boot('events1')
    token = servers.token
    for action, status in (('stop', 'SHUTOFF'), ('start', 'ACTIVE')):
        rc, _, err = cloud.openstack('server', action, server['id'])
        assert rc == 0, err
        wait_for_server(cloud, token, server['id'], status)

    actions = cloud.openstack_json('server', 'event', 'list', server['id'])
    # Newest first.
    assert [a['Action'] for a in actions] == ['start', 'stop', 'create']
    assert {a['Server ID'] for a in actions} == {server['id']}
    assert len({a['Request ID'] for a in actions}) == 3

    stop = actions[1]
    shown = cloud.openstack_json('server', 'event', 'show', server['id'], stop['Request ID'])
    assert shown['action'] == 'stop'
    assert shown['request_id'] == stop['Request ID']
    assert shown['message'] is None
    host = get_server(cloud, token, server['id'])['OS-EXT-SRV-ATTR:host']
    events = {e['event']: e for e in shown['events']}
    assert events['compute_stop_instance']['result'] == 'Success'
    assert events['compute_stop_instance']['host'] == host  # admin sees hosts
    assert all(e['finish_time'] for e in shown['events'])

    create = cloud.openstack_json('server', 'event', 'show', server['id'],
                                  actions[2]['Request ID'])
    assert create['action'] == 'create'
    assert create['events']
    assert {e['result'] for e in create['events']} == {'Success'}


def test_server_delete_wait(cloud, servers):
    server = servers.boot('doomed1')
    rc, _, err = cloud.openstack('server', 'delete', '--wait', server['id'])
    assert rc == 0, err
    assert get_server(cloud, servers.token, server['id']) is None
    assert 'doomed1' not in {r['Name'] for r in cloud.openstack_json('server', 'list')}
    rc, _, err = cloud.openstack('server', 'show', 'doomed1')
    assert rc != 0 and 'doomed1' in err


# -- openstacksdk --------------------------------------------------------------------

def sdk_connection(cloud, monkeypatch, cloud_name='pocketstack'):
    """An openstacksdk Connection to ``cloud_name`` of the cloud's clouds.yaml
    (the test's own OS_* variables cleared)."""
    import os

    import openstack
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', cloud.clouds_file)
    return openstack.connect(cloud=cloud_name)


@pytest.fixture
def sdk(cloud, monkeypatch):
    conn = sdk_connection(cloud, monkeypatch)
    yield conn
    conn.close()


def test_openstacksdk_compute_proxy_boot_without_network(cloud, servers, sdk):
    image = sdk.image.find_image(DEFAULT_IMAGE, ignore_missing=False)
    flavor = sdk.compute.find_flavor('m1.nano', ignore_missing=False)
    server = sdk.compute.create_server(name='sdk-proxy', image_id=image.id,
                                       flavor_id=flavor.id, networks='none')
    servers.track(server.id)
    server = sdk.compute.wait_for_server(server, wait=DEADLINE)
    assert server.status == 'ACTIVE'
    assert server.compute_host in HOSTS
    sdk.compute.delete_server(server)
    sdk.compute.wait_for_delete(server, wait=DEADLINE)
    assert sdk.compute.find_server(server.id) is None


# -- flavors, keypairs, limits ----------------------------------------------------------

def test_default_flavors_are_devstacks(cloud):
    rows = {row['Name']: row for row in cloud.openstack_json('flavor', 'list')}
    expected = {'m1.nano': ('42', 128, 1, 1), 'm1.micro': ('84', 192, 1, 1),
                'm1.tiny': ('1', 512, 1, 1), 'm1.small': ('2', 2048, 20, 1),
                'm1.medium': ('3', 4096, 40, 2), 'm1.large': ('4', 8192, 80, 4),
                'm1.xlarge': ('5', 16384, 160, 8)}
    for name, (flavor_id, ram, disk, vcpus) in expected.items():
        row = rows[name]
        assert (row['ID'], row['RAM'], row['Disk'], row['VCPUs'], row['Is Public']) == \
            (flavor_id, ram, disk, vcpus, True)


def test_flavor_create_set_list_delete(cloud):
    flavor = cloud.openstack_json('flavor', 'create', '--ram', '300', '--disk', '2',
                                  '--vcpus', '2', '--description', 'for the CLI test',
                                  'flv-cli')
    try:
        assert flavor['name'] == 'flv-cli'
        assert (flavor['ram'], flavor['disk'], flavor['vcpus']) == (300, 2, 2)
        assert flavor['os-flavor-access:is_public'] is True
        assert flavor['description'] == 'for the CLI test'
        assert flavor['id']  # generated

        rc, _, err = cloud.openstack('flavor', 'create', '--ram', '64', 'flv-cli')
        assert failed(rc, err, 409), err

        rc, _, err = cloud.openstack('flavor', 'set', '--property', 'hw:cpu_policy=dedicated',
                                     '--property', 'color=blue', 'flv-cli')
        assert rc == 0, err
        shown = cloud.openstack_json('flavor', 'show', 'flv-cli')
        assert shown['properties'] == {'hw:cpu_policy': 'dedicated', 'color': 'blue'}
        rows = {r['Name']: r for r in cloud.openstack_json('flavor', 'list', '--long')}
        assert rows['flv-cli']['ID'] == flavor['id']
        assert rows['flv-cli']['Properties'] == {'hw:cpu_policy': 'dedicated', 'color': 'blue'}

        rc, _, err = cloud.openstack('flavor', 'unset', '--property', 'color', 'flv-cli')
        assert rc == 0, err
        shown = cloud.openstack_json('flavor', 'show', 'flv-cli')
        assert shown['properties'] == {'hw:cpu_policy': 'dedicated'}
    finally:
        rc, _, err = cloud.openstack('flavor', 'delete', flavor['id'])
        assert rc == 0, err
    assert 'flv-cli' not in {r['Name'] for r in cloud.openstack_json('flavor', 'list', '--all')}
    rc, _, err = cloud.openstack('flavor', 'show', flavor['id'])
    assert rc != 0


def test_private_flavor_access(cloud):
    demo = 'pocketstack-demo'
    flavor = cloud.openstack_json('flavor', 'create', '--private', '--ram', '128',
                                  '--disk', '1', '--vcpus', '1', 'flv-private')
    try:
        assert flavor['os-flavor-access:is_public'] is False
        assert 'flv-private' not in {r['Name'] for r in cloud.openstack_json('flavor', 'list')}
        assert 'flv-private' in {r['Name'] for r in
                                 cloud.openstack_json('flavor', 'list', '--private')}
        rc, _, err = cloud.openstack('flavor', 'show', flavor['id'], cloud=demo)
        assert rc != 0  # no access: not found

        rc, _, err = cloud.openstack('flavor', 'set', '--project', 'demo', 'flv-private')
        assert rc == 0, err
        demo_project = cloud.openstack_json('project', 'show', 'demo')['id']
        shown = cloud.openstack_json('flavor', 'show', 'flv-private')
        assert shown['access_project_ids'] == [demo_project]
        assert cloud.openstack_json('flavor', 'show', flavor['id'], cloud=demo)['name'] == \
            'flv-private'
        assert 'flv-private' in {r['Name'] for r in
                                 cloud.openstack_json('flavor', 'list', cloud=demo)}

        rc, _, err = cloud.openstack('flavor', 'unset', '--project', 'demo', 'flv-private')
        assert rc == 0, err
        rc, _, err = cloud.openstack('flavor', 'show', flavor['id'], cloud=demo)
        assert rc != 0
    finally:
        rc, _, err = cloud.openstack('flavor', 'delete', flavor['id'])
        assert rc == 0, err


def test_keypair_create_list_show_delete(cloud, servers, tmp_path):
    public_key, fingerprint = ssh_public_key()
    path = tmp_path / 'id_ed25519.pub'
    path.write_text(public_key + '\n')
    keypair = cloud.openstack_json('keypair', 'create', '--public-key', str(path), 'kp-cli')
    try:
        assert keypair['name'] == 'kp-cli'
        assert keypair['fingerprint'] == fingerprint
        assert keypair['type'] == 'ssh'

        rc, _, err = cloud.openstack('keypair', 'create', '--public-key', str(path), 'kp-cli')
        assert failed(rc, err, 409), err
        bad = tmp_path / 'bad.pub'
        bad.write_text('ssh-ed25519 not-a-key\n')
        rc, _, err = cloud.openstack('keypair', 'create', '--public-key', str(bad), 'kp-bad')
        assert failed(rc, err, 400), err

        rows = {r['Name']: r for r in cloud.openstack_json('keypair', 'list')}
        assert (rows['kp-cli']['Fingerprint'], rows['kp-cli']['Type']) == (fingerprint, 'ssh')
        assert 'kp-bad' not in rows
        shown = cloud.openstack_json('keypair', 'show', 'kp-cli')
        assert shown['fingerprint'] == fingerprint
        rc, out, err = cloud.openstack('keypair', 'show', '--public-key', 'kp-cli')
        assert rc == 0, err
        assert out.strip() == public_key

        server = servers.boot('keyed1', '--key-name', 'kp-cli')
        assert cloud.openstack_json('server', 'show', server['id'])['key_name'] == 'kp-cli'
    finally:
        rc, _, err = cloud.openstack('keypair', 'delete', 'kp-cli')
        assert rc == 0, err
    assert 'kp-cli' not in {r['Name'] for r in cloud.openstack_json('keypair', 'list')}
    rc, _, err = cloud.openstack('keypair', 'show', 'kp-cli')
    assert rc != 0


def test_aggregate_create_add_host_set_remove_delete(cloud):
    """``openstack aggregate``: an aggregate with a zone puts compute1 in it
    (the zone list shows it) until the host leaves; the test removes what it
    made, whatever fails."""
    created = cloud.openstack_json('aggregate', 'create', '--zone', 'az-cli', 'agg-cli')
    try:
        assert (created['name'], created['availability_zone']) == ('agg-cli', 'az-cli')
        rc, _, err = cloud.openstack('aggregate', 'create', 'agg-cli')
        assert failed(rc, err, 409), err

        rc, _, err = cloud.openstack('aggregate', 'add', 'host', 'agg-cli', 'compute1')
        assert rc == 0, err
        rc, _, err = cloud.openstack('aggregate', 'add', 'host', 'agg-cli', 'no-such-host')
        assert failed(rc, err, 404), err
        rc, _, err = cloud.openstack('aggregate', 'set', '--property', 'k=v', 'agg-cli')
        assert rc == 0, err
        shown = cloud.openstack_json('aggregate', 'show', 'agg-cli')
        assert shown['hosts'] == ['compute1']
        assert shown['availability_zone'] == 'az-cli'
        assert shown['properties'] == {'k': 'v'}
        zones = {z['Zone Name']: z for z in cloud.openstack_json(
            'availability zone', 'list', '--compute')}
        assert 'az-cli' in zones
        rows = {r['Name']: r for r in cloud.openstack_json('aggregate', 'list')}
        assert rows['agg-cli']['Availability Zone'] == 'az-cli'

        rc, _, err = cloud.openstack('aggregate', 'delete', 'agg-cli')
        assert failed(rc, err, 400), err
        rc, _, err = cloud.openstack('aggregate', 'remove', 'host', 'agg-cli', 'compute1')
        assert rc == 0, err
        assert cloud.openstack_json('aggregate', 'show', 'agg-cli')['hosts'] == []
    finally:
        cloud.openstack('aggregate', 'remove', 'host', 'agg-cli', 'compute1')
        rc, _, err = cloud.openstack('aggregate', 'delete', 'agg-cli')
        assert rc == 0, err
    assert 'agg-cli' not in {r['Name'] for r in cloud.openstack_json('aggregate', 'list')}
    zones = {z['Zone Name'] for z in cloud.openstack_json('availability zone', 'list',
                                                          '--compute')}
    assert 'az-cli' not in zones


def test_server_group_anti_affinity(cloud, servers):
    group = cloud.openstack_json('server', 'group', 'create', '--policy', 'anti-affinity',
                                 'spread')
    assert (group['name'], group['policy'], group['members']) == ('spread', 'anti-affinity', [])
    try:
        hint = ('--hint', 'group=%s' % group['id'])
        first = servers.boot('spread1', *hint)
        second = servers.boot('spread2', *hint)
        hosts = {first['OS-EXT-SRV-ATTR:host'], second['OS-EXT-SRV-ATTR:host']}
        assert hosts == {'compute1', 'compute2'}
        # Two hosts, two members: a third has nowhere to go.
        rc, _, err = servers.create('spread3', *hint, check=False)
        assert rc != 0, err
        (third,) = server_ids_named(cloud, servers.token, 'spread3')
        assert get_server(cloud, servers.token, third)['status'] == 'ERROR'
        shown = cloud.openstack_json('server', 'group', 'show', 'spread')
        assert sorted(shown['members']) == sorted([first['id'], second['id'], third])
        listed = cloud.openstack_json('server', 'group', 'list')
        assert [g['Name'] for g in listed] == ['spread']
        rc, out, err = cloud.openstack('--os-compute-api-version', '2.71', 'server', 'show',
                                       first['id'], '-f', 'json')
        assert rc == 0, err
        assert json.loads(out)['server_groups'] == [group['id']]
    finally:
        servers.delete_all()
        rc, _, err = cloud.openstack('server', 'group', 'delete', 'spread')
    assert rc == 0, err
    assert cloud.openstack_json('server', 'group', 'list') == []


def test_usage_list_and_show(cloud, servers):
    server = servers.boot('usage1', flavor='m1.tiny')
    admin_project = cloud.openstack_json('project', 'show', 'admin')['id']
    listed = {row['Project']: row for row in cloud.openstack_json('usage', 'list')}
    mine = listed[admin_project]
    assert server['id'] in [s['instance_id'] for s in mine['Servers']]
    # Counted from launch up to now (minutes), not to the period's end (tomorrow).
    assert 0 < mine['CPU Hours'] < 1
    assert mine['RAM MB-Hours'] == pytest.approx(
        sum(s['memory_mb'] * s['hours'] for s in mine['Servers']))
    shown = cloud.openstack_json('usage', 'show')
    assert shown['Project'] == admin_project
    assert [s['instance_id'] for s in shown['Servers']] == [
        s['instance_id'] for s in mine['Servers']]
    # Only admins list every project's usage.
    rc, _, err = cloud.openstack('usage', 'list', cloud='pocketstack-demo')
    assert rc != 0 and '403' in err, err


def quota_rows(cloud, *args, **kw):
    """``openstack quota show --compute …`` as {resource: row}."""
    return {row['Resource']: row
            for row in cloud.openstack_json('quota', 'show', '--compute', *args, **kw)}


def test_quota_show_set_enforce_and_delete(cloud, servers):
    defaults = {opt.name: opt.default for opt in compute_service.quota_opts}
    shown = quota_rows(cloud, 'demo')
    assert (shown['instances']['Limit'], shown['cores']['Limit'], shown['ram']['Limit']) == (
        defaults['instances'], defaults['cores'], defaults['ram'])
    in_use = quota_rows(cloud, '--usage', 'demo')['instances']['In Use']
    try:
        rc, _, err = cloud.openstack('quota', 'set', '--instances', str(in_use + 1),
                                     '--key-pairs', '7', 'demo')
        assert rc == 0, err
        shown = quota_rows(cloud, 'demo')
        assert (shown['instances']['Limit'], shown['key-pairs']['Limit']) == (in_use + 1, 7)
        # Other projects and the defaults are untouched.
        assert quota_rows(cloud, 'admin')['instances']['Limit'] == defaults['instances']
        assert quota_rows(cloud, '--default')['instances']['Limit'] == defaults['instances']
        # The demo user fills the quota, then is refused.
        servers.boot('quota1', cloud_name='pocketstack-demo')
        rc, _, err = servers.create('quota2', cloud_name='pocketstack-demo', check=False)
        assert rc != 0 and 'Quota exceeded for instances' in err, err
        assert quota_rows(cloud, '--usage', 'demo')['instances']['In Use'] == in_use + 1
        # Only an admin changes quotas.
        rc, _, err = cloud.openstack('quota', 'set', '--instances', '50', 'demo',
                                     cloud='pocketstack-demo')
        assert rc != 0 and '403' in err, err
    finally:
        rc, _, err = cloud.openstack('quota', 'delete', '--compute', 'demo')
    assert rc == 0, err
    assert quota_rows(cloud, 'demo')['instances']['Limit'] == defaults['instances']


def test_limits_show_absolute(cloud, servers):
    servers.boot('limits1', flavor='m1.tiny')
    token = servers.token
    status, _, body = compute(cloud, 'GET', '/servers/detail', token=token,
                              headers={'OpenStack-API-Version': 'compute 2.47'})
    assert status == 200, body
    live = body['servers']
    assert live

    defaults = {opt.name: opt.default for opt in compute_service.quota_opts}
    limits = {row['Name']: row['Value']
              for row in cloud.openstack_json('limits', 'show', '--absolute')}
    assert limits['max_total_instances'] == defaults['instances']
    assert limits['max_total_cores'] == defaults['cores']
    assert limits['max_total_ram_size'] == defaults['ram']
    assert limits['max_total_keypairs'] == defaults['key_pairs']
    assert limits['max_server_meta'] == defaults['metadata_items']
    assert limits['max_server_groups'] == defaults['server_groups']
    assert limits['max_server_group_members'] == defaults['server_group_members']
    assert limits['total_instances_used'] == len(live)
    assert limits['total_cores_used'] == sum(s['flavor']['vcpus'] for s in live)
    assert limits['total_ram_used'] == sum(s['flavor']['ram'] for s in live)

    # The same numbers under Nova's names in the raw answer.
    status, _, body = compute(cloud, 'GET', '/limits', token=token)
    assert status == 200, body
    absolute = body['limits']['absolute']
    assert absolute['maxTotalInstances'] == defaults['instances']
    assert absolute['totalInstancesUsed'] == len(live)
    assert absolute['totalRAMUsed'] == limits['total_ram_used']


# -- errors ----------------------------------------------------------------------------

def boot_request(name, **server):
    """A POST /servers body (2.37: ``networks`` is required)."""
    body = {'name': name, 'flavorRef': '42', 'networks': 'none'}
    body.update(server)
    return {'server': body}


def test_unknown_image_is_400(cloud):
    token = admin_token(cloud)
    missing = '00000000-0000-4000-8000-000000000000'
    status, _, body = compute(cloud, 'POST', '/servers',
                              boot_request('refused-image', imageRef=missing),
                              token=token, headers={'OpenStack-API-Version': 'compute 2.37'})
    assert status == 400, body
    assert body['badRequest']['code'] == 400
    assert missing in body['badRequest']['message']
    assert server_ids_named(cloud, token, 'refused-image') == []


def test_unknown_flavor_is_400(cloud, image_id):
    token = admin_token(cloud)
    status, _, body = compute(cloud, 'POST', '/servers',
                              boot_request('refused-flavor', imageRef=image_id,
                                           flavorRef='no-such-flavor'),
                              token=token, headers={'OpenStack-API-Version': 'compute 2.37'})
    assert status == 400, body
    assert 'no-such-flavor' in body['badRequest']['message']
    assert server_ids_named(cloud, token, 'refused-flavor') == []


def test_server_that_is_not_an_object_is_400(cloud):
    status, _, body = compute(cloud, 'POST', '/servers', {'server': 'x'},
                              token=admin_token(cloud))
    assert status == 400, body
    assert body['badRequest']['code'] == 400


def test_starting_an_active_server_is_409(cloud, active_server):
    token = admin_token(cloud)
    status, _, body = compute(cloud, 'POST', '/servers/%s/action' % active_server,
                              {'os-start': None}, token=token)
    assert status == 409, body
    assert body['conflictingRequest']['code'] == 409
    assert get_server(cloud, token, active_server)['status'] == 'ACTIVE'
    rc, _, err = cloud.openstack('server', 'start', active_server)
    assert failed(rc, err, 409), err


def test_unknown_action_is_400(cloud, active_server):
    status, _, body = compute(cloud, 'POST', '/servers/%s/action' % active_server,
                              {'frobnicate': None}, token=admin_token(cloud))
    assert status == 400, body
    assert 'frobnicate' in body['badRequest']['message']


def test_another_projects_server_is_404(cloud, active_server):
    token = demo_token(cloud)
    for method, path, body in (('GET', '', None), ('POST', '/action', {'os-stop': None}),
                               ('DELETE', '', None)):
        status, _, answer = compute(cloud, method, '/servers/%s%s' % (active_server, path),
                                    body, token=token)
        assert status == 404, (method, path, answer)
        assert answer['itemNotFound']['code'] == 404
    status, _, body = compute(cloud, 'GET', '/servers', token=token)
    assert active_server not in {s['id'] for s in body['servers']}
    # Untouched for its owner.
    assert get_server(cloud, admin_token(cloud), active_server)['status'] == 'ACTIVE'
    rc, _, err = cloud.openstack('server', 'show', active_server, cloud='pocketstack-demo')
    assert rc != 0


@pytest.mark.parametrize('header, value', [
    ('OpenStack-API-Version', 'compute 2.999'),
    ('X-OpenStack-Nova-API-Version', '2.999'),
])
def test_unsupported_microversion_is_406(cloud, header, value):
    status, _, body = compute(cloud, 'GET', '/servers', token=admin_token(cloud),
                                    headers={header: value})
    assert status == 406, body
    assert body['computeFault']['code'] == 406
    assert '2.999' in body['computeFault']['message']


def test_failing_spawn_ends_in_error_with_its_fault(cloud, servers):
    rc, _, err = servers.create('spawnfail1', '--property', 'fake:spawn_fail=true',
                                check=False)
    assert rc != 0
    assert 'Error creating server' in err
    (server_id,) = servers.ids
    shown = cloud.openstack_json('server', 'show', server_id)
    assert shown['status'] == 'ERROR'
    assert shown['OS-EXT-STS:vm_state'] == 'error'
    # The build was rescheduled on the other host, then given up (Nova's
    # MaxRetriesExceeded): not "no valid host", both hosts are up.
    message = shown['fault']['message']
    assert message.startswith('Exceeded maximum number of retries.'), message
    assert server_id in message
    assert shown['fault']['code'] == 500
    # An ERROR server can still be deleted.
    rc, _, err = cloud.openstack('server', 'delete', '--wait', server_id)
    assert rc == 0, err


def test_compute_service_list_and_set(cloud):
    """Hosts are found by Nova's binary name, as scripts name them."""
    services = cloud.openstack_json('compute', 'service', 'list')
    assert {(s['Host'], s['Binary']) for s in services} >= {('compute1', 'nova-compute'),
                                                           ('compute2', 'nova-compute')}
    rc, _, err = cloud.openstack('compute', 'service', 'set', '--disable', '--disable-reason',
                                 'maintenance', 'compute2', 'nova-compute')
    try:
        assert rc == 0, err
        [row] = cloud.openstack_json('compute', 'service', 'list', '--host', 'compute2',
                                     '--long')
        assert row['Status'] == 'disabled' and row['Disabled Reason'] == 'maintenance'
    finally:
        rc, _, err = cloud.openstack('compute', 'service', 'set', '--enable', 'compute2',
                                     'nova-compute')
        assert rc == 0, err
