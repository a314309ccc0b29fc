"""``/os-server-groups``: create, list, show and delete server groups
(compute/server_groups.py has what their policies mean).

Microversions: 2.13 shows ``project_id`` and ``user_id``; 2.15 allows the
soft policies; 2.64 takes and shows one ``policy`` with ``rules``
(``max_server_per_host`` for anti-affinity) instead of a ``policies`` list
and ``metadata``.
"""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute import server_groups
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import schemas

def _create_schema(policies, since_264):
    if since_264:
        group = {'type': 'object', 'properties': {
            'name': schemas.NAME, 'policy': {'type': 'string', 'enum': list(policies)},
            'rules': {'type': 'object', 'properties': {'max_server_per_host': {
                'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 1}},
                'additionalProperties': False}},
            'required': ['name', 'policy'], 'additionalProperties': False}
    else:
        group = {'type': 'object', 'properties': {
            'name': schemas.NAME, 'policies': {'type': 'array', 'minItems': 1, 'maxItems': 1,
                                        'items': {'type': 'string', 'enum': list(policies)}}},
            'required': ['name', 'policies'], 'additionalProperties': False}
    return {'type': 'object', 'properties': {'server_group': group},
            'required': ['server_group'], 'additionalProperties': False}


CREATE_HARD = _create_schema(server_groups.HARD_POLICIES, False)
CREATE_215 = _create_schema(server_groups.POLICIES, False)
CREATE_264 = _create_schema(server_groups.POLICIES, True)


def _view(req, group):
    version = microversion.api_version(req)
    view = {'id': group['id'], 'name': group['name'], 'members': group['members']}
    if version >= (2, 64):
        rules = group['rules']
        if 'max_server_per_host' in rules:
            rules = dict(rules, max_server_per_host=int(rules['max_server_per_host']))
        view.update(policy=group['policy'], rules=rules)
    else:
        view.update(policies=[group['policy']], metadata={})
    if version >= (2, 13):
        view.update(project_id=group['project_id'], user_id=group['user_id'])
    return view


class ServerGroupsController:

    def __init__(self, service):
        self.groups = service.server_groups
        self.policy = service.policy

    def _authorize(self, req, action, project_id=None):
        self.policy.authorize(req.context, 'os_compute_api:os-server-groups:%s' % action,
                              {'project_id': project_id or req.context.project_id})

    def index(self, req):
        self._authorize(req, 'index')
        all_projects = req.GET.get('all_projects', '').lower() in ('true', '1', 'yes')
        if all_projects:
            self._authorize(req, 'index:all_projects')
        limit = common.page_limit(req, 1000)
        offset = wsgi.query_int(req, 'offset', default=0, minimum=0)
        found = self.groups.list(req.context, all_projects, limit, offset)
        return {'server_groups': [_view(req, g) for g in found]}

    def show(self, req, group_id):
        group = self.groups.get(req.context, group_id)
        self._authorize(req, 'show', group['project_id'])
        return {'server_group': _view(req, group)}

    def create(self, req):
        self._authorize(req, 'create')
        version = microversion.api_version(req)
        body = req.json_body()
        schema = CREATE_264 if version >= (2, 64) else (
            CREATE_215 if version >= (2, 15) else CREATE_HARD)
        wsgi.check_schema(schema, body)
        values = body['server_group']
        policy = values['policy'] if version >= (2, 64) else values['policies'][0]
        rules = dict(values.get('rules') or {})
        if rules and policy != 'anti-affinity':
            raise exception.BadRequest("Only anti-affinity policy supports "
                                       "'max_server_per_host' rule.")
        if 'max_server_per_host' in rules:
            rules['max_server_per_host'] = int(rules['max_server_per_host'])
            if rules['max_server_per_host'] < 1:
                raise exception.ValidationError(
                    'Invalid input for field/attribute max_server_per_host. Value: %s. '
                    '%s is less than the minimum of 1' % ((rules['max_server_per_host'],) * 2))
        group = self.groups.create(req.context, values['name'], policy, rules)
        return {'server_group': _view(req, group)}

    @wsgi.status(204)
    def delete(self, req, group_id):
        group = self.groups.get(req.context, group_id)
        self._authorize(req, 'delete', group['project_id'])
        self.groups.delete(req.context, group_id)


def routes(service):
    ctl = ServerGroupsController(service)
    return [wsgi.Route('/os-server-groups', GET=(ctl, 'index'), POST=(ctl, 'create')),
            wsgi.Route('/os-server-groups/{group_id}', GET=(ctl, 'show'),
                       DELETE=(ctl, 'delete'))]
