"""Helpers the v2.1 API's resources share: Nova's ``limit`` / ``marker``
paging, uuid checks of path ids, and the body of an ``…/action``."""
import urllib.parse
import uuid

from pocketstack.common import exception
from pocketstack.common import wsgi


def page_limit(req, max_limit):
    """``limit`` as Nova reads it: at most ``max_limit``, which 0 or none means."""
    return min(wsgi.query_int(req, 'limit', minimum=0) or max_limit, max_limit)


def next_links(req, path, items, key, limit):
    """The ``next`` link of a full page: the same query, after its last item."""
    if not items or len(items) != limit:
        return None
    params = [(k, v) for k, v in req.GET.items() if k != 'marker']
    query = urllib.parse.urlencode(params + [('marker', items[-1][key])])
    return [{'rel': 'next', 'href': '%s/%s?%s' % (wsgi.base_url(req), path, query)}]


def is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def action_of(req, handlers):
    """(name, handler, value) of an ``…/action`` request: its body's single
    key names the action (``{"os-stop": null}``), which must be one of
    ``handlers`` (400 otherwise)."""
    body = req.json_body()
    if not isinstance(body, dict) or len(body) != 1:
        raise exception.BadRequest('An action body is an object with exactly one key, '
                                   'the action name.')
    (name, value), = body.items()
    handler = handlers.get(name)
    if handler is None:
        raise exception.BadRequest('There is no such action: %s' % name)
    return name, handler, value
