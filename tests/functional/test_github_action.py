"""The GitHub Action (action.yml, stop/action.yml), its steps run in order as
a runner runs a composite action: each step's ``run`` in bash with its
``env`` (inputs substituted), the variables it appends to $GITHUB_ENV and
the directories to $GITHUB_PATH given to the steps after it.  Then what a
job does with the cloud, and the stop action."""
import os
import pathlib
import re
import subprocess

import yaml

from tests.cloud_process import clean_env
from tests.functional.test_cli_up import _free_offset

ROOT = pathlib.Path(__file__).resolve().parents[2]


class Runner:
    """Just enough of a GitHub runner for composite actions."""

    def __init__(self, tmp_path, home):
        self.files = {name: tmp_path / name for name in ('env', 'path', 'output')}
        for path in self.files.values():
            path.write_text('')
        self.env = clean_env(HOME=str(home), RUNNER_TEMP=str(tmp_path / 'runner-temp'),
                             GITHUB_ACTION_PATH=str(ROOT),
                             GITHUB_ENV=str(self.files['env']),
                             GITHUB_PATH=str(self.files['path']),
                             GITHUB_OUTPUT=str(self.files['output']))
        os.makedirs(self.env['RUNNER_TEMP'])

    def run_action(self, path, inputs=None):
        action = yaml.safe_load(path.read_text())
        given = {name: str((inputs or {}).get(name, spec.get('default', '')))
                 for name, spec in (action.get('inputs') or {}).items()}
        for step in action['runs']['steps']:
            env = {key: re.sub(r'\$\{\{\s*inputs\.([\w-]+)\s*\}\}',
                               lambda m: given[m.group(1)], str(value))
                   for key, value in (step.get('env') or {}).items()}
            self.run(step['run'], **env)

    def run(self, script, **env):
        ran = subprocess.run(['bash', '-e', '-c', script], capture_output=True, text=True,
                             timeout=900, env=dict(self.env, **env))
        assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
        for line in self.files['env'].read_text().splitlines():
            key, _, value = line.partition('=')
            self.env[key] = value
        for line in self.files['path'].read_text().splitlines():
            if line not in self.env['PATH'].split(os.pathsep):
                self.env['PATH'] = line + os.pathsep + self.env['PATH']
        return ran.stdout


def test_the_action_starts_a_cloud_the_job_uses_and_the_stop_action_stops_it(tmp_path):
    home = tmp_path / 'home'
    home.mkdir()
    runner = Runner(tmp_path, home)
    config = tmp_path / 'up.conf'
    config.write_text('[quota]\ninstances = 30\n')
    offset = _free_offset()
    runner.run_action(ROOT / 'action.yml', {'port-offset': offset, 'config': config})
    try:
        assert runner.env['OS_CLOUD'] == 'pocketstack'
        assert 'clouds-yaml=' in runner.files['output'].read_text()
        out = runner.run('openstack server create --flavor m1.nano --image '
                         'cirros-0.6.3-x86_64-disk --network private --wait vm1 '
                         '-f value -c status')
        assert out.strip() == 'ACTIVE'
        quota = runner.run('openstack quota show --default --compute -f json demo')
        assert {'Resource': 'instances', 'Limit': 30} in yaml.safe_load(quota)  # the config
        assert str(5000 + offset) in runner.run('openstack endpoint list -f value -c URL')
    finally:
        runner.run_action(ROOT / 'stop' / 'action.yml')
    status = subprocess.run(['bash', '-c', 'pocketstack status --state-dir '
                             '"$POCKETSTACK_STATE_DIR"'], env=runner.env)
    assert status.returncode == 3
