"""Host aggregate queries (``os-aggregates``): named sets of compute hosts
with metadata; an ``availability_zone`` key puts the hosts in that zone."""
import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.db import models

AZ_KEY = 'availability_zone'
G = models.Aggregate
H = models.AggregateHost
M = models.AggregateMetadata


def to_dict(row):
    metadata = {m.key: m.value for m in row.metadata_items}
    return {'id': row.id, 'uuid': row.uuid, 'name': row.name,
            'availability_zone': metadata.get(AZ_KEY),
            'hosts': sorted(h.host for h in row.hosts), 'metadata': metadata,
            'created_at': row.created_at, 'updated_at': row.updated_at}


def host_zones(db):
    """{host: zone} of the hosts in an aggregate with an availability zone."""
    with db.reader() as session:
        return dict(session.execute(
            sa.select(H.host, M.value).join(M, M.aggregate_id == H.aggregate_id)
            .where(M.key == AZ_KEY)).all())


def other_zones(db, aggregate_id, hosts, zone):
    """The zones other than ``zone`` that other aggregates put ``hosts`` in."""
    with db.reader() as session:
        return sorted(set(session.scalars(
            sa.select(M.value).join(H, H.aggregate_id == M.aggregate_id)
            .where(M.key == AZ_KEY, H.host.in_(list(hosts)), H.aggregate_id != aggregate_id,
                   M.value != zone))))


def _row(session, aggregate_id):
    row = session.get(G, int(aggregate_id))
    if row is None:
        raise compute_exc.AggregateNotFound(id=aggregate_id)
    return row


def list_all(db):
    with db.reader() as session:
        return [to_dict(a) for a in session.scalars(sa.select(G).order_by(G.id))]


def get(db, aggregate_id):
    """The aggregate (AggregateNotFound if there is none)."""
    with db.reader() as session:
        return to_dict(_row(session, aggregate_id))


def name_taken(db, name, aggregate_id=None):
    """Whether an aggregate other than ``aggregate_id`` has that name."""
    with db.reader() as session:
        return session.scalar(sa.select(G.id).where(
            G.name == name, G.id != (aggregate_id or 0))) is not None


def create(db, name, zone=None):
    with db.writer() as session:
        row = G(uuid=utils.new_id(dashes=True), name=name)
        if zone:
            row.metadata_items.append(M(key=AZ_KEY, value=zone))
        session.add(row)
        session.flush()
        return to_dict(row)


def rename(db, aggregate_id, name):
    with db.writer() as session:
        row = _row(session, aggregate_id)
        row.name, row.updated_at = name, utils.utcnow()
        session.flush()
        return to_dict(row)


def set_metadata(db, aggregate_id, metadata):
    """Set the given keys; a None value removes its key."""
    with db.writer() as session:
        row = _row(session, aggregate_id)
        items = {m.key: m for m in row.metadata_items}
        for key, value in metadata.items():
            if value is None:
                if key in items:
                    row.metadata_items.remove(items.pop(key))
            elif key in items:
                items[key].value = value
            else:
                items[key] = M(key=key, value=value)
                row.metadata_items.append(items[key])
        row.updated_at = utils.utcnow()
        session.flush()
        return to_dict(row)


def delete(db, aggregate_id):
    with db.writer() as session:
        session.delete(_row(session, aggregate_id))


def add_host(db, aggregate_id, host):
    with db.writer() as session:
        row = _row(session, aggregate_id)
        row.hosts.append(H(host=host))
        session.flush()
        return to_dict(row)


def remove_host(db, aggregate_id, host):
    with db.writer() as session:
        row = _row(session, aggregate_id)
        row.hosts.remove(next(h for h in row.hosts if h.host == host))
        session.flush()
        return to_dict(row)
