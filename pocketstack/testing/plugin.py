"""The pytest plugin ``pocketstack`` (a ``pytest11`` entry point): the
session fixture ``openstack_cloud``, a ``pocketstack up`` started for the
tests that ask for it.

    def test_flavors(openstack_cloud):
        conn = openstack_cloud.connect()          # openstacksdk, admin
        assert list(conn.compute.flavors())

Options (command line, or the ini key in brackets):

    --pocketstack-state-dir DIR  [pocketstack_state_dir]  keep the cloud's
        state there (reused by the next session) instead of a temporary
        directory; under xdist each worker uses DIR/<worker id>
    --pocketstack-arg ARG        [pocketstack_args]  passed on to
        ``pocketstack up`` (repeat the option for each word)
    [pocketstack_start_timeout]  seconds to wait for "ready" (default 60)

Only hooks and the fixture live here, so loading the plugin costs a session
nothing; the cloud (``cloud.py``) is imported when a test first asks for it.
"""
import os

import pytest


def pytest_addoption(parser):
    group = parser.getgroup('pocketstack', 'a pocketstack cloud for the openstack_cloud fixture')
    group.addoption('--pocketstack-state-dir', metavar='DIR', default=None,
                    help='keep the cloud\'s state in DIR (default: a temporary directory)')
    group.addoption('--pocketstack-arg', metavar='ARG', action='append', default=[],
                    help='an argument for `pocketstack up` (repeatable), e.g. '
                         '--pocketstack-arg=--debug')
    parser.addini('pocketstack_state_dir', 'keep the cloud\'s state in this directory '
                  '(relative to the ini file)', default=None)
    parser.addini('pocketstack_args', 'arguments for `pocketstack up`', type='args',
                  default=[])
    parser.addini('pocketstack_start_timeout', 'seconds to wait for `pocketstack up` '
                  'to be ready', default='60')


def _state_dir(config, tmp_path_factory):
    state_dir = config.getoption('pocketstack_state_dir')
    if state_dir:
        state_dir = os.path.join(config.invocation_params.dir, state_dir)
    elif config.getini('pocketstack_state_dir'):
        base = config.inipath.parent if config.inipath else config.rootpath
        state_dir = os.path.join(base, config.getini('pocketstack_state_dir'))
    else:
        return tmp_path_factory.mktemp('pocketstack-state')
    worker = getattr(config, 'workerinput', {}).get('workerid')
    # Two processes must not run clouds on one state directory.
    return os.path.join(state_dir, worker) if worker else state_dir


@pytest.fixture(scope='session')
def openstack_cloud(request, tmp_path_factory):
    """A ``pocketstack up`` for the session (pocketstack.testing.Cloud):
    ``clouds_yaml``, ``cloud_name`` / ``demo_cloud_name``, ``auth_url``,
    ``admin`` / ``demo`` credentials, ``connect(cloud=None)`` (openstacksdk)
    and ``env(cloud=None)`` (OS_CLOUD and OS_CLIENT_CONFIG_FILE for an
    ``openstack`` subprocess)."""
    from pocketstack.testing.cloud import Cloud, CloudStartError
    config = request.config
    cloud = Cloud(_state_dir(config, tmp_path_factory), tmp_path_factory.mktemp('pocketstack-home'),
                  args=config.getini('pocketstack_args') + config.getoption('pocketstack_arg'),
                  timeout=float(config.getini('pocketstack_start_timeout')))
    try:
        cloud.start()
        failure = None
    except CloudStartError as e:
        failure = str(e)
    if failure:   # outside the except: the log alone, not a chained traceback
        pytest.fail(failure, pytrace=False)
    yield cloud
    died = not cloud.running()
    status = cloud.stop()
    if died:
        pytest.fail('pocketstack up exited during the session (status %s):\n%s'
                    % (status, cloud.log()), pytrace=False)
