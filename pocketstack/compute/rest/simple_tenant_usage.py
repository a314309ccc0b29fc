"""``/os-simple-tenant-usage``: what servers used over a period — hours,
vCPU-hours, RAM MB-hours and disk GB-hours — per project (``openstack usage
list``, admin) or for one (``openstack usage show``).

A server counts from ``launched_at`` to ``terminated_at`` (or now, while
it runs), clipped to the period ``start``…``end`` (both default to now), with
its current flavor, deleted servers included.  2.40 pages the servers
(``limit``/``marker``) and links the next page.
"""
import datetime

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion

_FORMATS = ('%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M:%S.%f')


def _parse_time(req, name, now):
    value = req.GET.get(name)
    if value is None:
        return now
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise exception.BadRequest('Invalid %s time: %r is not a date and time (%s).'
                               % (name, value, ', '.join(_FORMATS)))


def _time(value):
    return value.isoformat() if value is not None else None


def server_usage(instance, start, stop, now):
    """One server's row of the report (``hours`` within start…stop)."""
    flavor = instance['flavor']
    launched, terminated = instance['launched_at'], instance['terminated_at']
    began = max(launched, start)
    # A running server counts up to now, not to a period ending in the future
    # (Nova would charge until the period's end: `openstack usage` asks up to
    # tomorrow).
    ended = min(terminated or now, stop)
    hours = max((ended - began).total_seconds(), 0) / 3600.0
    state = 'terminated' if instance['deleted'] else instance['vm_state']
    uptime = (terminated if instance['deleted'] and terminated else now) - launched
    return {'instance_id': instance['uuid'], 'name': instance['display_name'],
            'tenant_id': instance['project_id'], 'flavor': flavor['name'], 'hours': hours,
            'memory_mb': flavor['ram'], 'vcpus': flavor['vcpus'],
            'local_gb': flavor['disk'] + flavor.get('ephemeral', 0),
            'started_at': _time(launched), 'ended_at': _time(terminated), 'state': state,
            'uptime': int(uptime.total_seconds())}


def _totals(project_id, servers, start, stop, detailed):
    usage = {'tenant_id': project_id, 'start': _time(start), 'stop': _time(stop),
             'total_hours': sum(s['hours'] for s in servers),
             'total_vcpus_usage': sum(s['vcpus'] * s['hours'] for s in servers),
             'total_memory_mb_usage': sum(s['memory_mb'] * s['hours'] for s in servers),
             'total_local_gb_usage': sum(s['local_gb'] * s['hours'] for s in servers)}
    if detailed:
        usage['server_usages'] = servers
    return usage


class SimpleTenantUsageController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy
        self.max_limit = service.conf.api.max_limit

    def _servers(self, req, project_id=None):
        """(server usages, the period, the page size) of servers that ran
        within the period, oldest first; one page from 2.40."""
        now = utils.utcnow()
        start, stop = _parse_time(req, 'start', now), _parse_time(req, 'end', now)
        if start > stop:
            raise exception.BadRequest('Invalid start time. The start time cannot occur '
                                       'after the end time.')
        limit = marker = None
        if microversion.api_version(req) >= (2, 40):
            limit = common.page_limit(req, self.max_limit)
            marker = req.GET.get('marker')
        found = self.api.launched_within(start, stop, project_id, limit, marker)
        return [server_usage(i, start, stop, now) for i in found], start, stop, limit

    def _links(self, req, key, servers, limit):
        if limit is None:
            return {}
        links = common.next_links(req, req.path_info.lstrip('/'), servers, 'instance_id',
                                  limit)
        return {key: links} if links else {}

    def index(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-simple-tenant-usage:list', {})
        detailed = req.GET.get('detailed', '0').lower() in ('1', 'true', 'yes')
        servers, start, stop, limit = self._servers(req)
        by_project = {}
        for server in servers:
            by_project.setdefault(server['tenant_id'], []).append(server)
        body = {'tenant_usages': [_totals(p, s, start, stop, detailed)
                                  for p, s in sorted(by_project.items())]}
        body.update(self._links(req, 'tenant_usages_links', servers, limit))
        return body

    def show(self, req, tenant_id):
        self.policy.authorize(req.context, 'os_compute_api:os-simple-tenant-usage:show',
                              {'project_id': tenant_id})
        servers, start, stop, limit = self._servers(req, tenant_id)
        body = {'tenant_usage': _totals(tenant_id, servers, start, stop, True)
                if servers else {}}
        body.update(self._links(req, 'tenant_usage_links', servers, limit))
        return body


def routes(service):
    ctl = SimpleTenantUsageController(service)
    return [wsgi.Route('/os-simple-tenant-usage', GET=(ctl, 'index')),
            wsgi.Route('/os-simple-tenant-usage/{tenant_id}', GET=(ctl, 'show'))]
