"""``GET /``: the API versions (only v2.0), and ``GET /v2.0``: its resources."""
import webob.dec

from pocketstack.common import wsgi
from pocketstack.network.api import attributes


def _root_url(req):
    return req.host_url + req.script_name.rstrip('/')


@webob.dec.wsgify(RequestClass=wsgi.Request)
def versions_app(req):
    base = _root_url(req)
    return wsgi.json_response({'versions': [{
        'id': 'v2.0', 'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': base + '/v2.0/'}]}]})


class ResourcesController:
    """``GET /v2.0/``: each collection the loaded plugins serve."""

    def __init__(self, service):
        self.service = service

    def index(self, req):
        base = req.host_url + req.script_name.rstrip('/')
        return {'resources': [
            {'name': r.member, 'collection': r.collection_key,
             'links': [{'rel': 'self', 'href': '%s/%s' % (base, r.collection)}]}
            for r in attributes.RESOURCES.values()
            if self.service.plugin_for(r.collection) is not None]}
