"""Run every benchmark, one after another, each in its own process (``make bench``).

    .venv/bin/python bench/run_all.py [--quick | --full] [SCRIPT ...]

By default each script runs with the sizes below, chosen so that the whole
run takes under two minutes on a 2-CPU machine; ``--full`` runs each script
with its own (larger) defaults, ``--quick`` with small sizes (a smoke check:
its figures are too few to quote).  Naming scripts (``identity_tokens.py``…)
runs only those.  Each script also runs alone; docs/benchmarks.md gives the
command behind every figure it quotes.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench import common  # noqa: E402

# script: (default arguments, --quick arguments)
BENCHMARKS = {
    'identity_tokens.py': (['--requests', '200', '--seconds', '3'],
                           ['--requests', '50', '--seconds', '1']),
    'up_startup.py': (['--runs', '3'], ['--runs', '1']),
    'image_data.py': (['--mib', '256'], ['--mib', '64']),
    'image_list.py': (['--images', '1000', '--requests', '100'],
                      ['--images', '200', '--requests', '50']),
    'compute.py': (['--boots', '10', '--concurrent', '100', '--servers', '1000',
                    '--seconds', '2'],
                   ['--boots', '5', '--concurrent', '20', '--servers', '100', '--seconds', '1']),
    'network.py': (['--ports', '3000', '--window', '500'], ['--ports', '400', '--window', '100']),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument('--quick', action='store_true', help='small sizes (smoke check)')
    sizes.add_argument('--full', action='store_true', help="each script's own defaults")
    parser.add_argument('scripts', nargs='*', metavar='SCRIPT',
                        help='run only these (default: all): %s' % ', '.join(BENCHMARKS))
    args = parser.parse_args(argv)
    unknown = set(args.scripts) - set(BENCHMARKS)
    if unknown:
        parser.error('no such benchmark: %s' % ', '.join(sorted(unknown)))

    print(common.machine())
    failed = []
    started = time.perf_counter()
    for script in args.scripts or BENCHMARKS:
        default_args, quick_args = BENCHMARKS[script]
        script_args = [] if args.full else quick_args if args.quick else default_args
        print('\n== bench/%s %s' % (script, ' '.join(script_args)), flush=True)
        script_started = time.perf_counter()
        # The services log to stderr; keep it, and show its end if the script fails.
        result = subprocess.run([sys.executable, os.path.join(HERE, script)] + script_args,
                                stderr=subprocess.PIPE, text=True)
        print('(%.0f s)' % (time.perf_counter() - script_started), flush=True)
        if result.returncode:
            failed.append(script)
            print('FAILED (exit %d); the end of its stderr:\n%s' % (
                result.returncode, ''.join(result.stderr.splitlines(True)[-25:])))
    print('\nall done in %.0f s' % (time.perf_counter() - started))
    if failed:
        print('FAILED: %s' % ', '.join(failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
