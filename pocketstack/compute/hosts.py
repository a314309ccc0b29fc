"""Compute hosts as the API and the scheduler see them (Nova's ``HostAPI``):
the services and their heartbeats (``os-services``), whether each is up,
the availability zone of each host, and the hypervisors with what the
scheduler's claims use of them (``os-hypervisors``).

A service is up while its last heartbeat is younger than
``service_down_time`` and it is not forced down.  A compute host is in the
zone of its aggregates (one with ``availability_zone`` metadata), else in
the zone it registered with, else in ``default_availability_zone``; every
other service is in the ``internal`` zone.
"""
import datetime

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.compute import rpcapi
from pocketstack.compute.db import aggregates as db_aggregates
from pocketstack.compute.db import allocations as db_allocations
from pocketstack.compute.db import hosts as db_hosts
from pocketstack.compute.db import instances as db_instances

BINARY = rpcapi.BINARY
INTERNAL_ZONE = 'internal'


def status(service):
    """A compute host's 2.16 ``host_status``: UP, DOWN or MAINTENANCE (disabled)."""
    return 'MAINTENANCE' if service['disabled'] else 'UP' if service['up'] else 'DOWN'


def service_is_up(conf, service):
    if service['forced_down'] or service['last_seen_up'] is None:
        return False
    age = utils.utcnow() - service['last_seen_up']
    return age <= datetime.timedelta(seconds=conf.service_down_time)


class HostAPI:

    def __init__(self, service):
        self.conf = service.conf
        self.db = service.db

    # -- services ----------------------------------------------------------------------

    def _zone(self, service, aggregate_zones):
        if service['binary'] != BINARY:
            return INTERNAL_ZONE
        return (aggregate_zones.get(service['host']) or service['availability_zone']
                or self.conf.default_availability_zone)

    def services(self, host=None, binary=None):
        """Services by id, each with its ``zone`` and whether it is ``up``."""
        zones = db_aggregates.host_zones(self.db)
        return [dict(s, zone=self._zone(s, zones), up=service_is_up(self.conf, s))
                for s in db_hosts.services(self.db, host, binary)]

    def compute_hosts(self):
        """{host: its compute service (with ``zone`` and ``up``)}."""
        return {s['host']: s for s in self.services(binary=BINARY)}

    def statuses(self):
        """{host: UP / DOWN / MAINTENANCE} (2.16's ``host_status``)."""
        return {host: status(s) for host, s in self.compute_hosts().items()}

    def zones(self):
        """{compute host: its availability zone}."""
        return {host: s['zone'] for host, s in self.compute_hosts().items()}

    def zone_of(self, host):
        """One compute host's zone (the default for a host not registered)."""
        service = self.compute_hosts().get(host)
        return service['zone'] if service else self.conf.default_availability_zone

    def service(self, service_id=None, uuid=None):
        """The service of that id or uuid (NotFound otherwise)."""
        found = db_hosts.service(self.db, service_id, uuid)
        if found is None:
            raise exception.NotFound('Service %s could not be found.' % (uuid or service_id))
        zones = db_aggregates.host_zones(self.db)
        return dict(found, zone=self._zone(found, zones), up=service_is_up(self.conf, found))

    @staticmethod
    def _only_compute(binary):
        if binary != BINARY:
            raise exception.BadRequest('Updating a %s service is not supported. Only %s '
                                       'services can be updated.' % (binary, BINARY))

    def update_service(self, uuid, values):
        """Enable, disable or force down the compute service of that uuid; it
        as it is now."""
        with self.db.writer():
            found = self.service(uuid=uuid)
            self._only_compute(found['binary'])
            db_hosts.update_services(self.db, values, service_id=found['id'])
            return self.service(uuid=uuid)

    def update_host_service(self, host, binary, values):
        """The same for the service named by host and binary (before 2.53)."""
        self._only_compute(binary)
        if not db_hosts.update_services(self.db, values, host=host, binary=binary):
            raise exception.NotFound('Compute host %s could not be found.' % host)

    def delete_service(self, service_id=None, uuid=None):
        """Forget a service; a compute host still holding servers is refused
        (409).  Its hypervisor record and the claims on it go with it."""
        with self.db.writer():
            found = db_hosts.service(self.db, service_id, uuid)
            if found is None:
                raise exception.NotFound('Service %s not found.' % (uuid or service_id))
            if found['binary'] == BINARY and db_instances.count_live(self.db, host=found['host']):
                raise exception.Conflict('Unable to delete compute service that is hosting '
                                         'instances. Migrate or delete the instances first.')
            db_hosts.delete_service(self.db, found['id'])

    # -- hypervisors -------------------------------------------------------------------

    def hypervisors(self, pattern=None, node_id=None, node_uuid=None, marker=None,
                    marker_by_uuid=False, limit=None):
        """[(node, service)] of the compute hosts' hypervisors, by id: those
        matching ``pattern`` (in the hypervisor hostname), or the one of that
        id or uuid, or those after the hypervisor ``marker`` (its id, or uuid
        when ``marker_by_uuid``; MarkerNotFound when there is none)."""
        after_id = None
        if marker is not None:
            number = None if marker_by_uuid else utils.integer(marker)
            if marker_by_uuid:
                after_id = db_hosts.node_id(self.db, node_uuid=marker)
            elif number is not None:
                after_id = db_hosts.node_id(self.db, node_id=number)
            if after_id is None:
                raise exception.BadRequest('marker [%s] not found' % marker)
        nodes = db_hosts.nodes(self.db, BINARY, pattern=pattern, node_id=node_id,
                               node_uuid=node_uuid, after_id=after_id, limit=limit)
        return [(node, dict(svc, up=service_is_up(self.conf, svc))) for node, svc in nodes]

    def hypervisor_usage(self, nodes):
        """{node id: {'vcpus', 'memory_mb', 'disk_gb', 'running_vms'}}: what
        the claims on each node hold, and the live instances on it."""
        ids = [node['id'] for node, _ in nodes]
        usage = db_allocations.usage(self.db, ids)
        running = db_instances.count_by_node(self.db, [n['hypervisor_hostname']
                                                       for n, _ in nodes])
        return {node['id']: dict(usage.get(node['id'], db_allocations.EMPTY),
                                 running_vms=running.get(node['hypervisor_hostname'], 0))
                for node, _ in nodes}

    def hypervisor_servers(self, nodes):
        """{host: [{'name', 'uuid'}]} of the live instances on the nodes' hosts."""
        return db_instances.names_on_hosts(self.db, [n['host'] for n, _ in nodes])
