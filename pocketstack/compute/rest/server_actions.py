"""``POST /servers/{id}/action``: the body's single key names the action
(``{"os-stop": null}``, ``{"shelve": null}``…), as Nova's ``wsgi.action``
handlers do.  Each handler checks its body and calls the compute API, which
checks the server's state (409 otherwise)."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import schemas
from pocketstack.compute.rest import servers
from pocketstack.compute.rest import views


class ServerActionsController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy
        self.images = service.images
        self.handlers = {
            'os-start': self._power('start'),
            'os-stop': self._power('stop'),
            'pause': self._power('pause'),
            'unpause': self._power('unpause'),
            'suspend': self._power('suspend'),
            'resume': self._power('resume'),
            'reboot': self.reboot,
            'lock': self.lock,
            'unlock': lambda req, uuid, body: self.api.unlock(req.context, uuid),
            'shelve': lambda req, uuid, body: self.api.shelve(req.context, uuid),
            'shelveOffload': lambda req, uuid, body: self.api.shelve_offload(req.context, uuid),
            'unshelve': self.unshelve,
            'createImage': self.create_image,
            'createBackup': self.create_backup,
            'rebuild': self.rebuild,
            'resize': self.resize,
            'migrate': self.migrate,
            'rescue': self.rescue,
            'unrescue': self._power('unrescue'),
            'confirmResize': self.confirm_resize,
            'revertResize': lambda req, uuid, body: self.api.revert_resize(req.context, uuid),
            'os-getConsoleOutput': self.console_output,
            'forceDelete': lambda req, uuid, body: self.api.force_delete(req.context, uuid),
            'addSecurityGroup': self._security_group('add'),
            'removeSecurityGroup': self._security_group('remove'),
        }

    def action(self, req, server_id):
        _, handler, value = common.action_of(req, self.handlers)
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:action',
                              {'project_id': instance['project_id']})
        result = handler(req, server_id, value)
        if result is None:
            return wsgi.json_response(None, status=202)
        return result

    def _power(self, action):
        def handler(req, uuid, body):
            self.api.power_action(req.context, uuid, action)
        return handler

    def _security_group(self, verb):
        def handler(req, uuid, body):
            wsgi.check_schema(schemas.SECURITY_GROUP_ACTION, body)
            instance = self.api.get(req.context, uuid)
            self.policy.authorize(req.context, 'os_compute_api:os-security-groups:%s' % verb,
                                  {'project_id': instance['project_id']})
            getattr(self.api, '%s_security_group' % verb)(req.context, uuid,
                                                          body['name'].strip())
        return handler

    def reboot(self, req, uuid, body):
        wsgi.check_schema(schemas.REBOOT, body)
        self.api.reboot(req.context, uuid, body['type'].upper())

    def lock(self, req, uuid, body):
        reason = None
        if microversion.api_version(req) >= (2, 73):
            wsgi.check_schema(schemas.LOCK, body)
            reason = (body or {}).get('locked_reason')
        self.api.lock(req.context, uuid, reason)

    def unshelve(self, req, uuid, body):
        version = microversion.api_version(req)
        body = body if version >= (2, 77) else None
        if body is not None:
            wsgi.check_schema(schemas.UNSHELVE_V291 if version >= (2, 91)
                              else schemas.UNSHELVE, body)
        body = body or {}
        zone = {'availability_zone': body['availability_zone']} \
            if 'availability_zone' in body else {}
        self.api.unshelve(req.context, uuid, host=body.get('host'), **zone)

    def create_image(self, req, uuid, body):
        wsgi.check_schema(schemas.CREATE_IMAGE, body)
        image = self.api.snapshot(req.context, uuid, body['name'], body.get('metadata'))
        return self._image_made(req, image)

    def create_backup(self, req, uuid, body):
        instance = self.api.get(req.context, uuid)
        self.policy.authorize(req.context, 'os_compute_api:os-create-backup',
                              {'project_id': instance['project_id']})
        wsgi.check_schema(schemas.CREATE_BACKUP, body)
        image = self.api.backup(req.context, uuid, body['name'], body['backup_type'],
                                int(body['rotation']), body.get('metadata'))
        return self._image_made(req, image)

    def _image_made(self, req, image):
        if microversion.api_version(req) >= (2, 45):
            return wsgi.json_response({'image_id': image['id']}, status=202)
        # Before 2.45 the answer is the snapshot's URL in the Image service.
        resp = wsgi.json_response(None, status=202)
        resp.headers['Location'] = '%s/images/%s' % (self.images.endpoint(), image['id'])
        return resp

    def rebuild(self, req, uuid, body):
        version = microversion.api_version(req)
        wsgi.check_schema(schemas.rebuild(version), {'rebuild': body})
        values = common.server_values(body, common.SERVER_FIELDS + (
            ('key_name', 'key_name'), ('user_data', 'user_data')))
        instance = self.api.rebuild(req.context, uuid, servers.ref_id(body['imageRef']),
                                    metadata=body.get('metadata'), **values)
        server = views.detail(req, instance, req.context.is_admin_role, show=True,
                              zones=self.api.host_zones())
        server = servers.with_groups(req, self.api, views.changed(req, server, instance,
                                                                  rebuild=True))
        server['adminPass'] = body.get('adminPass') or servers.new_password()
        return wsgi.json_response({'server': server}, status=202)

    def resize(self, req, uuid, body):
        wsgi.check_schema(schemas.RESIZE, body)
        self.api.resize(req.context, uuid, servers.ref_id(body['flavorRef']))

    def migrate(self, req, uuid, body):
        """``{"migrate": null}``; from 2.56 ``{"migrate": {"host": …}}``."""
        self.policy.authorize(req.context, 'os_compute_api:os-migrate-server:migrate', {})
        version = microversion.api_version(req)
        wsgi.check_schema(schemas.MIGRATE if version >= (2, 56) else schemas.NULL, body)
        self.api.migrate(req.context, uuid, (body or {}).get('host'))

    def rescue(self, req, uuid, body):
        """``{"rescue": null}`` or ``{"rescue": {"adminPass", "rescue_image_ref"}}``;
        the answer holds the admin password, as Nova's does."""
        wsgi.check_schema(schemas.RESCUE, body)
        body = body or {}
        self.api.rescue(req.context, uuid, body.get('rescue_image_ref'))
        return {'adminPass': body.get('adminPass') or servers.new_password()}

    def confirm_resize(self, req, uuid, body):
        self.api.confirm_resize(req.context, uuid)
        return wsgi.json_response(None, status=204)

    def console_output(self, req, uuid, body):
        wsgi.check_schema(schemas.CONSOLE_OUTPUT, body)
        length = (body or {}).get('length')
        length = None if length is None or int(length) == -1 else int(length)
        if length is not None and length < 0:
            raise exception.BadRequest('length must be -1 (everything) or more.')
        return {'output': self.api.console_output(req.context, uuid, length)}
