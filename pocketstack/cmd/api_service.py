"""One service's API alone, scaled out: what ``pocketstack-identity``,
``pocketstack-image``… run.

    pocketstack-<service> [--config-file FILE]… [--config-dir DIR] [--debug]

As OpenStack deploys an API service: one config file (the packaged
etc/<service>.conf unless ``--config-file`` names others), the schema migrated
once by the parent, then the parent binds ``<api>_listen:<api>_listen_port``
and forks ``<api>_workers`` processes (default: one per CPU) that accept on
the shared socket.
"""
import argparse
import os
import sys


def serve(service_name, argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # --debug is ours; everything else (--config-file, --config-dir, --help
    # of the options) is oslo.config's.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--debug', action='store_true')
    args, rest = pre.parse_known_args(argv)

    from pocketstack.cmd import registry
    from pocketstack.common import log
    from pocketstack.common import server
    from pocketstack.common import wsgi

    service = registry.get(service_name)
    api = service.apis[0]
    conf = service.new_conf(rest)
    log.setup(debug=args.debug)
    service.sync_database(conf)

    def load_app():
        app = wsgi.load_app(conf, api.paste_app)
        # The parent never serves: close its connections so that no worker
        # inherits (and shares) an open database connection across fork.
        service.instance(conf).db.dispose()
        return app

    workers = getattr(conf, '%s_workers' % api.name) or os.cpu_count() or 1
    server.serve_prefork(api.name, load_app, getattr(conf, '%s_listen' % api.name),
                         getattr(conf, '%s_listen_port' % api.name), workers)
    return 0


def identity():
    sys.exit(serve('identity'))


def image():
    sys.exit(serve('image'))
