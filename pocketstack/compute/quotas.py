"""Compute quotas: each project's limits (``os-quota-sets``) and the defaults
(``os-quota-class-sets``, class ``default``), as Nova's database quota driver
keeps them, and the checks a boot, a resize, a key pair or a server group
must pass.

A limit comes from the first of: the project's own row, the ``default``
class's row, the ``[quota]`` option.  -1 is unlimited.  What is counted
against them — servers, vCPUs and RAM of a project's live servers, a user's
key pairs — is counted when asked, never stored (Nova's "counted usage"
since Pike), so there is nothing to reserve or to drift.  A check and the
write it guards belong in one write transaction (the caller's), so that
concurrent requests cannot both pass.
"""
from pocketstack.common import exception
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.db import instances as db_instances
from pocketstack.compute.db import quotas as db_quotas

# In the order Nova's API lists them.
RESOURCES = ('cores', 'injected_file_content_bytes', 'injected_file_path_bytes',
             'injected_files', 'instances', 'key_pairs', 'metadata_items', 'ram',
             'server_group_members', 'server_groups')
# The [quota] option of a resource, where its name differs.
_OPTIONS = {'injected_file_path_bytes': 'injected_file_path_length'}
# Quotas of what Neutron counts now: shown (unlimited) and accepted, but
# ignored, before microversion 2.36, as Nova does.
NETWORK_RESOURCES = ('fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups')
DEFAULT_CLASS = db_quotas.DEFAULT_CLASS
MAX_LIMIT = 0x7FFFFFFF


def held(instance):
    """{cores, ram} one instance holds: while a resize is under way (or
    waits to be confirmed or reverted) the larger of its flavors, so that
    a revert or confirm never needs more than was counted."""
    flavors = [f for f in (instance['flavor'], instance['new_flavor'],
                           instance['old_flavor']) if f]
    return {'cores': max((f['vcpus'] for f in flavors), default=0),
            'ram': max((f['ram'] for f in flavors), default=0)}


class QuotaAPI:

    def __init__(self, service):
        self.conf = service.conf
        self.db = service.db

    def defaults(self):
        """{resource: limit} every project starts with."""
        limits = {r: getattr(self.conf.quota, _OPTIONS.get(r, r)) for r in RESOURCES}
        limits.update(db_quotas.class_limits(self.db))
        return limits

    def limits(self, project_id):
        """{resource: limit} of one project."""
        with self.db.reader():
            result = self.defaults()
            result.update(db_quotas.project_limits(self.db, project_id))
            return result

    def limit(self, project_id, resource):
        return self.limits(project_id)[resource]

    def project_usage(self, project_id):
        """Servers, vCPUs and RAM a project's live instances hold."""
        holds = [held(i) for i in db_instances.flavors_held(self.db, project_id)]
        return {'instances': len(holds), 'cores': sum(h['cores'] for h in holds),
                'ram': sum(h['ram'] for h in holds)}

    def usage(self, project_id, user_id=None):
        """{resource: in use} of what is counted: the project's servers, vCPUs,
        RAM and server groups; key pairs belong to users, so they are counted
        for ``user_id`` only (the key_pairs limit applies to each user)."""
        used = dict.fromkeys(RESOURCES, 0)
        with self.db.reader():
            used.update(self.project_usage(project_id))
            used['server_groups'] = db_quotas.count_server_groups(self.db, project_id)
            if user_id is not None:
                used['key_pairs'] = db_quotas.count_key_pairs(self.db, user_id)
        return used

    def set_project(self, project_id, values, force=False):
        """Set some of a project's limits; a limit below what the project uses
        is 400 unless ``force``.  The project's limits afterwards."""
        with self.db.writer():
            if not force:
                used = self.usage(project_id)
                for resource, value in values.items():
                    if 0 <= value < used[resource]:
                        raise exception.BadRequest(
                            'Quota limit %d for %s must be greater than or equal to already '
                            'used and reserved %d.' % (value, resource, used[resource]))
            db_quotas.store_project(self.db, project_id, values)
            return self.limits(project_id)

    def reset_project(self, project_id):
        """The project's limits back to the defaults."""
        db_quotas.delete_project(self.db, project_id)

    def set_defaults(self, values):
        with self.db.writer():
            db_quotas.store_defaults(self.db, values)
            return self.defaults()

    # -- checks (inside the caller's write transaction) ---------------------------------

    def boot_count(self, project_id, flavor, min_count, max_count):
        """How many of ``max_count`` servers of ``flavor`` fit the project's
        quotas (at least ``min_count``, else QuotaExceeded naming the resource)."""
        usage = self.project_usage(project_id)
        limits = self.limits(project_id)
        per_instance = {'instances': 1, 'cores': flavor['vcpus'], 'ram': flavor['ram']}
        count = max_count
        for resource, each in per_instance.items():
            limit = limits[resource]
            if limit < 0 or each == 0:
                continue
            fits = (limit - usage[resource]) // each
            if fits < min_count:
                raise compute_exc.QuotaExceeded(resources=resource, req=each * min_count,
                                                used=usage[resource], allowed=limit)
            count = min(count, fits)
        return count

    def check_resize(self, instance, new_flavor):
        """An upsize needs room in the project's cores and RAM quotas for
        what the new flavor adds (QuotaExceeded, 403, otherwise)."""
        usage = self.project_usage(instance['project_id'])
        limits = self.limits(instance['project_id'])
        before = held(instance)
        after = held(dict(instance, new_flavor=new_flavor))
        for resource in ('cores', 'ram'):
            delta = after[resource] - before[resource]
            limit = limits[resource]
            if delta > 0 and 0 <= limit < usage[resource] + delta:
                raise compute_exc.QuotaExceeded(resources=resource, req=delta,
                                                used=usage[resource], allowed=limit)

    def check_count(self, project_id, resource, count, message):
        """403 with ``message`` (``{limit}`` is the limit) when ``count`` of
        ``resource`` would be more than the project's limit."""
        limit = self.limit(project_id, resource)
        if 0 <= limit < count:
            raise exception.Forbidden(message.format(limit=limit))
