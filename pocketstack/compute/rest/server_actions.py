"""``POST /servers/{id}/action``: the body's single key names the action
(``{"os-stop": null}``, ``{"shelve": null}``…), as Nova's ``wsgi.action``
handlers do.  Each handler checks its body and calls the compute API, which
checks the server's state (409 otherwise)."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute import states
from pocketstack.compute.rest import microversion


class ServerActionsController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy
        self.handlers = {
            'os-start': self._power('start', [states.STOPPED], states.POWERING_ON),
            'os-stop': self._power('stop', [states.ACTIVE, states.ERROR, states.RESIZED,
                                            states.RESCUED], states.POWERING_OFF),
            'pause': self._power('pause', [states.ACTIVE], states.PAUSING),
            'unpause': self._power('unpause', [states.PAUSED], states.UNPAUSING),
            'suspend': self._power('suspend', [states.ACTIVE], states.SUSPENDING),
            'resume': self._power('resume', [states.SUSPENDED], states.RESUMING),
            'reboot': self.reboot,
            'lock': self.lock,
            'unlock': lambda req, uuid, body: self.api.unlock(req.context, uuid),
            'shelve': lambda req, uuid, body: self.api.shelve(req.context, uuid),
            'shelveOffload': lambda req, uuid, body: self.api.shelve_offload(req.context, uuid),
            'unshelve': self.unshelve,
            'createImage': self.create_image,
            'rebuild': self.rebuild,
            'resize': self.resize,
            'confirmResize': self.confirm_resize,
            'revertResize': lambda req, uuid, body: self.api.revert_resize(req.context, uuid),
            'os-getConsoleOutput': self.console_output,
        }

    def action(self, req, server_id):
        body = req.json_body()
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.BadRequest('An action body is an object with exactly one key, '
                                       'the action name.')
        (name, value), = body.items()
        handler = self.handlers.get(name)
        if handler is None:
            raise exception.BadRequest('There is no such action: %s' % name)
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:action',
                              {'project_id': instance['project_id']})
        result = handler(req, server_id, value)
        if result is None:
            return wsgi.json_response(None, status=202)
        return result

    def _power(self, action, vm_states, task_state):
        def handler(req, uuid, body):
            self.api.power_action(req.context, uuid, action, vm_states, task_state)
        return handler

    def reboot(self, req, uuid, body):
        reboot_type = (body or {}).get('type') if isinstance(body, dict) else None
        if reboot_type is None or str(reboot_type).upper() not in ('SOFT', 'HARD'):
            raise exception.BadRequest('Invalid input for field/attribute type: must be one '
                                       'of SOFT, HARD.')
        self.api.reboot(req.context, uuid, str(reboot_type).upper())

    def lock(self, req, uuid, body):
        reason = body.get('locked_reason') if isinstance(body, dict) and \
            microversion.api_version(req) >= (2, 73) else None
        self.api.lock(req.context, uuid, reason)

    def unshelve(self, req, uuid, body):
        zone = body.get('availability_zone') if isinstance(body, dict) else None
        self.api.unshelve(req.context, uuid, availability_zone=zone)

    def create_image(self, req, uuid, body):
        if not isinstance(body, dict) or not isinstance(body.get('name'), str) or \
                not body['name'].strip():
            raise exception.BadRequest('createImage needs a non-empty "name".')
        metadata = body.get('metadata') or {}
        if not isinstance(metadata, dict):
            raise exception.BadRequest('createImage "metadata" must be an object.')
        image = self.api.snapshot(req.context, uuid, body['name'], metadata)
        if microversion.api_version(req) >= (2, 45):
            return wsgi.json_response({'image_id': image['id']}, status=202)
        resp = wsgi.json_response(None, status=202)
        resp.headers['Location'] = '%s%s/images/%s' % (req.host_url, req.script_name,
                                                       image['id'])
        return resp

    def rebuild(self, req, uuid, body):
        if not isinstance(body, dict) or not body.get('imageRef'):
            raise exception.BadRequest('rebuild needs an "imageRef".')
        self.api.rebuild(req.context, uuid, body['imageRef'], name=body.get('name'))
        from pocketstack.compute.rest import views
        instance = self.api.get(req.context, uuid)
        from pocketstack.compute.api import is_admin
        return wsgi.json_response({'server': views.detail(req, instance, is_admin(req.context),
                                                          show=True)}, status=202)

    def resize(self, req, uuid, body):
        if not isinstance(body, dict) or not body.get('flavorRef'):
            raise exception.BadRequest('resize needs a "flavorRef".')
        self.api.resize(req.context, uuid, str(body['flavorRef']))

    def confirm_resize(self, req, uuid, body):
        self.api.confirm_resize(req.context, uuid)
        return wsgi.json_response(None, status=204)

    def console_output(self, req, uuid, body):
        length = (body or {}).get('length') if isinstance(body, dict) else None
        if length is not None:
            try:
                length = int(length)
            except (TypeError, ValueError):
                raise exception.BadRequest('length must be an integer.')
            if length < -1:
                raise exception.BadRequest('length must be -1 or more.')
            if length == -1:
                length = None
        return {'output': self.api.console_output(req.context, uuid, length)}
