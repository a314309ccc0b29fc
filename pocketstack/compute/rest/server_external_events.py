"""``POST /os-server-external-events``: what another service tells Compute
about a server (Nova's external events; the Network service sends
``network-changed`` when a port of a server changes — a floating IP
associated, an address added — so the server's cached addresses follow).

Each event is answered on its own: ``code`` 200 (handled), 404 (no such
server); the request is 200 when all were handled, 207 when some were not,
404 when none was."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion

NAMES = [((2, 1), ['network-changed', 'network-vif-plugged', 'network-vif-unplugged',
                   'network-vif-deleted']),
         ((2, 51), ['volume-extended']),
         ((2, 76), ['power-update']),
         ((2, 82), ['accelerator-request-bound']),
         ((2, 93), ['volume-reimaged'])]


def _schema(version):
    names = [n for since, group in NAMES if version >= since for n in group]
    return {'type': 'object', 'properties': {'events': {
        'type': 'array', 'minItems': 1, 'items': {
            'type': 'object', 'properties': {
                'server_uuid': {'type': 'string', 'format': 'uuid'},
                'name': {'type': 'string', 'enum': names},
                'status': {'type': 'string', 'enum': ['failed', 'completed', 'in-progress']},
                'tag': {'type': 'string', 'maxLength': 255}},
            'required': ['server_uuid', 'name'], 'additionalProperties': False}}},
        'required': ['events'], 'additionalProperties': False}


class ServerExternalEventsController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy

    def create(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-server-external-events:create',
                              {})
        body = req.json_body()
        wsgi.check_schema(_schema(microversion.api_version(req)), body)
        answered = []
        for event in body['events']:
            event = dict(event, status=event.get('status') or 'completed')
            try:
                self.api.external_event(req.context, event)
                event['code'] = 200
            except exception.NotFound:
                event.update(code=404, status='failed')
            answered.append(event)
        codes = {e['code'] for e in answered}
        if codes == {404}:
            raise exception.NotFound('No instances found for any event')
        return wsgi.json_response({'events': answered}, status=200 if codes == {200} else 207)


def routes(service):
    ctl = ServerExternalEventsController(service)
    return [wsgi.Route('/os-server-external-events', POST=(ctl, 'create'))]
