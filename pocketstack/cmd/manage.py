"""``pocketstack-manage``: what an operator runs before and between starts of
the scaled-out services, as ``keystone-manage`` (and ``nova-manage db sync``,
``glance-manage``…) are run.

    pocketstack-manage [--config-file FILE]… COMMAND [--config-file FILE]…
      db sync SERVICE        migrate identity, image, network or compute's
                             [database] connection to the newest schema
      fernet setup           the token key repository ([fernet_tokens])
      fernet rotate          staged key becomes primary; a new staged key
      credential setup       the credential key repository ([credential])
      bootstrap --bootstrap-password PASSWORD [--bootstrap-region-id R]
                [--bootstrap-public-url URL [--bootstrap-internal-url URL]
                 [--bootstrap-admin-url URL]]
                [--glance-password P] [--nova-password P] [--neutron-password P]
                [--image-url URL] [--compute-url URL] [--network-url URL]

``--config-file`` is the service's own file, as the service reads it
(identity.conf for everything but ``db sync`` of another service).
``bootstrap`` is ``up``'s first start without the demo project and user
(identity/core/bootstrap.py): the Default domain, the roles admin ⇒ manager ⇒ member
⇒ reader and service, the admin user and project, the service project with
the user of each service given a password, the region, and the catalog
entries of the URLs given.  Each command only adds what is missing (a
bootstrap user's password is set back to the one given), so running it
again changes nothing and exits 0.
"""
import argparse
import os
import sys

from pocketstack.cmd import registry


def build_parser():
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument('--config-file', dest='sub_config_file', action='append', default=[],
                        metavar='FILE', help='the service\'s config file (repeatable)')
    config.add_argument('--debug', action='store_true', default=argparse.SUPPRESS,
                        help='log at debug level')

    parser = argparse.ArgumentParser(prog='pocketstack-manage',
                                     description='Operator commands for the scaled-out '
                                                 'services (keystone-manage, nova-manage).')
    parser.add_argument('--config-file', action='append', default=[], metavar='FILE',
                        help='the service\'s config file (repeatable)')
    parser.add_argument('--debug', action='store_true', help='log at debug level')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)

    db = sub.add_parser('db', help='database maintenance')
    db_sub = db.add_subparsers(dest='action', metavar='ACTION', required=True)
    sync = db_sub.add_parser('sync', parents=[config],
                             help="migrate a service's database to the newest schema")
    sync.add_argument('service', choices=[s.name for s in registry.SERVICES])

    fernet = sub.add_parser('fernet', help='the Fernet token key repository')
    fernet_sub = fernet.add_subparsers(dest='action', metavar='ACTION', required=True)
    fernet_sub.add_parser('setup', parents=[config],
                          help='create the repository with a staged and a primary key')
    fernet_sub.add_parser('rotate', parents=[config],
                          help='the staged key becomes primary; a new staged key')

    credential = sub.add_parser('credential', help='the credential key repository')
    credential_sub = credential.add_subparsers(dest='action', metavar='ACTION', required=True)
    credential_sub.add_parser('setup', parents=[config],
                              help='create the repository with a staged and a primary key')

    boot = sub.add_parser('bootstrap', parents=[config],
                          help='the admin, the service users, roles, region and catalog')
    boot.add_argument('--bootstrap-password', default=os.environ.get('OS_BOOTSTRAP_PASSWORD'),
                      metavar='PASSWORD',
                      help="the admin user's password (default: $OS_BOOTSTRAP_PASSWORD)")
    boot.add_argument('--bootstrap-region-id', metavar='REGION',
                      help='region of the endpoints (default: [DEFAULT] region_name)')
    for interface in ('public', 'internal', 'admin'):
        boot.add_argument('--bootstrap-%s-url' % interface, metavar='URL',
                          help="the identity API's %s endpoint%s" % (
                              interface, '' if interface == 'public'
                              else ' (default: the public URL)'))
    for service in registry.SERVICES:
        if service.service_user:
            boot.add_argument('--%s-password' % service.service_user, metavar='PASSWORD',
                              help='create the %s service user with this password'
                                   % service.service_user)
    for service_type in _catalog_types():
        boot.add_argument('--%s-url' % service_type, metavar='URL',
                          help='register the %s endpoints (every interface) at this URL'
                               % service_type)
    return parser


def _catalog_types():
    return [api.catalog_type for service in registry.SERVICES for api in service.apis
            if api.catalog_type and api.catalog_type != 'identity']


def main(argv=None):
    args = build_parser().parse_args(argv)
    from pocketstack.common import log
    log.setup(debug=args.debug)
    args.config_file += args.sub_config_file
    if args.command == 'db':
        db_sync(registry.get(args.service), _conf(args.service, args))
        return 0
    if args.command == 'bootstrap':
        return bootstrap(args, _conf('identity', args))
    from pocketstack.identity.core import fernet
    conf = _conf('identity', args)
    if args.command == 'credential':
        keys = fernet.credential_keys(conf)
        keys.setup()
        print('Credential keys in %s' % keys.path)
    elif args.action == 'setup':
        keys = fernet.token_keys(conf)
        keys.setup()
        print('Fernet keys in %s' % keys.path)
    else:
        fernet_rotate(conf)
    return 0


def _conf(service_name, args):
    argv = []
    for path in args.config_file:
        argv += ['--config-file', path]
    return registry.get(service_name).new_conf(argv)


def db_sync(service, conf):
    """``db sync`` of one service (``pocketstack db sync`` runs it for each)."""
    changed = service.sync_database(conf)
    print('%s: %s' % (service.name, 'schema upgraded' if changed else 'schema up to date'))


def fernet_rotate(conf):
    from pocketstack.identity.core import fernet
    keys = fernet.token_keys(conf)
    primary = keys.rotate()
    print('Fernet keys in %s rotated; primary key is now %s' % (keys.path, primary))


def bootstrap(args, conf):
    from pocketstack.identity import service as identity_service
    from pocketstack.identity.core import bootstrap as identity_bootstrap
    if not args.bootstrap_password:
        sys.stderr.write('pocketstack-manage: bootstrap needs --bootstrap-password '
                         '(or OS_BOOTSTRAP_PASSWORD)\n')
        return 2
    endpoints = {}
    if args.bootstrap_public_url:
        endpoints['identity'] = {
            'public': args.bootstrap_public_url,
            'internal': args.bootstrap_internal_url or args.bootstrap_public_url,
            'admin': args.bootstrap_admin_url or args.bootstrap_public_url}
    for service_type in _catalog_types():
        url = getattr(args, '%s_url' % service_type.replace('-', '_'))
        if url:
            endpoints[service_type] = url
    users = {user: password for user, password in registry.service_users(
        lambda user: getattr(args, '%s_password' % user)).items() if password}
    service = identity_service.IdentityService.for_conf(conf)
    identity_bootstrap.bootstrap(service, endpoints, service_users=users,
                                 admin_password=args.bootstrap_password, demo=False,
                                 region=args.bootstrap_region_id)
    print('Bootstrapped: user admin (project admin); service users %s (project service); '
          'catalog %s' % (', '.join(sorted(users)) or 'none',
                          ', '.join(sorted(endpoints)) or 'unchanged'))
    return 0


def console():
    sys.exit(main())


if __name__ == '__main__':
    console()
