"""Server group queries (``os-server-groups``): a project's groups, their
members, and where the members hold claims (for the scheduler's policies)."""
import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.compute.db import models

G = models.ServerGroup
M = models.ServerGroupMember


def to_dict(row):
    return {'id': row.uuid, 'name': row.name, 'project_id': row.project_id,
            'user_id': row.user_id, 'policy': row.policy, 'rules': dict(row.rules or {}),
            'members': [m.instance_uuid for m in row.members]}


def get(db, group_uuid, lock=False):
    """The group, or None; ``lock``: its row is locked until the caller's
    write transaction ends (concurrent boots into it then count each other)."""
    query = sa.select(G).where(G.uuid == group_uuid)
    with (db.writer() if lock else db.reader()) as session:
        row = session.scalar(query.with_for_update() if lock else query)
        return to_dict(row) if row is not None else None


def list_all(db, project_id=None, limit=None, offset=0):
    """Groups (of ``project_id``, or of every project), oldest first."""
    query = sa.select(G).order_by(G.id).offset(offset)
    if project_id is not None:
        query = query.where(G.project_id == project_id)
    if limit is not None:
        query = query.limit(limit)
    with db.reader() as session:
        return [to_dict(r) for r in session.scalars(query)]


def create(db, context, name, policy, rules):
    with db.writer() as session:
        row = G(uuid=utils.new_id(dashes=True), name=name, project_id=context.project_id,
                user_id=context.user_id, policy=policy, rules=rules or {},
                created_at=utils.utcnow())
        session.add(row)
        session.flush()
        return to_dict(row)


def delete(db, group_uuid):
    with db.writer() as session:
        session.execute(sa.delete(G).where(G.uuid == group_uuid))


def add_members(db, group_uuid, instance_uuids):
    with db.writer() as session:
        group_id = session.scalar(sa.select(G.id).where(G.uuid == group_uuid))
        session.add_all(M(group_id=group_id, instance_uuid=u) for u in instance_uuids)


def of_instance(db, instance_uuid):
    """The group an instance belongs to, or None."""
    with db.reader() as session:
        row = session.scalar(sa.select(G).join(M).where(M.instance_uuid == instance_uuid))
        return to_dict(row) if row is not None else None


def groups_of(db, instance_uuids):
    """{instance uuid: [group uuid]} (2.71's ``server_groups``)."""
    result = {u: [] for u in instance_uuids}
    with db.reader() as session:
        for instance_uuid, group_uuid in session.execute(
                sa.select(M.instance_uuid, G.uuid).join(G)
                .where(M.instance_uuid.in_(list(instance_uuids)))):
            result[instance_uuid].append(group_uuid)
    return result


def member_nodes(db, group_uuid, ignore=()):
    """{node id: members with a claim there} of a group's members, besides
    the consumers in ``ignore`` (the servers being placed)."""
    members = sa.select(M.instance_uuid).join(G).where(G.uuid == group_uuid)
    A = models.Allocation
    with db.reader() as session:
        return dict(session.execute(
            sa.select(A.node_id, sa.func.count(sa.distinct(A.consumer_id)))
            .where(A.consumer_id.in_(members), A.consumer_id.notin_(list(ignore)))
            .group_by(A.node_id)).all())
