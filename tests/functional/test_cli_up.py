"""The commands as a user runs them: ``pocketstack up`` (clouds.yaml, restarts,
signals), ``pocketstack db sync`` / ``token rotate`` and the standalone prefork
``pocketstack-identity``."""
import os
import re
import signal
import socket
import sqlite3
import subprocess

import pytest
import yaml

from tests.cloud_process import OutputReader, Up, clean_env, command, free_port, http

OTHER_CLOUD = {'auth': {'auth_url': 'https://keystone.example.com:5000/v3',
                        'username': 'someone', 'password': 'x', 'project_name': 'p'},
               'region_name': 'Elsewhere'}


def read_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)


def counts(cloud, token):
    """How many of each thing bootstrap makes the cloud holds."""
    result = {}
    for path, key in (('/v3/domains', 'domains'), ('/v3/projects', 'projects'),
                      ('/v3/users', 'users'), ('/v3/roles', 'roles'),
                      ('/v3/role_assignments', 'role_assignments'),
                      ('/v3/regions', 'regions'), ('/v3/services', 'services'),
                      ('/v3/endpoints', 'endpoints')):
        status, _, body = cloud.http('GET', path, token=token)
        assert status == 200, (path, body)
        result[key] = len(body[key])
    return result


def test_up_clouds_yaml_signals_and_restart_keeps_data(tmp_path, request):
    home = tmp_path / 'home'
    user_clouds = home / '.config' / 'openstack' / 'clouds.yaml'
    user_clouds.parent.mkdir(parents=True)
    stale = {'auth': {'auth_url': 'http://127.0.0.1:1/v3'}}
    user_clouds.write_text(yaml.safe_dump({'clouds': {'other': OTHER_CLOUD,
                                                      'pocketstack': stale}}))
    state = tmp_path / 'state'
    cloud = Up(state, home)
    request.addfinalizer(cloud.stop)   # a failed assertion must not leave it running
    ready = cloud.start()
    assert re.match(r'ready in \d+\.\d\d s$', ready.strip()), ready
    printed = cloud.stdout.text()
    assert '%s/v3' % cloud.url in printed
    assert 'password secret' in printed and 'password demopass' in printed

    # clouds.yaml in the state directory: admin and demo clouds.
    written = read_yaml(state / 'clouds.yaml')['clouds']
    assert set(written) == {'pocketstack', 'pocketstack-demo'}
    assert written['pocketstack']['auth'] == {
        'auth_url': '%s/v3' % cloud.url, 'username': 'admin', 'password': 'secret',
        'project_name': 'admin', 'user_domain_name': 'Default',
        'project_domain_name': 'Default'}
    assert written['pocketstack-demo']['auth']['username'] == 'demo'
    assert written['pocketstack-demo']['auth']['project_name'] == 'demo'
    assert written['pocketstack']['region_name'] == 'RegionOne'
    assert oct(os.stat(state / 'clouds.yaml').st_mode & 0o777) == '0o600'  # passwords inside
    # …and merged into the user's file: the other cloud kept, the stale entry replaced.
    merged = read_yaml(user_clouds)['clouds']
    assert merged['other'] == OTHER_CLOUD
    assert merged['pocketstack'] == written['pocketstack']
    assert merged['pocketstack-demo'] == written['pocketstack-demo']

    # Both clouds' credentials work.
    admin_token = cloud.password_token('admin', 'secret', project='admin')
    cloud.password_token('demo', 'demopass', project='demo')
    # Hashed at bcrypt's lowest cost: the passwords are printed and in
    # clouds.yaml anyway, and each password token skips ~0.25 s of bcrypt.
    with sqlite3.connect(state / 'identity.sqlite') as db:
        hashes = [h for (h,) in db.execute('SELECT password_hash FROM user')]
    assert len(hashes) == 5 and all(h.startswith('$2b$04$') for h in hashes), hashes

    status, _, body = cloud.http('POST', '/v3/projects',
                                 {'project': {'name': 'kept', 'domain_id': 'default'}},
                                 token=admin_token)
    assert status == 201, body
    kept_id = body['project']['id']
    before = counts(cloud, admin_token)
    # admin, demo and the glance, nova and neutron service users; identity,
    # image, compute and network, 3 interfaces each
    assert before['users'] == 5 and before['services'] == 4 and before['endpoints'] == 12
    # The default image, registered on first start as DevStack registers cirros,
    # and DevStack's networks.
    assert default_images(cloud, admin_token) == 1
    assert network_names(cloud, admin_token) == ['private', 'public', 'shared']

    assert cloud.stop(signal.SIGTERM) == 0
    assert 'Traceback' not in cloud.stderr.text()

    # Restart on the same state directory, on another port: data kept,
    # nothing duplicated, the catalog follows the new port.
    again = Up(state, home)
    again.start()
    try:
        admin_token = again.password_token('admin', 'secret', project='admin')
        status, _, body = again.http('GET', '/v3/projects/%s' % kept_id, token=admin_token)
        assert status == 200 and body['project']['name'] == 'kept'
        assert counts(again, admin_token) == before
        assert default_images(again, admin_token) == 1  # not registered twice
        assert network_names(again, admin_token) == ['private', 'public', 'shared']
        status, _, body = again.http('GET', '/v3/users?name=admin', token=admin_token)
        assert len(body['users']) == 1
        status, headers, body = again.http('GET', '/v3/auth/catalog', token=admin_token)
        urls = {e['url'] for s in body['catalog'] for e in s['endpoints']}
        assert urls == {'%s/v3' % again.url, again.api_url('image'),
                        again.api_url('osapi_compute') + '/v2.1', again.api_url('network')}
        assert read_yaml(user_clouds)['clouds']['pocketstack']['auth']['auth_url'] == \
            '%s/v3' % again.url
    finally:
        assert again.stop(signal.SIGINT) == 0  # Ctrl-C stops cleanly too


def network_names(cloud, token):
    status, _, body = cloud.http('GET', '/v2.0/networks?fields=name&sort_key=name',
                                 token=token, api='network')
    assert status == 200, body
    return [n['name'] for n in body['networks']]


def default_images(cloud, token):
    status, _, body = cloud.http('GET', '/v2/images?name=cirros-0.6.3-x86_64-disk',
                                 token=token, api='image')
    assert status == 200, body
    assert all(i['status'] == 'active' and i['visibility'] == 'public' and
               i['disk_format'] == 'qcow2' and i['virtual_size'] == 1 << 30
               for i in body['images'])
    return len(body['images'])


def test_token_rotate_while_running_keeps_tokens_valid(tmp_path):
    cloud = Up(tmp_path / 'state', tmp_path / 'home')
    cloud.start()
    try:
        old = cloud.password_token('admin', 'secret', project='admin')
        result = subprocess.run([command('pocketstack'), 'token', 'rotate',
                                 '--state-dir', cloud.state_dir],
                                capture_output=True, text=True, env=clean_env())
        assert result.returncode == 0, result.stderr
        assert 'primary key is now 2' in result.stdout
        keys = sorted(os.listdir(os.path.join(cloud.state_dir, 'fernet-keys')))
        assert keys == ['0', '1', '2']
        # A token issued before the rotation still validates; new ones work.
        new = cloud.password_token('admin', 'secret', project='admin')
        for token in (old, new):
            status, _, body = cloud.http('GET', '/v3/auth/tokens', token=new,
                                         headers={'X-Subject-Token': token})
            assert status == 200, body
    finally:
        assert cloud.stop() == 0


def test_db_sync_migrates_once(tmp_path):
    def sync():
        result = subprocess.run([command('pocketstack'), 'db', 'sync',
                                 '--state-dir', str(tmp_path)],
                                capture_output=True, text=True, env=clean_env())
        assert result.returncode == 0, result.stderr
        return result.stdout
    assert sync() == ('identity: schema upgraded\nimage: schema upgraded\n'
                      'compute: schema upgraded\nnetwork: schema upgraded\n')
    assert all((tmp_path / ('%s.sqlite' % name)).exists()
               for name in ('identity', 'image', 'compute', 'network'))
    assert sync() == ('identity: schema up to date\nimage: schema up to date\n'
                      'compute: schema up to date\nnetwork: schema up to date\n')


def test_up_reports_a_busy_port(tmp_path):
    import socket
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([command('pocketstack'), 'up', '--state-dir', str(tmp_path),
                                 '--port', 'identity=%d' % port],
                                capture_output=True, text=True, timeout=60,
                                env=clean_env(HOME=str(tmp_path)))
    assert result.returncode == 1
    assert 'identity cannot listen on 127.0.0.1:%d' % port in result.stderr
    assert 'Traceback' not in result.stderr


def test_up_rejects_an_unknown_api_in_port(tmp_path):
    result = subprocess.run([command('pocketstack'), 'up', '--state-dir', str(tmp_path),
                             '--port', 'nova=8774'],
                            capture_output=True, text=True, env=clean_env(HOME=str(tmp_path)))
    assert result.returncode == 2
    assert 'unknown API nova' in result.stderr


def _children(pid):
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat[stat.rindex(')') + 2:].split()[1]) == pid:  # field 4, ppid
            found.append(int(entry))
    return found


def test_identity_standalone_prefork(tmp_path):
    port = free_port()
    conf_file = tmp_path / 'identity.conf'
    conf_file.write_text('[DEFAULT]\nstate_path = %s\nidentity_workers = 2\n'
                         'identity_listen_port = %d\n' % (tmp_path / 'state', port))
    proc = subprocess.Popen([command('pocketstack-identity'), '--config-file', str(conf_file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=clean_env())
    log = OutputReader(proc.stderr)
    try:
        assert log.wait_for(lambda l: 'identity listening on 127.0.0.1:%d' % port in l, 60), \
            log.text()
        assert log.wait_for(lambda l: 'Starting 2 workers' in l, 10), log.text()
        started = []
        for _ in range(2):
            line = log.wait_for(lambda l: 'Started child' in l and l not in started, 30)
            assert line, log.text()
            started.append(line)
        child_pids = {int(re.search(r'Started child (\d+)', l).group(1)) for l in started}
        assert set(_children(proc.pid)) == child_pids
        status, headers, body = http('GET', 'http://127.0.0.1:%d/' % port)
        assert status == 300
        assert body['versions']['values'][0]['id'] == 'v3.14'
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
    for pid in child_pids:
        assert not os.path.exists('/proc/%d' % pid), 'worker %d outlived its parent' % pid


def test_clouds_merge_keeps_other_clouds_and_refuses_a_broken_file(tmp_path):
    from pocketstack.cmd import clouds
    path = tmp_path / 'openstack' / 'clouds.yaml'
    entries = clouds.entries('http://127.0.0.1:5000/v3', {'admin': {
        'username': 'admin', 'password': 'secret', 'project_name': 'admin',
        'user_domain_name': 'Default', 'project_domain_name': 'Default'}}, 'RegionOne')
    clouds.merge(str(path), entries)  # creates the file and its directory
    assert read_yaml(path) == {'clouds': entries}
    path.write_text(yaml.safe_dump({'clouds': {'other': OTHER_CLOUD}, 'cache': {'max_age': 1}}))
    clouds.merge(str(path), entries)
    assert read_yaml(path) == {'clouds': dict(entries, other=OTHER_CLOUD),
                               'cache': {'max_age': 1}}
    # A file we cannot understand is left exactly as it was.
    path.write_text('clouds: [unclosed\n')
    with pytest.raises(ValueError):
        clouds.merge(str(path), entries)
    assert path.read_text() == 'clouds: [unclosed\n'
    assert [p.name for p in path.parent.iterdir()] == ['clouds.yaml']  # no temp file left


def _free_offset():
    """A --port-offset that puts every API's default port on a free one."""
    import random
    from pocketstack.cmd import registry
    defaults = [api.port for service in registry.SERVICES for api in service.apis]
    for _ in range(50):
        offset = random.randrange(20000, 40000)
        if not any(_answers(port + offset) for port in defaults):
            return offset
    raise AssertionError('no free port offset found')


def _answers(port):
    """Whether something listens on the port."""
    with socket.socket() as sock:
        return sock.connect_ex(('127.0.0.1', port)) == 0


def _pocketstack(home, *args, timeout=120):
    return subprocess.run([command('pocketstack'), *args], capture_output=True, text=True,
                          timeout=timeout, env=clean_env(HOME=str(home)))


def test_detach_status_down_openrc_and_a_second_up_refused(tmp_path):
    home, state = tmp_path / 'home', tmp_path / 'state'
    home.mkdir()
    offset = _free_offset()
    started = _pocketstack(home, 'up', '--detach', '--state-dir', str(state),
                           '--port-offset', str(offset), '--no-clouds-merge')
    try:
        assert started.returncode == 0, started.stderr + started.stdout
        identity = 'http://127.0.0.1:%d' % (5000 + offset)
        # The banner, once the cloud answers; the start-up log stays in up.log.
        assert started.stdout.lstrip().startswith('pocketstack is up'), started.stdout
        assert '%s/v3' % identity in started.stdout and 'ready in' in started.stdout
        assert 'Creating the database schema' in (state / 'up.log').read_text()
        assert http('GET', identity + '/v3')[0] == 200
        assert not (home / '.config').exists()     # --no-clouds-merge

        status = _pocketstack(home, 'status', '--state-dir', str(state))
        assert status.returncode == 0 and identity in status.stdout, status.stdout

        clouds_before = (state / 'clouds.yaml').read_text()
        second = _pocketstack(home, 'up', '--state-dir', str(state),
                              '--port-offset', str(offset + 1))
        assert second.returncode == 1
        assert 'is in use by pocketstack up' in second.stderr, second.stderr
        assert (state / 'clouds.yaml').read_text() == clouds_before
        assert http('GET', identity + '/v3')[0] == 200   # the first one keeps working

        # DevStack's openrc: `source openrc; nova list` with no clouds.yaml at all.
        listed = subprocess.run(
            ['bash', '-c', 'source "$1" && "$2" list', '-', str(state / 'openrc'),
             command('nova')], capture_output=True, text=True, timeout=120,
            env=clean_env(HOME=str(home)))
        assert listed.returncode == 0 and 'Networks' in listed.stdout, listed.stderr
        demo = (state / 'demo-openrc').read_text()
        assert 'export OS_USERNAME=demo' in demo and 'export OS_PROJECT_NAME=demo' in demo
    finally:
        stopped = _pocketstack(home, 'down', '--state-dir', str(state))
    assert stopped.returncode == 0, stopped.stderr
    assert not _answers(5000 + offset)      # down returns once the ports are free
    status = _pocketstack(home, 'status', '--state-dir', str(state))
    assert status.returncode == 3 and 'not running' in status.stdout
    again = _pocketstack(home, 'down', '--state-dir', str(state))
    assert again.returncode == 0 and 'not running' in again.stdout


def test_up_detach_reports_a_failed_start(tmp_path):
    home = tmp_path / 'home'
    home.mkdir()
    taken = free_port()
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', taken))
        sock.listen()
        failed = _pocketstack(home, 'up', '--detach', '--state-dir', str(tmp_path / 'state'),
                              '--port', 'identity=%d' % taken, '--no-clouds-merge')
    assert failed.returncode == 1
    assert 'identity cannot listen on 127.0.0.1:%d' % taken in failed.stderr, failed.stderr
    assert 'up did not start' in failed.stderr


def test_up_refuses_a_port_offset_beyond_the_ports(tmp_path):
    refused = _pocketstack(tmp_path, 'up', '--state-dir', str(tmp_path / 's'),
                           '--port-offset', '70000')
    assert refused.returncode == 2 and 'outside 1-65535' in refused.stderr


def test_up_config_file_and_hosts(tmp_path, request):
    config = tmp_path / 'up.conf'
    config.write_text('[fake_driver]\nvcpus = 4\n[quota]\ninstances = 25\n'
                      '[quotas]\nquota_router = 3\n')
    cloud = Up(tmp_path / 'state', tmp_path / 'home')
    request.addfinalizer(cloud.stop)
    cloud.start('--config', str(config), '--hosts', '3', '--no-clouds-merge')
    admin = cloud.password_token('admin', 'secret', project='admin')
    compute = {'api': 'osapi_compute', 'headers': {'OpenStack-API-Version': 'compute 2.87'}}
    status, _, body = cloud.http('GET', '/v2.1/os-hypervisors/detail', token=admin, **compute)
    assert status == 200, body
    assert sorted(h['hypervisor_hostname'] for h in body['hypervisors']) == [
        'compute1', 'compute2', 'compute3']
    assert {h['vcpus'] for h in body['hypervisors']} == {4}
    status, _, body = cloud.http('GET', '/v2.1/os-quota-sets/x/defaults', token=admin,
                                 **compute)
    assert body['quota_set']['instances'] == 25
    status, _, body = cloud.http('GET', '/v2.0/quotas/x/default', token=admin, api='network')
    assert body['quota']['router'] == 3


def test_the_shipped_up_config_sample_starts(tmp_path, request):
    from pocketstack.common import config
    cloud = Up(tmp_path / 'state', tmp_path / 'home')
    request.addfinalizer(cloud.stop)
    cloud.start('--config', config.packaged_file('up.conf.sample'), '--no-clouds-merge')
    admin = cloud.password_token('admin', 'secret', project='admin')
    status, _, body = cloud.http('GET', '/v2.1/os-hypervisors', token=admin,
                                 api='osapi_compute')
    assert status == 200 and len(body['hypervisors']) == 2   # all commented: the defaults


def _catalog_types(cloud):
    admin = cloud.password_token('admin', 'secret', project='admin')
    status, _, body = cloud.http('GET', '/v3/services', token=admin)
    assert status == 200, body
    return sorted(s['type'] for s in body['services'])


def test_up_starts_only_the_services_chosen_and_the_catalog_follows(tmp_path, request):
    config = tmp_path / 'up.conf'
    config.write_text('[up]\nservices = identity,image\n')
    cloud = Up(tmp_path / 'state', tmp_path / 'home')
    request.addfinalizer(cloud.stop)
    cloud.start('--no-clouds-merge')
    assert _catalog_types(cloud) == ['compute', 'identity', 'image', 'network']
    assert cloud.stop() == 0

    # The file's choice: no Compute or Network API, and they leave the catalog.
    cloud.start('--config', str(config), '--no-clouds-merge')
    assert _catalog_types(cloud) == ['identity', 'image']
    assert not _answers(cloud.ports['osapi_compute'])
    assert not _answers(cloud.ports['network'])
    assert 'nova ' not in cloud.stdout.text() and 'glance' in cloud.stdout.text()
    listed = cloud.openstack_json('image', 'list')
    assert [i['Name'] for i in listed] == ['cirros-0.6.3-x86_64-disk']
    assert cloud.stop() == 0

    # --services wins over the file; compute comes back with its data.
    cloud.start('--config', str(config), '--services', 'identity,image,compute',
                '--no-clouds-merge')
    assert _catalog_types(cloud) == ['compute', 'identity', 'image']
    assert cloud.openstack_json('flavor', 'list')


@pytest.mark.parametrize('services, message', [
    ('image,compute', 'identity cannot be left out'),
    ('identity,compute', 'compute needs image'),
    ('identity,cinder', 'unknown service cinder (known: identity, image, compute, network)'),
])
def test_up_refuses_a_choice_of_services_it_cannot_run(tmp_path, services, message):
    refused = _pocketstack(tmp_path, 'up', '--state-dir', str(tmp_path / 's'),
                           '--services', services)
    assert refused.returncode == 2
    assert message in refused.stderr and 'Traceback' not in refused.stderr
    assert not os.path.exists(tmp_path / 's' / 'up.json')
