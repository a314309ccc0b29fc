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
from pocketstack.common import exception
from pocketstack.compute.db import quotas as db_quotas
from pocketstack.compute.db import server_groups as db_groups

HARD_POLICIES = ('affinity', 'anti-affinity')
SOFT_POLICIES = ('soft-affinity', 'soft-anti-affinity')
POLICIES = HARD_POLICIES + SOFT_POLICIES


def spec(group):
    """What the scheduler needs of a group (it travels in the request spec)."""
    return {'uuid': group['id'], 'policy': group['policy'], 'rules': group['rules']}


def allows(group, node_id, members):
    """Whether a hard policy lets one more member onto ``node_id``
    (``members``: {node id: members there}, db/server_groups.member_nodes)."""
    if group['policy'] == 'affinity':
        return not members or set(members) == {node_id}
    if group['policy'] == 'anti-affinity':
        per_host = int((group.get('rules') or {}).get('max_server_per_host', 1))
        return members.get(node_id, 0) < per_host
    return True


class ServerGroupAPI:

    def __init__(self, service):
        self.db = service.db
        self.quotas = service.quotas

    def _get(self, context, group_uuid, lock=False):
        group = db_groups.get(self.db, group_uuid, lock=lock)
        if group is None or not (context.is_admin_role or
                                 group['project_id'] == context.project_id):
            raise exception.NotFound('Instance group %s could not be found.' % group_uuid)
        return group

    def get(self, context, group_uuid):
        return self._get(context, group_uuid)

    def list(self, context, all_projects=False, limit=None, offset=0):
        return db_groups.list_all(self.db, None if all_projects else context.project_id,
                                  limit, offset)

    def create(self, context, name, policy, rules):
        with self.db.writer():
            self.quotas.check_count(context.project_id, 'server_groups',
                                    db_quotas.count_server_groups(self.db, context.project_id)
                                    + 1, 'Quota exceeded, too many server groups.')
            return db_groups.create(self.db, context, name, policy, rules)

    def delete(self, context, group_uuid):
        with self.db.writer():
            self._get(context, group_uuid)
            db_groups.delete(self.db, group_uuid)

    def add_members(self, context, group_uuid, instance_uuids):
        """Put new servers in a group (inside the create's transaction): 400
        for a group the caller cannot see, 403 past server_group_members.
        The group's row is locked, so concurrent boots count each other.
        The group's spec."""
        try:
            group = self._get(context, group_uuid, lock=True)
        except exception.NotFound as e:
            raise exception.BadRequest(e.message)
        self.quotas.check_count(group['project_id'], 'server_group_members',
                                len(group['members']) + len(instance_uuids),
                                'Quota exceeded, too many servers in group')
        db_groups.add_members(self.db, group_uuid, instance_uuids)
        return spec(group)

    def groups_of(self, instance_uuids):
        """{instance uuid: [group uuid]} (2.71's ``server_groups``)."""
        return db_groups.groups_of(self.db, instance_uuids)

    def spec_of(self, instance_uuid):
        """The spec of the group a server belongs to (what a move must
        respect), or None."""
        group = db_groups.of_instance(self.db, instance_uuid)
        return spec(group) if group is not None else None
