"""A service's API as a plain WSGI application, for any WSGI server — the
``glance-wsgi-api`` way of running a service that seed 002 describes::

    POCKETSTACK_CONFIG_FILES=/etc/pocketstack/image.conf \\
        gunicorn -w 4 'pocketstack.cmd.wsgi_app:init_app("image")'

The configuration files come from ``POCKETSTACK_CONFIG_FILES`` (comma-separated;
default: the packaged ``<service>.conf``); the schema is migrated before the app
is returned.
"""
import os


def init_app(service_name):
    from pocketstack.cmd import registry
    from pocketstack.common import log
    from pocketstack.common import wsgi

    service = registry.get(service_name)
    files = [f for f in os.environ.get('POCKETSTACK_CONFIG_FILES', '').split(',') if f]
    argv = [arg for f in files for arg in ('--config-file', f)]
    conf = service.new_conf(argv)
    log.setup(debug=False)
    service.sync_database(conf)
    return wsgi.load_app(conf, service.apis[0].paste_app)
