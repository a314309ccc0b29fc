"""``pocketstack``: the all-in-one cloud and its housekeeping.

    pocketstack up [--state-dir DIR] [--bind ADDRESS] [--port NAME=PORT]… [--port-offset N]
                   [--config FILE] [--hosts N] [--services LIST] [--no-clouds-merge]
                   [--detach] [--debug]
    pocketstack down [--state-dir DIR]
    pocketstack status [--state-dir DIR]
    pocketstack db sync [--state-dir DIR | --config-file FILE…]
    pocketstack token rotate [--state-dir DIR | --config-file FILE…]

Only what a subcommand needs is imported, and only once it runs: ``up``'s
start-up time is the product.
"""
import time

_STARTED = time.monotonic()  # before anything else is imported

import argparse  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

DEFAULT_STATE_DIR = os.path.join('~', '.local', 'share', 'pocketstack')
DETACH_TIMEOUT_S = 120
DOWN_TIMEOUT_S = 60
NOT_RUNNING = 3     # `status` of a cloud that is not running, as `systemctl status`


def _port(value):
    name, sep, port = value.partition('=')
    if not sep or not name or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError('expected NAME=PORT, e.g. identity=15000')
    return name.strip(), int(port)


def build_parser():
    parser = argparse.ArgumentParser(
        prog='pocketstack',
        description="OpenStack's control plane, compact: the whole cloud in one command.")
    sub = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)

    up = sub.add_parser('up', help='start every service in one process',
                        description='Start every service in this process on OpenStack\'s '
                                    'default ports, bootstrap Identity, write clouds.yaml '
                                    'and serve until Ctrl-C or SIGTERM.')
    up.add_argument('--state-dir', default=DEFAULT_STATE_DIR, metavar='DIR',
                    help='where databases, keys and clouds.yaml live (default: %(default)s)')
    up.add_argument('--bind', default='127.0.0.1', metavar='ADDRESS',
                    help='address every API listens on (default: %(default)s)')
    up.add_argument('--port', dest='ports', action='append', type=_port, default=[],
                    metavar='NAME=PORT',
                    help='listen port of one API, e.g. identity=15000 (repeatable)')
    up.add_argument('--port-offset', type=int, default=0, metavar='N',
                    help='add N to every default port (a --port given stays as given)')
    up.add_argument('--no-clouds-merge', dest='clouds_merge', action='store_false',
                    help='leave ~/.config/openstack/clouds.yaml alone (the state '
                         'directory\'s clouds.yaml and openrc are still written)')
    up.add_argument('--config', metavar='FILE',
                    help='an oslo.config file every service reads after its packaged one '
                         '(fake hosts and their capacity, default quotas, bcrypt cost…; '
                         'see pocketstack/etc/up.conf.sample)')
    up.add_argument('--hosts', type=int, metavar='N',
                    help='run N fake compute hosts (compute1…computeN; default 2)')
    up.add_argument('--services', metavar='LIST',
                    help='the services to start, comma-separated (default: all of '
                         'identity,image,network,compute; also [up] services in --config)')
    up.add_argument('--detach', action='store_true',
                    help='run in the background: return once every API answers, the '
                         'output in <state-dir>/up.log; `pocketstack down` stops it')
    up.add_argument('--debug', action='store_true', help='log at debug level')

    for name, text in (('down', 'stop the cloud running on a state directory, and wait'),
                       ('status', 'whether a cloud runs on a state directory, and its '
                                  'endpoints (exit 0 when running, %d when not)'
                                  % NOT_RUNNING)):
        command = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + '.')
        command.add_argument('--state-dir', default=DEFAULT_STATE_DIR, metavar='DIR',
                             help='the state directory of `pocketstack up` '
                                  '(default: %(default)s)')

    def housekeeping(parser_):
        parser_.add_argument('--state-dir', metavar='DIR',
                             help='the state directory of `pocketstack up` '
                                  '(default: %s)' % DEFAULT_STATE_DIR)
        parser_.add_argument('--config-file', action='append', default=[], metavar='FILE',
                             help='service config file(s), as a scaled-out service '
                                  'reads them (repeatable)')
        parser_.add_argument('--debug', action='store_true', help='log at debug level')

    db = sub.add_parser('db', help='database maintenance')
    db_sub = db.add_subparsers(dest='action', metavar='ACTION', required=True)
    housekeeping(db_sub.add_parser('sync', help='migrate every service\'s database '
                                                'to the newest schema'))

    token = sub.add_parser('token', help='token maintenance')
    token_sub = token.add_subparsers(dest='action', metavar='ACTION', required=True)
    housekeeping(token_sub.add_parser('rotate', help='rotate the Fernet key repository '
                                                     '(staged key becomes primary)'))
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    try:
        if args.command == 'up':
            return cmd_up(args, argv)
        if args.command == 'down':
            return cmd_down(args)
        if args.command == 'status':
            return cmd_status(args)
        if args.command == 'db':
            return cmd_db_sync(args)
        return cmd_token_rotate(args)
    except KeyboardInterrupt:
        return 130


def cmd_up(args, argv):
    from oslo_config import cfg

    from pocketstack.cmd import allinone, registry
    known = registry.api_names()
    args.ports = dict(args.ports)
    unknown = sorted(set(args.ports) - set(known))
    if unknown:
        sys.stderr.write('pocketstack: unknown API %s in --port (known: %s)\n'
                         % (', '.join(unknown), ', '.join(known)))
        return 2
    moved = [api.port + args.port_offset for service in registry.SERVICES
             for api in service.apis]
    if not all(0 < port <= 65535 for port in moved):
        sys.stderr.write('pocketstack: --port-offset %d moves a port outside 1-65535\n'
                         % args.port_offset)
        return 2
    if args.config and not os.path.isfile(args.config):
        sys.stderr.write('pocketstack: --config %s: no such file\n' % args.config)
        return 2
    if args.hosts is not None and not 1 <= args.hosts <= 1000:
        sys.stderr.write('pocketstack: --hosts must be between 1 and 1000\n')
        return 2
    if args.config:
        args.config = os.path.abspath(args.config)   # the detached child runs elsewhere
    try:
        args.services = registry.chosen(args.services.split(',') if args.services
                                        else allinone.services_in(args.config))
    except (registry.UnknownChoice, cfg.Error) as e:
        sys.stderr.write('pocketstack: %s\n' % e)
        return 2
    if args.detach:
        return _detach(args, [a for a in argv if a != '--detach'])
    return allinone.run(args, _STARTED)


def _state_dir(args):
    return os.path.abspath(os.path.expanduser(args.state_dir))


def _detach(args, argv):
    """``up`` in a session of its own, its output in up.log; back once it is
    ready (its banner printed here, exit 0) or has failed (its output, 1)."""
    import time
    from pocketstack.cmd import state
    state_dir = _state_dir(args)
    pid = state.holder(state_dir)
    if pid:
        sys.stderr.write('pocketstack: %s\n' % state.InUse(state_dir, pid))
        return 1
    os.makedirs(state_dir, exist_ok=True)
    log_path = os.path.join(state_dir, state.LOG_FILE)
    with open(log_path, 'w') as log_file:
        child = subprocess.Popen([sys.executable, '-m', 'pocketstack.cmd.cli', *argv],
                                 stdin=subprocess.DEVNULL, stdout=log_file,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + DETACH_TIMEOUT_S
    while (state.read_run(state_dir) or {}).get('pid') != child.pid:
        if child.poll() is not None or time.monotonic() > deadline:
            if child.poll() is None:
                child.kill()
            with open(log_path) as f:
                sys.stderr.write(f.read())
            sys.stderr.write('pocketstack: up did not start (output above, also in %s)\n'
                             % log_path)
            return 1
        time.sleep(0.05)
    with open(log_path) as f:
        output = f.read()
    # The banner, not the start-up log (that stays in up.log).
    sys.stdout.write(output[output.find('\npocketstack is up'):])
    print('running in the background (pid %d); its output goes to %s; stop it with: '
          'pocketstack down --state-dir %s' % (child.pid, log_path, state_dir), flush=True)
    return 0


def _running(args):
    """(state dir, pid of the ``up`` holding it or None — said so)."""
    from pocketstack.cmd import state
    state_dir = _state_dir(args)
    pid = state.holder(state_dir)
    if not pid:
        print('pocketstack is not running on %s' % state_dir)
    return state_dir, pid


def cmd_down(args):
    import time
    from pocketstack.cmd import state
    state_dir, pid = _running(args)
    if not pid:
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + DOWN_TIMEOUT_S
    while state.holder(state_dir):
        if time.monotonic() > deadline:
            sys.stderr.write('pocketstack: pid %d did not stop within %d s\n'
                             % (pid, DOWN_TIMEOUT_S))
            return 1
        time.sleep(0.05)
    print('pocketstack on %s stopped' % state_dir)
    return 0


def cmd_status(args):
    from pocketstack.cmd import state
    state_dir, pid = _running(args)
    if not pid:
        return NOT_RUNNING
    info = state.read_run(state_dir)
    if not info or info.get('pid') != pid:
        print('pocketstack is starting on %s (pid %d)' % (state_dir, pid))
        return 0
    print('pocketstack is running on %s (pid %d)' % (state_dir, pid))
    for api, url in sorted(info['endpoints'].items()):
        print('  %-14s %s' % (api, url))
    print('  clouds.yaml    %s\n  openrc         %s' % (info['clouds_yaml'], info['openrc']))
    return 0


def _housekeeping_conf(service, args):
    """A service's conf from --config-file, or that of `up` in --state-dir."""
    from pocketstack.common import log
    log.setup(debug=args.debug)
    argv = []
    for path in args.config_file:
        argv += ['--config-file', path]
    conf = service.new_conf(argv)
    if args.state_dir or not args.config_file:
        state_dir = os.path.expanduser(args.state_dir or DEFAULT_STATE_DIR)
        conf.set_override('state_path', os.path.abspath(state_dir))
    return conf


def cmd_db_sync(args):
    from pocketstack.cmd import manage, registry
    for service in registry.SERVICES:
        manage.db_sync(service, _housekeeping_conf(service, args))
    return 0


def cmd_token_rotate(args):
    from pocketstack.cmd import manage, registry
    manage.fernet_rotate(_housekeeping_conf(registry.get('identity'), args))
    return 0


if __name__ == '__main__':
    sys.exit(main())
