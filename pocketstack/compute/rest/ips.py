"""``/servers/{id}/ips``: a server's addresses by network label, as the
Network service has them now (fixed and floating)."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute import network


class IPsController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy

    def _addresses(self, req, server_id):
        instance = self.api.get(req.context, server_id)
        self.policy.authorize(req.context, 'os_compute_api:servers:show',
                              {'project_id': instance['project_id']})
        instance = self.api.refreshed(req.context, instance)
        return {label: [{'version': e['version'], 'addr': e['addr']} for e in entries]
                for label, entries in network.addresses(instance['network_info']).items()}

    def index(self, req, server_id):
        return {'addresses': self._addresses(req, server_id)}

    def show(self, req, server_id, network_label):
        addresses = self._addresses(req, server_id)
        if network_label not in addresses:
            raise exception.NotFound('Instance is not a member of specified network')
        return {network_label: addresses[network_label]}


def routes(service):
    ctl = IPsController(service)
    return [wsgi.Route('/servers/{server_id}/ips', GET=(ctl, 'index')),
            wsgi.Route('/servers/{server_id}/ips/{network_label}', GET=(ctl, 'show'))]
