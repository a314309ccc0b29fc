"""The quota service plugin: ``/v2.0/quotas[/{project_id}[/default|/details]]``.

Limits and usage come from network/quota.py; a project's overrides are its
rows in ``quotas``.  Who may read or change which project's quotas is the
policy's to say, at the API's door (api/quotas.py).
"""
import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.network import exception
from pocketstack.network import quota
from pocketstack.network.db import models
from pocketstack.network.plugins import Plugin


def _with_project(project_id, limits):
    return dict(limits, project_id=project_id, tenant_id=project_id)


def _limit(resource, value):
    """A new limit: an integer >= -1 (-1: unlimited); "10" is accepted as clients send."""
    text = value if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif utils.integer(text) is not None:
        number = utils.integer(text)
    else:
        raise exception.InvalidInput(error_message="'%s' is not an integer for %s"
                                     % (value, resource))
    if number < -1:
        raise exception.InvalidInput(error_message="'%s' is smaller than the minimum -1 "
                                     "for %s" % (number, resource))
    return number


class QuotaPlugin(Plugin):

    supported_extension_aliases = ('quotas', 'quota_details')

    def get_quotas(self, context):
        """Every project that has a limit of its own, with all its limits."""
        with self.db.reader() as session:
            projects = session.scalars(sa.select(models.Quota.project_id).distinct()
                                       .order_by(models.Quota.project_id)).all()
            return [_with_project(p, quota.limits(session, self.conf, p)) for p in projects]

    def get_quota(self, context, project_id):
        with self.db.reader() as session:
            return quota.limits(session, self.conf, project_id)

    def get_quota_default(self, context, project_id):
        return quota.defaults(self.conf)

    def get_quota_details(self, context, project_id):
        """{resource: {limit, used, reserved}}: reservations are never held
        here (each create counts and inserts in one transaction), so 0."""
        with self.db.reader() as session:
            limits = quota.limits(session, self.conf, project_id)
            used = quota.usage(session, project_id)
            return {name: {'limit': limit, 'used': used[name], 'reserved': 0}
                    for name, limit in limits.items()}

    def update_quota(self, context, project_id, body):
        """Set some limits (body: the ``quota`` object); returns all limits."""
        body = body.get('quota', body) if isinstance(body, dict) else body
        if not isinstance(body, dict):
            raise exception.InvalidInput(error_message='the quota body must be an object')
        changes = {k: v for k, v in body.items() if k not in ('project_id', 'tenant_id')}
        unknown = sorted(set(changes) - set(quota.RESOURCES))
        if unknown:
            raise exception.InvalidInput(error_message="Unrecognized attribute(s) '%s'"
                                         % ', '.join(unknown))
        changes = {name: _limit(name, value) for name, value in changes.items()}
        with self.db.writer() as session:
            for name, limit in changes.items():
                row = session.get(models.Quota, (project_id, name))
                if row is None:
                    session.add(models.Quota(project_id=project_id, resource=name,
                                             limit=limit))
                else:
                    row.limit = limit
            session.flush()
            return quota.limits(session, self.conf, project_id)

    def delete_quota(self, context, project_id):
        """Back to the defaults."""
        with self.db.writer() as session:
            session.execute(sa.delete(models.Quota).where(
                models.Quota.project_id == project_id))
