"""``/os-hypervisors`` (admins): each compute host's hypervisor, whether
its service is up and enabled, and — before 2.88 — its capacity and what
the scheduler's claims (``allocations``) use of it.

2.28 gives ``cpu_info`` as an object, 2.33 pages lists (limit/marker), 2.53
names hypervisors by uuid and folds the ``search``/``servers`` routes into
the ``hypervisor_hostname_pattern`` and ``with_servers`` parameters, 2.88
drops the usage fields and ``statistics``, and adds ``uptime``."""
from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion

_USAGE_FIELDS = ('vcpus', 'memory_mb', 'local_gb', 'vcpus_used', 'memory_mb_used',
                 'local_gb_used', 'free_ram_mb', 'free_disk_gb', 'current_workload',
                 'running_vms', 'disk_available_least')


class HypervisorsController:

    def __init__(self, service):
        self.hosts = service.hosts
        self.policy = service.policy
        self.max_limit = service.conf.api.max_limit

    def _authorize(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-hypervisors:list', {})

    def _view(self, req, node, svc, usage=None, servers=None):
        """A hypervisor; with ``usage`` its details; ``servers`` a list when
        they were asked for."""
        version = microversion.api_version(req)
        by_uuid = version >= (2, 53)
        view = {'id': node['uuid'] if by_uuid else node['id'],
                'hypervisor_hostname': node['hypervisor_hostname'],
                'state': 'up' if svc['up'] else 'down',
                'status': 'disabled' if svc['disabled'] else 'enabled'}
        if usage is not None:
            view.update({'hypervisor_type': node['hypervisor_type'],
                         'hypervisor_version': node['hypervisor_version'],
                         'host_ip': node['host_ip'],
                         'service': {'id': svc['uuid'] if by_uuid else svc['id'],
                                     'host': node['host'],
                                     'disabled_reason': svc['disabled_reason']}})
            if version >= (2, 88):
                view['uptime'] = None  # the fake hypervisor reports none
            else:
                view.update(self._capacity(node, usage))
                view['cpu_info'] = {} if version >= (2, 28) else '{}'
        if servers:
            view['servers'] = servers
        elif servers is not None and version >= (2, 75):
            view['servers'] = []
        return view

    @staticmethod
    def _capacity(node, usage):
        return {'vcpus': node['vcpus'], 'memory_mb': node['memory_mb'],
                'local_gb': node['local_gb'], 'vcpus_used': usage['vcpus'],
                'memory_mb_used': usage['memory_mb'], 'local_gb_used': usage['disk_gb'],
                'free_ram_mb': node['memory_mb'] - usage['memory_mb'],
                'free_disk_gb': node['local_gb'] - usage['disk_gb'],
                'current_workload': 0, 'running_vms': usage['running_vms'],
                'disk_available_least': node['local_gb'] - usage['disk_gb']}

    # -- lists -----------------------------------------------------------------------

    def index(self, req):
        return self._list(req, detail=False)

    def detail(self, req):
        return self._list(req, detail=True)

    def _list(self, req, detail):
        self._authorize(req)
        version = microversion.api_version(req)
        pattern, with_servers = None, False
        if version >= (2, 53):
            pattern = req.GET.get('hypervisor_hostname_pattern')
            with_servers = wsgi.query_bool(req, 'with_servers', False)
        paged = version >= (2, 33) and pattern is None
        if pattern is not None and ('limit' in req.GET or 'marker' in req.GET):
            raise exception.BadRequest('Paging over hypervisors with the '
                                       'hypervisor_hostname_pattern query parameter is not '
                                       'supported.')
        limit = common.page_limit(req, self.max_limit) if paged else None
        nodes = self.hosts.hypervisors(pattern=pattern,
                                       marker=req.GET.get('marker') if paged else None,
                                       marker_by_uuid=version >= (2, 53), limit=limit)
        if pattern is not None and not nodes:
            raise exception.NotFound("No hypervisor matching '%s' could be found." % pattern)
        body = {'hypervisors': self._views(req, nodes, detail, with_servers)}
        links = common.next_links(req, 'os-hypervisors/detail' if detail else 'os-hypervisors',
                                  body['hypervisors'], 'id', limit) if paged else None
        if links:
            body['hypervisors_links'] = links
        return body

    def _views(self, req, nodes, detail, with_servers):
        usage = self.hosts.hypervisor_usage(nodes) if detail else {}
        servers = self.hosts.hypervisor_servers(nodes) if with_servers else {}
        return [self._view(req, node, svc, usage.get(node['id']),
                           servers.get(node['host'], []) if with_servers else None)
                for node, svc in nodes]

    # -- one hypervisor ----------------------------------------------------------------

    def show(self, req, hypervisor_id):
        self._authorize(req)
        version = microversion.api_version(req)
        nodes = []
        if version >= (2, 53):
            if not common.is_uuid(hypervisor_id):
                raise exception.BadRequest('Invalid uuid %s' % hypervisor_id)
            nodes = self.hosts.hypervisors(node_uuid=hypervisor_id)
        elif utils.integer(hypervisor_id) is not None:      # else names no hypervisor
            nodes = self.hosts.hypervisors(node_id=int(hypervisor_id))
        if not nodes:
            raise exception.NotFound("Hypervisor with ID '%s' could not be found."
                                     % hypervisor_id)
        with_servers = version >= (2, 53) and wsgi.query_bool(req, 'with_servers', False)
        (view,) = self._views(req, nodes, True, with_servers)
        return {'hypervisor': view}

    # -- before 2.53 / 2.88 --------------------------------------------------------------

    def search(self, req, pattern):
        return self._search(req, pattern, with_servers=False)

    def servers(self, req, pattern):
        return self._search(req, pattern, with_servers=True)

    def _search(self, req, pattern, with_servers):
        if microversion.api_version(req) >= (2, 53):
            raise exception.NotFound('Use hypervisor_hostname_pattern from 2.53 on.')
        self._authorize(req)
        nodes = self.hosts.hypervisors(pattern=pattern)
        if not nodes:
            raise exception.NotFound("No hypervisor matching '%s' could be found." % pattern)
        servers = self.hosts.hypervisor_servers(nodes) if with_servers else {}
        return {'hypervisors': [self._view(req, node, svc, servers=servers.get(node['host']))
                                for node, svc in nodes]}

    def statistics(self, req):
        if microversion.api_version(req) >= (2, 88):
            raise exception.NotFound('Hypervisor statistics were removed in 2.88.')
        self._authorize(req)
        nodes = self.hosts.hypervisors()
        usage = self.hosts.hypervisor_usage(nodes)
        totals = dict.fromkeys(_USAGE_FIELDS, 0)
        for node, _ in nodes:
            for field, value in self._capacity(node, usage[node['id']]).items():
                totals[field] += value
        return {'hypervisor_statistics': dict(totals, count=len(nodes))}


def routes(service):
    ctl = HypervisorsController(service)
    Route = wsgi.Route
    return [
        Route('/os-hypervisors', GET=(ctl, 'index')),
        Route('/os-hypervisors/detail', GET=(ctl, 'detail')),
        Route('/os-hypervisors/statistics', GET=(ctl, 'statistics')),
        Route('/os-hypervisors/{hypervisor_id}', GET=(ctl, 'show')),
        Route('/os-hypervisors/{pattern}/search', GET=(ctl, 'search')),
        Route('/os-hypervisors/{pattern}/servers', GET=(ctl, 'servers')),
    ]
