"""``authcontext``: validate the caller's X-Auth-Token and build the request context.

The Identity service validates tokens itself (other services use
keystonemiddleware's ``auth_token`` against it).  A request without a token
gets an anonymous context; a request with an invalid one keeps the error, so
that an API needing authentication answers 401 while ``POST /v3/auth/tokens``
with a password still works.
"""
import logging
import time

import webob.dec

from pocketstack.common import context as ctx_mod
from pocketstack.common import exception
from pocketstack.common import wsgi

LOG = logging.getLogger('pocketstack.identity.access')

TOKEN_ENV = 'pocketstack.identity.token'
TOKEN_ERROR_ENV = 'pocketstack.identity.token_error'


def context_for_token(token, req):
    """The RequestContext of a validated token (core.tokens.Token)."""
    return ctx_mod.RequestContext(
        auth_token=req.headers.get('X-Auth-Token'),
        user_id=token.user_id, user_name=token.user['name'],
        user_domain_id=token.user['domain']['id'],
        user_domain_name=token.user['domain']['name'],
        project_id=token.project_id,
        project_name=token.project['name'] if token.project else None,
        project_domain_id=token.project['domain']['id'] if token.project else None,
        project_domain_name=token.project['domain']['name'] if token.project else None,
        domain_id=token.domain_id,
        system_scope='all' if token.system else None,
        roles=token.role_names,
        is_admin='admin' in token.role_names,
        request_id=req.environ.get('openstack.request_id'),
        global_request_id=req.environ.get('openstack.global_request_id'),
        overwrite=True)


class AuthContextMiddleware:

    def __init__(self, app, service):
        self.app = app
        self.service = service

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        start = time.monotonic()
        token_id = req.headers.get('X-Auth-Token')
        context = None
        if token_id:
            try:
                token = self.service.tokens.validate(token_id)
            except exception.PocketstackError as e:
                req.environ[TOKEN_ERROR_ENV] = e
            else:
                req.environ[TOKEN_ENV] = token
                context = context_for_token(token, req)
        if context is None:
            context = ctx_mod.RequestContext(
                request_id=req.environ.get('openstack.request_id'),
                global_request_id=req.environ.get('openstack.global_request_id'),
                overwrite=True)
        req.environ[ctx_mod.ENV_KEY] = context
        resp = req.get_response(self.app)
        LOG.info('%s "%s %s" status: %s len: %s time: %.4f', req.client_addr, req.method,
                 req.path_qs, resp.status_int, resp.content_length, time.monotonic() - start)
        return resp


def token_of(req):
    """The caller's validated token; 401 when there is none or it is invalid."""
    token = req.environ.get(TOKEN_ENV)
    if token is None:
        error = req.environ.get(TOKEN_ERROR_ENV)
        if isinstance(error, exception.Unauthorized):
            raise error
        raise exception.Unauthorized('The request you have made requires authentication.')
    return token
