"""Instance actions (``os-instance-actions``; Nova's ``InstanceActionAPI``):
what was requested of a server, and each step the API, the conductor and the
hosts ran for it.  :func:`event` records a step where the database is at
hand (the API, the conductor); compute hosts record theirs through the
conductor (compute/manager.py)."""
from pocketstack.common import exception
from pocketstack.compute import events
from pocketstack.compute.db import actions as db_actions


def event(db, context, uuid, name, host=None):
    """A context manager: its body is the step ``name`` of the request's
    action on the instance."""
    return events.recorded(
        lambda: db_actions.start_event(db, context.request_id, uuid, name, host),
        lambda event_id, trace: db_actions.finish_event(db, event_id, trace))


class InstanceActionAPI:

    def __init__(self, service):
        self.db = service.db

    def start(self, context, uuid, action):
        db_actions.start(self.db, context, uuid, action)

    def list(self, uuid, since=None, before=None, marker=None, limit=None):
        """A server's actions, newest first (db/actions.list_for)."""
        return db_actions.list_for(self.db, uuid, since, before, marker, limit)

    def get(self, uuid, request_id):
        """The action of one request on the server, with its events."""
        action = db_actions.get(self.db, uuid, request_id)
        if action is None:
            raise exception.NotFound('Action %s not found' % request_id)
        return action
