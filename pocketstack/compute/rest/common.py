"""Helpers the v2.1 API's resources share: Nova's ``limit`` / ``marker``
paging, uuid checks of path ids, the body of an ``…/action``, and the
server columns a create, update or rebuild body sets."""
import ipaddress
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


def check_query(req, known):
    """The 400 Nova gives a query parameter it does not know (for servers
    from 2.75, for every API from 2.102)."""
    unknown = sorted(set(req.GET) - set(known))
    if unknown:
        raise exception.ValidationError('Invalid input for query parameters: additional '
                                        'properties are not allowed (%s)' % ', '.join(unknown))


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


# Body field -> instance column, for what both ``PUT /servers/{id}`` and
# ``rebuild`` may change (rebuild adds key_name and user_data).
SERVER_FIELDS = (('name', 'display_name'), ('description', 'display_description'),
                 ('accessIPv4', 'access_ip_v4'), ('accessIPv6', 'access_ip_v6'),
                 ('hostname', 'hostname'), ('pinned_availability_zone', 'availability_zone'))


def access_ip(value):
    """An access address as Nova stores it: canonical (``::babe:dc0c:1602``
    for ``0000:…:babe:220.12.22.2``); the schema has checked its format."""
    return str(ipaddress.ip_address(value)) if value else value


def server_values(body, fields=SERVER_FIELDS):
    """{column: value} of the ``fields`` a server body names."""
    values = {column: body[field] for field, column in fields if field in body}
    for column in ('access_ip_v4', 'access_ip_v6'):
        if column in values:
            values[column] = access_ip(values[column])
    return values
