"""``/servers/{id}/tags`` (2.26): a server's tags — list, replace, check,
add and remove one, remove all.  Changes need the server ACTIVE, PAUSED,
SUSPENDED or STOPPED (409 otherwise); a server has at most 50 tags."""
import urllib.parse

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion

MAX_TAGS = 50
_TAG = {'type': 'string', 'pattern': '^[^,/]*$', 'minLength': 1, 'maxLength': 60}
_TAGS = {'type': 'object',
         'properties': {'tags': {'type': 'array', 'items': _TAG, 'maxItems': MAX_TAGS}},
         'required': ['tags'], 'additionalProperties': False}
_NO_BODY = {'type': 'null'}


class ServerTagsController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy

    def _server(self, req, server_id, rule):
        if microversion.api_version(req) < (2, 26):
            raise exception.NotFound('Server tags need microversion 2.26 or later.')
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:%s' % rule,
                              {'project_id': instance['project_id']})
        return instance

    def index(self, req, server_id):
        return {'tags': self._server(req, server_id, 'show')['tags']}

    def update_all(self, req, server_id):
        self._server(req, server_id, 'update')
        body = req.json_body()
        wsgi.check_schema(_TAGS, body)
        self.api.set_tags(req.context, server_id, body['tags'])
        return {'tags': sorted(set(body['tags']))}

    @wsgi.status(204)
    def delete_all(self, req, server_id):
        self._server(req, server_id, 'update')
        self.api.remove_tag(req.context, server_id)

    @wsgi.status(204)
    def show(self, req, server_id, tag):
        if tag not in self._server(req, server_id, 'show')['tags']:
            raise exception.NotFound("Server %s has no tag '%s'" % (server_id, tag))

    def update(self, req, server_id, tag):
        self._server(req, server_id, 'update')
        wsgi.check_schema(_NO_BODY, req.json_body())
        try:
            wsgi.check_schema(_TAG, tag)
        except exception.ValidationError as e:
            raise exception.BadRequest("Tag '%s' is invalid. It must be a non empty string "
                                       "without characters '/' and ','. %s" % (tag, e.message))
        if not self.api.add_tag(req.context, server_id, tag, MAX_TAGS):
            return wsgi.json_response(None, status=204)  # it had the tag already
        location = '%s/servers/%s/tags/%s' % (wsgi.base_url(req), server_id,
                                             urllib.parse.quote(tag))
        return wsgi.json_response(None, status=201, headers={'Location': location})

    @wsgi.status(204)
    def delete(self, req, server_id, tag):
        self._server(req, server_id, 'update')
        self.api.remove_tag(req.context, server_id, tag)


def routes(service):
    ctl = ServerTagsController(service)
    return [
        wsgi.Route('/servers/{server_id}/tags', GET=(ctl, 'index'), PUT=(ctl, 'update_all'),
                   DELETE=(ctl, 'delete_all')),
        wsgi.Route('/servers/{server_id}/tags/{tag}', GET=(ctl, 'show'), PUT=(ctl, 'update'),
                   DELETE=(ctl, 'delete')),
    ]
