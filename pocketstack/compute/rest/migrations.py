"""``/os-migrations`` (admin): the record of every resize and cold migration
(``openstack server migration list``), and ``/servers/{id}/migrations``,
which Nova keeps for live migrations under way — there are none here.

Microversions: 2.23 ``migration_type`` (and the filter); 2.59 ``uuid``,
``limit``/``marker`` (a migration uuid) and ``changes-since``, newest first;
2.66 ``changes-before``; 2.80 ``user_id``/``project_id`` (and filters).
"""
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion


def _time(value):
    return value.isoformat(timespec='microseconds') if value else None


def _changes_time(req, name):
    value = req.GET.get(name)
    return wsgi.parse_datetime(value) if value is not None else None


class MigrationsController:

    def __init__(self, service):
        self.migrations = service.migrations
        self.policy = service.policy
        self.api = service.api
        self.max_limit = service.conf.api.max_limit

    @staticmethod
    def _view(req, migration):
        version = microversion.api_version(req)
        view = {k: migration[k] for k in (
            'id', 'status', 'instance_uuid', 'source_compute', 'source_node', 'dest_compute',
            'dest_node', 'dest_host', 'old_instance_type_id', 'new_instance_type_id')}
        view.update(created_at=_time(migration['created_at']),
                    updated_at=_time(migration['updated_at']))
        if version >= (2, 23):
            view['migration_type'] = migration['migration_type']
        if version >= (2, 59):
            view['uuid'] = migration['uuid']
        if version >= (2, 80):
            view.update(user_id=migration['user_id'], project_id=migration['project_id'])
        return view

    def index(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-migrations:index', {})
        version = microversion.api_version(req)
        names = ['status', 'instance_uuid', 'source_compute']
        if version >= (2, 23):
            names.append('migration_type')
        if version >= (2, 80):
            names += ['user_id', 'project_id']
        filters = {name: req.GET[name] for name in names if name in req.GET}
        paging = {}
        if version >= (2, 59):
            paging = {'since': _changes_time(req, 'changes-since'),
                      'before': _changes_time(req, 'changes-before')
                      if version >= (2, 66) else None,
                      'newest_first': True, 'marker': req.GET.get('marker'),
                      'limit': common.page_limit(req, self.max_limit)}
        found = [self._view(req, m) for m in self.migrations.list(
            filters, host=req.GET.get('host'), **paging)]
        body = {'migrations': found}
        if paging:
            links = common.next_links(req, 'os-migrations', found, 'uuid', paging['limit'])
            if links:
                body['migrations_links'] = links
        return body

    def server_index(self, req, server_id):
        """Live migrations under way of a server: never any here."""
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:migrations:index',
                              {'project_id': instance['project_id']})
        return {'migrations': []}


def routes(service):
    ctl = MigrationsController(service)
    return [wsgi.Route('/os-migrations', GET=(ctl, 'index')),
            wsgi.Route('/servers/{server_id}/migrations', GET=(ctl, 'server_index'))]
