"""REST calls from one service to another's public API (keystoneauth1).

Nova talks to Glance and Neutron, and Neutron to Nova, the same way, and so
do the clients here (compute/image.py, compute/network.py,
network/nova_notifier.py): each call carries the user's token (so the other
service applies the user's rules), the service's own token as
``X-Service-Token`` (so a long operation survives the user's token expiring)
and the request id as the global request id, which the other service logs
beside its own.  The endpoint is ``[<group>] endpoint_override`` or the
catalog's public endpoint of the service type, found with the service user
of ``[keystone_authtoken]``.

Some calls need more than the user may do (Neutron's port binding, another
project's ports): those are made with the service user's token alone
(:meth:`ServiceClient.admin_token`).
"""
import json
import threading
import time
import urllib.parse

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session

from pocketstack.common import auth
from pocketstack.common import exception

ERRORS = {400: exception.BadRequest, 401: exception.Forbidden, 403: exception.Forbidden,
          404: exception.NotFound, 409: exception.Conflict, 413: exception.Forbidden}

# The token naming an admin on the ``noauth`` pipelines ("user:project"),
# used for admin calls when no Identity service is configured (noauth2).
NOAUTH_ADMIN_TOKEN = 'admin:admin'

ADMIN = object()   # ``token=ADMIN``: call as the service user (an admin)
MISSING_RECHECK_S = 30   # how long a service missing from the catalog is believed gone



def quoted(value):
    """``value`` as one path segment of another service's URL: a name or id
    a user typed ("../../etc/passwd", "a?b") must name an item, never reach
    another path (every "/", "?", "#", "%" and dot percent-encoded)."""
    return urllib.parse.quote(str(value), safe='').replace('.', '%2E')

class NoEndpoint(exception.ServiceUnavailable):
    """The service is neither configured nor in the catalog."""


class ServiceClient:
    """Calls to the service of ``service_type`` whose options live in
    ``[group]`` (``endpoint_override``)."""

    service_name = 'service'

    def __init__(self, conf, service_type, group):
        self.conf = conf
        self.service_type = service_type
        self.group = group
        self._session = ks_session.Session()
        self._service_auth = None
        self._endpoint = getattr(conf, group).endpoint_override
        self._lock = threading.Lock()
        self._missing_until = 0.0

    def _service(self):
        """The service user's auth plugin (from [keystone_authtoken]), or None
        when no Identity is configured (noauth2 deployments)."""
        with self._lock:
            if self._service_auth is None and self.conf.keystone_authtoken.auth_url:
                from keystoneauth1 import loading
                self._service_auth = loading.load_auth_from_conf_options(
                    self.conf, auth.AUTHTOKEN_GROUP)
            return self._service_auth

    def configured(self):
        """Whether this cloud has the service: its endpoint is set, or the
        catalog lists one (a missing one is asked for again after a while)."""
        if self._endpoint:
            return True
        if not self.conf.keystone_authtoken.auth_url:
            return False
        if time.monotonic() < self._missing_until:
            return False
        try:
            self.endpoint()
            return True
        except NoEndpoint:
            self._missing_until = time.monotonic() + MISSING_RECHECK_S
            return False

    def endpoint(self):
        if self._endpoint is None:
            service_auth = self._service()
            if service_auth is None:
                raise NoEndpoint('No %s endpoint: set [%s] endpoint_override.'
                                 % (self.service_type, self.group))
            try:
                endpoint = self._session.get_endpoint(
                    auth=service_auth, service_type=self.service_type, interface='public',
                    region_name=self.conf.region_name)
            except ks_exceptions.EndpointNotFound:
                endpoint = None
            except ks_exceptions.ConnectionError as e:
                raise exception.ServiceUnavailable('The Identity service cannot be reached '
                                                   'to find the %s endpoint: %s'
                                                   % (self.service_type, e))
            if not endpoint:
                raise NoEndpoint('No %s endpoint in the catalog: set [%s] endpoint_override.'
                                 % (self.service_type, self.group))
            self._endpoint = endpoint
        return self._endpoint.rstrip('/')

    def admin_token(self):
        """The token of admin calls: the service user's (it has the admin
        role), or the noauth admin where there is no Identity service."""
        service_auth = self._service()
        if service_auth is None:
            return NOAUTH_ADMIN_TOKEN
        return self._session.get_token(auth=service_auth)

    def request(self, context, method, path, body=None, data=None, headers=None, token=None):
        """The decoded JSON answer (None when there is none); an error of
        common/exception.py for any status >= 400 (see :meth:`error`).
        ``token=ADMIN`` calls as the service user."""
        headers = dict(headers or {})
        service_auth = self._service()
        if token is ADMIN:
            headers['X-Auth-Token'] = self.admin_token()
        else:
            if context.auth_token:
                headers['X-Auth-Token'] = context.auth_token
            if service_auth is not None:
                headers['X-Service-Token'] = self._session.get_token(auth=service_auth)
        headers['X-OpenStack-Request-ID'] = context.global_request_id or context.request_id
        if body is not None:
            data = json.dumps(body)
            headers.setdefault('Content-Type', 'application/json')
        try:
            resp = self._session.request(self.endpoint() + path, method, data=data,
                                         headers=headers, raise_exc=False,
                                         authenticated=False)
        except ks_exceptions.ConnectionError as e:
            raise exception.ServiceUnavailable('The %s service cannot be reached: %s'
                                               % (self.service_name, e))
        if resp.status_code >= 400:
            raise self.error(resp, method, path)
        return resp.json() if resp.content and 'json' in resp.headers.get(
            'Content-Type', '') else None

    def error(self, resp, method, path):
        """The exception for an error answer.  The other service refusing the
        request is the caller's mistake (a reserved property, something it
        may not touch): it keeps its status; the service's own failures are
        ours (500)."""
        error = ERRORS.get(resp.status_code, exception.PocketstackError)
        return error('%s service answered %s to %s %s: %s' % (
            self.service_name, resp.status_code, method, path,
            ' '.join(resp.text.split())[:200]))
