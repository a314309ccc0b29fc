"""``/servers/{id}/os-instance-actions``: what was done to a server and
each step's outcome (``openstack server event list/show``).

Newest first.  Admins see every event with its traceback (and, from 2.62,
its host); before 2.51 others see no events, after it events without
tracebacks.  2.21 reads deleted servers' actions, 2.58 pages them
(limit/marker = request id, changes-since) and adds ``updated_at``, 2.62 an
event's ``hostId``, 2.66 ``changes-before``, 2.84 an event's ``details``
(admins)."""
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.db import models
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import views


def _time(value):
    return value.isoformat(timespec='microseconds') if value else None


def _updated(action):
    """An action's last change: its latest event's end, or its start."""
    return action.updated_at or action.start_time


class InstanceActionsController:

    def __init__(self, service):
        self.api = service.api
        self.db = service.db
        self.policy = service.policy
        self.max_limit = service.conf.api.max_limit

    def _instance(self, req, server_id):
        read_deleted = microversion.api_version(req) >= (2, 21)
        instance = self.api.get(req.context, server_id, read_deleted=read_deleted)
        self.policy.authorize(req.context, 'os_compute_api:servers:show',
                              {'project_id': instance['project_id']})
        return instance

    @staticmethod
    def _action_view(req, action):
        view = {'action': action.action, 'instance_uuid': action.instance_uuid,
                'request_id': action.request_id, 'user_id': action.user_id,
                'project_id': action.project_id, 'start_time': _time(action.start_time),
                'message': action.message}
        if microversion.api_version(req) >= (2, 58):
            view['updated_at'] = _time(_updated(action))
        return view

    def index(self, req, server_id):
        version = microversion.api_version(req)
        instance = self._instance(req, server_id)
        query = sa.select(models.InstanceAction).where(
            models.InstanceAction.instance_uuid == instance['uuid']).order_by(
            models.InstanceAction.start_time.desc(), models.InstanceAction.id.desc())
        limit = None
        if version >= (2, 58):
            query, limit = self._filtered(req, query, instance['uuid'], version)
        with self.db.reader() as session:
            actions = [self._action_view(req, a) for a in session.scalars(query)]
        body = {'instanceActions': actions}
        links = common.next_links(req, 'servers/%s/os-instance-actions' % server_id,
                                  actions, 'request_id', limit) if limit else None
        if links:
            body['links'] = links
        return body

    def _filtered(self, req, query, uuid, version):
        """The 2.58 query parameters applied: (query, limit)."""
        allowed = {'limit', 'marker', 'changes-since'} | (
            {'changes-before'} if version >= (2, 66) else set())
        unknown = set(req.GET) - allowed
        if unknown:
            raise exception.BadRequest('Invalid query parameters: %s' %
                                       ', '.join(sorted(unknown)))
        updated = sa.func.coalesce(models.InstanceAction.updated_at,
                                   models.InstanceAction.start_time)
        since = before = None
        if 'changes-since' in req.GET:
            since = wsgi.parse_datetime(req.GET['changes-since'])
            query = query.where(updated >= since)
        if 'changes-before' in req.GET:
            before = wsgi.parse_datetime(req.GET['changes-before'])
            if since is not None and before < since:
                raise exception.BadRequest('The value of changes-since must be less than or '
                                           'equal to changes-before.')
            query = query.where(updated <= before)
        marker = req.GET.get('marker')
        if marker is not None:
            with self.db.reader() as session:
                row = session.scalar(sa.select(models.InstanceAction).where(
                    models.InstanceAction.instance_uuid == uuid,
                    models.InstanceAction.request_id == marker))
            if row is None:
                raise exception.BadRequest('Marker %s could not be found.' % marker)
            # Older than the marker in the list's order (newest first).
            query = query.where(sa.or_(
                models.InstanceAction.start_time < row.start_time,
                sa.and_(models.InstanceAction.start_time == row.start_time,
                        models.InstanceAction.id < row.id)))
        limit = common.page_limit(req, self.max_limit)
        return query.limit(limit), limit

    def show(self, req, server_id, request_id):
        version = microversion.api_version(req)
        context = req.context
        instance = self._instance(req, server_id)
        with self.db.reader() as session:
            action = session.scalar(sa.select(models.InstanceAction).where(
                models.InstanceAction.instance_uuid == instance['uuid'],
                models.InstanceAction.request_id == request_id).order_by(
                models.InstanceAction.id.desc()).limit(1))
            if action is None:
                raise exception.NotFound('Action %s not found' % request_id)
            view = self._action_view(req, action)
            admin = self.policy.check(context, 'os_compute_api:os-instance-actions:events', {})
            if admin or version >= (2, 51):
                details = version >= (2, 84) and self.policy.check(
                    context, 'os_compute_api:os-instance-actions:events:details',
                    {'project_id': instance['project_id']})
                project_id = action.project_id or instance['project_id']
                view['events'] = [self._event_view(e, version, admin, details, project_id)
                                  for e in action.events]
        return {'instanceAction': view}

    @staticmethod
    def _event_view(event, version, admin, details, project_id):
        view = {'event': event.event, 'start_time': _time(event.start_time),
                'finish_time': _time(event.finish_time), 'result': event.result}
        if admin:
            view['traceback'] = event.traceback
            if version >= (2, 62):
                view['host'] = event.host
        if version >= (2, 62):
            view['hostId'] = views.host_id({'host': event.host, 'project_id': project_id})
        if details:
            view['details'] = event.details
        return view


def routes(service):
    ctl = InstanceActionsController(service)
    return [
        wsgi.Route('/servers/{server_id}/os-instance-actions', GET=(ctl, 'index')),
        wsgi.Route('/servers/{server_id}/os-instance-actions/{request_id}',
                   GET=(ctl, 'show')),
    ]
