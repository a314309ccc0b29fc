"""Server groups (``os-server-groups``): a project's named sets of servers
placed by one policy.

* ``affinity``: every member on one host; ``anti-affinity``: no two members
  on a host (``rules.max_server_per_host``, from 2.64, allows N per host).
  The scheduler filters hosts by them, and re-checks the policy inside its
  claim with the group's row locked, so concurrent boots into one group
  cannot break it (Nova re-checks late on the compute host and reschedules).
* ``soft-affinity`` / ``soft-anti-affinity``: preferences the scheduler's
  weigher applies (most members first / fewest first); never a failure.

A server joins a group at create (the ``group`` scheduler hint) and leaves
it when deleted.  Quotas: ``server_groups`` per project and
``server_group_members`` per group.
"""
import uuid as uuid_mod

import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.compute import quotas
from pocketstack.compute.db import models

HARD_POLICIES = ('affinity', 'anti-affinity')
SOFT_POLICIES = ('soft-affinity', 'soft-anti-affinity')
POLICIES = HARD_POLICIES + SOFT_POLICIES


def to_dict(row):
    return {'id': row.uuid, 'name': row.name, 'project_id': row.project_id,
            'user_id': row.user_id, 'policy': row.policy, 'rules': dict(row.rules or {}),
            'members': [m.instance_uuid for m in row.members]}


def spec(group):
    """What the scheduler needs of a group (it travels in the request spec)."""
    return {'uuid': group['id'], 'policy': group['policy'], 'rules': group['rules']}


class ServerGroupAPI:

    def __init__(self, service):
        self.db = service.db
        self.conf = service.conf

    def _row(self, session, context, group_uuid, lock=False):
        query = sa.select(models.ServerGroup).where(models.ServerGroup.uuid == group_uuid)
        row = session.scalar(query.with_for_update() if lock else query)
        if row is None or not (context.is_admin_role or row.project_id == context.project_id):
            raise exception.NotFound('Instance group %s could not be found.' % group_uuid)
        return row

    def get(self, context, group_uuid):
        with self.db.reader() as session:
            return to_dict(self._row(session, context, group_uuid))

    def list(self, context, all_projects=False, limit=None, offset=0):
        query = sa.select(models.ServerGroup).order_by(models.ServerGroup.id)
        if not all_projects:
            query = query.where(models.ServerGroup.project_id == context.project_id)
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.db.reader() as session:
            return [to_dict(r) for r in session.scalars(query)]

    def create(self, context, name, policy, rules):
        with self.db.writer() as session:
            limit = quotas.limit(session, self.conf, context.project_id, 'server_groups')
            if 0 <= limit <= quotas.count_server_groups(session, context.project_id):
                raise exception.Forbidden('Quota exceeded, too many server groups.')
            row = models.ServerGroup(
                uuid=str(uuid_mod.uuid4()), name=name, project_id=context.project_id,
                user_id=context.user_id, policy=policy, rules=rules or {},
                created_at=utils.utcnow())
            session.add(row)
            session.flush()
            return to_dict(row)

    def delete(self, context, group_uuid):
        with self.db.writer() as session:
            session.delete(self._row(session, context, group_uuid))

    def add_members(self, session, context, group_uuid, instance_uuids):
        """Put new servers in a group (inside the create's transaction): 400
        for a group the caller cannot see, 403 past server_group_members.
        The group's row is locked, so concurrent boots count each other."""
        try:
            row = self._row(session, context, group_uuid, lock=True)
        except exception.NotFound as e:
            raise exception.BadRequest(e.message)
        limit = quotas.limit(session, self.conf, row.project_id, 'server_group_members')
        if 0 <= limit < len(row.members) + len(instance_uuids):
            raise exception.Forbidden('Quota exceeded, too many servers in group')
        row.members.extend(models.ServerGroupMember(instance_uuid=u) for u in instance_uuids)
        session.flush()
        return spec(to_dict(row))


def of_instance(session, instance_uuid):
    """The spec of the group an instance belongs to, or None."""
    row = session.scalar(sa.select(models.ServerGroup).join(models.ServerGroupMember).where(
        models.ServerGroupMember.instance_uuid == instance_uuid))
    return spec(to_dict(row)) if row is not None else None


def groups_of(session, instance_uuids):
    """{instance uuid: [group uuid]} (2.71's ``server_groups``)."""
    result = {u: [] for u in instance_uuids}
    for instance_uuid, group_uuid in session.execute(
            sa.select(models.ServerGroupMember.instance_uuid, models.ServerGroup.uuid)
            .join(models.ServerGroup)
            .where(models.ServerGroupMember.instance_uuid.in_(list(instance_uuids)))):
        result[instance_uuid].append(group_uuid)
    return result


def leave(session, instance_uuid):
    """A deleted server leaves its groups."""
    session.execute(sa.delete(models.ServerGroupMember).where(
        models.ServerGroupMember.instance_uuid == instance_uuid))


def member_hosts(session, group, ignore=()):
    """{node id: members there} of a group's members holding a claim, besides
    the consumers in ``ignore`` (the servers being placed)."""
    members = sa.select(models.ServerGroupMember.instance_uuid).join(models.ServerGroup).where(
        models.ServerGroup.uuid == group['uuid'])
    rows = session.execute(
        sa.select(models.Allocation.node_id, sa.func.count(sa.distinct(
            models.Allocation.consumer_id)))
        .where(models.Allocation.consumer_id.in_(members),
               models.Allocation.consumer_id.notin_(list(ignore)))
        .group_by(models.Allocation.node_id))
    return dict(rows.all())


def allows(group, node_id, hosts):
    """Whether a hard policy lets one more member onto ``node_id``
    (``hosts`` from member_hosts)."""
    if group['policy'] == 'affinity':
        return not hosts or set(hosts) == {node_id}
    if group['policy'] == 'anti-affinity':
        per_host = int((group.get('rules') or {}).get('max_server_per_host', 1))
        return hosts.get(node_id, 0) < per_host
    return True


def lock(session, group):
    """Serialise claims of one group's members (its row, FOR UPDATE)."""
    session.scalar(sa.select(models.ServerGroup.id).where(
        models.ServerGroup.uuid == group['uuid']).with_for_update())
