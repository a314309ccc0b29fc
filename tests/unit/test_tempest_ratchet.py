"""tools/tempest/run.py's verdict: the expected-failures list only shrinks."""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location(
    'tempest_run', os.path.join(ROOT, 'tools', 'tempest', 'run.py'))
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

REGEX = r'^tempest\.api\.compute\.'
A = 'tempest.api.compute.test_a.ATest.test_one'
B = 'tempest.api.compute.test_b.BTest.test_two'
SETUP = 'setUpClass (tempest.api.compute.test_c.CTest)'


def test_every_listed_failure_has_a_reason(tmp_path):
    path = tmp_path / 'list.txt'
    path.write_text('# header\n%s  # not served yet\n%s\n' % (A, B))
    with pytest.raises(SystemExit, match='has no reason'):
        run.read_expected(str(path))
    path.write_text('# header\n%s  # not served yet\n' % A)
    assert run.read_expected(str(path)) == {A: 'not served yet'}


def test_the_shipped_list_parses():
    assert all(run.read_expected().values())


def test_a_failure_off_the_list_fails_the_run(capsys):
    outcome = {A + '[id-1,smoke]': 'fail', B + '[id-2]': 'success'}
    assert not run.report(outcome, {}, REGEX)
    assert 'FAILED, not on the list: %s[id-1,smoke]' % A in capsys.readouterr().out


def test_a_listed_test_that_passes_fails_the_run_until_its_line_goes(capsys):
    outcome = {A + '[id-1]': 'success', SETUP: 'fail'}
    expected = {A: 'was broken', SETUP: 'set-up was broken'}
    assert not run.report(outcome, expected, REGEX)
    assert 'delete its line): %s' % A in capsys.readouterr().out
    del expected[A]
    assert run.report(outcome, expected, REGEX)


def test_listed_tests_outside_the_regex_are_not_judged():
    outcome = {A + '[id-1]': 'fail'}
    expected = {A: 'broken', 'tempest.api.identity.test_x.X.test_y': 'broken'}
    assert run.report(outcome, expected, REGEX)
