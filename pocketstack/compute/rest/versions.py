"""Version documents: ``GET /`` (every version), ``GET /v2.1`` (the one
nova --debug list asks for in seed 000), and 300 Multiple Choices for a path
under no version."""
import webob.dec

from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion

UPDATED = '2013-07-23T11:33:21Z'
MEDIA_TYPES = [{'base': 'application/json',
                'type': 'application/vnd.openstack.compute+json;version=2.1'}]


def _versions(req):
    base = req.host_url + req.script_name.rsplit('/v2', 1)[0]
    return {
        'v2.0': {'id': 'v2.0', 'status': 'SUPPORTED', 'version': '', 'min_version': '',
                 'updated': '2011-01-21T11:33:21Z',
                 'links': [{'rel': 'self', 'href': base + '/v2/'}]},
        'v2.1': {'id': 'v2.1', 'status': 'CURRENT',
                 'version': microversion.text(microversion.MAX),
                 'min_version': microversion.text(microversion.MIN), 'updated': UPDATED,
                 'links': [{'rel': 'self', 'href': base + '/v2.1/'}]},
    }


@webob.dec.wsgify(RequestClass=wsgi.Request)
def versions_app(req):
    """``/``: every version (200); any other path: where it lives in each
    version (300 Multiple Choices)."""
    versions = list(_versions(req).values())
    if req.path_info in ('', '/'):
        return wsgi.json_response({'versions': versions})
    choices = [{'id': v['id'], 'status': v['status'], 'media-types': MEDIA_TYPES,
                'links': [{'rel': 'self', 'href': v['links'][0]['href'].rstrip('/')
                           + req.path_info}]} for v in versions]
    return wsgi.json_response({'choices': choices}, status=300)


def version_document(req, version_id):
    doc = dict(_versions(req)[version_id])
    doc['links'] = doc['links'] + [{'rel': 'describedby', 'type': 'text/html',
                                    'href': 'http://docs.openstack.org/'}]
    doc['media-types'] = MEDIA_TYPES
    return {'version': doc}
