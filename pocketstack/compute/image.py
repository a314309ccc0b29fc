"""The Image service, seen from Compute: REST calls with keystoneauth1.

Nova reads images and writes snapshots through Glance's public API, never its
database.  Each call carries the user's token (so Glance applies the user's
visibility rules), the service's own token as ``X-Service-Token`` (so a long
snapshot upload survives the user's token expiring), and the request id as
the global request id, which Glance logs beside its own.
"""
import json
import threading

from keystoneauth1 import session as ks_session

from pocketstack.common import auth
from pocketstack.common import exception


_ERRORS = {400: exception.BadRequest, 401: exception.Forbidden, 403: exception.Forbidden,
           409: exception.Conflict, 413: exception.Forbidden}


class ImageClient:

    def __init__(self, conf):
        self.conf = conf
        self._session = ks_session.Session()
        self._service_auth = None
        self._endpoint = conf.glance.endpoint_override
        self._lock = threading.Lock()

    def _service(self):
        """The service user's auth plugin (from [keystone_authtoken]), or None
        when no Identity is configured (noauth2 deployments)."""
        with self._lock:
            if self._service_auth is None and self.conf.keystone_authtoken.auth_url:
                from keystoneauth1 import loading
                self._service_auth = loading.load_auth_from_conf_options(
                    self.conf, auth.AUTHTOKEN_GROUP)
            return self._service_auth

    def endpoint(self):
        if self._endpoint is None:
            service_auth = self._service()
            if service_auth is None:
                raise exception.ServiceUnavailable('No image endpoint: set [glance] '
                                                   'endpoint_override.')
            self._endpoint = self._session.get_endpoint(
                auth=service_auth, service_type='image', interface='public',
                region_name=self.conf.region_name)
        return self._endpoint.rstrip('/')

    def _request(self, context, method, path, body=None, data=None, headers=None):
        headers = dict(headers or {})
        if context.auth_token:
            headers['X-Auth-Token'] = context.auth_token
        service_auth = self._service()
        if service_auth is not None:
            headers['X-Service-Token'] = self._session.get_token(auth=service_auth)
        headers['X-OpenStack-Request-ID'] = context.global_request_id or context.request_id
        if body is not None:
            data = json.dumps(body)
            headers.setdefault('Content-Type', 'application/json')
        resp = self._session.request(self.endpoint() + path, method, data=data,
                                     headers=headers, raise_exc=False, authenticated=False)
        if resp.status_code == 404:
            raise exception.NotFound('Image not found: %s' % path.rsplit('/', 1)[-1])
        if resp.status_code >= 400:
            # The Image service refusing the request is the caller's mistake
            # (a reserved property, an image it may not touch); its own
            # failures are ours.
            error = _ERRORS.get(resp.status_code, exception.PocketstackError)
            raise error('Image service answered %s to %s %s: %s' % (
                resp.status_code, method, path, ' '.join(resp.text.split())[:200]))
        return resp.json() if resp.content and 'json' in resp.headers.get(
            'Content-Type', '') else None

    def get(self, context, image_id):
        return self._request(context, 'GET', '/v2/images/%s' % image_id)

    def create(self, context, values):
        return self._request(context, 'POST', '/v2/images', body=values)

    def upload(self, context, image_id, chunks):
        self._request(context, 'PUT', '/v2/images/%s/file' % image_id, data=chunks,
                      headers={'Content-Type': 'application/octet-stream'})

    def delete(self, context, image_id):
        try:
            self._request(context, 'DELETE', '/v2/images/%s' % image_id)
        except exception.NotFound:
            pass
