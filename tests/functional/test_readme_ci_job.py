"""The README's CI job, run as written: a fresh virtualenv installs
pocketstack from this clone, starts a detached cloud, boots a server with
the real ``openstack`` client and stops the cloud — every line must succeed.
Then, in that same virtualenv, the README's pytest-plugin example passes."""
import os
import pathlib
import re
import subprocess

from tests.cloud_process import clean_env

ROOT = pathlib.Path(__file__).resolve().parents[2]


def readme_block(heading, language):
    section = (ROOT / 'README.md').read_text().split('## %s\n' % heading, 1)[1]
    return re.search(r'```%s\n(.*?)```' % language, section, re.S).group(1)


def test_the_readme_ci_job_exits_0(tmp_path):
    job = readme_block('Use it in CI', 'sh')
    assert len(job.strip().splitlines()) <= 10
    (tmp_path / 'pocketstack').symlink_to(ROOT)   # "the clone sits in ./pocketstack"
    home = tmp_path / 'home'
    home.mkdir()
    ran = subprocess.run(['bash', '-euo', 'pipefail', '-c', job], cwd=tmp_path,
                         capture_output=True, text=True, timeout=900,
                         env=clean_env(HOME=str(home), PIP_DISABLE_PIP_VERSION_CHECK='1'))
    try:
        assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
        assert 'ACTIVE' in ran.stdout and 'stopped' in ran.stdout, ran.stdout[-3000:]
    finally:
        if (tmp_path / 'cloud' / 'up.lock').exists():    # a failed job must not leave it up
            subprocess.run([str(tmp_path / 'ps' / 'bin' / 'pocketstack'), 'down',
                            '--state-dir', str(tmp_path / 'cloud')], timeout=120,
                           env=clean_env(HOME=str(home)))
    assert not os.path.exists(tmp_path / 'cloud' / 'up.json')

    # The plugin, installed from the clone with the rest: the README's example.
    (tmp_path / 'test_my_app.py').write_text(readme_block('Use it in your tests', 'python'))
    venv_bin = tmp_path / 'ps' / 'bin'
    env = clean_env(HOME=str(home), PATH='%s%s%s' % (venv_bin, os.pathsep, os.environ['PATH']))
    subprocess.run([str(venv_bin / 'pip'), 'install', '-q', 'pytest'], check=True, env=env,
                   timeout=600)
    tested = subprocess.run([str(venv_bin / 'python'), '-m', 'pytest', '-q',
                             '-p', 'no:cacheprovider', 'test_my_app.py'], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600, env=env)
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    assert '2 passed' in tested.stdout, tested.stdout[-3000:]
