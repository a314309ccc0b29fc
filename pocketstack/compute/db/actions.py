"""Instance action queries (``os-instance-actions``): an action per API
request on an instance, and the events — the steps each process ran for it."""
import sqlalchemy as sa

from pocketstack.common import db as common_db
from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.db import models

A = models.InstanceAction
E = models.InstanceActionEvent
_ACTION = ('action', 'instance_uuid', 'request_id', 'user_id', 'project_id', 'start_time',
           'message', 'updated_at')
_EVENT = ('event', 'start_time', 'finish_time', 'result', 'traceback', 'host', 'details')


def start(db, context, uuid, action):
    """Record that ``action`` was requested on an instance (by the API)."""
    with db.writer() as session:
        session.add(A(instance_uuid=uuid, action=action, request_id=context.request_id,
                      user_id=context.user_id, project_id=context.project_id,
                      start_time=utils.utcnow()))


def start_event(db, request_id, uuid, name, host=None):
    """Record that a step of the request's action on the instance began; its
    id, or None when the request recorded no action on it."""
    with db.writer() as session:
        action_id = session.scalar(sa.select(A.id).where(
            A.instance_uuid == uuid, A.request_id == request_id).order_by(A.id.desc()).limit(1))
        if action_id is None:
            return None
        row = E(action_id=action_id, event=name, host=host, start_time=utils.utcnow())
        session.add(row)
        session.flush()
        return row.id


def finish_event(db, event_id, traceback=None):
    """The step ended: 'Success', or 'Error' with ``traceback``; its action
    was updated then (and failed with it)."""
    now = utils.utcnow()
    result = 'Success' if traceback is None else 'Error'
    with db.writer() as session:
        session.execute(sa.update(E).where(E.id == event_id).values(
            finish_time=now, result=result, traceback=traceback))
        session.execute(sa.update(A).where(
            A.id == sa.select(E.action_id).where(E.id == event_id).scalar_subquery())
            .values(finish_time=now, updated_at=now,
                    message='Error' if traceback is not None else None))


def _action(row, events=False):
    action = common_db.as_dict(row, *_ACTION)
    if events:
        action['events'] = [common_db.as_dict(e, *_EVENT) for e in row.events]
    return action


def list_for(db, uuid, since=None, before=None, marker=None, limit=None):
    """An instance's actions, newest first: last changed (its latest event's
    end, or its start) at or after ``since`` and at or before ``before``;
    older than the action of request ``marker`` (MarkerNotFound when there
    is none)."""
    updated = sa.func.coalesce(A.updated_at, A.start_time)
    query = sa.select(A).where(A.instance_uuid == uuid)
    if since is not None:
        query = query.where(updated >= since)
    if before is not None:
        query = query.where(updated <= before)
    with db.reader() as session:
        after = None
        if marker is not None:
            row = session.scalar(sa.select(A).where(A.instance_uuid == uuid,
                                                    A.request_id == marker))
            if row is None:
                raise compute_exc.MarkerNotFound(marker=marker)
            after = [row.start_time, row.id]
        query = common_db.keyset(query, [(A.start_time, False), (A.id, False)], after)
        if limit is not None:
            query = query.limit(limit)
        return [_action(r) for r in session.scalars(query)]


def get(db, uuid, request_id):
    """The action of request ``request_id`` on the instance, with its events
    (oldest first); None when there is none."""
    with db.reader() as session:
        row = session.scalar(sa.select(A).where(
            A.instance_uuid == uuid, A.request_id == request_id).order_by(A.id.desc()).limit(1))
        return _action(row, events=True) if row is not None else None
