"""Version documents: ``GET /`` (300, every version) and ``GET /v2.1`` (the
one nova --debug list asks for in seed 000)."""
import webob.dec

from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion

UPDATED = '2013-07-23T11:33:21Z'
MEDIA_TYPES = [{'base': 'application/json',
                'type': 'application/vnd.openstack.compute+json;version=2.1'}]


def _versions(req):
    base = req.host_url + req.script_name.rsplit('/v2', 1)[0]
    return {
        'v2.0': {'id': 'v2.0', 'status': 'DEPRECATED', 'version': '', 'min_version': '',
                 'updated': '2025-07-04T12:00:00Z',
                 'links': [{'rel': 'self', 'href': base + '/v2/'}]},
        'v2.1': {'id': 'v2.1', 'status': 'CURRENT',
                 'version': microversion.text(microversion.MAX),
                 'min_version': microversion.text(microversion.MIN), 'updated': UPDATED,
                 'links': [{'rel': 'self', 'href': base + '/v2.1/'}]},
    }


@webob.dec.wsgify(RequestClass=wsgi.Request)
def versions_app(req):
    """``/``: every version, 300 Multiple Choices."""
    return wsgi.json_response({'versions': list(_versions(req).values())}, status=300)


def version_document(req, version_id):
    doc = dict(_versions(req)[version_id])
    doc['links'] = doc['links'] + [{'rel': 'describedby', 'type': 'text/html',
                                    'href': 'http://docs.openstack.org/'}]
    doc['media-types'] = MEDIA_TYPES
    return {'version': doc}
