"""Compute quotas: each project's limits (``os-quota-sets``) and the defaults
(``os-quota-class-sets``, class ``default``), as Nova's database quota driver
keeps them.

A limit comes from the first of: the project's own row (``quotas``), the
``default`` class's row (``quota_classes``), the ``[quota]`` option.  -1 is
unlimited.  What is counted against them — servers, vCPUs and RAM of a
project's live servers, a user's key pairs — is counted when asked, never
stored (Nova's "counted usage" since Pike), so there is nothing to reserve
or to drift.
"""
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.compute.db import models

# In the order Nova's API lists them.
RESOURCES = ('cores', 'injected_file_content_bytes', 'injected_file_path_bytes',
             'injected_files', 'instances', 'key_pairs', 'metadata_items', 'ram',
             'server_group_members', 'server_groups')
# The [quota] option of a resource, where its name differs.
_OPTIONS = {'injected_file_path_bytes': 'injected_file_path_length'}
# Quotas of what Neutron counts now: shown (unlimited) and accepted, but
# ignored, before microversion 2.36, as Nova does.
NETWORK_RESOURCES = ('fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups')
DEFAULT_CLASS = 'default'
MAX_LIMIT = 0x7FFFFFFF


def _rows(session, model, where):
    return dict(session.execute(sa.select(model.resource, model.hard_limit).where(where)).all())


def defaults(session, conf):
    """{resource: limit} every project starts with."""
    limits = {r: getattr(conf.quota, _OPTIONS.get(r, r)) for r in RESOURCES}
    limits.update(_rows(session, models.QuotaClass,
                        models.QuotaClass.class_name == DEFAULT_CLASS))
    return limits


def limits(session, conf, project_id):
    """{resource: limit} of one project."""
    result = defaults(session, conf)
    result.update(_rows(session, models.Quota, models.Quota.project_id == project_id))
    return result


def limit(session, conf, project_id, resource):
    return limits(session, conf, project_id)[resource]


def held(instance):
    """{cores, ram} one instance holds: while a resize is under way (or
    waits to be confirmed or reverted) the larger of its flavors, so that
    a revert or confirm never needs more than was counted."""
    flavors = [f for f in (instance['flavor'], instance['new_flavor'],
                           instance['old_flavor']) if f]
    return {'cores': max((f['vcpus'] for f in flavors), default=0),
            'ram': max((f['ram'] for f in flavors), default=0)}


def project_usage(session, project_id):
    """Servers, vCPUs and RAM a project's live instances hold."""
    rows = session.execute(sa.select(
        models.Instance.flavor, models.Instance.new_flavor, models.Instance.old_flavor).where(
        models.Instance.project_id == project_id,
        models.Instance.deleted == 0)).mappings().all()
    holds = [held(r) for r in rows]
    return {'instances': len(rows), 'cores': sum(h['cores'] for h in holds),
            'ram': sum(h['ram'] for h in holds)}


def count_server_groups(session, project_id):
    return session.scalar(sa.select(sa.func.count()).select_from(models.ServerGroup).where(
        models.ServerGroup.project_id == project_id))


def usage(session, project_id, user_id=None):
    """{resource: in use} of what is counted: the project's servers, vCPUs,
    RAM and server groups; key pairs belong to users, so they are counted for ``user_id``
    only (the key_pairs limit applies to each user of the project)."""
    used = dict.fromkeys(RESOURCES, 0)
    used.update(project_usage(session, project_id))
    used['server_groups'] = count_server_groups(session, project_id)
    if user_id is not None:
        used['key_pairs'] = session.scalar(sa.select(sa.func.count()).select_from(
            models.KeyPair).where(models.KeyPair.user_id == user_id))
    return used


def _store(session, model, owner_column, owner, values):
    for resource, hard_limit in values.items():
        row = session.scalar(sa.select(model).where(owner_column == owner,
                                                    model.resource == resource))
        if row is None:
            session.add(model(**{owner_column.key: owner, 'resource': resource,
                                 'hard_limit': hard_limit}))
        else:
            row.hard_limit = hard_limit
    session.flush()


def set_project(session, project_id, values, force=False):
    """Set some of a project's limits; a limit below what the project uses
    is 400 unless ``force``."""
    if not force:
        used = usage(session, project_id)
        for resource, value in values.items():
            if 0 <= value < used[resource]:
                raise exception.BadRequest(
                    'Quota limit %d for %s must be greater than or equal to already used '
                    'and reserved %d.' % (value, resource, used[resource]))
    _store(session, models.Quota, models.Quota.project_id, project_id, values)


def reset_project(session, project_id):
    """The project's limits back to the defaults."""
    session.execute(sa.delete(models.Quota).where(models.Quota.project_id == project_id))


def set_defaults(session, values):
    _store(session, models.QuotaClass, models.QuotaClass.class_name, DEFAULT_CLASS, values)
