"""One controller class serves every resource, as Neutron's ``base.Controller``
does: it turns a request into a plugin call and the plugin's dict back
into the api-ref's body.

    GET    /v2.0/networks        index   → plugin.get_networks(ctx, filters, fields, sorts, …)
    POST   /v2.0/networks        create  → plugin.create_network(ctx, attrs)  (or a bulk list)
    GET    /v2.0/networks/{id}   show    → plugin.get_network(ctx, id, fields)
    PUT    /v2.0/networks/{id}   update  → plugin.update_network(ctx, id, attrs)
    DELETE /v2.0/networks/{id}   delete  → plugin.delete_network(ctx, id)

Here: the attribute map's checks (400), the policy (network/policies.py:
403 for what the caller may see but not do, 404 for what it may not see —
a list leaves such items out), ``fields``, filters, sorting, pagination
links and ``If-Match``.  The plugin decides what exists for the caller at
all (404).
"""
import re

from pocketstack.common import db as common_db
from pocketstack.common import exception as common_exception
from pocketstack.common import wsgi
from pocketstack.network import exception
from pocketstack.network.api import attributes

# Resources whose policy target carries its parent's owner (Neutron's owner
# checks): member -> (attribute naming the parent, the parent's collection,
# the method of its plugin that reads the parents' policy fields).
PARENTS = {
    'subnet': ('network_id', 'networks', 'network_policy_fields'),
    'port': ('network_id', 'networks', 'network_policy_fields'),
    'security_group_rule': ('security_group_id', 'security-groups', 'group_policy_fields'),
}

IF_MATCH_RE = re.compile(r'^\s*revision_number=(\d+)\s*$')


def bad_request(message):
    return common_exception.BadRequest(message)


class Controller:

    def __init__(self, service, resource):
        self.service = service
        self.resource = resource
        self.plugin = service.plugin_for(resource.collection)
        self.member = resource.member
        self.attrs = resource.attributes

    def _call(self, verb, *args, **kwargs):
        """plugin.<verb>_<member>(…): the plugin's Neutron-named method."""
        name = '%s_%s' % (verb, self.member)
        return getattr(self.plugin, name)(*args, **kwargs)

    # -- reads -------------------------------------------------------------

    def index(self, req):
        context = req.context
        fields = self._fields(req)
        filters = self._filters(req)
        sorts = self._sorts(req)
        limit = self._limit(req)
        marker = req.GET.get('marker') or None
        page_reverse = wsgi.query_bool(req, 'page_reverse', False)
        # One more than asked for tells whether another page follows.
        items = getattr(self.plugin, 'get_%s' % self.resource.collection_key)(
            context, filters=filters, fields=fields, sorts=sorts,
            limit=limit + 1 if limit else None, marker=marker, page_reverse=page_reverse)
        more = bool(limit) and len(items) > limit
        if more:
            items = items[1:] if page_reverse else items[:limit]
        key = self.resource.collection_key
        checks = PolicyAnswers(self.service.policy, context)
        targets = self._targets(context, items)
        body = {key: [self.view(checks, item, target, fields)
                      for item, target in zip(items, targets)
                      if checks.allowed('get_%s' % self.member, target)]}
        links = self._links(req, items, limit, marker, more, page_reverse)
        if links:
            body[key + '_links'] = links
        return body

    def show(self, req, id):
        context = req.context
        fields = self._fields(req)
        item = self._call('get', context, id, fields=fields)
        checks = PolicyAnswers(self.service.policy, context)
        (target,) = self._targets(context, [item])
        if not checks.allowed('get_%s' % self.member, target):
            raise self._not_found(id)
        return {self.member: self.view(checks, item, target, fields)}

    def view(self, checks, item, target, fields=None):
        """The item as this caller may see it (``get_<member>:<attribute>``),
        limited to ``fields``."""
        return {name: value for name, value in item.items()
                if (not fields or name in fields)
                and checks.allowed('get_%s:%s' % (self.member, name), target, optional=True)}

    def _single_view(self, context, item):
        checks = PolicyAnswers(self.service.policy, context)
        (target,) = self._targets(context, [item])
        return self.view(checks, item, target)

    # -- writes ------------------------------------------------------------

    @wsgi.status(201)
    @common_db.retry_on_deadlock
    def create(self, req):
        body = req.json_body()
        context = req.context
        key = self.resource.collection_key
        if isinstance(body, dict) and key in body and self.member not in body:
            return self._create_bulk(req, body[key])
        attrs = self._prepare_create(context, self._member_body(body))
        item = self._call('create', context, attrs)
        return {self.member: self._single_view(context, item)}

    def _create_bulk(self, req, items):
        """Several in one request: all are created, or none is."""
        if not isinstance(items, list) or not items:
            raise bad_request('Resources required')
        context = req.context
        prepared = [self._prepare_create(context, self._member_body({self.member: item}))
                    for item in items]
        with self.service.db.writer():
            created = [self._call('create', context, attrs) for attrs in prepared]
        return {self.resource.collection_key: [self._single_view(context, item)
                                               for item in created]}

    @common_db.retry_on_deadlock
    def update(self, req, id):
        context = req.context
        given = self._member_body(req.json_body())
        attrs = self._convert(given, 'PUT')
        with self.service.db.writer():
            current = self._call('get', context, id)
            self._check_revision(req, current)
            self._authorize(context, 'update_%s' % self.member, current, attrs)
            item = self._call('update', context, id, attrs)
        return {self.member: self._single_view(context, item)}

    @common_db.retry_on_deadlock
    def delete(self, req, id):
        context = req.context
        with self.service.db.writer():
            current = self._call('get', context, id)
            self._check_revision(req, current)
            self._authorize(context, 'delete_%s' % self.member, current)
            self._call('delete', context, id)

    @common_db.retry_on_deadlock
    def member_action(self, req, id, action):
        """PUT /routers/{id}/add_router_interface and its kind: the plugin's
        ``<action>(ctx, id, body)`` after the caller is allowed to change
        the resource."""
        context = req.context
        body = req.json_body()
        if not isinstance(body, dict):
            raise bad_request('Body of %s must be an object' % action)
        convert = attributes.ACTION_BODIES.get(action)
        if convert is not None:
            body = convert(body, action)
        with self.service.db.writer():
            current = self._call('get', context, id)
            self._authorize(context, action, current)
            return getattr(self.plugin, action)(context, id, body)

    # -- request parsing ---------------------------------------------------

    def _member_body(self, body):
        if not isinstance(body, dict) or not isinstance(body.get(self.member), dict):
            raise bad_request("Unable to find '%s' in request body" % self.member)
        extra = sorted(set(body) - {self.member})
        if extra:
            raise bad_request("Unrecognized attribute(s) '%s'" % ', '.join(extra))
        return body[self.member]

    def _convert(self, given, method):
        unknown = sorted(name for name in given if name not in self.attrs)
        if unknown:
            raise bad_request("Unrecognized attribute(s) '%s'" % ', '.join(unknown))
        attrs = {}
        for name, value in given.items():
            attr = self.attrs[name]
            if method == 'POST' and not attr.post:
                raise bad_request("Attribute '%s' not allowed in POST" % name)
            if method == 'PUT' and not attr.put:
                raise bad_request('Cannot update read-only attribute %s' % name)
            attrs[name] = attr.convert(value, name)
        return attrs

    def _prepare_create(self, context, given):
        attrs = self._convert(given, 'POST')
        for name, attr in self.attrs.items():
            if attr.required and name not in attrs:
                raise bad_request("Failed to parse request. Required attribute '%s' not "
                                  "specified" % name)
        project_id = attrs.pop('project_id', None)
        tenant_id = attrs.pop('tenant_id', None)
        if project_id and tenant_id and project_id != tenant_id:
            raise bad_request("'project_id' and 'tenant_id' do not match")
        attrs['project_id'] = project_id or tenant_id or context.project_id
        self._authorize(context, 'create_%s' % self.member, attrs, attrs)
        return attrs

    def _authorize(self, context, action, resource, attrs=None):
        """``action`` on ``resource``, then ``<action>:<attribute>`` (and
        ``<action>:<attribute>:<key>`` for the keys of its objects) for each
        attribute the request sets that has a rule — on create, only those
        set to something else than their default, as Neutron does.  A
        refusal of what the caller may not even read is a 404."""
        policy = self.service.policy
        (target,) = self._targets(context, [resource], creating=action.startswith('create_'))
        actions = [action]
        for name, value in (attrs or {}).items():
            default = self.attrs[name].default if name in self.attrs else attributes.NO_DEFAULT
            if action.startswith('create_') and value == default:
                continue
            actions.append('%s:%s' % (action, name))
            entries = value if isinstance(value, list) else [value]
            actions += ['%s:%s:%s' % (action, name, key) for key in sorted(
                {key for entry in entries if isinstance(entry, dict) for key in entry})]
        for wanted in actions:
            if wanted != action and not policy.has_rule(wanted):
                continue
            if not policy.check(context, wanted, target):
                if not action.startswith('create_') and not policy.check(
                        context, 'get_%s' % self.member, target):
                    raise self._not_found(resource.get('id'))
                raise common_exception.PolicyNotAuthorized(action=wanted)

    def _targets(self, context, items, creating=False):
        """The policy targets of ``items``: their attributes, the owner as
        ``project_id`` and ``tenant_id``, and their parent's fields (PARENTS).
        A parent the caller cannot see is its NotFound when creating."""
        targets = [_target(item) for item in items]
        if self.member in PARENTS:
            key, collection, method = PARENTS[self.member]
            ids = {t.get(key) for t in targets if t.get(key)}
            fields = getattr(self.service.plugin_for(collection), method)(context, ids)
            for target in targets:
                if creating and target.get(key) not in fields:
                    raise exception.not_found(attributes.RESOURCES[collection].member,
                                              target.get(key))
                target.update(fields.get(target.get(key), {}))
        return targets

    def _not_found(self, id):
        """The resource's own 404 (NetworkNotFound, PortNotFound…)."""
        return exception.not_found(self.member, id)

    def _check_revision(self, req, current):
        header = req.headers.get('If-Match')
        if not header:
            return
        match = IF_MATCH_RE.match(header)
        if match is None:
            raise bad_request("If-Match header must be 'revision_number=<number>'")
        if int(match.group(1)) != current.get('revision_number'):
            raise exception.RevisionNumberConstraintFailed(
                constraint=match.group(1), current=current.get('revision_number'))

    def _fields(self, req):
        fields = [f for value in req.GET.getall('fields') for f in value.split(',') if f]
        return fields or None

    def _filters(self, req):
        """{attribute: [values]} of the query string; an attribute the
        resource cannot be filtered on is a 400 (filter-validation)."""
        filters = {}
        extra = attributes.EXTRA_FILTERS.get(self.resource.collection, ())
        for name in req.GET:
            if name in attributes.LIST_PARAMETERS or name in filters:
                continue
            values = req.GET.getall(name)
            if name in attributes.TAG_FILTERS:
                filters[name] = [t for v in values for t in v.split(',') if t]
            elif name == 'fixed_ips' and name in extra:
                filters[name] = _fixed_ip_filter(values)
            elif name in extra:
                filters[name] = [v for value in values for v in value.split(',') if v]
            elif name in self.attrs and self.attrs[name].column:
                attr = self.attrs[name]
                filters[name] = [_filter_value(attr, v, name) for v in values]
            else:
                raise bad_request('%s is invalid attribute for filtering' % name)
        return filters

    def _sorts(self, req):
        keys, dirs = req.GET.getall('sort_key'), req.GET.getall('sort_dir')
        if not keys and not dirs:
            return None
        if dirs and len(keys) != len(dirs):
            raise bad_request('The number of sort_keys and sort_dirs must be same')
        dirs = dirs or ['asc'] * len(keys)
        sorts = []
        for key, direction in zip(keys, dirs):
            attr = self.attrs.get(key)
            if attr is None or not attr.column or key == 'tags':
                raise bad_request('%s is an invalid attribute for sort_keys' % key)
            if direction not in ('asc', 'desc'):
                raise bad_request("%s is an invalid value for sort_dirs, valid values are "
                                  "'asc' and 'desc'" % direction)
            sorts.append(('project_id' if key == 'tenant_id' else key, direction == 'asc'))
        return sorts

    def _limit(self, req):
        limit = wsgi.query_int(req, 'limit', None)
        if limit is not None and limit < 0:
            raise bad_request("Limit must be an integer 0 or greater and not '%d'" % limit)
        maximum = self.service.conf.pagination_max_limit
        if maximum > 0:
            limit = min(limit, maximum) if limit else maximum
        return limit or None

    def _links(self, req, items, limit, marker, more, page_reverse):
        """``next`` past the last item when more follow, ``previous`` before
        the first when this page started at a marker (mirrored when
        paging backwards), as Neutron's pagination links."""
        if not items or not limit:
            return []
        links = []
        # Paging backwards, "more" lies before the first item, and the marker after the last.
        more_next, more_previous = (marker, more) if page_reverse else (more, marker)
        forward, backward = (more_next, 'next', items[-1]), (more_previous, 'previous', items[0])
        for wanted, rel, item in (forward, backward):
            if wanted and item.get('id'):
                params = [(k, v) for k, v in req.GET.items()
                          if k not in ('marker', 'page_reverse', 'limit')]
                params += [('limit', str(limit)), ('marker', item['id'])]
                if rel == 'previous':
                    params.append(('page_reverse', 'True'))
                links.append({'rel': rel, 'href': _url(req, params)})
        return links


class PolicyAnswers:
    """One request's policy answers, remembered per rule and per the values
    of the target keys the rule reads: a list of 1,000 ports of one project
    asks each rule once, not 1,000 times."""

    def __init__(self, policy, context):
        self.policy = policy
        self.context = context
        self._keys = {}
        self._answers = {}

    def allowed(self, action, target, optional=False):
        """Whether ``action`` is allowed on ``target``; with ``optional``, an
        action that has no rule is allowed (attributes without one)."""
        if action not in self._keys:
            if optional and not self.policy.has_rule(action):
                self._keys[action] = None
            else:
                self._keys[action] = self.policy.target_keys(action)
        keys = self._keys[action]
        if keys is None:
            return True
        key = (action, tuple(repr(target.get(k)) for k in keys))
        if key not in self._answers:
            self._answers[key] = self.policy.check(self.context, action, target)
        return self._answers[key]


def _target(item):
    """A policy target: the resource's attributes, its owner as project_id."""
    target = dict(item)
    target.setdefault('project_id', item.get('tenant_id'))
    target['tenant_id'] = target['project_id']
    return target


def _filter_value(attr, value, name):
    """A query-string value converted as the attribute's body value would
    be ('true' → True, '4' → 4; anything else → 400); other values stay
    strings (an unknown id simply matches nothing)."""
    if attr.convert is attributes.boolean or getattr(attr.convert, 'numeric', False):
        return attr.convert(value, name)
    return value


def _fixed_ip_filter(values):
    """``fixed_ips=ip_address=10.0.0.5&fixed_ips=subnet_id=…`` →
    {'ip_address': [...], 'subnet_id': [...]}."""
    result = {}
    for value in values:
        key, sep, wanted = value.partition('=')
        if not sep or key not in ('ip_address', 'subnet_id', 'ip_address_substr'):
            raise bad_request("Invalid fixed_ips filter '%s': expected ip_address=<ip>, "
                              "subnet_id=<id> or ip_address_substr=<text>" % value)
        result.setdefault(key, []).append(wanted)
    return result


def _url(req, params):
    from urllib.parse import urlencode
    return '%s?%s' % (req.path_url, urlencode(params))
