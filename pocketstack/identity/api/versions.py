"""Version discovery: ``GET /`` (300 Multiple Choices) and ``GET /v3``."""
import webob.dec

from pocketstack.common import wsgi

V3_ID = 'v3.14'
V3_UPDATED = '2020-04-07T00:00:00Z'
V3_MEDIA = [{'base': 'application/json',
             'type': 'application/vnd.openstack.identity-v3+json'}]


def v3_document(base_url):
    return {'id': V3_ID, 'status': 'stable', 'updated': V3_UPDATED,
            'links': [{'rel': 'self', 'href': base_url.rstrip('/') + '/v3/'}],
            'media-types': V3_MEDIA}


def v2_document(base_url):
    return {'id': 'v2.0', 'status': 'deprecated', 'updated': '2016-08-04T00:00:00Z',
            'links': [{'rel': 'self', 'href': base_url.rstrip('/') + '/v2.0/'}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/vnd.openstack.identity-v2.0+json'}]}


class VersionsApp:
    """``GET /``: the versions this API serves (only v3 is advertised; the
    legacy ``POST /v2.0/tokens`` works but, as in Keystone, is not offered to
    discovery)."""

    def __init__(self, service):
        self.service = service

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        if req.path_info not in ('', '/'):
            return wsgi.json_response(
                {'error': {'code': 404, 'title': 'Not Found',
                           'message': 'The resource could not be found.'}}, status=404)
        body = {'versions': {'values': [v3_document(wsgi.base_url(req))]}}
        return wsgi.json_response(body, status=300)
