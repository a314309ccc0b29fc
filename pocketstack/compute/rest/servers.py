"""``/servers``: list (``detail`` is the collection action seed 000 traces),
show, create (seed 004's ``POST /servers``), update, delete, and the
``action`` member action whose handlers live in server_actions.py."""
import re
import secrets
import urllib.parse

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute import hosts
from pocketstack.compute import network
from pocketstack.compute import states
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import schemas
from pocketstack.compute.rest import views

SORT_KEYS = {'created_at', 'display_name', 'updated_at', 'uuid', 'vm_state', 'task_state',
             'launched_at', 'terminated_at', 'availability_zone', 'hostname', 'key_name',
             'locked', 'power_state', 'progress', 'project_id', 'user_id', 'host', 'node'}
ADMIN_SORT_KEYS = {'host', 'node'}
PAGING = {'limit', 'marker', 'sort_key', 'sort_dir'}

# Query filters of GET /servers: the ones members may use, by the version that
# allowed them (Nova drops the others silently for members), and those only
# admins may use.
MEMBER_FILTERS = [((2, 1), {'reservation_id', 'name', 'status', 'image', 'flavor', 'ip',
                            'changes-since'}),
                  ((2, 5), {'ip6'}),
                  ((2, 26), {'tags', 'tags-any', 'not-tags', 'not-tags-any'}),
                  ((2, 66), {'changes-before'}),
                  ((2, 73), {'locked'}),
                  ((2, 83), {'availability_zone', 'config_drive', 'key_name', 'created_at',
                             'launched_at', 'terminated_at', 'power_state', 'task_state',
                             'vm_state', 'progress', 'user_id'})]
ADMIN_FILTERS = {'all_tenants', 'deleted', 'host', 'node', 'project_id', 'tenant_id', 'uuid',
                 'hostname', 'launch_index', 'locked_by'}
# From 2.75 anything else in the query string is a 400 (Nova's query schema).
KNOWN_PARAMETERS = set().union(PAGING, ADMIN_FILTERS, *(f for _, f in MEMBER_FILTERS))

# Filters that compare one column with the parameter's value (converted).
_EXACT = {'reservation_id': ('reservation_id', str), 'image': ('image_ref', str),
          'key_name': ('key_name', str), 'availability_zone': ('availability_zone', str),
          'vm_state': ('vm_state', str), 'task_state': ('task_state', str),
          'power_state': ('power_state', int), 'progress': ('progress', int),
          'user_id': ('user_id', str), 'uuid': ('uuid', str), 'hostname': ('hostname', str),
          'host': ('host', str), 'node': ('node', str), 'launch_index': ('launch_index', int),
          'locked_by': ('locked_by', str), 'created_at': ('created_at', wsgi.parse_datetime),
          'launched_at': ('launched_at', wsgi.parse_datetime),
          'terminated_at': ('terminated_at', wsgi.parse_datetime)}


def _regex(param, pattern):
    try:
        return re.compile(pattern)
    except re.error:
        raise exception.BadRequest('Invalid regular expression for %s: %s' % (param, pattern))


def _tags(value):
    return set(value.split(','))


def _address_test(patterns):
    """``ip`` / ``ip6``: regular expressions searched in a server's fixed and
    floating addresses of that IP version (its cached network info) — the
    only filters SQL cannot apply."""
    def matches(instance):
        entries = [e for found in network.addresses(instance['network_info']).values()
                   for e in found]
        return all(any(e['version'] == version and pattern.search(e['addr'])
                       for e in entries) for version, pattern in patterns)
    return matches


def with_groups(req, api, server):
    """2.71: a server's body (show, update, rebuild) names its groups."""
    if microversion.api_version(req) >= (2, 71):
        server['server_groups'] = api.server_groups_of(server['id'])
    return server


def ref_id(ref):
    """An id, or the last segment of a link to it (Nova accepts both)."""
    ref = str(ref)
    return ref.rstrip('/').rsplit('/', 1)[-1] if '/' in ref else ref


class ServersController:

    def __init__(self, service):
        self.api = service.api
        self.policy = service.policy
        self.conf = service.conf

    def _authorize(self, req, action, project_id=None):
        self.policy.authorize(req.context, 'os_compute_api:servers:%s' % action,
                              {'project_id': project_id or req.context.project_id})

    # -- lists -------------------------------------------------------------------------

    def index(self, req):
        self._authorize(req, 'index')
        found = self._list(req, 'index')
        return self._page(req, [views.basic(req, i) for i in found], found)

    def detail(self, req):
        self._authorize(req, 'detail')
        found = self._list(req, 'detail')
        return self._page(req, self._details(req, found), found)

    def _details(self, req, found, show=False):
        admin = req.context.is_admin_role
        faults = self.api.faults(i['uuid'] for i in found)
        compute_hosts = self.api.compute_hosts()   # read once for both
        statuses = {h: hosts.status(svc) for h, svc in compute_hosts.items()} if admin and \
            microversion.api_version(req) >= (2, 16) else {}
        zones = {h: svc['zone'] for h, svc in compute_hosts.items()}
        return [views.detail(req, i, admin, faults.get(i['uuid']),
                             host_status=self._host_status(i, statuses) if admin else None,
                             show=show, zones=zones) for i in found]

    @staticmethod
    def _host_status(instance, statuses):
        return statuses.get(instance['host'], 'UNKNOWN') if instance['host'] else ''

    def _page(self, req, servers, found):
        """The page, with a ``next`` link when it is full (as Nova: a full last
        page links to an empty one)."""
        body = {'servers': servers}
        if found and len(found) == self._limit(req):
            params = [(k, v) for k, v in req.GET.items() if k != 'marker']
            query = urllib.parse.urlencode(params + [('marker', found[-1]['uuid'])])
            collection = 'servers/detail' if req.path_info.endswith('/detail') else 'servers'
            body['servers_links'] = [{'rel': 'next', 'href': '%s/%s?%s' % (
                wsgi.base_url(req), collection, query)}]
        return body

    def _limit(self, req):
        return min(wsgi.query_int(req, 'limit', self.conf.api.max_limit, minimum=0),
                   self.conf.api.max_limit)

    def _search_options(self, req):
        """The query parameters that apply to this caller at this version."""
        version = microversion.api_version(req)
        if version >= (2, 75):
            common.check_query(req, KNOWN_PARAMETERS)
        if req.context.is_admin_role:
            allowed = KNOWN_PARAMETERS
        else:
            allowed = set(PAGING).union(*(f for since, f in MEMBER_FILTERS if version >= since))
        return {k: req.GET.getall(k) for k in req.GET if k in allowed}

    def _list(self, req, action):
        """The page the query asks for: its filters (those this caller may
        use at this version) in the compute API's terms, its sort keys, limit
        and marker."""
        context = req.context
        admin = context.is_admin_role
        version = microversion.api_version(req)
        params = self._search_options(req)
        one = {k: v[-1] for k, v in params.items()}
        filters = {}
        if admin and wsgi.query_bool(req, 'deleted', False):
            filters['deleted'] = True
        if 'name' in one:
            _regex('display_name', one['name'])
            filters['name'] = one['name']
        if 'status' in params:
            wanted = {s.upper() for s in params['status']}
            unknown = {s for s in wanted if not states.is_status(s)}
            if unknown and version >= (2, 38):
                raise exception.BadRequest('Invalid status value: %s' % ', '.join(sorted(unknown)))
            if 'DELETED' in wanted:
                if not admin:
                    raise exception.Forbidden('Only administrators may list deleted instances')
                filters['deleted'] = True
            filters['status'] = wanted
        for param, (column, convert) in _EXACT.items():
            if param in one:
                try:
                    filters[column] = convert(one[param])
                except ValueError:
                    raise exception.BadRequest('Invalid value for %s: %s' % (param, one[param]))
        if 'flavor' in one:
            filters['flavor'] = one['flavor']
        if 'config_drive' in one:
            filters['config_drive'] = wsgi.query_bool(req, 'config_drive')
        for name in ('tags', 'tags-any', 'not-tags', 'not-tags-any'):
            if name in one:
                filters[name] = _tags(one[name])
        if 'locked' in one:
            filters['locked'] = wsgi.query_bool(req, 'locked')
        if 'changes-since' in one:
            filters['changes-since'] = wsgi.parse_datetime(one['changes-since'])
        if 'changes-before' in one:
            filters['changes-before'] = wsgi.parse_datetime(one['changes-before'])
            if filters['changes-before'] < filters.get('changes-since',
                                                       filters['changes-before']):
                raise exception.BadRequest('The value of changes-since must be less than or '
                                           'equal to changes-before.')
        # As Nova: asking for every project's servers is a policy question
        # (403 for a project's member), not a filter silently dropped.
        all_tenants = wsgi.query_bool(req, 'all_tenants', False)
        if all_tenants:
            self._authorize(req, '%s:get_all_tenants' % action)
        if all_tenants and (one.get('project_id') or one.get('tenant_id')):
            filters['project_id'] = one.get('project_id') or one.get('tenant_id')
        addresses = [(v, _regex('addr', one[param])) for param, v in (('ip', 4), ('ip6', 6))
                     if param in one]
        return self.api.list(context, filters, self._sort(req, admin), self._limit(req),
                             one.get('marker'), all_tenants=all_tenants,
                             matches=_address_test(addresses) if addresses else None)

    @staticmethod
    def _sort(req, admin):
        keys = req.GET.getall('sort_key')
        dirs = req.GET.getall('sort_dir')
        for key in keys:
            if key not in SORT_KEYS:
                raise exception.BadRequest('Invalid sort_key: %s' % key)
        for direction in dirs:
            if direction not in ('asc', 'desc'):
                raise exception.BadRequest('Invalid sort_dir: %s' % direction)
        sort = [(k, dirs[n] if n < len(dirs) else 'desc') for n, k in enumerate(keys)
                if admin or k not in ADMIN_SORT_KEYS]
        if not sort:
            return [('created_at', dirs[0] if dirs else 'desc'), ('uuid', 'desc')]
        return sort + [('uuid', sort[-1][1])]

    # -- one server ----------------------------------------------------------------------

    def show(self, req, server_id):
        instance = self.api.get(req.context, server_id)
        self._authorize(req, 'show', instance['project_id'])
        instance = self.api.refreshed(req.context, instance)
        return {'server': with_groups(req, self.api, self._details(req, [instance], show=True)[0])}

    @wsgi.status(202)
    def create(self, req):
        self._authorize(req, 'create')
        version = microversion.api_version(req)
        body = req.json_body()
        wsgi.check_schema(schemas.server_create(version), body)
        server = body['server']
        networks = server.get('networks')
        if isinstance(networks, list) and version < (2, 32) and any(
                'tag' in n for n in networks):
            raise exception.ValidationError('Invalid input for field/attribute networks: '
                                            'tag is not allowed before microversion 2.32')
        if isinstance(networks, list) and not networks and version < (2, 37):
            networks = None  # an empty list meant "whatever is available"
        security_groups = [g['name'] for g in server.get('security_groups') or ()
                           if g.get('name')] or None
        image_ref = server.get('imageRef') or _bdm_image(server.get('block_device_mapping_v2'))
        min_count = server.get('min_count', 1)
        max_count = server.get('max_count', min_count)
        if min_count > max_count:
            raise exception.BadRequest('min_count must be <= max_count')
        if server.get('hostname') and max_count > 1:
            raise exception.BadRequest('Unable to set hostname with multiple create.')
        if server.get('host') and server.get('hypervisor_hostname') not in (
                None, server['host']):
            raise exception.BadRequest('Compute host %s has no hypervisor %s.' % (
                server['host'], server['hypervisor_hostname']))
        created, reservation_id = self.api.create(
            req.context, server['name'], ref_id(image_ref) if image_ref else None,
            ref_id(server['flavorRef']),
            min_count=min_count, max_count=max_count, key_name=server.get('key_name'),
            user_data=server.get('user_data'), metadata=server.get('metadata'),
            availability_zone=server.get('availability_zone'),
            description=server.get('description'), hostname=server.get('hostname'),
            tags=server.get('tags', ()), access_ip_v4=common.access_ip(server.get('accessIPv4')),
            access_ip_v6=common.access_ip(server.get('accessIPv6')), config_drive=server.get('config_drive'),
            requested_host=server.get('host') or server.get('hypervisor_hostname'),
            requested_networks=networks, security_groups=security_groups,
            scheduler_hints=body.get('os:scheduler_hints') or body.get(
                'OS-SCH-HNT:scheduler_hints') or server.get('scheduler_hints'))
        if server.get('return_reservation_id'):
            return wsgi.json_response({'reservation_id': reservation_id}, status=202)
        view = views.basic(req, created[0])
        del view['name']
        view.update({'OS-DCF:diskConfig': 'MANUAL',
                     'security_groups': [{'name': n} for n in created[0]['system_metadata'][
                         'security_groups']],
                     'adminPass': server.get('adminPass') or new_password()})
        resp = wsgi.json_response({'server': view}, status=202)
        resp.headers['Location'] = view['links'][0]['href']
        return resp

    def update(self, req, server_id):
        version = microversion.api_version(req)
        body = req.json_body()
        wsgi.check_schema(schemas.server_update(version), body)
        instance = self.api.get(req.context, server_id)
        self._authorize(req, 'update', instance['project_id'])
        instance = self.api.update(req.context, server_id, **common.server_values(body['server']))
        server = views.changed(req, self._details(req, [instance], show=True)[0], instance)
        return {'server': with_groups(req, self.api, server)}

    @wsgi.status(204)
    def delete(self, req, server_id):
        instance = self.api.get(req.context, server_id)
        self._authorize(req, 'delete', instance['project_id'])
        self.api.delete(req.context, server_id)


def new_password():
    """The ``adminPass`` of a boot or rebuild that named none."""
    return secrets.token_urlsafe(9)


def _bdm_image(mappings):
    """The image a boot-from-image block device mapping names, if any."""
    for mapping in mappings or ():
        if mapping.get('source_type') == 'image' and mapping.get('boot_index') in (0, '0'):
            return mapping.get('uuid')
    return None
