"""Service and hypervisor queries (``os-services``, ``os-hypervisors``):
the compute, conductor and scheduler services with their heartbeats, and each
compute host's hypervisor (its compute node) with its capacity."""
import sqlalchemy as sa

from pocketstack.common import db as common_db
from pocketstack.common import utils
from pocketstack.compute.db import models

S = models.Service
N = models.ComputeNode
_SERVICE = ('id', 'uuid', 'host', 'binary', 'topic', 'availability_zone', 'disabled',
            'disabled_reason', 'forced_down', 'report_count', 'last_seen_up', 'created_at',
            'updated_at')
_NODE = ('id', 'uuid', 'host', 'hypervisor_hostname', 'hypervisor_type', 'hypervisor_version',
         'vcpus', 'memory_mb', 'local_gb', 'cpu_allocation_ratio', 'ram_allocation_ratio',
         'disk_allocation_ratio', 'host_ip')


def _service(row):
    return common_db.as_dict(row, *_SERVICE)


def _node(row):
    return common_db.as_dict(row, *_NODE)


def report(db, host, binary, topic, zone, resources, ratios):
    """A compute host's heartbeat (Nova's ``service_update`` and
    ``compute_node_update``): its service row, created on the first one, is
    seen up now; its hypervisor's capacity (``resources`` from the driver)
    and allocation ratios are stored."""
    now = utils.utcnow()
    with db.writer() as session:
        svc = session.scalar(sa.select(S).where(S.host == host, S.binary == binary))
        if svc is None:
            svc = S(uuid=utils.new_id(dashes=True), host=host, binary=binary, topic=topic,
                    availability_zone=zone)
            session.add(svc)
        svc.last_seen_up = svc.updated_at = now
        svc.report_count = (svc.report_count or 0) + 1
        node = session.scalar(sa.select(N).where(
            N.hypervisor_hostname == resources['hypervisor_hostname']))
        if node is None:
            node = N(uuid=utils.new_id(dashes=True), host=host,
                     hypervisor_hostname=resources['hypervisor_hostname'])
            session.add(node)
        for column in ('vcpus', 'memory_mb', 'local_gb', 'hypervisor_type'):
            setattr(node, column, resources[column])
        for column, value in ratios.items():
            setattr(node, column, value)
        node.updated_at = now


def services(db, host=None, binary=None):
    """Services (optionally of one host and/or binary), by id."""
    query = sa.select(S).order_by(S.id)
    if host is not None:
        query = query.where(S.host == host)
    if binary is not None:
        query = query.where(S.binary == binary)
    with db.reader() as session:
        return [_service(r) for r in session.scalars(query)]


def service(db, service_id=None, uuid=None):
    """The service of that id or uuid, or None."""
    with db.reader() as session:
        row = session.scalar(sa.select(S).where(
            S.uuid == uuid if uuid is not None else S.id == int(service_id)))
        return _service(row) if row is not None else None


def update_services(db, values, service_id=None, host=None, binary=None):
    """Change the service of that id, or of that host and binary; how many changed."""
    condition = S.id == service_id if service_id is not None else sa.and_(
        S.host == host, S.binary == binary)
    with db.writer() as session:
        return session.execute(sa.update(S).where(condition).values(
            updated_at=utils.utcnow(), **values)).rowcount


def delete_service(db, service_id):
    """Forget a service; a compute host's hypervisor record and the claims on
    it go with it."""
    with db.writer() as session:
        row = session.get(S, service_id)
        nodes = sa.select(N.id).where(N.host == row.host)
        session.execute(sa.delete(models.Allocation).where(
            models.Allocation.node_id.in_(nodes)))
        session.execute(sa.delete(N).where(N.host == row.host))
        session.delete(row)


def nodes(db, binary, pattern=None, node_id=None, node_uuid=None, after_id=None, limit=None):
    """[(node, service)] of the compute nodes whose host has a ``binary``
    service (a deleted service's node is left out, as Nova does), by id:
    those whose hypervisor hostname contains ``pattern``, or the one of that
    id or uuid, or those after ``after_id``."""
    query = (sa.select(N, S).join(S, sa.and_(S.host == N.host, S.binary == binary))
             .order_by(N.id))
    if pattern is not None:
        query = query.where(N.hypervisor_hostname.contains(pattern, autoescape=True))
    if node_id is not None:
        query = query.where(N.id == node_id)
    if node_uuid is not None:
        query = query.where(N.uuid == node_uuid)
    if after_id is not None:
        query = query.where(N.id > after_id)
    if limit is not None:
        query = query.limit(limit)
    with db.reader() as session:
        return [(_node(n), _service(s)) for n, s in session.execute(query)]


def lock_node(db, node_id):
    """The node, its row locked until the caller's write transaction ends
    (``SELECT … FOR UPDATE``; on SQLite the writer holds the whole file)."""
    with db.writer() as session:
        return _node(session.scalar(sa.select(N).where(N.id == node_id).with_for_update()))


def node_id(db, node_id=None, node_uuid=None):
    """The id of the node of that id or uuid, or None."""
    with db.reader() as session:
        return session.scalar(sa.select(N.id).where(
            N.uuid == node_uuid if node_uuid is not None else N.id == node_id))
