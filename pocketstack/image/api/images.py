"""``/v2/images``: create, list, show, update (JSON patch), delete, tags and
the deactivate/reactivate actions."""
import urllib.parse

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.image.api import schemas
from pocketstack.image.core import images

PATCH_V21 = 'application/openstack-images-v2.1-json-patch'
PATCH_V20 = 'application/openstack-images-v2.0-json-patch'
CORE = set(schemas.IMAGE_PROPERTIES)


def image_view(image):
    """An image as the API shows it: core attributes, then custom properties."""
    view = {name: image[name] for name in (
        'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'checksum',
        'os_hash_algo', 'os_hash_value', 'owner', 'size', 'virtual_size', 'min_ram',
        'min_disk', 'disk_format', 'container_format', 'tags')}
    view['created_at'] = wsgi.isoformat(image['created_at'])
    view['updated_at'] = wsgi.isoformat(image['updated_at'])
    view['self'] = '/v2/images/%s' % image['id']
    view['file'] = '/v2/images/%s/file' % image['id']
    view['schema'] = '/v2/schemas/image'
    for name, value in image['properties'].items():
        view.setdefault(name, value)
    return view


def check_settable(name):
    """403 for attributes a client may never set, as Glance answers."""
    if name in images.READ_ONLY:
        raise exception.Forbidden("Attribute '%s' is read-only." % name)
    if name in images.RESERVED or name.startswith(images.RESERVED_PREFIX):
        raise exception.Forbidden("Attribute '%s' is reserved." % name)


def check_values(body):
    """Validate writable attributes and custom properties.  A custom value
    lives in a TEXT column, which holds 65535 *bytes* on MySQL: longer UTF-8
    is refused here, as on every database, rather than failing there."""
    wsgi.check_schema(schemas.IMAGE_WRITE, body)
    for name, value in body.items():
        if name not in CORE and len(value.encode('utf-8')) > 65535:
            raise exception.BadRequest('The value of %s is longer than 65535 bytes.' % name)


def split_values(body):
    """API body → (core values, custom properties) for the managers."""
    values = {k: v for k, v in body.items() if k in CORE}
    values['properties'] = {k: v for k, v in body.items() if k not in CORE}
    return values


class ImagesController:

    def __init__(self, service):
        self.service = service
        self.images = service.images
        self.conf = service.conf

    @wsgi.status(201)
    def create(self, req):
        body = req.json_body()
        if not isinstance(body, dict):
            raise exception.BadRequest('The request body must be a JSON object.')
        for name in body:
            if name != 'id':  # a client may choose the id, never change it
                check_settable(name)
        check_values(body)
        image = self.images.create(req.context, split_values(body))
        resp = wsgi.json_response(image_view(image), status=201)
        resp.headers['Location'] = req.host_url + '/v2/images/' + image['id']
        resp.headers['OpenStack-image-import-methods'] = ','.join(
            self.conf.enabled_import_methods)
        return resp

    def show(self, req, image_id):
        return image_view(self.images.get(req.context, image_id))

    def index(self, req):
        filters, sort, limit, marker = self._list_params(req)
        found, more = self.images.list(req.context, filters, sort, limit, marker)
        params = [(k, v) for k, v in req.GET.items() if k != 'marker']
        body = {'images': [image_view(i) for i in found],
                'first': _url('/v2/images', params),
                'schema': '/v2/schemas/images'}
        if more and found:  # limit=0 asks for an empty page: nothing follows it
            body['next'] = _url('/v2/images', params + [('marker', found[-1]['id'])])
        return body

    def _list_params(self, req):
        limit = wsgi.query_int(req, 'limit', self.conf.limit_param_default, minimum=0)
        limit = min(limit, self.conf.api_limit_max)
        filters = {'columns': {}, 'dates': {}, 'properties': {},
                   'tags': req.GET.getall('tag')}
        visibility = req.GET.get('visibility')
        if visibility is not None:
            if visibility not in images.VISIBILITIES + ('all',):
                raise exception.BadRequest('Invalid visibility value: %s' % visibility)
            filters['visibility'] = visibility
        member_status = req.GET.get('member_status', 'accepted')
        if member_status not in images.MEMBER_STATUSES + ('all',):
            raise exception.BadRequest('Invalid status value: %s' % member_status)
        filters['member_status'] = member_status
        filters['os_hidden'] = wsgi.query_bool(req, 'os_hidden', False)
        if 'protected' in req.GET:
            # The api-ref allows exactly 'true' and 'false' here.
            protected = req.GET['protected']
            if protected not in ('true', 'false'):
                raise exception.BadRequest("Invalid value for protected: %s; use 'true' or "
                                           "'false'." % protected)
            filters['protected'] = protected == 'true'
        for name in ('size_min', 'size_max'):
            filters[name] = wsgi.query_int(req, name, minimum=0)
        handled = {'limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'visibility',
                   'member_status', 'os_hidden', 'protected', 'size_min', 'size_max', 'tag'}
        for name, value in req.GET.items():
            if name in handled:
                continue
            if name in images.LIST_COLUMNS:
                filters['columns'].setdefault(name, []).extend(_in_values(value))
            elif name in images.INTEGER_COLUMNS:
                filters['columns'][name] = [wsgi.query_int(req, name, minimum=0)]
            elif name in ('created_at', 'updated_at'):
                filters['dates'].setdefault(name, []).append(_date_condition(value))
            else:
                filters['properties'][name] = value
        return filters, _sort(req), limit, req.GET.get('marker')

    def update(self, req, image_id):
        ctype = (req.content_type or '').lower()
        if ctype not in (PATCH_V21, PATCH_V20):
            err = exception.UnsupportedMediaType(
                'Unsupported Content-Type %s; send %s.' % (ctype or 'none', PATCH_V21))
            err.headers = {'Accept-Patch': PATCH_V21}
            raise err
        changes = _parse_patch(req.json_body(), old_style=ctype == PATCH_V20)
        return image_view(self.images.update(req.context, image_id,
                                             lambda image: _apply_patch(image, changes)))

    def delete(self, req, image_id):
        self.images.delete(req.context, image_id)

    def deactivate(self, req, image_id):
        self.images.set_status(req.context, image_id, 'deactivate', ('active',), 'deactivated')

    def reactivate(self, req, image_id):
        self.images.set_status(req.context, image_id, 'reactivate', ('deactivated',), 'active')

    def add_tag(self, req, image_id, tag):
        if not tag or len(tag) > 255:
            raise exception.BadRequest('A tag is 1 to 255 characters long.')
        self.images.add_tag(req.context, image_id, tag)

    def delete_tag(self, req, image_id, tag):
        self.images.delete_tag(req.context, image_id, tag)


# -- list parameters -------------------------------------------------------------

def _url(path, params):
    return path + ('?' + urllib.parse.urlencode(params) if params else '')


def _in_values(value):
    """``in:a,b,"c,d"`` → ['a', 'b', 'c,d']; a plain value is a list of one."""
    if not value.startswith('in:'):
        return [value]
    values, current, quoted = [], '', False
    for char in value[3:]:
        if char == '"':
            quoted = not quoted
        elif char == ',' and not quoted:
            values.append(current)
            current = ''
        else:
            current += char
    if quoted:
        raise exception.BadRequest('Invalid filter value %s: unmatched quote.' % value)
    values.append(current)
    return values


_DATE_OPERATORS = {'gt': '__gt__', 'gte': '__ge__', 'lt': '__lt__', 'lte': '__le__',
                   'eq': '__eq__', 'neq': '__ne__'}


def _date_condition(value):
    operator, sep, when = value.partition(':')
    if not sep or operator not in _DATE_OPERATORS:
        operator, when = 'eq', value
    return _DATE_OPERATORS[operator], wsgi.parse_datetime(when)


def _sort(req):
    """``sort=name:asc,size`` or ``sort_key=name&sort_dir=asc`` → [(key, dir)]."""
    keys, dirs = req.GET.getall('sort_key'), req.GET.getall('sort_dir')
    if 'sort' in req.GET:
        if keys or dirs:
            raise exception.BadRequest('The sort parameter cannot be combined with '
                                       'sort_key or sort_dir.')
        sort = []
        for item in req.GET['sort'].split(','):
            key, _, direction = item.strip().partition(':')
            sort.append((key, direction or 'desc'))
    elif keys:
        if len(dirs) > len(keys):
            raise exception.BadRequest('More sort directions than sort keys.')
        if len(dirs) not in (0, 1, len(keys)):
            raise exception.BadRequest('Give one sort direction, or one per sort key.')
        dirs = dirs * len(keys) if len(dirs) == 1 else dirs or ['desc'] * len(keys)
        sort = list(zip(keys, dirs))
    elif dirs:
        sort = [('created_at', dirs[0])]
    else:
        return images.DEFAULT_SORT
    for key, direction in sort:
        if key not in images.SORT_KEYS:
            raise exception.BadRequest('Invalid sort key: %s. It must be one of: %s.'
                                       % (key, ', '.join(images.SORT_KEYS)))
        if direction not in ('asc', 'desc'):
            raise exception.BadRequest('Invalid sort direction: %s' % direction)
    return sort


# -- JSON patch ------------------------------------------------------------------

def _parse_patch(body, old_style):
    """The change list of a PATCH body as [(op, attribute, value)]."""
    if not isinstance(body, list):
        raise exception.BadRequest('Request body must be a JSON array of operation objects.')
    changes = []
    for change in body:
        if not isinstance(change, dict):
            raise exception.BadRequest('Operations must be JSON objects.')
        if old_style:
            ops = [op for op in ('add', 'replace', 'remove') if op in change]
            if len(ops) != 1:
                raise exception.BadRequest('Operation objects must contain exactly one of '
                                           '"add", "remove", or "replace".')
            op, path = ops[0], change[ops[0]]
        else:
            op, path = change.get('op'), change.get('path')
            if op not in ('add', 'replace', 'remove'):
                raise exception.BadRequest('Invalid operation: "%s".' % op)
        if not isinstance(path, str) or not path.startswith('/'):
            raise exception.BadRequest('Json path should start with a \'/\'.')
        parts = [p.replace('~1', '/').replace('~0', '~') for p in path[1:].split('/')]
        if op != 'remove' and 'value' not in change:
            raise exception.BadRequest('Operation "%s" requires a member named "value".' % op)
        name = parts[0]
        check_settable(name)
        if len(parts) != 1:
            raise exception.BadRequest('Nested paths are not allowed: %s' % path)
        changes.append((op, name, change.get('value')))
    return changes


def _apply_patch(image, changes):
    for op, name, value in changes:
        if name in CORE:
            if op == 'remove':
                raise exception.Forbidden("Attribute '%s' cannot be removed." % name)
            image[name] = value
        elif op == 'add':
            image['properties'][name] = value
        elif name not in image['properties']:
            raise exception.Conflict('Property %s does not exist.' % name)
        elif op == 'replace':
            image['properties'][name] = value
        else:
            del image['properties'][name]
    body = {name: image[name] for name in schemas.IMAGE_WRITE['properties'] if name != 'id'}
    body.update(image['properties'])
    check_values(body)
