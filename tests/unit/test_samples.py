"""The sample config and policy files under pocketstack/etc/ are what the code's
options and policy defaults generate today: an option or rule changed without
``make samples`` fails here.  The generators run in-process with the
arguments the Makefile gives their commands."""
import pathlib

import pytest
from oslo_config import cfg
from oslo_config import generator as config_generator
from oslo_policy import generator as policy_generator

ETC = pathlib.Path(__file__).resolve().parents[2] / 'pocketstack' / 'etc'
SERVICES = ('identity', 'image', 'network', 'compute')


def _assert_same(committed, generated):
    assert committed.exists(), '%s is missing: run `make samples`' % committed.name
    assert generated.read_text() == committed.read_text(), (
        '%s is stale: run `make samples` and commit the result' % committed.name)


@pytest.mark.parametrize('service', SERVICES)
def test_config_sample_is_current(service, tmp_path):
    out = tmp_path / 'sample'
    config_generator.main(['--namespace', 'pocketstack.%s' % service,
                           '--output-file', str(out)])
    _assert_same(ETC / ('%s.conf.sample' % service), out)


@pytest.mark.parametrize('service', SERVICES)
def test_policy_sample_is_current(service, tmp_path):
    out = tmp_path / 'sample'
    policy_generator.generate_sample(['--namespace', 'pocketstack.%s' % service,
                                      '--output-file', str(out)], conf=cfg.ConfigOpts())
    _assert_same(ETC / ('%s-policy.yaml.sample' % service), out)
