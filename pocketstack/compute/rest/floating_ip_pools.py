"""``GET /os-floating-ip-pools``: one of the network proxies Nova still
serves below microversion 2.36 — the Network service's external networks,
by name, that floating IPs are allocated from (openstacksdk's cloud layer
asks it before it adds a floating IP to a new server).  From 2.36 on Nova
answers 404, as this does."""
from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion


class FloatingIPPoolsController:

    def __init__(self, service):
        self.network = service.network
        self.policy = service.policy

    def index(self, req):
        microversion.served_until(req, microversion.MAX_PROXY_VERSION)
        self.policy.authorize(req.context, 'os_compute_api:os-floating-ip-pools', {})
        # A network without a name is listed by its id, as in Nova.
        return {'floating_ip_pools': [{'name': n.get('name') or n['id']}
                                      for n in self.network.floating_ip_pools(req.context)]}


def routes(service):
    ctl = FloatingIPPoolsController(service)
    return [wsgi.Route('/os-floating-ip-pools', GET=(ctl, 'index'))]
