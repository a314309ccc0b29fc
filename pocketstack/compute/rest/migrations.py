"""``/os-migrations`` (admin): the record of every resize and cold migration
(``openstack server migration list``), and ``/servers/{id}/migrations``,
which Nova keeps for live migrations under way — there are none here.

Microversions: 2.23 ``migration_type`` (and the filter); 2.59 ``uuid``,
``limit``/``marker`` (a migration uuid) and ``changes-since``, newest first;
2.66 ``changes-before``; 2.80 ``user_id``/``project_id`` (and filters).
"""
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.db import models
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion


def _time(value):
    return value.isoformat(timespec='microseconds') if value else None


def _changes_time(req, name):
    value = req.GET.get(name)
    return wsgi.parse_datetime(value) if value is not None else None


class MigrationsController:

    def __init__(self, service):
        self.db = service.db
        self.policy = service.policy
        self.api = service.api
        self.max_limit = service.conf.api.max_limit

    def _view(self, req, row, flavor_ids):
        version = microversion.api_version(req)
        view = {'id': row.id, 'status': row.status, 'instance_uuid': row.instance_uuid,
                'source_compute': row.source_compute, 'source_node': row.source_node,
                'dest_compute': row.dest_compute, 'dest_node': row.dest_node,
                'dest_host': row.dest_host,
                'old_instance_type_id': flavor_ids.get(row.old_flavor_id),
                'new_instance_type_id': flavor_ids.get(row.new_flavor_id),
                'created_at': _time(row.created_at), 'updated_at': _time(row.updated_at)}
        if version >= (2, 23):
            view['migration_type'] = row.migration_type
        if version >= (2, 59):
            view['uuid'] = row.uuid
        if version >= (2, 80):
            view.update(user_id=row.user_id, project_id=row.project_id)
        return view

    def index(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-migrations:index', {})
        version = microversion.api_version(req)
        M = models.Migration
        query = sa.select(M)
        filters = {'status': M.status, 'instance_uuid': M.instance_uuid,
                   'source_compute': M.source_compute}
        if version >= (2, 23):
            filters['migration_type'] = M.migration_type
        if version >= (2, 80):
            filters.update(user_id=M.user_id, project_id=M.project_id)
        for name, column in filters.items():
            if name in req.GET:
                query = query.where(column == req.GET[name])
        if 'host' in req.GET:
            query = query.where(sa.or_(M.source_compute == req.GET['host'],
                                       M.dest_compute == req.GET['host']))
        limit = None
        if version >= (2, 59):
            since = _changes_time(req, 'changes-since')
            if since is not None:
                query = query.where(M.updated_at >= since)
            if version >= (2, 66):
                before = _changes_time(req, 'changes-before')
                if before is not None:
                    query = query.where(M.updated_at <= before)
            query = query.order_by(M.created_at.desc(), M.id.desc())
            limit = common.page_limit(req, self.max_limit)
            query = query.limit(limit)
        else:
            query = query.order_by(M.id)
        with self.db.reader() as session:
            marker = req.GET.get('marker') if version >= (2, 59) else None
            if marker is not None:
                row = session.scalar(sa.select(M).where(M.uuid == marker))
                if row is None:
                    raise exception.BadRequest('Marker %s could not be found.' % marker)
                query = query.where(sa.or_(M.created_at < row.created_at,
                                           sa.and_(M.created_at == row.created_at,
                                                   M.id < row.id)))
            rows = session.scalars(query).all()
            flavor_ids = dict(session.execute(sa.select(models.Flavor.flavorid,
                                                        models.Flavor.id)).all())
        found = [self._view(req, r, flavor_ids) for r in rows]
        body = {'migrations': found}
        if limit is not None:
            links = common.next_links(req, 'os-migrations', found, 'uuid', limit)
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
