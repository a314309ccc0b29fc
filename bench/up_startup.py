"""``pocketstack up``: time until every API answers, and resident memory.

``pocketstack up`` runs as a subprocess, as a user starts it (every API on a
free port so a running cloud is never disturbed, HOME and the state directory
temporary, no OS_* variables).  Measured: wall time from spawning it to its
"ready in" line (and the figure it prints), then VmRSS and VmHWM (peak) from
/proc; then it is stopped with SIGTERM.  First start (empty state directory:
schemas created, bootstrap, default image and flavors) and restart (same
directory), each beside the start and resident memory of a bare Python
interpreter measured in the same run (the floor of any Python tool).

    .venv/bin/python bench/up_startup.py [--runs N]
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402

BIN = os.path.dirname(sys.executable)


def start_up(state_dir, home, timeout_s=120):
    """(wall seconds until "ready in", the seconds it printed, VmRSS KiB, VmHWM KiB)
    of one ``pocketstack up``, which is then stopped with SIGTERM."""
    from pocketstack.cmd import registry
    # Every API on a free port, so a cloud already running here is never hit.
    ports = [arg for name in registry.api_names()
             for arg in ('--port', '%s=%d' % (name, common.server_mod.free_port()))]
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['HOME'] = home  # clouds.yaml is merged into $HOME/.config/openstack
    with tempfile.TemporaryFile('w+') as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen([os.path.join(BIN, 'pocketstack'), 'up', '--state-dir',
                                 state_dir, *ports], stdout=subprocess.PIPE, stderr=stderr,
                                text=True, env=env)
        watchdog = threading.Timer(timeout_s, proc.kill)  # a hung start fails, never blocks
        watchdog.start()
        try:
            for line in proc.stdout:
                if line.startswith('ready in'):
                    wall = time.perf_counter() - started
                    rss = common.rss_kib(proc.pid, 'VmRSS')
                    hwm = common.rss_kib(proc.pid, 'VmHWM')
                    proc.send_signal(signal.SIGTERM)
                    proc.communicate(timeout=30)
                    return wall, float(line.split()[2]), rss, hwm
            proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        stderr.seek(0)
        tail = ''.join(stderr.readlines()[-20:])
    raise RuntimeError('pocketstack up exited with %s before it was ready:\n%s'
                       % (proc.returncode, tail))


def bare_python():
    """(seconds to run ``python -c pass``, RSS of an idle bare interpreter in KiB)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, '-c', 'pass'], check=True)
        times.append(time.perf_counter() - started)
    proc = subprocess.Popen([sys.executable, '-c', 'import sys; sys.stdin.read()'],
                            stdin=subprocess.PIPE)
    time.sleep(0.2)  # let it start; its resident memory is what we want
    rss = common.rss_kib(proc.pid, 'VmRSS')
    proc.communicate(b'')
    return common.median(times), rss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=3)
    args = parser.parse_args(argv)
    print(common.machine())
    python_s, python_rss = bare_python()
    first, again = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix='bench-up-') as tmp:
            state = os.path.join(tmp, 'state')
            first.append(start_up(state, tmp))
            again.append(start_up(state, tmp))
    print('pocketstack up: %d runs, medians; every API on a free port, HOME and state '
          'directory temporary' % args.runs)
    for label, runs in (('up, first start', first), ('up, restart', again)):
        wall, printed, rss, hwm = (common.median([r[i] for r in runs]) for i in range(4))
        print('%-18s ready in %5.2f s (it printed %5.2f s) | bare python %5.3f s | ratio %5.1fx'
              % (label, wall, printed, python_s, wall / python_s))
        print('%-18s RSS %6.1f MiB, peak (VmHWM) %6.1f MiB | bare python RSS %5.1f MiB | '
              'ratio %5.1fx' % ('', rss / 1024, hwm / 1024, python_rss / 1024, rss / python_rss))


if __name__ == '__main__':
    main()
