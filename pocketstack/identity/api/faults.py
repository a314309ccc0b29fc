"""Keystone's fault body: {"error": {"code": 404, "title": "Not Found", "message": "…"}}."""
from pocketstack.common import wsgi


class IdentityFaultRenderer(wsgi.FaultRenderer):

    def __call__(self, error, req=None):
        resp = super().__call__(error, req)
        if error.code == 401 and req is not None:
            # As Keystone: tell the client where to authenticate.
            resp.headers['WWW-Authenticate'] = 'Keystone uri="%s"' % req.host_url
        return resp


RENDERER = IdentityFaultRenderer()
