"""Paste filters of our own.  oslo.middleware provides the rest (cors,
http_proxy_to_wsgi, request_id, sizelimit, healthcheck)."""
import logging
import time

import webob.dec

from pocketstack.common import config
from pocketstack.common import context as ctx_mod
from pocketstack.common import wsgi

LOG = logging.getLogger('pocketstack.access')


class ContextMiddleware:
    """Builds the RequestContext from the headers keystonemiddleware's
    ``auth_token`` sets (nova's ``keystonecontext``), stores it for oslo.log
    and writes one access-log line per request."""

    def __init__(self, app, conf=None):
        self.app = app

    def make_context(self, req):
        return ctx_mod.RequestContext.from_environ(req.environ)

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        start = time.monotonic()
        context = self.make_context(req)
        req.environ[ctx_mod.ENV_KEY] = context
        context.update_store()
        resp = req.get_response(self.app)
        LOG.info('%s "%s %s" status: %s len: %s time: %.4f',
                 req.client_addr, req.method, req.path_qs, resp.status_int,
                 resp.content_length, time.monotonic() - start)
        return resp


class NoAuthMiddleware:
    """The ``noauth`` pipelines' stand-in for auth_token (nova's ``noauth2``),
    for tests and local experiments: the token names the caller.

    ``X-Auth-Token: <user_id>:<project_id>`` (default ``admin:admin``) becomes
    the headers auth_token would set; the user ``admin`` has the admin role,
    any other user ``member`` and ``reader``.  ``X-Roles`` sent by the client
    overrides the roles.  Never deploy it: it believes whatever it is told.
    """

    def __init__(self, app, conf=None):
        self.app = app

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token') or 'admin:admin'
        user_id, _, project_id = token.partition(':')
        project_id = project_id or user_id
        roles = req.headers.get('X-Roles') or (
            'admin,member,reader' if user_id == 'admin' else 'member,reader')
        req.headers.update({'X-Identity-Status': 'Confirmed', 'X-User-Id': user_id,
                            'X-User-Name': user_id, 'X-Project-Id': project_id,
                            'X-Project-Name': project_id, 'X-Roles': roles,
                            'X-User-Domain-Id': 'default', 'X-Project-Domain-Id': 'default'})
        return req.get_response(self.app)


def filter_factory_for(cls, **defaults):
    """A paste ``filter_factory`` building ``cls(app, conf=<service conf>, **options)``."""
    def factory(global_conf, **local_conf):
        conf = config.lookup(global_conf)
        options = dict(defaults, **local_conf)

        def filter_(app):
            return cls(app, conf=conf, **options)
        return filter_
    return factory
