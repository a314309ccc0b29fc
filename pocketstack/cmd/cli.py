"""``pocketstack``: the all-in-one cloud and its housekeeping.

    pocketstack up [--state-dir DIR] [--bind ADDRESS] [--port NAME=PORT]… [--debug]
    pocketstack db sync [--state-dir DIR | --config-file FILE…]
    pocketstack token rotate [--state-dir DIR | --config-file FILE…]

Only what a subcommand needs is imported, and only once it runs: ``up``'s
start-up time is the product.
"""
import time

_STARTED = time.monotonic()  # before anything else is imported

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

DEFAULT_STATE_DIR = os.path.join('~', '.local', 'share', 'pocketstack')


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
    up.add_argument('--debug', action='store_true', help='log at debug level')

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
    args = build_parser().parse_args(argv)
    try:
        if args.command == 'up':
            return cmd_up(args)
        if args.command == 'db':
            return cmd_db_sync(args)
        return cmd_token_rotate(args)
    except KeyboardInterrupt:
        return 130


def cmd_up(args):
    from pocketstack.cmd import allinone, registry
    known = registry.api_names()
    args.ports = dict(args.ports)
    unknown = sorted(set(args.ports) - set(known))
    if unknown:
        sys.stderr.write('pocketstack: unknown API %s in --port (known: %s)\n'
                         % (', '.join(unknown), ', '.join(known)))
        return 2
    return allinone.run(args, _STARTED)


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
