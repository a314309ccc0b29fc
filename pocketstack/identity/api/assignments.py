"""Role grants and ``/v3/role_assignments``.

Grants live at the paths that name them: ``/projects/{p}/users/{u}/roles/{r}``
(and groups, and domains), ``/OS-INHERIT/.../inherited_to_projects`` for
grants inherited by the projects below, ``/system/users/{u}/roles/{r}``.
PUT grants, GET or HEAD checks (204, or 404), DELETE revokes, and GET on the
``roles`` collection lists the roles granted there.
"""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common


def _not_granted(role_id, actor_id, target_id):
    return exception.NotFound(
        'Could not find role assignment with role: %s, user or group: %s, project, domain, '
        'or system: %s.' % (role_id, actor_id, target_id))


class GrantsController:
    """One kind of grant: on a project or domain, inherited to the projects
    below, or on the system.  The path names the actor and the target."""

    def __init__(self, service, inherited=False, system=False):
        self.service = service
        self.inherited = inherited
        self.system = system

    def _enforce(self, req, action, ids):
        grant = 'grants' if action == 'list' else 'grant'
        if self.system:
            action = '%s_system_%s_for_%s' % (action, grant,
                                              'user' if 'user_id' in ids else 'group')
        else:
            action = '%s_%s' % (action, grant)
        api_common.enforce(req, self.service, action, ids)

    def _scope(self, ids):
        return dict(ids, system=self.system, inherited=self.inherited)

    def grant(self, req, role_id, **ids):
        self._enforce(req, 'create', dict(ids, role_id=role_id))
        self.service.assignment.grant(role_id, **self._scope(ids))

    def check(self, req, role_id, **ids):
        self._enforce(req, 'check', dict(ids, role_id=role_id))
        if not self.service.assignment.check(role_id, **self._scope(ids)):
            raise _not_granted(role_id, ids.get('user_id') or ids.get('group_id'),
                               ids.get('project_id') or ids.get('domain_id') or 'system')

    def revoke(self, req, role_id, **ids):
        self._enforce(req, 'revoke', dict(ids, role_id=role_id))
        self.service.assignment.revoke(role_id, **self._scope(ids))

    def index(self, req, **ids):
        self._enforce(req, 'list', ids)
        refs = self.service.assignment.list_grants(**self._scope(ids))
        return api_common.collection(req, 'roles', refs)


# -- /v3/role_assignments ---------------------------------------------------------

def grant_url(req, record):
    """The URL of the stored grant behind a record."""
    actor = 'users/%s' % record['user_id'] if 'user_id' in record else \
        'groups/%s' % record['group_id']
    if 'system' in record:
        return api_common.v3_url(req, 'system', actor, 'roles', record['role_id'])
    target = 'projects/%s' % record['project_id'] if 'project_id' in record else \
        'domains/%s' % record['domain_id']
    if record['inherited']:
        return api_common.v3_url(req, 'OS-INHERIT', target, actor, 'roles',
                                 record['role_id'], 'inherited_to_projects')
    return api_common.v3_url(req, target, actor, 'roles', record['role_id'])


def render_assignment(req, record):
    """``{role, user|group, scope, links}`` as Keystone shows an assignment;
    effective ones link the group membership and the inference rule that
    gave them."""
    names = record.get('names', {})
    entry = {'role': names.get('role') or {'id': record['role_id']}}
    for kind in ('user', 'group'):
        if kind + '_id' in record:
            entry[kind] = names.get(kind) or {'id': record[kind + '_id']}
    if 'system' in record:
        scope = {'system': {'all': True}}
    else:
        kind = 'project' if 'project_id' in record else 'domain'
        scope = {kind: names.get(kind) or {'id': record[kind + '_id']}}
    if record['inherited']:
        scope['OS-INHERIT:inherited_to'] = 'projects'
    entry['scope'] = scope
    links = {'assignment': grant_url(req, record.get('grant', record))}
    indirect = record.get('indirect', {})
    if indirect.get('group_id'):
        links['membership'] = api_common.v3_url(req, 'groups', indirect['group_id'],
                                                'users', record['user_id'])
    if indirect.get('role_id'):
        links['prior_role'] = api_common.v3_url(req, 'roles', indirect['role_id'],
                                                'implies', record['role_id'])
    entry['links'] = links
    return entry


class RoleAssignmentsController:

    def __init__(self, service):
        self.service = service

    def index(self, req):
        get = req.GET.get
        filters = {'user_id': get('user.id'), 'group_id': get('group.id'),
                   'role_id': get('role.id'), 'project_id': get('scope.project.id'),
                   'domain_id': get('scope.domain.id')}
        subtree = wsgi.query_bool(req, 'include_subtree', False)
        if subtree:
            api_common.enforce(req, self.service, 'list_role_assignments_for_tree',
                               {'project_id': filters['project_id']})
        else:
            api_common.enforce(req, self.service, 'list_role_assignments',
                               {k: v for k, v in filters.items() if v})
        system = get('scope.system')
        if system not in (None, 'all'):
            raise exception.ValidationError(
                'Invalid value %r for scope.system: the only system is "all".' % system)
        inherited_to = get('scope.OS-INHERIT:inherited_to')
        if inherited_to not in (None, 'projects'):
            raise exception.ValidationError(
                'Invalid value %r for scope.OS-INHERIT:inherited_to: only "projects" is '
                'supported.' % inherited_to)
        records = self.service.assignment.list_role_assignments(
            system=system == 'all', inherited=True if inherited_to else None,
            effective=wsgi.query_bool(req, 'effective', False), include_subtree=subtree,
            include_names=wsgi.query_bool(req, 'include_names', False), **filters)
        return {'role_assignments': [render_assignment(req, r) for r in records],
                'links': {'self': req.host_url + req.path_qs, 'previous': None,
                          'next': None}}


def routes(service):
    direct = GrantsController(service)
    inherited = GrantsController(service, inherited=True)
    system = GrantsController(service, system=True)
    table = []

    def grant_routes(ctl, prefix, suffix=''):
        table.append(wsgi.Route(prefix + '/roles' + suffix, GET=(ctl, 'index')))
        table.append(wsgi.Route(prefix + '/roles/{role_id}' + suffix, PUT=(ctl, 'grant'),
                                GET=(ctl, 'check'), HEAD=(ctl, 'check'),
                                DELETE=(ctl, 'revoke')))

    for target in ('projects', 'domains'):
        for actor in ('users', 'groups'):
            path = '/%s/{%s_id}/%s/{%s_id}' % (target, target[:-1], actor, actor[:-1])
            grant_routes(direct, path)
            grant_routes(inherited, '/OS-INHERIT' + path, '/inherited_to_projects')
    for actor in ('users', 'groups'):
        grant_routes(system, '/system/%s/{%s_id}' % (actor, actor[:-1]))
    table.append(wsgi.Route('/role_assignments',
                            GET=(RoleAssignmentsController(service), 'index')))
    return table
