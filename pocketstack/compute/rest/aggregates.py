"""``/os-aggregates``: host aggregates, admin only.  Create, list, show,
update (name, availability zone) and delete an aggregate; its actions
``add_host``, ``remove_host`` and ``set_metadata``.  An aggregate's
``availability_zone`` (its metadata key of that name) is the zone of its
hosts (compute/aggregates.py).  2.41 shows each aggregate's ``uuid``."""
from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import schemas

# A zone name: a NAME without ':' (``zone:host`` is how admins name a host).
_ZONE = {'allOf': [schemas.NAME, {'type': 'string', 'pattern': '^[^:]*$'}]}
_AGGREGATE_PROPS = {'name': schemas.NAME,
                    'availability_zone': {'anyOf': [_ZONE, {'type': 'null'}]}}
CREATE = {'type': 'object',
          'properties': {'aggregate': {'type': 'object', 'properties': _AGGREGATE_PROPS,
                                       'required': ['name'], 'additionalProperties': False}},
          'required': ['aggregate'], 'additionalProperties': False}
UPDATE = {'type': 'object',
          'properties': {'aggregate': {'type': 'object', 'properties': _AGGREGATE_PROPS,
                                       'minProperties': 1, 'additionalProperties': False}},
          'required': ['aggregate'], 'additionalProperties': False}
HOST = {'type': 'object',
        'properties': {'host': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
        'required': ['host'], 'additionalProperties': False}
SET_METADATA = {'type': 'object',
                'properties': {'metadata': {
                    'type': 'object',
                    'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {
                        'type': ['string', 'null'], 'maxLength': 255}},
                    'additionalProperties': False}},
                'required': ['metadata'], 'additionalProperties': False}


def _time(value):
    return value.isoformat(timespec='microseconds') if value else None


class AggregatesController:

    def __init__(self, service):
        self.api = service.aggregates
        self.policy = service.policy
        self.actions = {'add_host': self._add_host, 'remove_host': self._remove_host,
                        'set_metadata': self._set_metadata}

    def _authorize(self, req, action):
        self.policy.authorize(req.context, 'os_compute_api:os-aggregates:%s' % action, {})

    @staticmethod
    def _view(req, aggregate, brief=False):
        view = {'id': aggregate['id'], 'name': aggregate['name'],
                'availability_zone': aggregate['availability_zone'],
                'created_at': _time(aggregate['created_at']),
                'updated_at': _time(aggregate['updated_at']),
                'deleted': False, 'deleted_at': None}
        if not brief:
            view.update(hosts=aggregate['hosts'], metadata=aggregate['metadata'])
        if microversion.api_version(req) >= (2, 41):
            view['uuid'] = aggregate['uuid']
        return view

    @staticmethod
    def _id(aggregate_id):
        if not (aggregate_id.isascii() and aggregate_id.isdigit()):
            raise exception.BadRequest('Invalid id: %s (expecting "id" to be an integer)'
                                       % aggregate_id)
        number = utils.integer(aggregate_id)
        if number is None:       # beyond 64 bits, so beyond any row's id
            raise exception.NotFound('Aggregate %s could not be found.' % aggregate_id)
        return number

    def index(self, req):
        self._authorize(req, 'index')
        return {'aggregates': [self._view(req, a) for a in self.api.list()]}

    def create(self, req):
        self._authorize(req, 'create')
        body = req.json_body()
        wsgi.check_schema(CREATE, body)
        values = body['aggregate']
        created = self.api.create(values['name'], values.get('availability_zone'))
        # As Nova: the answer to a create leaves out hosts and metadata.
        return {'aggregate': self._view(req, created, brief=True)}

    def show(self, req, aggregate_id):
        self._authorize(req, 'show')
        return {'aggregate': self._view(req, self.api.get(self._id(aggregate_id)))}

    def update(self, req, aggregate_id):
        self._authorize(req, 'update')
        aggregate_id = self._id(aggregate_id)
        body = req.json_body()
        wsgi.check_schema(UPDATE, body)
        return {'aggregate': self._view(req, self.api.update(aggregate_id,
                                                             body['aggregate']))}

    def delete(self, req, aggregate_id):
        self._authorize(req, 'delete')
        self.api.delete(self._id(aggregate_id))
        return wsgi.json_response(None, status=200)

    def action(self, req, aggregate_id):
        aggregate_id = self._id(aggregate_id)
        name, handler, value = common.action_of(req, self.actions)
        self._authorize(req, name)
        return {'aggregate': self._view(req, handler(aggregate_id, value))}

    def _add_host(self, aggregate_id, body):
        wsgi.check_schema(HOST, body)
        return self.api.add_host(aggregate_id, body['host'])

    def _remove_host(self, aggregate_id, body):
        wsgi.check_schema(HOST, body)
        return self.api.remove_host(aggregate_id, body['host'])

    def _set_metadata(self, aggregate_id, body):
        wsgi.check_schema(SET_METADATA, body)
        return self.api.set_metadata(aggregate_id, body['metadata'])


def routes(service):
    ctl = AggregatesController(service)
    return [wsgi.Route('/os-aggregates', GET=(ctl, 'index'), POST=(ctl, 'create')),
            wsgi.Route('/os-aggregates/{aggregate_id}', GET=(ctl, 'show'),
                       PUT=(ctl, 'update'), DELETE=(ctl, 'delete')),
            wsgi.Route('/os-aggregates/{aggregate_id}/action', POST=(ctl, 'action'))]
