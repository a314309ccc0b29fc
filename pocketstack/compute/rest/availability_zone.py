"""``/os-availability-zone``: the zones servers can be placed in.

A zone is available while one of its compute services is enabled; a zone
whose compute services are all disabled is listed as not available.
Services other than compute hosts belong to the ``internal`` zone, which
only the admin's ``detail`` shows, with each zone's hosts and services."""
from pocketstack.common import wsgi
from pocketstack.compute import hosts


def _updated_at(service):
    updated = service['updated_at']
    return updated.isoformat(timespec='microseconds') if updated else None


class AvailabilityZoneController:

    def __init__(self, service):
        self.hosts = service.hosts
        self.policy = service.policy

    def _services(self):
        """[(zone, service)] of every service, by host and binary."""
        found = sorted(self.hosts.services(), key=lambda s: (s['host'], s['binary']))
        return [(s['zone'], s) for s in found]

    @staticmethod
    def _zones(services):
        """(available zones, not available zones), sorted."""
        available = sorted({z for z, s in services if not s['disabled']})
        unavailable = sorted({z for z, _ in services} - set(available))
        return available, unavailable

    def index(self, req):
        available, unavailable = self._zones(self._services())
        return {'availabilityZoneInfo': [
            {'zoneName': zone, 'zoneState': {'available': zone in available}, 'hosts': None}
            for zone in available + unavailable if zone != hosts.INTERNAL_ZONE]}

    def detail(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-availability-zone:detail', {})
        services = self._services()
        available, unavailable = self._zones(services)
        info = []
        for zone in available:
            hosts_of_zone = {}
            for svc_zone, svc in services:
                if svc_zone == zone and not svc['disabled']:
                    hosts_of_zone.setdefault(svc['host'], {})[svc['binary']] = {
                        'available': svc['up'], 'active': True,
                        'updated_at': _updated_at(svc)}
            info.append({'zoneName': zone, 'zoneState': {'available': True},
                         'hosts': hosts_of_zone})
        info += [{'zoneName': zone, 'zoneState': {'available': False}, 'hosts': None}
                 for zone in unavailable]
        return {'availabilityZoneInfo': info}


def routes(service):
    ctl = AvailabilityZoneController(service)
    return [wsgi.Route('/os-availability-zone', GET=(ctl, 'index')),
            wsgi.Route('/os-availability-zone/detail', GET=(ctl, 'detail'))]
