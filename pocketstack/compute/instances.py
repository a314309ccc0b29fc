"""Instance records as every compute process uses them: loading, guarded
state changes, faults, and the action/event log (``os-instance-actions``).

State changes are conditional, as Nova's ``instance.save(expected_task_state=…)``:
an update that expects a task state the instance has left (deleted meanwhile,
another operation won) changes nothing and says so.
"""
import contextlib
import logging
import traceback

import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.db import models

LOG = logging.getLogger(__name__)

_ANY = object()


def to_dict(row):
    instance = {c.name: getattr(row, c.name) for c in models.Instance.__table__.columns}
    instance['metadata'] = {m.key: m.value for m in row.metadata_items}
    instance['tags'] = sorted(t.tag for t in row.tags)
    return instance


def get(db, uuid, read_deleted=False):
    with db.reader() as session:
        query = sa.select(models.Instance).where(models.Instance.uuid == uuid)
        if not read_deleted:
            query = query.where(models.Instance.deleted == 0)
        row = session.scalar(query)
        if row is None:
            raise compute_exc.InstanceNotFound(uuid=uuid)
        return to_dict(row)


def update(db, uuid, expected_task_state=_ANY, expected_vm_state=_ANY, **values):
    """Change an instance if it is still in the expected states; True if it was."""
    query = sa.update(models.Instance).where(models.Instance.uuid == uuid,
                                             models.Instance.deleted == 0)
    for column, expected in (('task_state', expected_task_state),
                             ('vm_state', expected_vm_state)):
        if expected is _ANY:
            continue
        expected = expected if isinstance(expected, (list, tuple, set)) else [expected]
        col = getattr(models.Instance, column)
        allowed = [e for e in expected if e is not None]
        condition = col.in_(allowed) if allowed else sa.false()
        if None in expected:
            condition = sa.or_(condition, col.is_(None))
        query = query.where(condition)
    values.setdefault('updated_at', utils.utcnow())
    with db.writer() as session:
        return session.execute(query.values(**values)).rowcount == 1


def replace_metadata(db, uuid, metadata):
    """Make ``metadata`` the instance's whole metadata (rebuild, ``PUT .../metadata``)."""
    with db.writer() as session:
        session.execute(sa.delete(models.InstanceMetadata)
                        .where(models.InstanceMetadata.instance_uuid == uuid))
        session.add_all(models.InstanceMetadata(instance_uuid=uuid, key=k, value=v)
                        for k, v in metadata.items())


def fail(db, uuid, error, host=None, **values):
    """Apply ``values`` (e.g. vm_state=error) and record the fault in one
    transaction, so no reader sees the state without its fault; True when
    the instance was still there to fail."""
    with db.writer():
        if not update(db, uuid, **values):
            return False
        add_fault(db, uuid, error, host=host)
        return True


def add_fault(db, uuid, error, host=None, code=500):
    """Record why an instance failed (shown as ``fault`` by the API)."""
    message = getattr(error, 'message', None) or str(error) or type(error).__name__
    with db.writer() as session:
        session.add(models.InstanceFault(
            instance_uuid=uuid, code=getattr(error, 'code', code), message=message[:255],
            details=''.join(traceback.format_exception(error))[-8000:] if isinstance(
                error, BaseException) else None,
            host=host))


def latest_fault(session, uuid):
    return session.scalar(sa.select(models.InstanceFault)
                          .where(models.InstanceFault.instance_uuid == uuid)
                          .order_by(models.InstanceFault.id.desc()).limit(1))


# -- actions and events ----------------------------------------------------------

def start_action(db, context, uuid, action):
    """Record that ``action`` was requested on an instance (by the API)."""
    with db.writer() as session:
        session.add(models.InstanceAction(
            instance_uuid=uuid, action=action, request_id=context.request_id,
            user_id=context.user_id, project_id=context.project_id,
            start_time=utils.utcnow()))


def _action_row(session, context, uuid):
    return session.scalar(sa.select(models.InstanceAction).where(
        models.InstanceAction.instance_uuid == uuid,
        models.InstanceAction.request_id == context.request_id)
        .order_by(models.InstanceAction.id.desc()).limit(1))


@contextlib.contextmanager
def event(db, context, uuid, name, host=None):
    """Record a step of the current action: its start, end and result
    ('Success', or 'Error' with the traceback), as Nova's
    ``wrap_instance_event`` does."""
    with db.writer() as session:
        action = _action_row(session, context, uuid)
        if action is None:
            event_id = None
        else:
            row = models.InstanceActionEvent(action_id=action.id, event=name, host=host,
                                             start_time=utils.utcnow())
            session.add(row)
            session.flush()
            event_id = row.id
    result, trace = 'Success', None
    try:
        yield
    except BaseException as e:
        result, trace = 'Error', ''.join(traceback.format_exception(e))[-8000:]
        raise
    finally:
        if event_id is not None:
            now = utils.utcnow()
            with db.writer() as session:
                session.execute(sa.update(models.InstanceActionEvent)
                                .where(models.InstanceActionEvent.id == event_id)
                                .values(finish_time=now, result=result, traceback=trace))
                session.execute(sa.update(models.InstanceAction)
                                .where(models.InstanceAction.id == sa.select(
                                    models.InstanceActionEvent.action_id).where(
                                    models.InstanceActionEvent.id == event_id)
                                    .scalar_subquery())
                                .values(finish_time=now, updated_at=now,
                                        message='Error' if result == 'Error' else None))


# -- allocations -----------------------------------------------------------------

def release_allocations(db, consumer_id):
    with db.writer() as session:
        session.execute(sa.delete(models.Allocation)
                        .where(models.Allocation.consumer_id == consumer_id))


def requested_resources(flavor):
    """What a flavor asks of a host: vCPUs, RAM (MB) and disk (GB, root +
    ephemeral + swap rounded up)."""
    return {'vcpus': flavor['vcpus'], 'memory_mb': flavor['ram'],
            'disk_gb': flavor['disk'] + flavor.get('ephemeral', 0)
            + -(-flavor.get('swap', 0) // 1024)}
