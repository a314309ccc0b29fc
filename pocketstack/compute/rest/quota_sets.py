"""``/os-quota-sets``: a project's compute quotas — show (``/detail`` with
what is in use), ``/defaults``, update and reset (admin) — and
``/os-quota-class-sets/default``, the defaults themselves (admin).

Microversions change the keys: before 2.36 the network quotas Nova used to
keep (fixed and floating IPs, security groups and rules) are shown as
unlimited and accepted but ignored; 2.57 drops the injected-file quotas.
Quota class sets show server group quotas and drop the network ones from
2.50.  Per-user quotas are not kept: a ``user_id`` query shows the project's
limits, which is what each of its users gets.
"""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute import quotas
from pocketstack.compute.rest import microversion

_INJECTED = ('injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files')
_SERVER_GROUPS = ('server_group_members', 'server_groups')
_LIMIT = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$',
          'minimum': -1, 'maximum': quotas.MAX_LIMIT}
_BOOLEAN = {'enum': [True, False, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes',
                     'yes', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                     'no']}
_TRUE = (True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes')


def _keys(version, quota_class=False):
    """The quota keys a microversion shows and accepts."""
    keys = list(quotas.RESOURCES)
    if version >= (2, 57):
        keys = [k for k in keys if k not in _INJECTED]
    if quota_class:
        if version < (2, 50):
            keys = [k for k in keys if k not in _SERVER_GROUPS] + list(quotas.NETWORK_RESOURCES)
    elif version < (2, 36):
        keys += quotas.NETWORK_RESOURCES
    return sorted(keys)


def _schema(wrapper, keys, force):
    properties = {k: _LIMIT for k in keys}
    if force:
        properties['force'] = _BOOLEAN
    return {'type': 'object',
            'properties': {wrapper: {'type': 'object', 'properties': properties,
                                     'additionalProperties': False}},
            'required': [wrapper], 'additionalProperties': False}


# One schema object per distinct key set, so check_schema's cache reuses it.
_SCHEMAS = {}


def _update_schema(wrapper, keys, force):
    key = (wrapper, tuple(keys), force)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = _schema(wrapper, keys, force)
    return _SCHEMAS[key]


def _limits_of(body, wrapper, keep_network=False):
    """The numeric limits a validated body sets (network ones dropped, but
    where a quota class keeps them: Nova stores and shows them there)."""
    values = {}
    for key, value in body[wrapper].items():
        if key == 'force' or (key in quotas.NETWORK_RESOURCES and not keep_network):
            continue
        value = int(value)
        if not -1 <= value <= quotas.MAX_LIMIT:
            raise exception.ValidationError(
                "Invalid input for field/attribute %s. Value: %s. %s is less than the "
                "minimum of -1" % (key, value, value))
        values[key] = value
    return values


def _view(limits, keys):
    return {k: limits.get(k, -1) for k in keys}


class QuotaSetsController:

    def __init__(self, service):
        self.quotas = service.quotas
        self.policy = service.policy

    def _authorize(self, req, action, project_id):
        self.policy.authorize(req.context, 'os_compute_api:os-quota-sets:%s' % action,
                              {'project_id': project_id})

    @staticmethod
    def _no_user(req):
        if req.GET.get('user_id'):
            raise exception.BadRequest('Per-user quotas are not supported; set the '
                                       "project's quotas instead.")

    def show(self, req, project_id):
        self._authorize(req, 'show', project_id)
        view = _view(self.quotas.limits(project_id), _keys(microversion.api_version(req)))
        return {'quota_set': dict(view, id=project_id)}

    def detail(self, req, project_id):
        self._authorize(req, 'detail', project_id)
        user_id = req.context.user_id if req.context.project_id == project_id else None
        limits = self.quotas.limits(project_id)
        used = self.quotas.usage(project_id, user_id)
        view = {k: {'limit': limit, 'in_use': used.get(k, 0), 'reserved': 0}
                for k, limit in _view(limits, _keys(microversion.api_version(req))).items()}
        return {'quota_set': dict(view, id=project_id)}

    def defaults(self, req, project_id):
        self._authorize(req, 'defaults', project_id)
        view = _view(self.quotas.defaults(), _keys(microversion.api_version(req)))
        return {'quota_set': dict(view, id=project_id)}

    def update(self, req, project_id):
        self._authorize(req, 'update', project_id)
        self._no_user(req)
        keys = _keys(microversion.api_version(req))
        body = req.json_body()
        wsgi.check_schema(_update_schema('quota_set', keys, force=True), body)
        force = body['quota_set'].get('force', False) in _TRUE
        values = _limits_of(body, 'quota_set')
        limits = self.quotas.set_project(project_id, values, force=force)
        return {'quota_set': _view(limits, keys)}

    @wsgi.status(202)
    def delete(self, req, project_id):
        self._authorize(req, 'delete', project_id)
        self._no_user(req)
        self.quotas.reset_project(project_id)


class QuotaClassSetsController:
    """Only the ``default`` class means anything (as in Nova): its limits are
    every project's defaults.  Any name shows them; Nova would store limits
    for another class and never use them, so updating one is a 400 here."""

    def __init__(self, service):
        self.quotas = service.quotas
        self.policy = service.policy

    def _authorize(self, req, action):
        self.policy.authorize(req.context, 'os_compute_api:os-quota-class-sets:%s' % action,
                              {})

    def show(self, req, class_name):
        self._authorize(req, 'show')
        view = _view(self.quotas.defaults(),
                     _keys(microversion.api_version(req), quota_class=True))
        return {'quota_class_set': dict(view, id=class_name)}

    def update(self, req, class_name):
        self._authorize(req, 'update')
        if class_name != quotas.DEFAULT_CLASS:
            raise exception.BadRequest("Only the quota class '%s' is used; it sets every "
                                       "project's defaults." % quotas.DEFAULT_CLASS)
        keys = _keys(microversion.api_version(req), quota_class=True)
        body = req.json_body()
        wsgi.check_schema(_update_schema('quota_class_set', keys, force=False), body)
        values = _limits_of(body, 'quota_class_set', keep_network=True)
        return {'quota_class_set': _view(self.quotas.set_defaults(values), keys)}


def routes(service):
    sets = QuotaSetsController(service)
    classes = QuotaClassSetsController(service)
    return [wsgi.Route('/os-quota-sets/{project_id}', GET=(sets, 'show'),
                       PUT=(sets, 'update'), DELETE=(sets, 'delete')),
            wsgi.Route('/os-quota-sets/{project_id}/detail', GET=(sets, 'detail')),
            wsgi.Route('/os-quota-sets/{project_id}/defaults', GET=(sets, 'defaults')),
            wsgi.Route('/os-quota-class-sets/{class_name}', GET=(classes, 'show'),
                       PUT=(classes, 'update'))]
