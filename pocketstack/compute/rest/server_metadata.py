"""``/servers/{id}/metadata``: a server's key/value metadata — list, merge
(POST), replace (PUT), and one item at a time.

Changes need the server ACTIVE, PAUSED, SUSPENDED or STOPPED with no task
running and, unless the caller is an admin, unlocked (409 otherwise); the
items may number at most ``[quota] metadata_items`` (403) — the compute API's
rules (``api.update_metadata``)."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import schemas

_METADATA = {'type': 'object', 'properties': {'metadata': dict(schemas.METADATA)},
             'required': ['metadata'], 'additionalProperties': False}
_METADATA['properties']['metadata'].pop('maxProperties', None)  # the quota decides (403)
_ITEM = {'type': 'object',
         'properties': {'meta': dict(_METADATA['properties']['metadata'], minProperties=1,
                                     maxProperties=1)},
         'required': ['meta'], 'additionalProperties': False}


class ServerMetadataController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy

    def _server(self, req, server_id, rule):
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:%s' % rule,
                              {'project_id': instance['project_id']})
        return instance

    def _change(self, req, server_id, changes, replace=False, remove=None):
        """The metadata after the compute API changed it (api.update_metadata)."""
        self._server(req, server_id, 'update')
        return self.api.update_metadata(req.context, server_id, changes, replace=replace,
                                        remove=remove)

    def index(self, req, server_id):
        return {'metadata': self._server(req, server_id, 'show')['metadata']}

    def create(self, req, server_id):
        body = req.json_body()
        wsgi.check_schema(_METADATA, body)
        return {'metadata': self._change(req, server_id, body['metadata'])}

    def update_all(self, req, server_id):
        body = req.json_body()
        wsgi.check_schema(_METADATA, body)
        return {'metadata': self._change(req, server_id, body['metadata'], replace=True)}

    def show(self, req, server_id, key):
        metadata = self._server(req, server_id, 'show')['metadata']
        if key not in metadata:
            raise exception.NotFound('Metadata item was not found')
        return {'meta': {key: metadata[key]}}

    def update(self, req, server_id, key):
        body = req.json_body()
        wsgi.check_schema(_ITEM, body)
        if key not in body['meta']:
            raise exception.BadRequest('Request body and URI mismatch')
        self._change(req, server_id, body['meta'])
        return body

    @wsgi.status(204)
    def delete(self, req, server_id, key):
        self._change(req, server_id, {}, remove=key)


def routes(service):
    ctl = ServerMetadataController(service)
    return [
        wsgi.Route('/servers/{server_id}/metadata', GET=(ctl, 'index'), POST=(ctl, 'create'),
                   PUT=(ctl, 'update_all')),
        wsgi.Route('/servers/{server_id}/metadata/{key}', GET=(ctl, 'show'),
                   PUT=(ctl, 'update'), DELETE=(ctl, 'delete')),
    ]
