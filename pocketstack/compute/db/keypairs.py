"""Key pair queries: each user's public keys, unique by name per user."""
import sqlalchemy as sa

from pocketstack.common import db as common_db
from pocketstack.common import utils
from pocketstack.compute.db import models

K = models.KeyPair


def to_dict(row):
    return {'name': row.name, 'user_id': row.user_id, 'fingerprint': row.fingerprint,
            'public_key': row.public_key, 'type': row.type, 'id': row.id,
            'created_at': row.created_at}


def get(db, user_id, name):
    """The user's key pair of that name, or None."""
    with db.reader() as session:
        row = session.scalar(sa.select(K).where(K.user_id == user_id, K.name == name))
        return to_dict(row) if row is not None else None


def list_for(db, user_id, limit=None, after_name=None):
    """A user's key pairs by name, after ``after_name``."""
    query = sa.select(K).where(K.user_id == user_id).order_by(K.name)
    if after_name is not None:
        query = query.where(K.name > after_name)
    if limit is not None:
        query = query.limit(limit)
    with db.reader() as session:
        return [to_dict(r) for r in session.scalars(query)]


def create(db, values):
    """Insert a key pair (DuplicateEntry if the user has one of that name
    already, created meanwhile)."""
    with db.writer() as session, common_db.duplicates_refused():
        row = K(created_at=utils.utcnow(), **values)
        session.add(row)
        session.flush()
        return to_dict(row)


def delete(db, user_id, name):
    """Delete the user's key pair of that name; False when there was none."""
    with db.writer() as session:
        return session.execute(sa.delete(K).where(K.user_id == user_id,
                                                  K.name == name)).rowcount == 1
