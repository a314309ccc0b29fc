"""Client tests: the real ``openstack`` CLI and openstacksdk against one
``pocketstack up`` started for the session (free port, temporary state
directory and HOME; the user's own ~/.config is never touched)."""
import pytest

from tests.cloud_process import Up


@pytest.fixture(scope='session')
def cloud(tmp_path_factory):
    """The running cloud: ``.openstack(*args, cloud=…)`` → (rc, stdout, stderr),
    ``.openstack_json(*args)`` → decoded ``-f json`` output, ``.http(…)`` for raw
    requests, ``.url``, ``.clouds_file``."""
    root = tmp_path_factory.mktemp('pocketstack-up')
    up = Up(root / 'state', root / 'home')
    up.start()
    yield up
    assert up.stop() == 0, up.stderr.text()
