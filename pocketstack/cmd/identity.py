"""``pocketstack-identity``: the Identity API alone, scaled out.

    pocketstack-identity [--config-file FILE]… [--config-dir DIR] [--debug]

As OpenStack deploys an API service: one config file (the packaged
etc/identity.conf unless ``--config-file`` names others), the schema migrated
once by the parent, then the parent binds ``identity_listen:identity_listen_port``
and forks ``identity_workers`` processes (default: one per CPU) that accept on
the shared socket.
"""
import argparse
import os
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # --debug is ours; everything else (--config-file, --config-dir, --help
    # of the options) is oslo.config's.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--debug', action='store_true')
    args, rest = pre.parse_known_args(argv)

    from pocketstack.common import log
    from pocketstack.common import server
    from pocketstack.common import wsgi
    from pocketstack.cmd import registry
    from pocketstack.identity import service as identity_service

    conf = identity_service.new_conf(rest)
    log.setup(debug=args.debug)
    registry.get('identity').sync_database(conf)

    def load_app():
        app = wsgi.load_app(conf, 'identity')
        # The parent never serves: close its connections so that no worker
        # inherits (and shares) an open database connection across fork.
        identity_service.for_conf(conf).db.dispose()
        return app

    workers = conf.identity_workers or os.cpu_count() or 1
    server.serve_prefork('identity', load_app, conf.identity_listen,
                         conf.identity_listen_port, workers)
    return 0


if __name__ == '__main__':
    sys.exit(main())
