"""One service's APIs alone, scaled out: what ``pocketstack-identity``,
``pocketstack-image``, ``pocketstack-network`` and ``pocketstack-compute-api`` run.

    pocketstack-<service> [--config-file FILE]… [--config-dir DIR] [--debug]

As OpenStack deploys an API service: one config file (the packaged
etc/<service>.conf unless ``--config-file`` names others), the schema migrated
once by the parent, then for each API the parent binds
``<api>_listen:<api>_listen_port`` and forks ``<api>_workers`` processes
(default: one per CPU) that accept on the shared socket.

A service serving several APIs (nova-api's osapi_compute and metadata, seed
003) runs one such parent per API, each a child of this process: a signal to
this process stops them all, and if one of them ends the others are stopped.
"""
import argparse
import logging
import os
import signal
import sys

LOG = logging.getLogger(__name__)


def serve(service_name, argv=None, enabled_apis=None, with_background=False):
    """Serve the service's APIs until stopped; returns the exit status.

    ``enabled_apis(conf)`` names the APIs to serve (default: the first,
    the service's main API).  ``with_background``: the parent also runs the
    service's background work (the network's agent reports; compute's RPC
    services run as processes of their own instead).
    """
    argv = sys.argv[1:] if argv is None else argv
    # --debug is ours; everything else (--config-file, --config-dir, --help
    # of the options) is oslo.config's.
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--debug', action='store_true')
    args, rest = pre.parse_known_args(argv)

    from pocketstack.cmd import registry
    from pocketstack.common import log

    service = registry.get(service_name)
    conf = service.new_conf(rest)
    log.setup(debug=args.debug)
    names = enabled_apis(conf) if enabled_apis else [service.apis[0].name]
    known = {api.name: api for api in service.apis}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        sys.stderr.write('pocketstack-%s: no API named %s (known: %s)\n'
                         % (service_name, ', '.join(unknown) or 'in enabled_apis',
                            ', '.join(known)))
        return 2
    service.sync_database(conf)
    apis = [known[name] for name in names]
    background = registry.load(service.background)(conf) \
        if with_background and service.background else []
    try:
        if len(apis) == 1:
            _serve_api(service, conf, apis[0])
            return 0
        return _launch(service, conf, apis)
    finally:
        for work in background:
            work.stop()


def _serve_api(service, conf, api):
    """One API: this process binds its socket and forks its workers."""
    from pocketstack.common import server
    from pocketstack.common import wsgi

    def load_app():
        app = wsgi.load_app(conf, api.paste_app)
        # The parent never serves: close its connections so that no worker
        # inherits (and shares) an open database connection across fork.
        service.instance(conf).db.dispose()
        return app

    workers = getattr(conf, '%s_workers' % api.name) or os.cpu_count() or 1
    server.serve_prefork(api.name, load_app, getattr(conf, '%s_listen' % api.name),
                         getattr(conf, '%s_listen_port' % api.name), workers)


def _launch(service, conf, apis):
    """Each API in a child process of its own (nova-api's process launcher);
    returns 0 once all stopped cleanly."""
    children = {}
    for api in apis:
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                _serve_api(service, conf, api)
                status = 0
            except SystemExit as e:  # gunicorn ends its arbiter and workers this way
                status = e.code if isinstance(e.code, int) else (1 if e.code else 0)
            except BaseException:  # noqa: BLE001 - reported, then this child ends
                LOG.exception('%s failed', api.name)
            finally:
                sys.stderr.flush()
                os._exit(status)
        children[pid] = api.name
        LOG.info('Started %s in child %d', api.name, pid)

    def stop(signum=signal.SIGTERM, frame=None):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)  # each parent stops its workers gracefully
            except ProcessLookupError:
                pass
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    result = 0
    while children:
        pid, wait_status = os.wait()
        name = children.pop(pid, None)
        if name is None:
            continue
        status = os.waitstatus_to_exitcode(wait_status)
        if status:
            LOG.error('%s (child %d) exited with status %d', name, pid, status)
            result = 1
        stop()  # one API ended: so do the others
    return result


def identity():
    sys.exit(serve('identity'))


def image():
    sys.exit(serve('image'))


def network():
    sys.exit(serve('network', with_background=True))
