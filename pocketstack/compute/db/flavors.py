"""Flavor queries: flavors, their extra specs and the projects a private one
is shared with."""
import sqlalchemy as sa

from pocketstack.common import db as common_db
from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.db import models

F = models.Flavor


def to_dict(row):
    """A flavor as servers embed it and the API shows it."""
    return {'id': row.flavorid, 'name': row.name, 'ram': row.memory_mb, 'vcpus': row.vcpus,
            'disk': row.root_gb, 'ephemeral': row.ephemeral_gb, 'swap': row.swap,
            'rxtx_factor': row.rxtx_factor, 'is_public': row.is_public,
            'disabled': row.disabled, 'description': row.description,
            'extra_specs': {s.key: s.value for s in row.extra_specs},
            'projects': sorted(p.project_id for p in row.projects)}


def _row(session, flavorid):
    row = session.scalar(sa.select(F).where(F.flavorid == flavorid))
    if row is None:
        raise compute_exc.FlavorNotFound(id=flavorid)
    return row


def get(db, flavorid):
    """The flavor (FlavorNotFound if there is none)."""
    with db.reader() as session:
        return to_dict(_row(session, flavorid))


def list_all(db):
    with db.reader() as session:
        return [to_dict(r) for r in session.scalars(sa.select(F).order_by(F.flavorid))]


def count(db):
    with db.reader() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(F))


def taken(db, column, value):
    """Whether a flavor has ``value`` as its ``column`` (flavorid, name)."""
    with db.reader() as session:
        return session.scalar(sa.select(F.id).where(getattr(F, column) == value)) is not None


def create(db, values, extra_specs=None):
    """Insert a flavor (DuplicateEntry if its id or name is taken meanwhile)."""
    with db.writer() as session, common_db.duplicates_refused():
        row = F(**values)
        row.extra_specs = [models.FlavorExtraSpec(key=k, value=v)
                           for k, v in (extra_specs or {}).items()]
        session.add(row)
        session.flush()
        return to_dict(row)


def update(db, flavorid, **values):
    with db.writer() as session:
        row = _row(session, flavorid)
        for column, value in values.items():
            setattr(row, column, value)
        row.updated_at = utils.utcnow()
        session.flush()
        return to_dict(row)


def delete(db, flavorid):
    with db.writer() as session:
        session.delete(_row(session, flavorid))


def set_extra_specs(db, flavorid, specs):
    """Add or change extra specs (the others stay); DuplicateEntry if another
    request added one of the keys meanwhile."""
    with db.writer() as session, common_db.duplicates_refused():
        row = _row(session, flavorid)
        existing = {s.key: s for s in row.extra_specs}
        for key, value in specs.items():
            if key in existing:
                existing[key].value = value
            else:
                row.extra_specs.append(models.FlavorExtraSpec(key=key, value=value))
        session.flush()


def _remove_first(children, matches):
    """Remove the first of a row's ``children`` that ``matches``; whether one did."""
    found = next((child for child in children if matches(child)), None)
    if found is not None:
        children.remove(found)
    return found is not None


def delete_extra_spec(db, flavorid, key):
    """Drop one extra spec; False when the flavor has no such key."""
    with db.writer() as session:
        row = _row(session, flavorid)   # held: the collection needs its row alive
        return _remove_first(row.extra_specs, lambda s: s.key == key)


def add_project(db, flavorid, project_id):
    """Share the flavor with a project (DuplicateEntry if it is already)."""
    with db.writer() as session, common_db.duplicates_refused():
        row = _row(session, flavorid)
        row.projects.append(models.FlavorProject(project_id=project_id))
        session.flush()
        return to_dict(row)


def remove_project(db, flavorid, project_id):
    """Stop sharing the flavor with a project; None if it was not."""
    with db.writer() as session:
        row = _row(session, flavorid)
        if not _remove_first(row.projects, lambda p: p.project_id == project_id):
            return None
        session.flush()
        return to_dict(row)


def internal_ids(db):
    """{flavor id: its row id} (os-migrations names flavors by row id)."""
    with db.reader() as session:
        return dict(session.execute(sa.select(F.flavorid, F.id)).all())
