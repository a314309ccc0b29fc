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
import logging

from pocketstack.common import rpc
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import hosts
from pocketstack.compute import server_groups
from pocketstack.compute.db import allocations as db_allocations
from pocketstack.compute.db import hosts as db_hosts
from pocketstack.compute.db import server_groups as db_groups

LOG = logging.getLogger(__name__)


def requested_resources(flavor):
    """What a flavor asks of a host: vCPUs, RAM (MB) and disk (GB, root +
    ephemeral + swap rounded up)."""
    return {'vcpus': flavor['vcpus'], 'memory_mb': flavor['ram'],
            'disk_gb': flavor['disk'] + flavor.get('ephemeral', 0)
            + -(-flavor.get('swap', 0) // 1024)}


def fits(node, used, wanted):
    return (used['vcpus'] + wanted['vcpus'] <= node['vcpus'] * node['cpu_allocation_ratio']
            and used['memory_mb'] + wanted['memory_mb']
            <= node['memory_mb'] * node['ram_allocation_ratio']
            and used['disk_gb'] + wanted['disk_gb']
            <= node['local_gb'] * node['disk_allocation_ratio'])


class SchedulerManager:
    """RPC API versions (scheduler/rpcapi.py):

    1.0 - select_destinations (the first versioned API)
    """

    target = rpc.Target(version='1.0')

    def __init__(self, service):
        self.service = service
        self.conf = service.conf
        self.db = service.db
        self.hosts = service.hosts

    def _candidates(self, request_spec, excluded_hosts):
        """The compute nodes passing the filters: service up and enabled, not
        excluded, in the zone, the forced host if there is one."""
        zone = request_spec.get('availability_zone')
        forced_host = request_spec.get('force_host')
        services = self.hosts.compute_hosts()
        candidates = []
        for node, svc in db_hosts.nodes(self.db, hosts.BINARY):
            svc = services[svc['host']]
            if svc['disabled'] or not svc['up'] or node['host'] in excluded_hosts:
                continue
            if (zone and svc['zone'] != zone) or (forced_host and node['host'] != forced_host):
                continue
            candidates.append(node)
        return candidates

    @rpc.expected_exceptions(compute_exc.NoValidHost)
    def select_destinations(self, context, request_spec, instance_uuids, excluded_hosts=()):
        wanted = requested_resources(request_spec['flavor'])
        selections = []
        try:
            for uuid in instance_uuids:
                selections.append(self._select_and_claim(request_spec, uuid, wanted,
                                                         set(excluded_hosts)))
        except compute_exc.NoValidHost:
            for uuid in instance_uuids[:len(selections)]:
                db_allocations.release(self.db, uuid)
            raise
        return selections

    def _select_and_claim(self, request_spec, consumer_id, wanted, excluded_hosts):
        group = request_spec.get('instance_group')
        # A move claims as its own consumer beside the instance's allocation.
        ignore = {consumer_id} | ({request_spec['instance_uuid']}
                                  if request_spec.get('instance_uuid') else set())
        with self.db.reader():
            candidates = self._candidates(request_spec, excluded_hosts)
            usage = db_allocations.usage(self.db)
            members = db_groups.member_nodes(self.db, group['uuid'], ignore) if group else {}
        empty = db_allocations.EMPTY
        fitting = [n for n in candidates if fits(n, usage.get(n['id'], empty), wanted)
                   and (group is None or server_groups.allows(group, n['id'], members))]
        # Weigh: a soft group policy first, then the most free RAM (spreads
        # servers over hosts).
        soft = {'soft-affinity': -1, 'soft-anti-affinity': 1}.get((group or {}).get('policy'), 0)
        fitting.sort(key=lambda n: (soft * members.get(n['id'], 0),
                                    -(n['memory_mb'] * n['ram_allocation_ratio']
                                      - usage.get(n['id'], empty)['memory_mb'])))
        for node in fitting:
            if self._claim(node['id'], consumer_id, wanted, group, ignore):
                LOG.info('Scheduled instance %s on host %s', consumer_id, node['host'])
                return {'host': node['host'], 'nodename': node['hypervisor_hostname']}
        raise compute_exc.NoValidHost(
            reason='There are not enough hosts available.' if candidates
            else 'No compute host is up and enabled in the requested zone.')

    def _claim(self, node_id, consumer_id, wanted, group=None, ignore=()):
        """Insert the allocation if the node still has room (and the group's
        policy still allows it); False when another claim took it meanwhile."""
        with self.db.writer():
            if group is not None and group['policy'] in server_groups.HARD_POLICIES:
                db_groups.get(self.db, group['uuid'], lock=True)
                if not server_groups.allows(
                        group, node_id, db_groups.member_nodes(self.db, group['uuid'], ignore)):
                    return False
            node = db_hosts.lock_node(self.db, node_id)
            used = db_allocations.usage(self.db, [node_id]).get(node_id, db_allocations.EMPTY)
            if not fits(node, used, wanted):
                return False
            db_allocations.add(self.db, consumer_id, node_id, wanted)
            return True
