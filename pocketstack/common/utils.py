"""The clock and the ids every layer uses — HTTP code, service APIs, the
database layer and compute hosts alike (which is why they are not in
common/db.py: a compute host imports no database code)."""
import datetime
import re
import uuid

INT64 = (-2 ** 63, 2 ** 63 - 1)     # what a 64-bit column (and a driver) holds
_INTEGER = re.compile(r'-?[0-9]+\Z')


def utcnow():
    """Naive UTC now, second precision as the APIs show it."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def new_id(dashes=False):
    """A new resource id: 32 hex digits (Keystone) or a dashed UUID (Nova & co)."""
    return str(uuid.uuid4()) if dashes else uuid.uuid4().hex


def integer(text):
    """``text`` as an integer if it is one that fits 64 bits (ASCII digits:
    ``'²'.isdigit()`` is true, yet no int() takes it), else None."""
    if not isinstance(text, str) or not _INTEGER.match(text.strip()):
        return None
    value = int(text)
    return value if INT64[0] <= value <= INT64[1] else None
