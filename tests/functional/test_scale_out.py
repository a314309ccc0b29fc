"""The README's scale-out recipe, literally: the ``sh`` blocks of
docs/scale-out.md and then those of the README's "Scaled out" section run in
order in one bash
(``set -e``), in a temporary directory, with free ports, databases named by
this run on the machine's PostgreSQL and a RabbitMQ virtual host of its own
(the variables its first block reads).  That is pocketstack-manage db sync,
fernet and credential setup and bootstrap, Identity (2 workers), Image,
Network, the compute API, conductor, scheduler and two compute hosts as
processes, and ``openstack server create --network private --wait`` and
``server delete --wait``.  The processes are the script's background jobs,
in its process group: the group is stopped at the end, whatever happened.
"""
import os
import pathlib
import re
import signal
import subprocess
import time
import uuid

import pytest

from tests import backends
from tests.cloud_process import BIN, clean_env, free_port
from tests.functional.test_compute_rabbit import rabbit_url  # noqa: F401 - a fixture

ROOT = pathlib.Path(__file__).resolve().parents[2]
TIMEOUT_S = 240


def sh_blocks(path, section=None):
    text = path.read_text()
    if section:
        start = text.index('\n## %s\n' % section)
        end = text.find('\n## ', start + 1)
        text = text[start:end if end != -1 else None]
    blocks = re.findall(r'^```sh\n(.*?)^```', text, re.M | re.S)
    assert blocks, 'no sh blocks in %s %s' % (path, section or '')
    return blocks


def recipe_script():
    blocks = sh_blocks(ROOT / 'docs' / 'scale-out.md') + sh_blocks(ROOT / 'README.md',
                                                                    'Scaled out')
    return 'set -euo pipefail\n' + '\n'.join(blocks)


@pytest.fixture
def databases():
    """The recipe's database name prefix; its databases dropped afterwards."""
    import sqlalchemy as sa
    backends.require('postgresql')
    prefix = 'pst_%s' % uuid.uuid4().hex[:12]
    yield prefix
    admin = sa.create_engine('postgresql+psycopg://postgres@127.0.0.1:5432/postgres',
                             isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        for service in ('identity', 'image', 'network', 'compute'):
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s_%s WITH (FORCE)'
                                 % (prefix, service))
    admin.dispose()


def stop_group(pgid):
    """SIGTERM to every process of the group, SIGKILL to what is left after 20 s."""
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def logs(workdir):
    return '\n'.join('--- %s\n%s' % (log.name, log.read_text()[-4000:])
                     for log in sorted(workdir.glob('scale-out/*.log')))


def test_scale_out_recipe(tmp_path, databases, rabbit_url):  # noqa: F811
    ports = {name: free_port() for name in ('IDENTITY', 'IMAGE', 'NETWORK', 'COMPUTE',
                                            'METADATA')}
    env = clean_env(PATH=BIN + os.pathsep + os.environ['PATH'], DB_PREFIX=databases,
                    TRANSPORT_URL=rabbit_url,
                    **{'%s_PORT' % name: str(port) for name, port in ports.items()})
    script = tmp_path / 'recipe.sh'
    script.write_text(recipe_script())
    output = tmp_path / 'recipe.out'
    with open(output, 'w') as out:
        proc = subprocess.Popen(['bash', str(script)], cwd=tmp_path, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            status = proc.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            status = 'timed out after %d s' % TIMEOUT_S
        finally:
            stop_group(proc.pid)
            proc.wait()
    assert status == 0, 'the recipe failed (%s):\n%s\n%s' % (
        status, output.read_text()[-6000:], logs(tmp_path))
    text = output.read_text()
    assert 'Bootstrapped: user admin' in text
    assert re.search(r'status\s+\|\s+ACTIVE', text), text[-4000:]
