"""What every identity controller shares: policy at the door, links,
collections and Keystone's list filters."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.identity.api import middleware


def enforce(req, service, action, target=None):
    """Authenticate, then authorize ``identity:<action>`` against ``target``.

    No or an invalid token → 401; a valid token without the right → 403.
    """
    token = middleware.token_of(req)
    target = dict(target or {})
    context = req.context
    values = context.to_policy_values()
    values['project_domain_id'] = token.project['domain']['id'] if token.project else None
    allowed = service.policy.enforcer.enforce('identity:%s' % action, target, values,
                                              do_raise=False)
    if not allowed:
        raise exception.Forbidden(
            'You are not authorized to perform the requested action: identity:%s.' % action)
    return token


def v3_url(req, *parts):
    """Absolute URL under /v3 for links (honours proxies via http_proxy_to_wsgi)."""
    base = req.host_url + req.script_name  # script_name is '/v3' in the v3 app
    return '/'.join([base.rstrip('/')] + [p.strip('/') for p in parts if p])


def with_links(req, collection, ref):
    ref['links'] = {'self': v3_url(req, collection, ref['id'])}
    return ref


def collection(req, name, refs, path=None):
    """``{"users": [...], "links": {"self", "previous", "next"}}``."""
    for ref in refs:
        ref.setdefault('links', {'self': v3_url(req, path or name, ref['id'])})
    return {name: refs,
            'links': {'self': req.host_url + req.path_qs, 'previous': None, 'next': None}}


_OPERATORS = {
    'contains': lambda v, q: q in v,
    'icontains': lambda v, q: q.lower() in v.lower(),
    'startswith': lambda v, q: v.startswith(q),
    'istartswith': lambda v, q: v.lower().startswith(q.lower()),
    'endswith': lambda v, q: v.endswith(q),
    'iendswith': lambda v, q: v.lower().endswith(q.lower()),
    'equals': lambda v, q: v == q,
    'iequals': lambda v, q: v.lower() == q.lower(),
}


def filter_refs(req, refs, attributes):
    """Keystone's list filters: ``?name=x`` exact, ``?name__icontains=x`` and
    the other string operators, booleans as ``true``/``false``.

    Only ``attributes`` are filterable; other query parameters are ignored,
    as Keystone ignores them.
    """
    for key, value in req.GET.items():
        attr, _, op = key.partition('__')
        if attr not in attributes:
            continue
        if op:
            test = _OPERATORS.get(op)
            if test is None:
                continue
            refs = [r for r in refs if isinstance(r.get(attr), str) and test(r[attr], value)]
        elif attr == 'enabled' or isinstance(next((r.get(attr) for r in refs), None), bool):
            wanted = wsgi.query_bool(req, attr)
            refs = [r for r in refs if bool(r.get(attr)) == wanted]
        else:
            refs = [r for r in refs if _as_str(r.get(attr)) == value]
    return refs


def _as_str(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def not_found(kind, ident):
    return exception.NotFound('Could not find %s: %s.' % (kind, ident))


# -- request bodies of the identity entities (domains, projects, users, groups) --

NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': r'\S'}
NULLABLE_STRING = {'type': ['string', 'null']}


def entity_schema(entity, properties, required=(), update=False):
    """Schema of a ``{"<entity>": {...}}`` body: known fields typed, other
    properties allowed (kept as extras, as Keystone does), nothing beside the
    entity; an update must change something."""
    inner = {'type': 'object', 'properties': properties, 'additionalProperties': True}
    if required:
        inner['required'] = list(required)
    if update:
        inner['minProperties'] = 1
    return {'type': 'object', 'required': [entity], 'additionalProperties': False,
            'properties': {entity: inner}}


def default_domain_id(service, token):
    """The domain of a new project, user or group whose body names none: the
    token's domain, else the default domain (Keystone's rule)."""
    return token.domain_id or service.conf.identity.default_domain_id
