"""ML2 type drivers: what a network's segment is and where its id comes from.

    local   no segment at all (a network on one host)
    flat    a whole physical network, one network per physical network
    vlan    an id 1-4094 on a physical network; project networks take one from
            [ml2_type_vlan] network_vlan_ranges
    vxlan   a tunnel id 1-16777215; project networks take one from
            [ml2_type_vxlan] vni_ranges

Ids are rows of ``segment_allocations``: the configured ranges are
materialised once at start-up (unallocated rows outside them are dropped),
a project network claims a free row with a conditional UPDATE (two
claims of one row cannot both succeed), and an admin's explicit id outside
the ranges is an ``allocated`` row of its own, whose primary key refuses a
second network with the same id.
"""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from pocketstack.network import exception
from pocketstack.network.db import models

MAX_VLAN = 4094
MAX_VNI = 2 ** 24 - 1
VXLAN_OVERHEAD = 50
# Ids materialised per configured range: a range of millions of VNIs would
# otherwise mean millions of rows.  Ids beyond stay usable when an admin
# names them.
MAX_ROWS_PER_RANGE = 10000
CLAIM_ATTEMPTS = 10


def _invalid(message):
    return exception.InvalidInput(error_message=message)


def _parse_ranges(entries, maximum, what):
    """'min:max' entries → [(min, max)]."""
    ranges = []
    for entry in entries:
        try:
            low, high = (int(x) for x in entry.split(':'))
        except ValueError:
            raise ValueError('Invalid %s range %r: expected <min>:<max>' % (what, entry)) from None
        if not 1 <= low <= high <= maximum:
            raise ValueError('Invalid %s range %r' % (what, entry))
        ranges.append((low, high))
    return ranges


class TypeDriver:
    network_type = None

    def __init__(self, conf):
        self.conf = conf

    def ranges(self):
        """{physical_network ('' for tunnels): [(min, max)]} of project ids."""
        return {}

    def mtu(self):
        return self.conf.global_physnet_mtu

    def validate_provider(self, segment):
        """Check an admin's provider attributes (400 when they make no sense)."""
        if segment.get('physical_network') is not None:
            raise _invalid('physical_network is not allowed for %s provider network'
                           % self.network_type)
        if segment.get('segmentation_id') is not None:
            raise _invalid('segmentation_id is not allowed for %s provider network'
                           % self.network_type)

    def reserve(self, session, segment):
        """Claim the admin's segment (409 when another network has it)."""

    def allocate_project_segment(self, session):
        """A segment for a project network, or None when the type has no free id."""
        return {'network_type': self.network_type, 'physical_network': None,
                'segmentation_id': None}

    def release(self, session, segment):
        """Give the segment's id back."""

    # -- the segment_allocations rows ----------------------------------------

    def sync(self, session):
        """Rows for every id of the configured ranges; stale free rows go."""
        ranges = self.ranges()
        existing = {}
        for physnet, seg_id, allocated in session.execute(
                sa.select(models.SegmentAllocation.physical_network,
                          models.SegmentAllocation.segmentation_id,
                          models.SegmentAllocation.allocated)
                .where(models.SegmentAllocation.network_type == self.network_type)):
            existing[(physnet, seg_id)] = allocated
        wanted = set()
        for physnet, physnet_ranges in ranges.items():
            for low, high in physnet_ranges:
                high = min(high, low + MAX_ROWS_PER_RANGE - 1)
                wanted.update((physnet, seg_id) for seg_id in range(low, high + 1))
        missing = wanted - set(existing)
        if missing:
            session.execute(sa.insert(models.SegmentAllocation), [
                {'network_type': self.network_type, 'physical_network': physnet,
                 'segmentation_id': seg_id, 'allocated': False}
                for physnet, seg_id in sorted(missing)])
        stale = [key for key, allocated in existing.items()
                 if key not in wanted and not allocated]
        for physnet, seg_id in stale:
            session.execute(sa.delete(models.SegmentAllocation).where(
                models.SegmentAllocation.network_type == self.network_type,
                models.SegmentAllocation.physical_network == physnet,
                models.SegmentAllocation.segmentation_id == seg_id))

    def _in_ranges(self, physnet, seg_id):
        return any(low <= seg_id <= min(high, low + MAX_ROWS_PER_RANGE - 1)
                   for low, high in self.ranges().get(physnet, []))

    def _claim_id(self, session, physnet, seg_id):
        """Claim one id: its free row, or a new allocated row outside the
        ranges.  False when a network has it already."""
        where = (models.SegmentAllocation.network_type == self.network_type,
                 models.SegmentAllocation.physical_network == physnet,
                 models.SegmentAllocation.segmentation_id == seg_id)
        claimed = session.execute(sa.update(models.SegmentAllocation).where(
            *where, models.SegmentAllocation.allocated.is_(False)).values(allocated=True))
        if claimed.rowcount == 1:
            return True
        if session.scalar(sa.select(models.SegmentAllocation.allocated).where(*where)):
            return False
        try:
            with session.begin_nested():
                session.add(models.SegmentAllocation(network_type=self.network_type,
                                                     physical_network=physnet,
                                                     segmentation_id=seg_id, allocated=True))
                session.flush()
            return True
        except sa_exc.IntegrityError:
            return False

    def _claim_any(self, session):
        """Claim a free id of the ranges: (physical network, id) or None."""
        for _ in range(CLAIM_ATTEMPTS):
            # A locking read: it waits for a concurrent claim to commit and
            # then sees it (a plain read would keep InnoDB's older snapshot).
            row = session.execute(sa.select(models.SegmentAllocation.physical_network,
                                            models.SegmentAllocation.segmentation_id)
                                  .where(models.SegmentAllocation.network_type
                                         == self.network_type,
                                         models.SegmentAllocation.allocated.is_(False))
                                  .order_by(models.SegmentAllocation.segmentation_id)
                                  .limit(1).with_for_update()).first()
            if row is None:
                return None
            claimed = session.execute(sa.update(models.SegmentAllocation).where(
                models.SegmentAllocation.network_type == self.network_type,
                models.SegmentAllocation.physical_network == row[0],
                models.SegmentAllocation.segmentation_id == row[1],
                models.SegmentAllocation.allocated.is_(False)).values(allocated=True))
            if claimed.rowcount == 1:
                return row[0], row[1]
        return None

    def _release_id(self, session, physnet, seg_id):
        where = (models.SegmentAllocation.network_type == self.network_type,
                 models.SegmentAllocation.physical_network == physnet,
                 models.SegmentAllocation.segmentation_id == seg_id)
        if self._in_ranges(physnet, seg_id):
            session.execute(sa.update(models.SegmentAllocation).where(*where)
                            .values(allocated=False))
        else:
            session.execute(sa.delete(models.SegmentAllocation).where(*where))


class LocalTypeDriver(TypeDriver):
    network_type = 'local'


class FlatTypeDriver(TypeDriver):
    """A flat network is its whole physical network: row (physnet, 0)."""
    network_type = 'flat'

    def validate_provider(self, segment):
        physnet = segment.get('physical_network')
        if not physnet:
            raise _invalid('physical_network required for flat provider network')
        allowed = self.conf.ml2_type_flat.flat_networks
        if '*' not in allowed and physnet not in allowed:
            raise _invalid('physical_network %s unknown for flat provider network' % physnet)
        if segment.get('segmentation_id') is not None:
            raise _invalid('segmentation_id is not allowed for flat provider network')

    def reserve(self, session, segment):
        physnet = segment['physical_network']
        if not self._claim_id(session, physnet, 0):
            raise exception.FlatNetworkInUse(physical_network=physnet)

    def allocate_project_segment(self, session):
        return None   # flat networks are the admin's to make

    def release(self, session, segment):
        self._release_id(session, segment['physical_network'], 0)


class VlanTypeDriver(TypeDriver):
    network_type = 'vlan'

    def ranges(self):
        result = {}
        for entry in self.conf.ml2_type_vlan.network_vlan_ranges:
            physnet, _, ids = entry.partition(':')
            result.setdefault(physnet, [])
            if ids:
                result[physnet] += _parse_ranges([ids], MAX_VLAN, 'VLAN')
        return result

    def validate_provider(self, segment):
        physnet, seg_id = segment.get('physical_network'), segment.get('segmentation_id')
        if not physnet:
            raise _invalid('physical_network required for VLAN provider network')
        if physnet not in self.ranges():
            raise _invalid('physical_network %s unknown for VLAN provider network' % physnet)
        if seg_id is None:
            raise _invalid('segmentation_id required for VLAN provider network')
        if not 1 <= seg_id <= MAX_VLAN:
            raise _invalid('segmentation_id out of range (1 through %d)' % MAX_VLAN)

    def reserve(self, session, segment):
        physnet, seg_id = segment['physical_network'], segment['segmentation_id']
        if not self._claim_id(session, physnet, seg_id):
            raise exception.VlanIdInUse(vlan_id=seg_id, physical_network=physnet)

    def allocate_project_segment(self, session):
        claimed = self._claim_any(session)
        if claimed is None:
            return None
        return {'network_type': 'vlan', 'physical_network': claimed[0],
                'segmentation_id': claimed[1]}

    def release(self, session, segment):
        self._release_id(session, segment['physical_network'], segment['segmentation_id'])


class VxlanTypeDriver(TypeDriver):
    network_type = 'vxlan'

    def ranges(self):
        return {'': _parse_ranges(self.conf.ml2_type_vxlan.vni_ranges, MAX_VNI, 'VNI')}

    def mtu(self):
        return (self.conf.ml2.path_mtu or self.conf.global_physnet_mtu) - VXLAN_OVERHEAD

    def validate_provider(self, segment):
        if segment.get('physical_network'):
            raise _invalid('provider:physical_network specified for vxlan network')
        seg_id = segment.get('segmentation_id')
        if seg_id is None:
            raise _invalid('segmentation_id required for vxlan provider network')
        if not 1 <= seg_id <= MAX_VNI:
            raise _invalid('segmentation_id out of range (1 through %d)' % MAX_VNI)

    def reserve(self, session, segment):
        if not self._claim_id(session, '', segment['segmentation_id']):
            raise exception.TunnelIdInUse(tunnel_id=segment['segmentation_id'])

    def allocate_project_segment(self, session):
        claimed = self._claim_any(session)
        if claimed is None:
            return None
        return {'network_type': 'vxlan', 'physical_network': None,
                'segmentation_id': claimed[1]}

    def release(self, session, segment):
        self._release_id(session, '', segment['segmentation_id'])
