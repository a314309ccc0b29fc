"""Migration record queries (``os-migrations``): one row per resize or cold
migration of a server, its ``status`` following the flow (compute/migrations.py).
(Named apart from ``migrations/``, which holds the schema's Alembic scripts.)"""
import sqlalchemy as sa

from pocketstack.common import db as common_db
from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.db import models

M = models.Migration
DONE = ('confirmed', 'reverted', 'error')
_COLUMNS = ('id', 'uuid', 'instance_uuid', 'project_id', 'user_id', 'migration_type',
            'status', 'source_compute', 'source_node', 'dest_compute', 'dest_node',
            'dest_host', 'old_flavor_id', 'new_flavor_id', 'created_at', 'updated_at')
# Filters of list_all: the column each compares with.
FILTERS = ('status', 'instance_uuid', 'source_compute', 'migration_type', 'user_id',
           'project_id')


def create(db, values):
    with db.writer() as session:
        session.add(M(uuid=utils.new_id(dashes=True), created_at=utils.utcnow(), **values))


def update_current(db, instance_uuid, status, **values):
    """Move the instance's move under way (there is at most one) to ``status``."""
    with db.writer() as session:
        session.execute(sa.update(M).where(M.instance_uuid == instance_uuid,
                                           M.status.notin_(DONE))
                        .values(status=status, updated_at=utils.utcnow(), **values))


def list_all(db, filters, host=None, since=None, before=None, newest_first=False,
             marker=None, limit=None):
    """Migrations matching ``filters`` ({column of FILTERS: value}), from or
    to ``host``, changed between ``since`` and ``before``; oldest first, or
    newest first after the migration ``marker`` (a uuid: MarkerNotFound when
    there is none)."""
    query = sa.select(M).where(*[getattr(M, k) == v for k, v in filters.items()])
    if host is not None:
        query = query.where(sa.or_(M.source_compute == host, M.dest_compute == host))
    if since is not None:
        query = query.where(M.updated_at >= since)
    if before is not None:
        query = query.where(M.updated_at <= before)
    with db.reader() as session:
        if newest_first:
            after = None
            if marker is not None:
                row = session.scalar(sa.select(M).where(M.uuid == marker))
                if row is None:
                    raise compute_exc.MarkerNotFound(marker=marker)
                after = [row.created_at, row.id]
            query = common_db.keyset(query, [(M.created_at, False), (M.id, False)], after)
        else:
            query = query.order_by(M.id)
        if limit is not None:
            query = query.limit(limit)
        return [common_db.as_dict(r, *_COLUMNS) for r in session.scalars(query)]
