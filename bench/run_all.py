"""Run every benchmark, one after another, each in its own process (``make bench``).

    .venv/bin/python bench/run_all.py [--quick]

``--quick`` runs smaller sizes (for a smoke check; the figures in
docs/benchmarks.md come from a run without it).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

BENCHMARKS = [
    ('identity_tokens.py', ['--requests', '50', '--seconds', '1']),
    ('up_startup.py', ['--runs', '1']),
    ('image_data.py', ['--mib', '64']),
    ('image_list.py', ['--images', '200', '--requests', '50']),
    ('compute.py', ['--boots', '5', '--concurrent', '20', '--servers', '100', '--seconds', '1']),
]


def main():
    quick = '--quick' in sys.argv[1:]
    failed = []
    for script, quick_args in BENCHMARKS:
        print('\n== %s' % script, flush=True)
        result = subprocess.run([sys.executable, os.path.join(HERE, script)]
                                + (quick_args if quick else []), stderr=subprocess.DEVNULL)
        if result.returncode:
            failed.append(script)
    if failed:
        print('\nFAILED: %s' % ', '.join(failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
