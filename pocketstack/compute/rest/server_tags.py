"""``/servers/{id}/tags`` (2.26): a server's tags — list, replace, check,
add and remove one, remove all.  Changes need the server ACTIVE, PAUSED,
SUSPENDED or STOPPED (409 otherwise); a server has at most 50 tags."""
import urllib.parse

import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.common import wsgi
from pocketstack.compute.db import models
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest.server_metadata import changeable_row

MAX_TAGS = 50
_TAG = {'type': 'string', 'pattern': '^[^,/]*$', 'minLength': 1, 'maxLength': 60}
_TAGS = {'type': 'object',
         'properties': {'tags': {'type': 'array', 'items': _TAG, 'maxItems': MAX_TAGS}},
         'required': ['tags'], 'additionalProperties': False}
_NO_BODY = {'type': 'null'}


class ServerTagsController:

    def __init__(self, service):
        self.api = service.api
        self.db = service.db
        self.policy = service.policy

    def _server(self, req, server_id, rule):
        if microversion.api_version(req) < (2, 26):
            raise exception.NotFound('Server tags need microversion 2.26 or later.')
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:%s' % rule,
                              {'project_id': instance['project_id']})
        return instance

    @staticmethod
    def _changing(req, server_id, session, action):
        row = changeable_row(session, req.context, server_id, action, idle=False,
                             unlocked=False)
        row.updated_at = utils.utcnow()
        return row

    def index(self, req, server_id):
        return {'tags': self._server(req, server_id, 'show')['tags']}

    def update_all(self, req, server_id):
        self._server(req, server_id, 'update')
        body = req.json_body()
        wsgi.check_schema(_TAGS, body)
        wanted = set(body['tags'])
        with self.db.writer() as session:
            row = self._changing(req, server_id, session, 'update tags')
            # Kept tags stay as they are: a deleted and re-added tag would be
            # inserted before the old row is deleted.
            for tag in list(row.tags):
                if tag.tag not in wanted:
                    row.tags.remove(tag)
            kept = {t.tag for t in row.tags}
            row.tags.extend(models.InstanceTag(tag=t) for t in sorted(wanted - kept))
        return {'tags': sorted(wanted)}

    @wsgi.status(204)
    def delete_all(self, req, server_id):
        self._server(req, server_id, 'update')
        with self.db.writer() as session:
            self._changing(req, server_id, session, 'delete tags').tags.clear()

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
        try:
            with self.db.writer() as session:
                row = self._changing(req, server_id, session, 'update tag')
                if tag in {t.tag for t in row.tags}:
                    return wsgi.json_response(None, status=204)
                if len(row.tags) >= MAX_TAGS:
                    raise exception.BadRequest('The number of tags exceeded the per-server '
                                               'limit %d' % MAX_TAGS)
                row.tags.append(models.InstanceTag(tag=tag))
        except sa.exc.IntegrityError:
            return wsgi.json_response(None, status=204)  # added meanwhile by another request
        location = '%s%s/servers/%s/tags/%s' % (req.host_url, req.script_name, server_id,
                                               urllib.parse.quote(tag))
        return wsgi.json_response(None, status=201, headers={'Location': location})

    @wsgi.status(204)
    def delete(self, req, server_id, tag):
        self._server(req, server_id, 'update')
        with self.db.writer() as session:
            row = self._changing(req, server_id, session, 'delete tag')
            found = next((t for t in row.tags if t.tag == tag), None)
            if found is None:
                raise exception.NotFound("Server %s has no tag '%s'" % (server_id, tag))
            row.tags.remove(found)


def routes(service):
    ctl = ServerTagsController(service)
    return [
        wsgi.Route('/servers/{server_id}/tags', GET=(ctl, 'index'), PUT=(ctl, 'update_all'),
                   DELETE=(ctl, 'delete_all')),
        wsgi.Route('/servers/{server_id}/tags/{tag}', GET=(ctl, 'show'), PUT=(ctl, 'update'),
                   DELETE=(ctl, 'delete')),
    ]
