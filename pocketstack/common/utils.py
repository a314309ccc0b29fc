"""The clock and the ids every layer uses — HTTP code, service APIs, the
database layer and compute hosts alike (which is why they are not in
common/db.py: a compute host imports no database code)."""
import datetime
import uuid


def utcnow():
    """Naive UTC now, second precision as the APIs show it."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def new_id(dashes=False):
    """A new resource id: 32 hex digits (Keystone) or a dashed UUID (Nova & co)."""
    return str(uuid.uuid4()) if dashes else uuid.uuid4().hex
