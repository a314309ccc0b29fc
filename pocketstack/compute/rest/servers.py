"""``/servers``: list (``detail`` is the collection action seed 000 traces),
show, create (seed 004's ``POST /servers``), update, delete, and the
``action`` member action whose handlers live in server_actions.py."""
import re
import secrets

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute import states
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import schemas
from pocketstack.compute.rest import views
from pocketstack.compute.api import is_admin

SORT_KEYS = {'created_at', 'display_name', 'updated_at', 'uuid', 'vm_state', 'task_state',
             'launched_at', 'terminated_at', 'availability_zone', 'hostname', 'key_name',
             'locked', 'power_state', 'progress', 'project_id', 'user_id', 'host', 'node'}
ADMIN_FILTERS = {'host', 'node', 'project_id', 'tenant_id', 'all_tenants', 'deleted'}


def _contains_all(wanted):
    return lambda i: set(wanted) <= set(i['tags'])


def _regex(column, pattern):
    try:
        compiled = re.compile(pattern)
    except re.error:
        raise exception.BadRequest('Invalid regular expression for %s: %s' % (column, pattern))
    return lambda i: bool(compiled.search(i[column] or ''))


class ServersController:

    def __init__(self, service):
        self.service = service
        self.api = service.api
        self.policy = service.policy
        self.conf = service.conf

    def _authorize(self, req, action, project_id=None):
        self.policy.authorize(req.context, 'os_compute_api:servers:%s' % action,
                              {'project_id': project_id or req.context.project_id})

    # -- lists -------------------------------------------------------------------------

    def index(self, req):
        self._authorize(req, 'index')
        found = self._list(req)
        return self._page(req, [views.basic(req, i) for i in found], found)

    def detail(self, req):
        self._authorize(req, 'detail')
        found = self._list(req)
        return self._page(req, self._details(req, found), found)

    def _details(self, req, found, show=False):
        admin = is_admin(req.context)
        faults = self.api.faults(i['uuid'] for i in found)
        statuses = self.api.host_statuses() if admin and \
            microversion.api_version(req) >= (2, 16) else {}
        return [views.detail(req, i, admin, faults.get(i['uuid']),
                             host_status=self._host_status(i, statuses) if admin else None,
                             show=show) for i in found]

    @staticmethod
    def _host_status(instance, statuses):
        return statuses.get(instance['host'], 'UNKNOWN') if instance['host'] else ''

    def _page(self, req, servers, found):
        key = 'servers'
        body = {key: servers}
        limit = self._limit(req)
        if found and len(found) == limit:
            params = [(k, v) for k, v in req.GET.items() if k != 'marker']
            import urllib.parse
            query = urllib.parse.urlencode(params + [('marker', found[-1]['uuid'])])
            body['servers_links'] = [{'rel': 'next', 'href': '%s%s/servers%s?%s' % (
                req.host_url, req.script_name, '/detail' if req.path.endswith('/detail') else '',
                query)}]
        return body

    def _limit(self, req):
        return min(wsgi.query_int(req, 'limit', self.conf.api.max_limit, minimum=0),
                   self.conf.api.max_limit)

    def _list(self, req):
        context = req.context
        admin = is_admin(context)
        params = req.GET
        filters = {}
        if 'name' in params:
            filters['name'] = _regex('display_name', params['name'])
        if 'status' in params:
            wanted = {s.upper() for s in params.getall('status')}
            if 'DELETED' in wanted and not admin:
                wanted.discard('DELETED')
            filters['status'] = lambda i: states.status(i['vm_state'], i['task_state']) in wanted
        for param, column in (('image', 'image_ref'), ('reservation_id', 'reservation_id'),
                              ('key_name', 'key_name'), ('availability_zone', 'availability_zone'),
                              ('vm_state', 'vm_state'), ('task_state', 'task_state')):
            if param in params:
                filters[param] = lambda i, c=column, v=params[param]: i[c] == v
        if 'flavor' in params:
            filters['flavor'] = lambda i, v=params['flavor']: i['flavor']['id'] == v
        if 'tags' in params:
            filters['tags'] = _contains_all(params['tags'].split(','))
        if 'tags-any' in params:
            filters['tags-any'] = lambda i, v=set(params['tags-any'].split(',')): bool(
                v & set(i['tags']))
        if 'not-tags' in params:
            filters['not-tags'] = lambda i, v=set(params['not-tags'].split(',')): not (
                v <= set(i['tags']))
        if 'not-tags-any' in params:
            filters['not-tags-any'] = lambda i, v=set(params['not-tags-any'].split(',')): not (
                v & set(i['tags']))
        if 'locked' in params and microversion.api_version(req) >= (2, 73):
            locked = wsgi.query_bool(req, 'locked')
            filters['locked'] = lambda i: bool(i['locked']) == locked
        if 'changes-since' in params:
            from pocketstack.image.core.images import parse_datetime
            filters['changes-since'] = parse_datetime(params['changes-since'])
        if admin:
            for param, column in (('host', 'host'), ('node', 'node')):
                if param in params:
                    filters[param] = lambda i, c=column, v=params[param]: i[c] == v
            project = params.get('project_id') or params.get('tenant_id')
            if project:
                filters['project_id'] = project
        all_tenants = admin and wsgi.query_bool(req, 'all_tenants', False)
        deleted = admin and wsgi.query_bool(req, 'deleted', False)
        if deleted:
            filters['deleted'] = lambda i: bool(i['deleted'])
        return self.api.list(context, filters, self._sort(req), self._limit(req),
                             params.get('marker'), all_tenants=all_tenants, deleted=deleted)

    @staticmethod
    def _sort(req):
        keys = req.GET.getall('sort_key')
        dirs = req.GET.getall('sort_dir')
        for key in keys:
            if key not in SORT_KEYS:
                raise exception.BadRequest('Invalid sort_key: %s' % key)
        for direction in dirs:
            if direction not in ('asc', 'desc'):
                raise exception.BadRequest('Invalid sort_dir: %s' % direction)
        if not keys:
            return [('created_at', dirs[0] if dirs else 'desc'), ('uuid', 'desc')]
        sort = [(k, dirs[n] if n < len(dirs) else 'desc') for n, k in enumerate(keys)]
        return sort + [('uuid', sort[-1][1])]

    # -- one server ----------------------------------------------------------------------

    def show(self, req, server_id):
        instance = self.api.get(req.context, server_id)
        self._authorize(req, 'show', instance['project_id'])
        return {'server': self._details(req, [instance], show=True)[0]}

    @wsgi.status(202)
    def create(self, req):
        self._authorize(req, 'create')
        version = microversion.api_version(req)
        body = req.json_body()
        wsgi.check_schema(schemas.server_create(version), body)
        server = body['server']
        if version >= (2, 37) and 'networks' not in server:
            raise exception.BadRequest("Invalid input for field/attribute server: "
                                       "'networks' is a required property")
        networks = server.get('networks')
        if isinstance(networks, list) and networks:
            raise exception.BadRequest('Networks are not available yet: boot with networks '
                                       '"none" or "auto" (the Network service is not built).')
        image_ref = server.get('imageRef') or _bdm_image(server.get('block_device_mapping_v2'))
        min_count = server.get('min_count', 1)
        max_count = server.get('max_count', min_count)
        if min_count > max_count:
            raise exception.BadRequest('min_count must be <= max_count')
        created, reservation_id = self.api.create(
            req.context, server['name'], image_ref, str(server['flavorRef']),
            min_count=min_count, max_count=max_count, key_name=server.get('key_name'),
            user_data=server.get('user_data'), metadata=server.get('metadata'),
            availability_zone=server.get('availability_zone'),
            description=server.get('description'), hostname=server.get('hostname'),
            tags=server.get('tags', ()), access_ip_v4=server.get('accessIPv4'),
            access_ip_v6=server.get('accessIPv6'), config_drive=server.get('config_drive'))
        if server.get('return_reservation_id'):
            return wsgi.json_response({'reservation_id': reservation_id}, status=202)
        first = created[0]
        view = views.basic(req, first)
        del view['name']
        view.update({'OS-DCF:diskConfig': 'MANUAL', 'security_groups': [{'name': 'default'}],
                     'adminPass': server.get('adminPass') or secrets.token_urlsafe(9)})
        resp = wsgi.json_response({'server': view}, status=202)
        resp.headers['Location'] = view['links'][0]['href']
        return resp

    def update(self, req, server_id):
        version = microversion.api_version(req)
        body = req.json_body()
        wsgi.check_schema(schemas.server_update(version), body)
        instance = self.api.get(req.context, server_id)
        self._authorize(req, 'update', instance['project_id'])
        changes = body['server']
        values = {}
        for field, column in (('name', 'display_name'), ('description', 'display_description'),
                              ('accessIPv4', 'access_ip_v4'), ('accessIPv6', 'access_ip_v6'),
                              ('hostname', 'hostname')):
            if field in changes:
                values[column] = changes[field]
        from pocketstack.compute import instances
        if values:
            instances.update(self.service.db, server_id, **values)
        return {'server': self._details(req, [self.api.get(req.context, server_id)],
                                        show=True)[0]}

    @wsgi.status(204)
    def delete(self, req, server_id):
        instance = self.api.get(req.context, server_id)
        self._authorize(req, 'delete', instance['project_id'])
        self.api.delete(req.context, server_id)


def _bdm_image(mappings):
    """The image a boot-from-image block device mapping names, if any."""
    for mapping in mappings or ():
        if mapping.get('source_type') == 'image' and mapping.get('boot_index') in (0, '0'):
            return mapping.get('uuid')
    return None
