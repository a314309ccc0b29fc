"""Records of server moves (``os-migrations``): each resize or cold
migration has one, whose ``status`` follows the flow as Nova's does —

    pre-migrating (API) → migrating (source) → post-migrating (destination)
    → finished (VERIFY_RESIZE) → confirming → confirmed
                               → reverting  → reverted
    error: no host was found, or a step failed.

The steps find the instance's move still under way; there is at most one.
"""
import contextlib
import uuid as uuid_mod

import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.compute.db import models

DONE = ('confirmed', 'reverted', 'error')


def start(db, context, instance, migration_type, new_flavor):
    with db.writer() as session:
        session.add(models.Migration(
            uuid=str(uuid_mod.uuid4()), instance_uuid=instance['uuid'],
            project_id=instance['project_id'], user_id=context.user_id,
            migration_type=migration_type, status='pre-migrating',
            source_compute=instance['host'], source_node=instance['node'],
            old_flavor_id=instance['flavor']['id'], new_flavor_id=new_flavor['id'],
            created_at=utils.utcnow()))


def update(db, instance_uuid, status, **values):
    """Move the instance's move under way to ``status``."""
    with db.writer() as session:
        session.execute(sa.update(models.Migration).where(
            models.Migration.instance_uuid == instance_uuid,
            models.Migration.status.notin_(DONE)).values(
            status=status, updated_at=utils.utcnow(), **values))


@contextlib.contextmanager
def step(db, instance_uuid, status, done_status=None):
    """One step of the flow: ``status`` while it runs, ``done_status`` after,
    ``error`` if it fails."""
    update(db, instance_uuid, status)
    try:
        yield
    except Exception:
        update(db, instance_uuid, 'error')
        raise
    if done_status:
        update(db, instance_uuid, done_status)
