"""``/flavors``: list, detail, show (and, for admins, manage — see
flavor_manage.py)."""
from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import views

_QUERY = ('limit', 'marker', 'is_public', 'minRam', 'minDisk', 'sort_key', 'sort_dir')
_SORT_COLUMNS = {'flavorid': 'id', 'name': 'name', 'memory_mb': 'ram', 'vcpus': 'vcpus',
                 'root_gb': 'disk', 'id': 'id', 'swap': 'swap',
                 'ephemeral_gb': 'ephemeral', 'is_public': 'is_public',
                 'rxtx_factor': 'rxtx_factor'}


class FlavorsController:

    def __init__(self, service):
        self.flavors = service.flavors

    def _list(self, req):
        version = microversion.api_version(req)
        # 2.75 refuses unknown query parameters; 2.102 adds ``name`` and drops
        # ``rxtx_factor`` (as a sort key too).
        if version >= (2, 102):
            common.check_query(req, _QUERY + ('name',))
        elif version >= (2, 75):
            common.check_query(req, _QUERY)
        # Only admins choose (Nova ignores ``is_public`` from anyone else):
        # 'none' lists public and private flavors alike.
        visible = True
        if req.context.is_admin_role:
            is_public = req.GET.get('is_public', 'true').strip().lower()
            visible = None if is_public == 'none' else wsgi.query_bool(req, 'is_public', True)
        found = self.flavors.list(req.context, is_public=visible)
        min_ram = wsgi.query_int(req, 'minRam', minimum=0)
        min_disk = wsgi.query_int(req, 'minDisk', minimum=0)
        names = req.GET.getall('name') if version >= (2, 102) else ()
        found = [f for f in found if (min_ram is None or f['ram'] >= min_ram)
                 and (min_disk is None or f['disk'] >= min_disk)
                 and (not names or f['name'] in names)]
        sort_key = req.GET.get('sort_key', 'flavorid')
        column = _SORT_COLUMNS.get(sort_key)
        if column is None or (version >= (2, 102) and sort_key == 'rxtx_factor'):
            raise exception.BadRequest('Invalid sort_key: %s' % sort_key)
        reverse = req.GET.get('sort_dir', 'asc') == 'desc'
        found.sort(key=lambda f: f[column], reverse=reverse)
        marker = req.GET.get('marker')
        if marker is not None:
            ids = [f['id'] for f in found]
            if marker not in ids:
                raise exception.BadRequest('marker [%s] not found' % marker)
            found = found[ids.index(marker) + 1:]
        limit = wsgi.query_int(req, 'limit', minimum=0)
        return found[:limit] if limit is not None else found

    def index(self, req):
        return {'flavors': [views.flavor_basic(req, f) for f in self._list(req)]}

    def detail(self, req):
        return {'flavors': [views.flavor_detail(req, f) for f in self._list(req)]}

    def show(self, req, flavor_id):
        if microversion.api_version(req) >= (2, 102):
            common.check_query(req, ())
        return {'flavor': views.flavor_detail(req, self.flavors.get(req.context, flavor_id))}
