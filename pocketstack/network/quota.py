"""Quotas: a project's limit per resource is its row in ``quotas`` or the
configured default ([quotas] quota_<resource>); -1 means unlimited.

Plugins call :func:`check` inside the write transaction that creates the
resource, so the count and the insert see the same data.
"""
import sqlalchemy as sa

from pocketstack.network import exception
from pocketstack.network.db import models
from pocketstack.network.db import query

# API resource name -> the model counted against it
RESOURCES = {
    'network': models.Network,
    'subnet': models.Subnet,
    'port': models.Port,
    'router': models.Router,
    'floatingip': models.FloatingIP,
    'security_group': models.SecurityGroup,
    'security_group_rule': models.SecurityGroupRule,
}


def defaults(conf):
    return {name: getattr(conf.quotas, 'quota_%s' % name) for name in RESOURCES}


def limits(session, conf, project_id):
    """{resource: limit} of a project: its own rows over the defaults."""
    result = defaults(conf)
    rows = session.scalars(sa.select(models.Quota).where(models.Quota.project_id == project_id))
    result.update({row.resource: row.limit for row in rows if row.resource in result})
    return result


def usage(session, project_id):
    return {name: query.count(session, model, project_id) for name, model in RESOURCES.items()}


def check(session, conf, project_id, resource, delta=1):
    """Raise OverQuota when ``delta`` more of ``resource`` would exceed the limit."""
    limit = limits(session, conf, project_id)[resource]
    if limit < 0:
        return
    if query.count(session, RESOURCES[resource], project_id) + delta > limit:
        raise exception.OverQuota(overs=[resource])   # Neutron prints the list
