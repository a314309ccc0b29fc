"""Allocation queries (placement's model): what each consumer — an instance,
or ``resize-<uuid>`` for the new flavor during a resize — holds on a compute
node.  A node's usage is the sum of its allocations; the scheduler claims
with :func:`add` while it holds the node's row lock (db/hosts.lock_node)."""
import sqlalchemy as sa

from pocketstack.compute.db import models

A = models.Allocation
EMPTY = {'vcpus': 0, 'memory_mb': 0, 'disk_gb': 0, 'count': 0}


def usage(db, node_ids=None):
    """{node id: {'vcpus', 'memory_mb', 'disk_gb', 'count' (consumers)}}."""
    query = sa.select(A.node_id, sa.func.sum(A.vcpus), sa.func.sum(A.memory_mb),
                      sa.func.sum(A.disk_gb), sa.func.count(sa.distinct(A.consumer_id))
                      ).group_by(A.node_id)
    if node_ids is not None:
        query = query.where(A.node_id.in_(list(node_ids)))
    with db.reader() as session:
        return {row[0]: {'vcpus': row[1] or 0, 'memory_mb': row[2] or 0,
                         'disk_gb': row[3] or 0, 'count': row[4]}
                for row in session.execute(query)}


def add(db, consumer_id, node_id, wanted):
    """Claim ``wanted`` ({'vcpus', 'memory_mb', 'disk_gb'}) on the node."""
    with db.writer() as session:
        session.add(A(consumer_id=consumer_id, node_id=node_id, **wanted))


def release(db, consumer_id):
    """Give back what a consumer holds (nothing held is fine)."""
    with db.writer() as session:
        session.execute(sa.delete(A).where(A.consumer_id == consumer_id))


def confirm_resize(db, instance_uuid):
    """A confirmed resize: the old flavor's claim goes, the new one's
    (``resize-<uuid>``) becomes the instance's.  Once done, doing it again
    changes nothing (a confirm cut short by a restart is asked again)."""
    with db.writer() as session:
        if session.scalar(sa.select(A.id).where(
                A.consumer_id == 'resize-' + instance_uuid).limit(1)) is None:
            return
        session.execute(sa.delete(A).where(A.consumer_id == instance_uuid))
        session.execute(sa.update(A).where(A.consumer_id == 'resize-' + instance_uuid)
                        .values(consumer_id=instance_uuid))


def consumers(db):
    """{consumer id: node id} of every allocation."""
    with db.reader() as session:
        return dict(session.execute(sa.select(A.consumer_id, A.node_id)).all())
