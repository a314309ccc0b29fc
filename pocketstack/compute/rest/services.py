"""``/os-services``: the compute services, whether each is up (a recent
heartbeat, not forced down) and enabled.  Admins disable a compute host
(the scheduler then skips it), force it down, or delete its record.

From 2.53 a service is named by its uuid (``PUT /os-services/{id}``);
before, ``PUT /os-services/{enable|disable|disable-log-reason|force-down}``
names it by host and binary in the body."""
from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion

_REASON = {'type': 'string', 'minLength': 1, 'maxLength': 255}
_BOOLEAN = {'type': ['boolean', 'string'],
            'enum': [True, False, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes',
                     'yes', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                     'no']}
_UPDATE_V253 = {'type': 'object',
                'properties': {'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
                               'disabled_reason': _REASON, 'forced_down': _BOOLEAN},
                'additionalProperties': False}
_UPDATE = {'type': 'object',
           'properties': {'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                          'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
                          'disabled_reason': _REASON},
           'required': ['host', 'binary'], 'additionalProperties': False}
_UPDATE_V211 = {**_UPDATE, 'properties': dict(_UPDATE['properties'], forced_down=_BOOLEAN)}


def _as_bool(value):
    return value is True or str(value).lower() in ('true', '1', 'on', 'yes')


class ServicesController:

    def __init__(self, service):
        self.hosts = service.hosts
        self.policy = service.policy

    @staticmethod
    def _view(req, svc):
        version = microversion.api_version(req)
        seen = svc['updated_at'] or svc['last_seen_up']
        view = {'id': svc['uuid'] if version >= (2, 53) else svc['id'],
                'binary': svc['binary'], 'host': svc['host'], 'zone': svc['zone'],
                'status': 'disabled' if svc['disabled'] else 'enabled',
                'state': 'up' if svc['up'] else 'down',
                'updated_at': seen.isoformat(timespec='microseconds') if seen else None,
                'disabled_reason': svc['disabled_reason']}
        if version >= (2, 11):
            view['forced_down'] = svc['forced_down']
        return view

    def index(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-services:list', {})
        found = self.hosts.services(host=req.GET.get('host') or None,
                                    binary=req.GET.get('binary') or None)
        return {'services': [self._view(req, s) for s in found]}

    def update(self, req, service_id):
        self.policy.authorize(req.context, 'os_compute_api:os-services:update', {})
        if microversion.api_version(req) >= (2, 53):
            return self._update_by_id(req, service_id)
        return self._legacy_update(req, service_id)

    def _update_by_id(self, req, service_id):
        if not common.is_uuid(service_id):
            raise exception.BadRequest('Invalid uuid %s' % service_id)
        body = req.json_body()
        wsgi.check_schema(_UPDATE_V253, body)
        values = {}
        if body.get('status') == 'enabled':
            if body.get('disabled_reason'):
                raise exception.BadRequest("Specifying 'disabled_reason' with status "
                                           "'enabled' is invalid.")
            values.update(disabled=False, disabled_reason=None)
        elif body.get('status') == 'disabled':
            values.update(disabled=True, disabled_reason=body.get('disabled_reason'))
        if 'forced_down' in body:
            values['forced_down'] = _as_bool(body['forced_down'])
        if not values:
            raise exception.BadRequest("No updates were requested. Fields 'status' or "
                                       "'forced_down' should be specified.")
        return {'service': self._view(req, self.hosts.update_service(service_id, values))}

    def _legacy_update(self, req, action):
        version = microversion.api_version(req)
        actions = {'enable', 'disable', 'disable-log-reason'} | (
            {'force-down'} if version >= (2, 11) else set())
        if action not in actions:
            raise exception.NotFound('Unknown action')
        body = req.json_body()
        wsgi.check_schema(_UPDATE_V211 if version >= (2, 11) else _UPDATE, body)
        host, binary = body['host'], body['binary']
        shown = {'host': host, 'binary': binary}
        if action == 'force-down':
            if 'forced_down' not in body:
                raise exception.BadRequest('Missing forced_down field')
            values = {'forced_down': _as_bool(body['forced_down'])}
            shown['forced_down'] = values['forced_down']
        elif action == 'enable':
            values = {'disabled': False, 'disabled_reason': None}
            shown['status'] = 'enabled'
        else:
            reason = body.get('disabled_reason') if action == 'disable-log-reason' else None
            if action == 'disable-log-reason' and not reason:
                raise exception.BadRequest('Missing disabled reason field')
            values = {'disabled': True, 'disabled_reason': reason}
            shown['status'] = 'disabled'
            if reason:
                shown['disabled_reason'] = reason
        self.hosts.update_host_service(host, binary, values)
        return {'service': shown}

    @wsgi.status(204)
    def delete(self, req, service_id):
        """Forget a service; a compute host still holding servers is refused
        (409).  Its hypervisor record goes with it."""
        self.policy.authorize(req.context, 'os_compute_api:os-services:delete', {})
        if microversion.api_version(req) >= (2, 53):
            if not common.is_uuid(service_id):
                raise exception.BadRequest('Invalid uuid %s' % service_id)
            self.hosts.delete_service(uuid=service_id)
        else:
            number = utils.integer(service_id)
            if number is None or number < 0:
                raise exception.BadRequest('Invalid id %s: expected an integer.' % service_id)
            self.hosts.delete_service(service_id=number)


def routes(service):
    ctl = ServicesController(service)
    return [wsgi.Route('/os-services', GET=(ctl, 'index')),
            wsgi.Route('/os-services/{service_id}', PUT=(ctl, 'update'),
                       DELETE=(ctl, 'delete'))]
