"""``GET /v3``: the v3 version document."""
from pocketstack.common import wsgi
from pocketstack.identity.api import versions


class VersionController:

    def show(self, req):
        return {'version': versions.v3_document(req.host_url)}


def routes(service):
    return [wsgi.Route('/', GET=(VersionController(), 'show'))]
