"""The README's CI job, run as written: a fresh virtualenv installs
pocketstack from this clone, starts a detached cloud, boots a server with
the real ``openstack`` client and stops the cloud — every line must succeed."""
import os
import pathlib
import re
import subprocess

from tests.cloud_process import clean_env

ROOT = pathlib.Path(__file__).resolve().parents[2]


def readme_ci_job():
    text = (ROOT / 'README.md').read_text()
    section = text.split('## Use it in CI', 1)[1]
    return re.search(r'```sh\n(.*?)```', section, re.S).group(1)


def test_the_readme_ci_job_exits_0(tmp_path):
    job = readme_ci_job()
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
