"""An operator's policy file is read again when it changes, without a
restart (as oslo.policy does upstream), though the enforcer looks at it at
most once a second rather than before every check."""
import time

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from pocketstack.common import context as ctx_mod
from pocketstack.common import policy


def test_a_changed_policy_file_takes_effect_without_a_restart(tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"demo:get": "!"\n')   # nobody, whatever the default says
    config_file = tmp_path / 'demo.conf'
    config_file.write_text('[oslo_policy]\npolicy_file = %s\n' % policy_file)
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[str(config_file)])
    enforcer = policy.Policy(conf, [oslo_policy.RuleDefault('demo:get', 'role:member')])
    member = ctx_mod.RequestContext(user_id='u', project_id='p', roles=['member'])

    assert not enforcer.check(member, 'demo:get')
    policy_file.write_text('"demo:get": "role:member"\n')
    deadline = time.monotonic() + 5
    while not enforcer.check(member, 'demo:get'):
        assert time.monotonic() < deadline, 'the changed policy file was never read'
        time.sleep(0.05)
