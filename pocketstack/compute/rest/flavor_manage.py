"""Managing flavors (admins by default): create, describe (2.55), delete,
extra specs (``os-extra_specs``) and project access (``os-flavor-access``
and the ``addTenantAccess``/``removeTenantAccess`` actions)."""
import copy
import uuid

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import schemas
from pocketstack.compute.rest import views

MAX_INT = 0x7FFFFFFF
_SIZE = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'maximum': MAX_INT}
_BOOLEAN = {'type': ['boolean', 'string'],
            'enum': [True, False, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes',
                     'yes', 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No',
                     'no']}
_DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 65535}

_CREATE = {
    'type': 'object',
    'properties': {'flavor': {
        'type': 'object',
        'properties': {
            'name': schemas.NAME,
            'id': {'type': ['string', 'number', 'null'], 'minLength': 1, 'maxLength': 255,
                   'pattern': '^(?! )[a-zA-Z0-9. _-]+(?<! )$'},
            'ram': dict(_SIZE, minimum=1),
            'vcpus': dict(_SIZE, minimum=1),
            'disk': dict(_SIZE, minimum=0),
            'OS-FLV-EXT-DATA:ephemeral': dict(_SIZE, minimum=0),
            'swap': dict(_SIZE, minimum=0),
            'rxtx_factor': {'type': ['number', 'string'], 'pattern': r'^[0-9]+(\.[0-9]+)?$',
                            'exclusiveMinimum': 0, 'maximum': 3.40282e+38},
            'os-flavor-access:is_public': _BOOLEAN,
        },
        'required': ['name', 'ram', 'vcpus', 'disk'],
        'additionalProperties': False,
    }},
    'required': ['flavor'],
    'additionalProperties': False,
}
_CREATE_V255 = copy.deepcopy(_CREATE)
_CREATE_V255['properties']['flavor']['properties']['description'] = _DESCRIPTION
_CREATE_V2102 = copy.deepcopy(_CREATE_V255)
del _CREATE_V2102['properties']['flavor']['properties']['rxtx_factor']

_UPDATE = {
    'type': 'object',
    'properties': {'flavor': {'type': 'object', 'properties': {'description': _DESCRIPTION},
                              'required': ['description'], 'additionalProperties': False}},
    'required': ['flavor'],
    'additionalProperties': False,
}

_SPEC_KEY = '^[a-zA-Z0-9-_:. ]{1,255}$'
_SPECS = {'type': 'object',
          'patternProperties': {_SPEC_KEY: {'type': ['string', 'number'], 'maxLength': 255}},
          'additionalProperties': False}
_SPECS_CREATE = {'type': 'object', 'properties': {'extra_specs': _SPECS},
                 'required': ['extra_specs'], 'additionalProperties': False}
_SPEC_UPDATE = dict(_SPECS, minProperties=1, maxProperties=1)

_TENANT = {'type': 'object',
           'properties': {'tenant': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
           'required': ['tenant'], 'additionalProperties': False}
_ACCESS_ACTIONS = {name: {'type': 'object', 'properties': {name: _TENANT}, 'required': [name]}
                   for name in ('addTenantAccess', 'removeTenantAccess')}


def _size(flavor, field, minimum):
    """A size given as a number or a string of digits, in range (0 when absent)."""
    value = int(flavor.get(field, 0))
    if not minimum <= value <= MAX_INT:
        raise exception.BadRequest('Invalid input for field/attribute %s: must be >= %d and '
                                   '<= %d' % (field, minimum, MAX_INT))
    return value


def _as_bool(value):
    return value is True or str(value).lower() in ('true', '1', 'on', 'yes')


def _spec_values(specs):
    """Numbers are accepted as values and stored as text, as Nova does."""
    values = {}
    for key, value in specs.items():
        text = value if isinstance(value, str) else str(value)
        if len(text) > 255:
            raise exception.BadRequest('extra_specs value %s is longer than 255 characters.'
                                       % key)
        values[key] = text
    return values


class FlavorManageController:

    def __init__(self, service):
        self.flavors = service.flavors
        self.policy = service.policy

    def _authorize(self, req, rule):
        self.policy.authorize(req.context, 'os_compute_api:%s' % rule, {})

    def create(self, req):
        self._authorize(req, 'os-flavor-manage:create')
        version = microversion.api_version(req)
        body = req.json_body()
        wsgi.check_schema(_CREATE_V2102 if version >= (2, 102) else
                          _CREATE_V255 if version >= (2, 55) else _CREATE, body)
        flavor = body['flavor']
        flavorid = flavor.get('id')
        if flavorid is None or flavorid == 'auto':
            flavorid = str(uuid.uuid4())
        rxtx_factor = float(flavor.get('rxtx_factor', 1.0))
        if rxtx_factor <= 0:
            raise exception.BadRequest("'rxtx_factor' argument must be a float greater "
                                       "than 0")
        created = self.flavors.create({
            'flavorid': str(flavorid), 'name': flavor['name'],
            'memory_mb': _size(flavor, 'ram', 1), 'vcpus': _size(flavor, 'vcpus', 1),
            'root_gb': _size(flavor, 'disk', 0),
            'ephemeral_gb': _size(flavor, 'OS-FLV-EXT-DATA:ephemeral', 0),
            'swap': _size(flavor, 'swap', 0),
            'rxtx_factor': rxtx_factor,
            'is_public': _as_bool(flavor.get('os-flavor-access:is_public', True)),
            'description': flavor.get('description')})
        return {'flavor': views.flavor_detail(req, created)}

    def update(self, req, flavor_id):
        if microversion.api_version(req) < (2, 55):
            raise exception.NotFound('Updating a flavor needs microversion 2.55 or later.')
        self._authorize(req, 'os-flavor-manage:update')
        body = req.json_body()
        wsgi.check_schema(_UPDATE, body)
        updated = self.flavors.update_description(flavor_id, body['flavor']['description'])
        return {'flavor': views.flavor_detail(req, updated)}

    @wsgi.status(202)
    def delete(self, req, flavor_id):
        self._authorize(req, 'os-flavor-manage:delete')
        self.flavors.delete(flavor_id)


class ExtraSpecsController:
    """Anyone who sees a flavor may read its extra specs (Nova's default)."""

    def __init__(self, service):
        self.flavors = service.flavors
        self.policy = service.policy

    def _authorize(self, req, action):
        self.policy.authorize(req.context, 'os_compute_api:os-flavor-extra-specs:%s' % action,
                              {})

    def index(self, req, flavor_id):
        return {'extra_specs': self.flavors.get(req.context, flavor_id)['extra_specs']}

    def create(self, req, flavor_id):
        self._authorize(req, 'create')
        body = req.json_body()
        wsgi.check_schema(_SPECS_CREATE, body)
        self.flavors.set_extra_specs(req.context, flavor_id, _spec_values(body['extra_specs']))
        return body

    def show(self, req, flavor_id, key):
        specs = self.flavors.get(req.context, flavor_id)['extra_specs']
        if key not in specs:
            raise exception.NotFound('Flavor %s has no extra specs with key %s.'
                                     % (flavor_id, key))
        return {key: specs[key]}

    def update(self, req, flavor_id, key):
        self._authorize(req, 'update')
        body = req.json_body()
        wsgi.check_schema(_SPEC_UPDATE, body)
        if key not in body:
            raise exception.BadRequest('Request body and URI mismatch')
        self.flavors.set_extra_specs(req.context, flavor_id, _spec_values(body))
        return body

    @wsgi.status(200)
    def delete(self, req, flavor_id, key):
        self._authorize(req, 'delete')
        self.flavors.delete_extra_spec(req.context, flavor_id, key)


def _access_view(flavor_id, projects):
    return {'flavor_access': [{'flavor_id': flavor_id, 'tenant_id': p} for p in projects]}


class FlavorAccessController:

    def __init__(self, service):
        self.flavors = service.flavors
        self.policy = service.policy

    def index(self, req, flavor_id):
        self.policy.authorize(req.context, 'os_compute_api:os-flavor-access', {})
        flavor = self.flavors.get(req.context, flavor_id)
        if flavor['is_public']:
            raise exception.NotFound('Access list not available for public flavors.')
        return _access_view(flavor_id, flavor['projects'])

    def action(self, req, flavor_id):
        body = req.json_body()
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.BadRequest('An action body is an object with exactly one key, '
                                       'the action name.')
        (name, value), = body.items()
        if name not in _ACCESS_ACTIONS:
            raise exception.BadRequest('There is no such action: %s' % name)
        rule = 'add_tenant_access' if name == 'addTenantAccess' else 'remove_tenant_access'
        self.policy.authorize(req.context, 'os_compute_api:os-flavor-access:%s' % rule, {})
        wsgi.check_schema(_ACCESS_ACTIONS[name], body)
        tenant = value['tenant']
        if name == 'addTenantAccess':
            # Before 2.7 a public flavor took the (meaningless) access too.
            projects = self.flavors.add_access(
                flavor_id, tenant, refuse_public=microversion.api_version(req) >= (2, 7))
        else:
            projects = self.flavors.remove_access(flavor_id, tenant)
        return _access_view(flavor_id, projects)


def routes(service):
    manage = FlavorManageController(service)
    specs = ExtraSpecsController(service)
    access = FlavorAccessController(service)
    Route = wsgi.Route
    return [
        Route('/flavors', POST=(manage, 'create')),
        Route('/flavors/{flavor_id}', PUT=(manage, 'update'), DELETE=(manage, 'delete')),
        Route('/flavors/{flavor_id}/os-extra_specs', GET=(specs, 'index'),
              POST=(specs, 'create')),
        Route('/flavors/{flavor_id}/os-extra_specs/{key}', GET=(specs, 'show'),
              PUT=(specs, 'update'), DELETE=(specs, 'delete')),
        Route('/flavors/{flavor_id}/os-flavor-access', GET=(access, 'index')),
        Route('/flavors/{flavor_id}/action', POST=(access, 'action')),
    ]
