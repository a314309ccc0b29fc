"""Before and after, side by side in one run: a bench script run from a base
revision and from the current tree, alternately, and its figures compared.

    .venv/bin/python bench/compare_revisions.py --base REV [--rounds 3] [--current-rev REV]
                                                [--timeout 3600] SCRIPT [SCRIPT ARGS...]

e.g.

    .venv/bin/python bench/compare_revisions.py --base HEAD~3 --rounds 3 \\
        compute.py --boots 10 --concurrent 100 --servers 200 --seconds 1

REV is anything ``git rev-parse`` takes.  The base revision is checked out in a
temporary detached ``git worktree`` (removed at the end, whatever happens); the
"current" side is this working tree as it is, uncommitted changes included, or,
with ``--current-rev REV``, a second temporary worktree of REV.  Then
``bench/SCRIPT ARGS`` runs ``--rounds`` times from each tree, alternately (base,
current, base, current, ...) so that both sides see the same machine state;
each run is ``<this python> <tree>/bench/SCRIPT ARGS`` with the tree as cwd
and ``PYTHONPATH=<tree>``.  Its stdout is captured for the comparison; its
stderr (the services' logs) is kept only to show the end of it if it fails, and
a failing run (non-zero exit, or still running after ``--timeout`` seconds:
it is killed with everything it started) stops the comparison.  A progress
line per run goes to stderr.

Which code each run measures: each tree's own ``bench/SCRIPT`` (if the script
itself changed between the revisions, both versions are measured), and each
tree's own ``pocketstack`` package, although the venv has the main tree
installed editable: a bench script starts with ``sys.path.insert(0, <its
repo root>)``, which puts the tree before the editable install's finder (that
finder comes after the path entries in ``sys.meta_path``).  PYTHONPATH does the
same for anything the script starts in turn, e.g. ``.venv/bin/pocketstack up``
in up_startup.py.

The caveat: entry points (the stevedore plugins: Compute API extensions,
drivers, Network plugins) are read from the venv's installed metadata, i.e.
from the pyproject.toml of the main tree when it was last installed, never
from the base revision's.  The base revision must therefore have the modules
those entry points name -- true as long as no entry point was added, renamed or
removed between the revisions (an extension added in between makes the base
Compute API refuse to start: "extension ... failed to load").  Before running,
the modules the installed entry points name are looked for in each tree, and
the missing ones are listed on stderr.

What it prints (stdout):

- which revisions were compared: ``git rev-parse --short`` of the base and of
  HEAD (or of --current-rev), and whether the working tree has uncommitted
  changes ("HEAD + uncommitted changes", with the paths `git status
  --porcelain` lists; note that an untracked file counts too);
- a table, one row per output line that both sides printed.  Each stdout line
  holding numbers is reduced to a *label*: the line with its numbers replaced
  by placeholders (a number is digits with an optional decimal part not glued
  to a letter, a digit or a dot before it, so ``p50``, ``m1.nano``, ``v2.1``
  are text).  A line printed twice in one run gets a second row.  A number that
  is the same in every run of both sides (a parameter such as "50 servers",
  "concurrency 8") is written back into the label; the first two numbers that
  vary are *the figures* of the line, shown in the label as [1] and [2]; any
  later varying numbers (e.g. the hello-world baseline and ratios of
  common.latency_row) show as ``#`` and the label is cut after the ``|``
  -separated part holding the last figure.  For each figure: the base median,
  the current median (medians over the rounds, per number position) and
  current/base.  Whether higher or lower is better depends on the figure
  (ms: lower; req/s, boots/s: higher).  Lines with no varying number (the
  machine line) are not in the table; the last row is the wall time of the
  whole script run;
- the full stdout of the last round of each side, so nothing is hidden.

How much a ratio moves by chance: compare a revision with itself
(``--base HEAD --current-rev HEAD``).  On a 2-CPU machine, with one round and
small sizes, same-code ratios of 0.8-1.5 (p99s: more) are common, and even the
hello-world baseline's req/s moves that much; use more rounds and the scripts'
larger sizes before believing a ratio, and read the baselines' ratios too.
"""
import argparse
import collections
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER = re.compile(r'(?<![\w.])\d+(?:\.\d+)?')
FIGURES = 2          # how many varying numbers of a line are compared
WALL_LABEL = '(wall time of the whole script run, s)'


class RunFailed(Exception):
    pass


def git(*args, cwd=ROOT):
    return subprocess.run(['git', *args], cwd=cwd, check=True, text=True,
                          stdout=subprocess.PIPE).stdout.rstrip('\n')


def describe(rev):
    """'<short hash> <subject>' of a revision; SystemExit if git does not know it."""
    try:
        sha = git('rev-parse', '--verify', '--quiet', rev + '^{commit}')
    except subprocess.CalledProcessError:
        raise SystemExit('compare_revisions: unknown revision %r' % rev)
    return git('log', '-1', '--format=%h %s', sha)


def describe_working_tree():
    head = describe('HEAD')
    changed = [line[3:] for line in git('status', '--porcelain').splitlines()]
    if not changed:
        return 'working tree = HEAD %s (no uncommitted changes)' % head
    shown = ', '.join(changed[:6]) + (', ...' if len(changed) > 6 else '')
    return 'HEAD + uncommitted changes: HEAD %s; %d changed path(s): %s' % (
        head, len(changed), shown)


def add_worktree(parent, name, rev):
    path = os.path.join(parent, name)
    git('worktree', 'add', '--detach', '--quiet', path, rev)
    return path


def remove_worktree(path):
    result = subprocess.run(['git', 'worktree', 'remove', '--force', path], cwd=ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if result.returncode:
        print('compare_revisions: could not remove the worktree %s: %s'
              % (path, result.stdout.strip()), file=sys.stderr)


def missing_entry_point_modules(tree):
    """The installed pocketstack entry points whose module is not in ``tree``."""
    from importlib import metadata
    try:
        entry_points = metadata.distribution('pocketstack').entry_points
    except metadata.PackageNotFoundError:
        return []
    missing = []
    for ep in entry_points:
        module = os.path.join(tree, *ep.value.split(':')[0].strip().split('.'))
        if not (os.path.isfile(module + '.py')
                or os.path.isfile(os.path.join(module, '__init__.py'))):
            missing.append('%s (%s = %s)' % (ep.group, ep.name, ep.value))
    return missing


def run_once(tree, script, script_args, timeout):
    """(stdout, wall seconds) of one run of ``<tree>/bench/<script>``; RunFailed if it
    fails or outlives ``timeout`` seconds.  The run is its own process group, so that
    whatever it started (``pocketstack up``) is killed with it."""
    env = dict(os.environ, PYTHONPATH=tree)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, os.path.join(tree, 'bench', script), *script_args],
                            cwd=tree, env=env, text=True, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    problem = None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        problem = 'was still running after %d s (killed)' % timeout
    finally:
        if proc.poll() is None:         # timed out, or we are interrupted
            os.killpg(proc.pid, signal.SIGKILL)
    if problem:
        stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode and not problem:
        problem = 'exited %d' % proc.returncode
    if problem:
        tail = '\n'.join(stderr.splitlines()[-30:])
        raise RunFailed('%s/bench/%s %s; its stdout:\n%s\nthe end of its stderr:\n%s'
                        % (tree, script, problem, stdout, tail))
    return stdout, elapsed


def parse(output):
    """{(template, occurrence): [number strings]} for each line of ``output`` with numbers."""
    lines, seen = {}, collections.Counter()
    for line in output.splitlines():
        numbers = NUMBER.findall(line)
        if numbers:
            template = ' '.join(NUMBER.sub('\0', line).split())
            lines[(template, seen[template])] = numbers
            seen[template] += 1
    return lines


def decimals(number):
    return len(number.partition('.')[2])


def label(template, runs):
    """The line's label and the positions of its figures (see the module docstring)."""
    columns = list(zip(*runs))        # one tuple of number strings per position
    varying = [i for i, values in enumerate(columns) if len(set(values)) > 1]
    figures = varying[:FIGURES]
    pieces = template.split('\0')
    text = pieces[0]
    for i, piece in enumerate(pieces[1:]):
        if i in figures:
            text += '[%d]' % (figures.index(i) + 1)
        elif i in varying:
            text += '#'
        else:
            text += columns[i][0]
        text += piece
    if figures:
        parts = text.split(' | ')
        keep = max(n for n, part in enumerate(parts) if '[%d]' % len(figures) in part)
        text = ' | '.join(parts[:keep + 1]) + (' | ...' if keep + 1 < len(parts) else '')
    return text, figures


def median_at(runs, position):
    """The median of one number position over runs, and its text (as many decimals as printed)."""
    values = [run[position] for run in runs]
    value = statistics.median(float(v) for v in values)
    return value, '%.*f' % (max(decimals(v) for v in values), value)


def ratio_text(base, current):
    return '%.2f' % (current / base) if base else 'n/a'


def comparison_rows(base_outputs, current_outputs):
    """[(label, base medians, current medians, ratios)] and the keys only one side printed."""
    base = [parse(out) for out in base_outputs]
    current = [parse(out) for out in current_outputs]
    keys = list(dict.fromkeys(k for run in base + current for k in run))
    rows, only = [], {'base': [], 'current': []}
    for key in keys:
        base_runs = [run[key] for run in base if key in run]
        current_runs = [run[key] for run in current if key in run]
        if not base_runs or not current_runs:
            side = 'current' if not base_runs else 'base'
            only[side].append(key[0].replace('\0', '#'))
            continue
        text, figures = label(key[0], base_runs + current_runs)
        if not figures:
            continue
        cells = [[], [], []]
        for position in figures:
            b, b_text = median_at(base_runs, position)
            c, c_text = median_at(current_runs, position)
            cells[0].append(b_text)
            cells[1].append(c_text)
            cells[2].append(ratio_text(b, c))
        rows.append([text] + [' / '.join(cell) for cell in cells])
    return rows, only


def wall_row(base_walls, current_walls):
    b, c = statistics.median(base_walls), statistics.median(current_walls)
    return [WALL_LABEL, '%.1f' % b, '%.1f' % c, ratio_text(b, c)]


def table(rows):
    """The rows as a markdown table ('|' inside a cell escaped), columns padded."""
    header = ['line ([1], [2]: the figures compared; # another number)', 'base',
              'current', 'current/base']
    rows = [[cell.replace('|', '\\|') for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(4)]

    def line(cells):
        return '| ' + ' | '.join(cell.ljust(w) for cell, w in zip(cells, widths)) + ' |'
    return '\n'.join([line(header), '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
                     + [line(row) for row in rows])


def run_rounds(trees, script, script_args, rounds, timeout):
    """{side: ([stdout per round], [wall seconds per round])}, sides alternating."""
    results = {side: ([], []) for side in trees}
    total, n = rounds * len(trees), 0
    for round_no in range(1, rounds + 1):
        for side, tree in trees.items():
            n += 1
            print('[%d/%d] round %d, %-7s ... ' % (n, total, round_no, side), end='',
                  file=sys.stderr, flush=True)
            try:
                out, elapsed = run_once(tree, script, script_args, timeout)
            except RunFailed:
                print('FAILED', file=sys.stderr, flush=True)
                raise
            print('%.1f s' % elapsed, file=sys.stderr, flush=True)
            results[side][0].append(out)
            results[side][1].append(elapsed)
    return results


def report(args, descriptions, results):
    (base_out, base_wall), (cur_out, cur_wall) = results['base'], results['current']
    print('# bench/%s %s' % (args.script, ' '.join(args.script_args)))
    print('base:    %s' % descriptions['base'])
    print('current: %s' % descriptions['current'])
    print('%d round(s) each, alternating base/current; figures are medians over the rounds'
          % args.rounds)
    print()
    rows, only = comparison_rows(base_out, cur_out)
    print(table(rows + [wall_row(base_wall, cur_wall)]))
    for side, templates in only.items():
        for template in templates:
            print('only in %s: %s' % (side, template))
    for side, outputs in (('base', base_out), ('current', cur_out)):
        print('\n## stdout of bench/%s, %s, last round\n' % (args.script, side))
        print(outputs[-1].rstrip('\n'))


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        usage='%(prog)s --base REV [--rounds N] [--current-rev REV] [--timeout S] '
              'SCRIPT [SCRIPT ARGS...]')
    parser.add_argument('--base', required=True, help='the revision to compare against')
    parser.add_argument('--rounds', type=int, default=3, help='runs per side (default 3)')
    parser.add_argument('--current-rev', metavar='REV',
                        help='compare with this revision instead of the working tree')
    parser.add_argument('--timeout', type=float, default=3600,
                        help='seconds before a run is killed and counted failed (default 3600)')
    parser.add_argument('script', metavar='SCRIPT', help='a script in bench/, e.g. compute.py')
    parser.add_argument('script_args', nargs=argparse.REMAINDER, metavar='SCRIPT ARGS')
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error('--rounds must be at least 1')
    return args


def main(argv=None):
    args = parse_args(argv)
    # A kill (SIGTERM) must still remove the worktrees: make it an exit, run the finally.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    descriptions = {'base': '%s (%s)' % (describe(args.base), args.base)}
    if args.current_rev:
        descriptions['current'] = '%s (%s)' % (describe(args.current_rev), args.current_rev)
    else:
        descriptions['current'] = describe_working_tree()
    for side, text in descriptions.items():
        print('%-8s %s' % (side + ':', text), file=sys.stderr)
    parent = tempfile.mkdtemp(prefix='compare-revisions-')
    worktrees = []
    try:
        trees = {'base': add_worktree(parent, 'base', args.base)}
        worktrees.append(trees['base'])
        if args.current_rev:
            trees['current'] = add_worktree(parent, 'current', args.current_rev)
            worktrees.append(trees['current'])
        else:
            trees['current'] = ROOT
        for side, tree in trees.items():
            if not os.path.isfile(os.path.join(tree, 'bench', args.script)):
                raise SystemExit('compare_revisions: %s has no bench/%s' % (side, args.script))
            missing = missing_entry_point_modules(tree)
            if missing:
                print('compare_revisions: warning: %s lacks the modules of %d installed entry '
                      'point(s); runs may fail:\n  %s' % (side, len(missing),
                                                         '\n  '.join(missing)),
                      file=sys.stderr)
        try:
            results = run_rounds(trees, args.script, args.script_args, args.rounds,
                                 args.timeout)
        except RunFailed as e:
            print('compare_revisions: %s' % e, file=sys.stderr)
            return 1
        report(args, descriptions, results)
        return 0
    finally:
        for path in worktrees:
            remove_worktree(path)
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
