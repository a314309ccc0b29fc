"""Quota queries (Nova's database quota driver): each project's own limits
(``quotas``), the ``default`` class's (``quota_classes``), and the counts
of what is counted against them besides instances (db/instances.py)."""
import sqlalchemy as sa

from pocketstack.compute.db import models

DEFAULT_CLASS = 'default'


def _limits(session, model, where):
    return dict(session.execute(sa.select(model.resource, model.hard_limit).where(where)).all())


def class_limits(db):
    """{resource: limit} the ``default`` class sets."""
    with db.reader() as session:
        return _limits(session, models.QuotaClass,
                       models.QuotaClass.class_name == DEFAULT_CLASS)


def project_limits(db, project_id):
    """{resource: limit} a project has of its own."""
    with db.reader() as session:
        return _limits(session, models.Quota, models.Quota.project_id == project_id)


def _store(session, model, owner_column, owner, values):
    for resource, hard_limit in values.items():
        row = session.scalar(sa.select(model).where(owner_column == owner,
                                                    model.resource == resource))
        if row is None:
            session.add(model(**{owner_column.key: owner, 'resource': resource,
                                 'hard_limit': hard_limit}))
        else:
            row.hard_limit = hard_limit


def store_project(db, project_id, values):
    with db.writer() as session:
        _store(session, models.Quota, models.Quota.project_id, project_id, values)


def delete_project(db, project_id):
    """The project's own limits gone (back to the defaults)."""
    with db.writer() as session:
        session.execute(sa.delete(models.Quota).where(models.Quota.project_id == project_id))


def store_defaults(db, values):
    with db.writer() as session:
        _store(session, models.QuotaClass, models.QuotaClass.class_name, DEFAULT_CLASS, values)


def count_server_groups(db, project_id):
    with db.reader() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(models.ServerGroup).where(
            models.ServerGroup.project_id == project_id))


def count_key_pairs(db, user_id):
    with db.reader() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(models.KeyPair).where(
            models.KeyPair.user_id == user_id))
