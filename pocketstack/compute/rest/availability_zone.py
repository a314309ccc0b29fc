"""``/os-availability-zone``: the zones servers can be placed in.

A zone is available while one of its compute services is enabled; a zone
whose compute services are all disabled is listed as not available.
Services other than compute hosts belong to the ``internal`` zone, which
only the admin's ``detail`` shows, with each zone's hosts and services."""
import sqlalchemy as sa

from pocketstack.common import wsgi
from pocketstack.compute import aggregates
from pocketstack.compute.db import models
from pocketstack.compute.scheduler import manager as scheduler_manager

INTERNAL_ZONE = aggregates.INTERNAL_ZONE


def _updated_at(service):
    return service.updated_at.isoformat(timespec='microseconds') if service.updated_at else None


class AvailabilityZoneController:

    def __init__(self, service):
        self.conf = service.conf
        self.db = service.db
        self.policy = service.policy

    def _services(self):
        """[(zone, service row)] of every service."""
        with self.db.reader() as session:
            rows = session.scalars(sa.select(models.Service).order_by(
                models.Service.host, models.Service.binary)).all()
            zones = aggregates.aggregate_zones(session)
        default = self.conf.default_availability_zone
        return [(aggregates.service_zone(s, zones, default), s) for s in rows]

    @staticmethod
    def _zones(services):
        """(available zones, not available zones), sorted."""
        available = sorted({z for z, s in services if not s.disabled})
        unavailable = sorted({z for z, _ in services} - set(available))
        return available, unavailable

    def index(self, req):
        available, unavailable = self._zones(self._services())
        return {'availabilityZoneInfo': [
            {'zoneName': zone, 'zoneState': {'available': zone in available}, 'hosts': None}
            for zone in available + unavailable if zone != INTERNAL_ZONE]}

    def detail(self, req):
        self.policy.authorize(req.context, 'os_compute_api:os-availability-zone:detail', {})
        services = self._services()
        available, unavailable = self._zones(services)
        info = []
        for zone in available:
            hosts = {}
            for svc_zone, svc in services:
                if svc_zone == zone and not svc.disabled:
                    hosts.setdefault(svc.host, {})[svc.binary] = {
                        'available': scheduler_manager.service_is_up(self.conf, svc),
                        'active': True, 'updated_at': _updated_at(svc)}
            info.append({'zoneName': zone, 'zoneState': {'available': True}, 'hosts': hosts})
        info += [{'zoneName': zone, 'zoneState': {'available': False}, 'hosts': None}
                 for zone in unavailable]
        return {'availabilityZoneInfo': info}


def routes(service):
    ctl = AvailabilityZoneController(service)
    return [wsgi.Route('/os-availability-zone', GET=(ctl, 'index')),
            wsgi.Route('/os-availability-zone/detail', GET=(ctl, 'detail'))]
