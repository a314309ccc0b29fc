"""Key pairs: public keys a user imports and servers boot with."""
import base64
import hashlib

import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.compute.db import models


def fingerprint(public_key):
    """The MD5 fingerprint ssh-keygen -l -E md5 prints (as Nova shows it)."""
    parts = public_key.strip().split()
    if len(parts) < 2 or not parts[0].startswith(('ssh-', 'ecdsa-')):
        raise exception.BadRequest('Keypair data is invalid: failed to generate fingerprint')
    try:
        raw = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise exception.BadRequest('Keypair data is invalid: failed to generate fingerprint')
    digest = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def to_dict(row):
    return {'name': row.name, 'user_id': row.user_id, 'fingerprint': row.fingerprint,
            'public_key': row.public_key, 'type': row.type, 'id': row.id,
            'created_at': row.created_at}


class KeypairManager:

    def __init__(self, service):
        self.db = service.db

    def get(self, user_id, name):
        with self.db.reader() as session:
            row = session.scalar(sa.select(models.KeyPair).where(
                models.KeyPair.user_id == user_id, models.KeyPair.name == name))
            if row is None:
                raise exception.NotFound('Keypair %s not found for user %s' % (name, user_id))
            return to_dict(row)
