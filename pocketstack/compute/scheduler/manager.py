"""nova-scheduler: ``select_destinations`` — filter the hosts, weigh them,
and claim the chosen one's resources.

Filters (a host must pass all): its compute service is up and enabled; it is
in the requested availability zone; it has the vCPUs, RAM and disk the flavor
asks for, counting its allocation ratios; it is not excluded (a host where
this build already failed); a server group's hard policy (affinity,
anti-affinity) allows one more member there.  Weighers: a soft server group
policy first (the most members for soft-affinity, the fewest for
soft-anti-affinity), then the most free RAM, which spreads servers over hosts.

The claim is the race-free part: in one write transaction the host's row is
locked (``SELECT … FOR UPDATE``; SQLite's writer lock), its usage summed from
``allocations`` and, if the flavor still fits, an allocation inserted.  Two
concurrent boots therefore never both take a host's last resources; the loser
moves on to the next host.  A server group's policy is checked again there
with the group's row locked too, so concurrent boots into one group cannot
break it.
"""
import datetime
import logging

import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.compute import aggregates
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import instances
from pocketstack.compute import manager as compute_manager
from pocketstack.compute import server_groups
from pocketstack.compute.db import models

LOG = logging.getLogger(__name__)


def host_usage(session, node_ids=None):
    """{node id: {'vcpus', 'memory_mb', 'disk_gb', 'count'}} summed from allocations."""
    query = sa.select(models.Allocation.node_id, sa.func.sum(models.Allocation.vcpus),
                      sa.func.sum(models.Allocation.memory_mb),
                      sa.func.sum(models.Allocation.disk_gb),
                      sa.func.count(sa.distinct(models.Allocation.consumer_id))
                      ).group_by(models.Allocation.node_id)
    if node_ids is not None:
        query = query.where(models.Allocation.node_id.in_(node_ids))
    return {row[0]: {'vcpus': row[1] or 0, 'memory_mb': row[2] or 0, 'disk_gb': row[3] or 0,
                     'count': row[4]} for row in session.execute(query)}


def fits(node, used, wanted):
    return (used['vcpus'] + wanted['vcpus'] <= node.vcpus * node.cpu_allocation_ratio
            and used['memory_mb'] + wanted['memory_mb'] <= node.memory_mb * node.ram_allocation_ratio
            and used['disk_gb'] + wanted['disk_gb'] <= node.local_gb * node.disk_allocation_ratio)


def service_is_up(conf, service):
    if service.forced_down or service.last_seen_up is None:
        return False
    age = utils.utcnow() - service.last_seen_up
    return age <= datetime.timedelta(seconds=conf.service_down_time)


class SchedulerManager:

    target_version = '1.0'

    def __init__(self, service):
        self.service = service
        self.conf = service.conf
        self.db = service.db

    def _candidates(self, session, request_spec, excluded_hosts):
        zone = request_spec.get('availability_zone')
        rows = session.execute(
            sa.select(models.ComputeNode, models.Service)
            .join(models.Service, sa.and_(models.Service.host == models.ComputeNode.host,
                                          models.Service.binary == compute_manager.BINARY))
        ).all()
        zones = aggregates.aggregate_zones(session) if zone else {}
        candidates = []
        for node, svc in rows:
            if svc.disabled or not service_is_up(self.conf, svc):
                continue
            if node.host in excluded_hosts:
                continue
            if zone and aggregates.service_zone(
                    svc, zones, self.conf.default_availability_zone) != zone:
                continue
            forced_host = request_spec.get('force_host')
            if forced_host and node.host != forced_host:
                continue
            candidates.append(node)
        return candidates

    def select_destinations(self, context, request_spec, instance_uuids, excluded_hosts=()):
        wanted = instances.requested_resources(request_spec['flavor'])
        selections = []
        try:
            for uuid in instance_uuids:
                selections.append(self._select_and_claim(request_spec, uuid, wanted,
                                                         set(excluded_hosts)))
        except compute_exc.NoValidHost:
            for uuid in instance_uuids[:len(selections)]:
                instances.release_allocations(self.db, uuid)
            raise
        return selections

    def _select_and_claim(self, request_spec, consumer_id, wanted, excluded_hosts):
        group = request_spec.get('instance_group')
        # A move claims as its own consumer beside the instance's allocation.
        ignore = {consumer_id} | ({request_spec['instance_uuid']}
                                  if request_spec.get('instance_uuid') else set())
        with self.db.reader() as session:
            candidates = self._candidates(session, request_spec, excluded_hosts)
            usage = host_usage(session)
            members = server_groups.member_hosts(session, group, ignore) if group else {}
        empty = {'vcpus': 0, 'memory_mb': 0, 'disk_gb': 0, 'count': 0}
        fitting = [n for n in candidates if fits(n, usage.get(n.id, empty), wanted)
                   and (group is None or server_groups.allows(group, n.id, members))]
        # Weigh: a soft group policy first, then the most free RAM (spreads
        # servers over hosts).
        soft = {'soft-affinity': -1, 'soft-anti-affinity': 1}.get((group or {}).get('policy'), 0)
        fitting.sort(key=lambda n: (soft * members.get(n.id, 0),
                                    -(n.memory_mb * n.ram_allocation_ratio
                                      - usage.get(n.id, empty)['memory_mb'])))
        for node in fitting:
            if self._claim(node.id, consumer_id, wanted, group, ignore):
                LOG.info('Scheduled instance %s on host %s', consumer_id, node.host)
                return {'host': node.host, 'nodename': node.hypervisor_hostname}
        raise compute_exc.NoValidHost(
            reason='There are not enough hosts available.' if candidates
            else 'No compute host is up and enabled in the requested zone.')

    def _claim(self, node_id, consumer_id, wanted, group=None, ignore=()):
        """Insert the allocation if the node still has room (and the group's
        policy still allows it); False when another claim took it meanwhile."""
        with self.db.writer() as session:
            if group is not None and group['policy'] in server_groups.HARD_POLICIES:
                server_groups.lock(session, group)
                if not server_groups.allows(
                        group, node_id, server_groups.member_hosts(session, group, ignore)):
                    return False
            node = session.scalar(sa.select(models.ComputeNode)
                                  .where(models.ComputeNode.id == node_id).with_for_update())
            used = host_usage(session, [node_id]).get(
                node_id, {'vcpus': 0, 'memory_mb': 0, 'disk_gb': 0})
            if not fits(node, used, wanted):
                return False
            session.add(models.Allocation(consumer_id=consumer_id, node_id=node_id, **wanted))
            return True
