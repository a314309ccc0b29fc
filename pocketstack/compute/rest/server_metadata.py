"""``/servers/{id}/metadata``: a server's key/value metadata — list, merge
(POST), replace (PUT), and one item at a time.

Changes need the server ACTIVE, PAUSED, SUSPENDED or STOPPED with no task
running and, unless the caller is an admin, unlocked (409 otherwise); the
items may number at most ``[quota] metadata_items`` (403)."""
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.common import wsgi
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import quotas
from pocketstack.compute import states
from pocketstack.compute.db import models
from pocketstack.compute.rest import schemas

CHANGEABLE = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED)

_METADATA = {'type': 'object', 'properties': {'metadata': dict(schemas.METADATA)},
             'required': ['metadata'], 'additionalProperties': False}
_METADATA['properties']['metadata'].pop('maxProperties', None)  # the quota decides (403)
_ITEM = {'type': 'object',
         'properties': {'meta': dict(_METADATA['properties']['metadata'], minProperties=1,
                                     maxProperties=1)},
         'required': ['meta'], 'additionalProperties': False}


def changeable_row(session, context, uuid, action, idle=True, unlocked=True):
    """The live instance row, locked for this transaction, if its state
    allows ``action`` (409 otherwise): vm_state one of CHANGEABLE and, with
    ``idle``, no task; with ``unlocked``, not locked (admins excepted)."""
    row = session.scalar(sa.select(models.Instance).where(
        models.Instance.uuid == uuid, models.Instance.deleted == 0).with_for_update())
    if row is None:
        raise compute_exc.InstanceNotFound(uuid=uuid)
    if unlocked and row.locked and not context.is_admin_role:
        raise compute_exc.InstanceIsLocked(uuid=uuid)
    if row.vm_state not in CHANGEABLE:
        raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='vm_state',
                                               state=row.vm_state)
    if idle and row.task_state is not None:
        raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='task_state',
                                               state=row.task_state)
    return row


class ServerMetadataController:

    def __init__(self, service):
        self.api = service.api
        self.db = service.db
        self.policy = service.policy
        self.conf = service.conf

    def _server(self, req, server_id, rule):
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:%s' % rule,
                              {'project_id': instance['project_id']})
        return instance

    def _change(self, req, server_id, action, changes, replace=False, remove=None):
        """Apply ``changes`` (and drop ``remove``, or every other key when
        ``replace``) in one transaction; the metadata afterwards."""
        self._server(req, server_id, 'update')
        with self.db.writer() as session:
            row = changeable_row(session, req.context, server_id, action)
            items = {m.key: m for m in row.metadata_items}
            wanted = {} if replace else {k: m.value for k, m in items.items()}
            wanted.update(changes)
            if remove is not None:
                if remove not in wanted:
                    raise exception.NotFound('Metadata item was not found')
                del wanted[remove]
            max_items = quotas.limit(session, self.conf, row.project_id, 'metadata_items')
            if len(wanted) > max_items >= 0:
                raise exception.Forbidden('Quota exceeded for metadata_items: maximum %d.'
                                          % max_items)
            # Rows are changed in place: a removed and re-added key would be
            # inserted before the old row is deleted.
            for key, item in items.items():
                if key not in wanted:
                    row.metadata_items.remove(item)
                else:
                    item.value = wanted[key]
            row.metadata_items.extend(models.InstanceMetadata(key=k, value=v)
                                      for k, v in wanted.items() if k not in items)
            row.updated_at = utils.utcnow()
            return wanted

    def index(self, req, server_id):
        return {'metadata': self._server(req, server_id, 'show')['metadata']}

    def create(self, req, server_id):
        body = req.json_body()
        wsgi.check_schema(_METADATA, body)
        return {'metadata': self._change(req, server_id, 'update metadata',
                                         body['metadata'])}

    def update_all(self, req, server_id):
        body = req.json_body()
        wsgi.check_schema(_METADATA, body)
        return {'metadata': self._change(req, server_id, 'update metadata', body['metadata'],
                                         replace=True)}

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
        self._change(req, server_id, 'update metadata', body['meta'])
        return body

    @wsgi.status(204)
    def delete(self, req, server_id, key):
        self._change(req, server_id, 'delete metadata', {}, remove=key)


def routes(service):
    ctl = ServerMetadataController(service)
    return [
        wsgi.Route('/servers/{server_id}/metadata', GET=(ctl, 'index'), POST=(ctl, 'create'),
                   PUT=(ctl, 'update_all')),
        wsgi.Route('/servers/{server_id}/metadata/{key}', GET=(ctl, 'show'),
                   PUT=(ctl, 'update'), DELETE=(ctl, 'delete')),
    ]
