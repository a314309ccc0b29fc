"""``pocketstack up``: time until every API answers, and resident memory.

First start (empty state directory: schemas created, bootstrap, default
image and flavors) and restart (same directory), each beside the start of a
bare Python interpreter that imports nothing (the floor of any Python tool).

    .venv/bin/python bench/up_startup.py [--runs N]
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402

BIN = os.path.dirname(sys.executable)


def start_up(state_dir, home):
    from pocketstack.cmd import registry
    ports = [arg for name in registry.api_names()
             for arg in ('--port', '%s=%d' % (name, common.server_mod.free_port()))]
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['HOME'] = home
    started = time.perf_counter()
    proc = subprocess.Popen([os.path.join(BIN, 'pocketstack'), 'up', '--state-dir', state_dir,
                             *ports], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    for line in proc.stdout:
        if line.startswith('ready in'):
            wall = time.perf_counter() - started
            rss = common.rss_kib(proc.pid, 'VmRSS')
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)
            return wall, float(line.split()[2]), rss
    proc.wait()
    raise RuntimeError('pocketstack up exited with %s before it was ready' % proc.returncode)


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
    for label, runs in (('up, first start', first), ('up, restart', again)):
        wall = common.median([r[0] for r in runs])
        printed = common.median([r[1] for r in runs])
        rss = common.median([r[2] for r in runs])
        print('%-18s ready in %5.2f s (it printed %5.2f s) | bare python %5.3f s | ratio %5.1fx'
              ' || RSS %6.1f MiB | bare python %5.1f MiB' % (
                  label, wall, printed, python_s, wall / python_s, rss / 1024,
                  python_rss / 1024))


if __name__ == '__main__':
    main()
