"""How compute processes record what they do to an instance, whichever way
they reach the database — the API and the conductor directly, a compute host
through the conductor: each step as an event of the request's instance
action (Nova's ``wrap_instance_event``), each failure as an instance fault
(``wrap_instance_fault``).  Nothing here touches the database."""
import contextlib
import traceback as traceback_mod

TRACEBACK_CHARS = 8000


def traceback_of(error):
    return ''.join(traceback_mod.format_exception(error))[-TRACEBACK_CHARS:]


def fault_of(error, code=500):
    """The fault an error leaves on an instance: its code, message and traceback."""
    message = getattr(error, 'message', None) or str(error) or type(error).__name__
    return {'code': getattr(error, 'code', code), 'message': message[:255],
            'details': traceback_of(error) if isinstance(error, BaseException) else None}


@contextlib.contextmanager
def recorded(start, finish):
    """Run the body as one event: ``start()`` records its beginning and
    returns its id (None: the request has no action on this instance, so
    nothing is recorded), ``finish(id, traceback)`` its end — with the
    traceback of the error that ended it, or None."""
    event_id = start()
    try:
        yield
    except BaseException as e:
        if event_id is not None:
            finish(event_id, traceback_of(e))
        raise
    if event_id is not None:
        finish(event_id, None)


@contextlib.contextmanager
def migration_step(update, status, done_status=None):
    """One step of a move's record (compute/migrations.py): ``update(status)``
    while it runs, ``update(done_status)`` after it, ``update('error')`` if
    it fails."""
    update(status)
    try:
        yield
    except Exception:
        update('error')
        raise
    if done_status:
        update(done_status)
