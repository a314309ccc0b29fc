"""The pytest plugin pocketstack ships (``pocketstack/testing/``), as another
project uses it: a test file of theirs, run by pytest in a subprocess that
loads the plugin from its entry point."""
pytest_plugins = ['pytester']

# What a user writes: the README's example, then the demo user's cloud, an
# `openstack` subprocess and the server's console log.
USER_TESTS = '''
import os
import subprocess
import sys

import yaml


def test_flavors_and_a_server(openstack_cloud):
    conn = openstack_cloud.connect()
    assert list(conn.compute.flavors())
    image = next(conn.image.images())
    flavor = conn.compute.find_flavor('m1.nano')
    server = conn.compute.create_server(name='vm1', image_id=image.id, flavor_id=flavor.id,
                                        networks='none')
    server = conn.compute.wait_for_server(server, wait=60)
    assert server.status == 'ACTIVE'
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60)


def test_the_demo_user_and_the_cli(openstack_cloud):
    cloud = openstack_cloud
    assert (cloud.cloud_name, cloud.demo_cloud_name) == ('pocketstack', 'pocketstack-demo')
    with open(cloud.clouds_yaml) as f:
        entries = yaml.safe_load(f)['clouds']
    assert cloud.admin == entries['pocketstack']['auth']
    assert cloud.demo['username'] == 'demo' and cloud.demo['project_name'] == 'demo'
    assert cloud.auth_url == cloud.admin['auth_url'] == cloud.demo['auth_url']
    conn = cloud.connect(cloud=cloud.demo_cloud_name)
    # the network up made for project demo
    server = conn.create_server('web-1', image=next(conn.image.images()).id,
                                flavor='m1.nano', network='private', wait=True, timeout=60)
    address = server.addresses['private'][0]['addr']
    output = conn.compute.get_server_console_output(server, length=40)['output']
    assert 'web-1 login:' in output and address in output
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update(cloud.env(cloud.demo_cloud_name))
    listed = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'openstack'), 'server', 'list',
         '-f', 'value', '-c', 'Name'], env=env, capture_output=True, text=True, check=True)
    assert listed.stdout.split() == ['web-1']
'''


def test_a_user_test_file_gets_a_cloud(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    pytester.makeini('[pytest]\npocketstack_state_dir = kept\n')
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider', timeout=300)
    result.assert_outcomes(passed=2)
    # The state was kept where the ini said, with up's log beside it...
    kept = pytester.path / 'kept'
    assert (kept / 'clouds.yaml').exists() and (kept / 'compute.sqlite').exists()
    assert 'ready in' in (kept / 'pocketstack-up.log').read_text()
    # ...and HOME (pytester points it at its directory) was never written to.
    assert not (pytester.path / '.config').exists()


def test_a_session_without_the_fixture_starts_nothing(pytester):
    pytester.makepyfile(test_plain='def test_plain():\n    pass\n')
    # The option is known (the plugin is loaded), and the directory it names
    # is never made: no cloud started.
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider',
                                           '--pocketstack-state-dir', 'kept', timeout=120)
    result.assert_outcomes(passed=1)
    assert not (pytester.path / 'kept').exists()


def test_a_cloud_that_does_not_start_shows_its_log(pytester):
    pytester.makepyfile(test_user='def test_one(openstack_cloud):\n    pass\n'
                                  'def test_two(openstack_cloud):\n    pass\n')
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider',
                                           '--pocketstack-arg=--no-such-option', timeout=120)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(['*pocketstack up did not become ready*',
                                 '*unrecognized arguments: --no-such-option*'])
