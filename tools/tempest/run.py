"""Tempest against a fresh ``pocketstack up``: the conformance ratchet.

``make tempest`` runs this with the project's interpreter: it starts an
all-in-one cloud on free ports in a scratch directory, uploads the second
image Tempest wants, writes a ``tempest.conf`` for it (dynamic credentials
made by the admin, validation off: no guest is reachable), runs Tempest from
its own virtualenv, and compares the outcome with ``expected-failures.txt``
beside this file.  It fails when a test outside that list fails, and when a
listed test no longer fails (so the list only shrinks: delete its line).
"""
import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, 'expected-failures.txt')
DEFAULT_REGEX = r'^tempest\.api\.compute\.'

CONF = """\
[DEFAULT]
log_dir = {workspace}
log_file = tempest.log

[oslo_concurrency]
lock_path = {workspace}/locks

[auth]
use_dynamic_credentials = true
admin_username = {admin[username]}
admin_password = {admin[password]}
admin_project_name = {admin[project_name]}
admin_domain_name = Default

[identity]
uri_v3 = {auth_url}/v3
auth_version = v3
region = RegionOne

[compute]
image_ref = {image_ref}
image_ref_alt = {image_ref_alt}
flavor_ref = {flavor_ref}
flavor_ref_alt = {flavor_ref_alt}
max_microversion = latest
build_timeout = 60
build_interval = 1

[network]
public_network_id = {public_network_id}
floating_network_name = public
project_networks_reachable = false
build_timeout = 60
build_interval = 1

[image]
build_timeout = 60
build_interval = 1

[validation]
run_validation = false

[service_available]
nova = true
glance = true
neutron = true
cinder = false
swift = false
"""


def read_expected(path=EXPECTED):
    """{test name: reason} from the list: ``name  # reason`` per line."""
    expected = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            name, _, reason = line.partition('#')
            if not reason.strip():
                sys.exit('%s:%d: %s has no reason' % (path, number, name.strip()))
            expected[name.strip()] = reason.strip()
    return expected


def plain_name(test_id):
    """A test id without Tempest's ``[id-…,smoke]`` attributes."""
    return re.sub(r'\[.*\]$', '', test_id)


def class_path(name):
    """The dotted path in a list entry, also for a class whose set-up failed:
    ``setUpClass (tempest.api.….Class)``."""
    match = re.match(r'^\w+ \((.*)\)$', name)
    return match.group(1) if match else name


def prepare(cloud):
    """The ids tempest.conf names: images, flavors, the external network."""
    conn = cloud.connect()
    images = sorted(conn.image.images(), key=lambda i: i.created_at)
    image_ref = images[0].id
    alt = conn.image.find_image('tempest-alt')
    if alt is None:
        alt = conn.image.create_image(name='tempest-alt', disk_format='qcow2',
                                      container_format='bare', data=b'\0' * 4096,
                                      visibility='public')
    flavors = {f.name: f.id for f in conn.compute.flavors()}
    public = conn.network.find_network('public')
    return {'image_ref': image_ref, 'image_ref_alt': alt.id,
            'flavor_ref': flavors['m1.nano'], 'flavor_ref_alt': flavors['m1.micro'],
            'public_network_id': public.id}


def run_tempest(tempest_bin, workspace, regex, concurrency):
    """Runs Tempest in ``workspace``; returns {test id: status}."""
    argv = [os.path.join(tempest_bin, 'tempest'), 'run', '--regex', regex,
            '--concurrency', str(concurrency)]
    subprocess.run(argv, cwd=workspace)
    # Both exit 1 when a test failed; an empty table means Tempest did not run.
    stream = subprocess.run([os.path.join(tempest_bin, 'stestr'), 'last', '--subunit'],
                            cwd=workspace, capture_output=True).stdout
    table = subprocess.run([os.path.join(tempest_bin, 'subunit2csv')], input=stream,
                           capture_output=True).stdout.decode()
    outcome = {}
    for row in csv.DictReader(io.StringIO(table)):
        outcome[row['test']] = row['status']
    if not outcome:
        sys.exit('Tempest ran no test (its output is above)')
    return outcome


def report(outcome, expected, regex):
    passed = sorted(t for t, s in outcome.items() if s == 'success')
    failed = sorted(t for t, s in outcome.items() if s in ('fail', 'failure', 'error'))
    skipped = [t for t, s in outcome.items() if s == 'skip']
    listed = {name for name in expected if re.search(regex, class_path(name))}
    unexpected = [t for t in failed if plain_name(t) not in expected]
    no_longer_failing = sorted(listed - {plain_name(t) for t in failed})
    ran = len(passed) + len(failed)
    print('\ntempest %s: %d passed, %d failed (%d on the list), %d skipped; %.1f %% of '
          'those that ran passed' % (regex, len(passed), len(failed),
                                     len(failed) - len(unexpected), len(skipped),
                                     100.0 * len(passed) / ran if ran else 0))
    for name in unexpected:
        print('FAILED, not on the list: %s' % name)
    for name in no_longer_failing:
        print('did not fail, but on the list (delete its line): %s' % name)
    return not unexpected and not no_longer_failing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--regex', default=DEFAULT_REGEX)
    parser.add_argument('--concurrency', type=int, default=2)
    parser.add_argument('--tempest-venv', default=os.path.join(os.getcwd(), '.venv-tempest'))
    parser.add_argument('--workdir', help='keep the cloud and the workspace here')
    args = parser.parse_args(argv)
    from pocketstack.testing.cloud import Cloud

    expected = read_expected()
    workdir = args.workdir or tempfile.mkdtemp(prefix='pocketstack-tempest-')
    workspace = os.path.join(workdir, 'tempest')
    tempest_bin = os.path.join(os.path.abspath(args.tempest_venv), 'bin')
    cloud = Cloud(os.path.join(workdir, 'state'), os.path.join(workdir, 'home'))
    cloud.start()
    try:
        if not os.path.isdir(workspace):
            # Its own workspace registry, not the user's ~/.tempest.
            subprocess.run([os.path.join(tempest_bin, 'tempest'), 'init', '--workspace-path',
                            os.path.join(workdir, 'workspaces.yaml'), workspace],
                           check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(workspace, 'etc', 'tempest.conf'), 'w') as f:
            f.write(CONF.format(workspace=workspace, admin=cloud.admin,
                                auth_url=cloud.auth_url.rstrip('/').removesuffix('/v3'),
                                **prepare(cloud)))
        started = time.monotonic()
        outcome = run_tempest(tempest_bin, workspace, args.regex, args.concurrency)
        print('(%d s; the cloud\'s log: %s, Tempest\'s: %s)' % (
            time.monotonic() - started, cloud.log_path, os.path.join(workspace, 'tempest.log')))
    finally:
        cloud.stop()
    return 0 if report(outcome, expected, args.regex) else 1


if __name__ == '__main__':
    sys.exit(main())
