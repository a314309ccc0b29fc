"""``/servers/{id}/os-instance-actions``: what was done to a server and
each step's outcome (``openstack server event list/show``).

Newest first.  Admins see every event with its traceback (and, from 2.62,
its host); before 2.51 others see no events, after it events without
tracebacks.  2.21 reads deleted servers' actions, 2.58 pages them
(limit/marker = request id, changes-since) and adds ``updated_at``, 2.62 an
event's ``hostId``, 2.66 ``changes-before``, 2.84 an event's ``details``
(admins)."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import views


def _time(value):
    return value.isoformat(timespec='microseconds') if value else None


class InstanceActionsController:

    def __init__(self, service):
        self.api = service.api
        self.actions = service.actions
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
        view = {k: action[k] for k in ('action', 'instance_uuid', 'request_id', 'user_id',
                                       'project_id', 'message')}
        view['start_time'] = _time(action['start_time'])
        if microversion.api_version(req) >= (2, 58):
            # An action's last change: its latest event's end, or its start.
            view['updated_at'] = _time(action['updated_at'] or action['start_time'])
        return view

    def index(self, req, server_id):
        version = microversion.api_version(req)
        instance = self._instance(req, server_id)
        paging = self._paging(req, version) if version >= (2, 58) else {}
        actions = [self._action_view(req, a)
                   for a in self.actions.list(instance['uuid'], **paging)]
        body = {'instanceActions': actions}
        links = common.next_links(req, 'servers/%s/os-instance-actions' % server_id,
                                  actions, 'request_id', paging['limit']) if paging else None
        if links:
            body['links'] = links
        return body

    def _paging(self, req, version):
        """The 2.58 query parameters: limit, marker (a request id), changes-since,
        and from 2.66 changes-before."""
        allowed = {'limit', 'marker', 'changes-since'} | (
            {'changes-before'} if version >= (2, 66) else set())
        unknown = set(req.GET) - allowed
        if unknown:
            raise exception.BadRequest('Invalid query parameters: %s' %
                                       ', '.join(sorted(unknown)))
        since = before = None
        if 'changes-since' in req.GET:
            since = wsgi.parse_datetime(req.GET['changes-since'])
        if 'changes-before' in req.GET:
            before = wsgi.parse_datetime(req.GET['changes-before'])
            if since is not None and before < since:
                raise exception.BadRequest('The value of changes-since must be less than or '
                                           'equal to changes-before.')
        return {'since': since, 'before': before, 'marker': req.GET.get('marker'),
                'limit': common.page_limit(req, self.max_limit)}

    def show(self, req, server_id, request_id):
        version = microversion.api_version(req)
        context = req.context
        instance = self._instance(req, server_id)
        action = self.actions.get(instance['uuid'], request_id)
        view = self._action_view(req, action)
        admin = self.policy.check(context, 'os_compute_api:os-instance-actions:events', {})
        if admin or version >= (2, 51):
            details = version >= (2, 84) and self.policy.check(
                context, 'os_compute_api:os-instance-actions:events:details',
                {'project_id': instance['project_id']})
            project_id = action['project_id'] or instance['project_id']
            view['events'] = [self._event_view(e, version, admin, details, project_id)
                              for e in action['events']]
        return {'instanceAction': view}

    @staticmethod
    def _event_view(event, version, admin, details, project_id):
        view = {'event': event['event'], 'start_time': _time(event['start_time']),
                'finish_time': _time(event['finish_time']), 'result': event['result']}
        if admin:
            view['traceback'] = event['traceback']
            if version >= (2, 62):
                view['host'] = event['host']
        if version >= (2, 62):
            view['hostId'] = views.host_id({'host': event['host'], 'project_id': project_id})
        if details:
            view['details'] = event['details']
        return view


def routes(service):
    ctl = InstanceActionsController(service)
    return [
        wsgi.Route('/servers/{server_id}/os-instance-actions', GET=(ctl, 'index')),
        wsgi.Route('/servers/{server_id}/os-instance-actions/{request_id}',
                   GET=(ctl, 'show')),
    ]
