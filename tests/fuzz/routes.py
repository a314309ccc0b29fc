"""Every route the four APIs serve, read from their own route tables.

Each service's router is built as its API builds it, on a throwaway state
directory, and each route is reduced to what a client can vary: the method,
the path with its ``{variables}``, and the JSON schema its action validates
against (None when the action checks its body by hand)."""
import dataclasses
import re
import tempfile

from tests.conftest import make_conf

# The API name of each service's port in `pocketstack up`, and its version prefix.
APIS = {
    'identity': ('identity', '/v3'),
    'image': ('image', '/v2'),
    'compute': ('osapi_compute', '/v2.1'),
    'network': ('network', '/v2.0'),
}


@dataclasses.dataclass(frozen=True)
class FuzzRoute:
    api: str
    method: str
    path: str                   # relative to the version prefix, with {variables}
    schema: object = dataclasses.field(default=None, compare=False, hash=False)
    keys: tuple = dataclasses.field(default=(), compare=False, hash=False)

    @property
    def variables(self):
        return re.findall(r'{(\w+)}', self.path)

    def __str__(self):
        return '%s %s %s' % (self.api, self.method, self.path)


def _tables(state_path):
    from pocketstack.compute import service as compute_service
    from pocketstack.compute.rest import router as compute_router
    from pocketstack.identity import service as identity_service
    from pocketstack.identity.api import router as identity_router
    from pocketstack.image import service as image_service
    from pocketstack.image.api import router as image_router
    from pocketstack.network import service as network_service
    from pocketstack.network.api import router as network_router

    def service(cls, name):
        return cls.for_conf(make_conf(name, state_path / name))

    yield 'identity', identity_router.v3_router(
        service(identity_service.IdentityService, 'identity')).routes
    yield 'image', image_router.v2_router(service(image_service.ImageService, 'image')).routes
    yield 'compute', compute_router.load_routes(
        service(compute_service.ComputeService, 'compute'))
    yield 'network', network_router.v2_router(
        service(network_service.NetworkService, 'network')).routes


def _body_keys(controller, schema):
    """Names a body of this route is likely to hold, so that random bodies
    get past the first check: a schema's properties, a Network resource's
    attributes under its member name, the actions of POST /servers/{id}/action."""
    keys = set(getattr(controller, 'handlers', ()))
    resource = getattr(controller, 'resource', None)
    if resource is not None and hasattr(resource, 'attributes'):
        keys |= {resource.member, *resource.attributes}
    pending = [schema] if isinstance(schema, dict) else []
    while pending:
        node = pending.pop()
        for name, sub in (node.get('properties') or {}).items():
            keys.add(name)
            if isinstance(sub, dict):
                pending.append(sub)
    return tuple(sorted(keys))


def all_routes():
    import pathlib
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for api, table in _tables(pathlib.Path(tmp)):
            for route in table:
                for method, (controller, action) in sorted(route.methods.items()):
                    schema = getattr(getattr(controller, action), 'validates', None)
                    found.append(FuzzRoute(api, method, route.path, schema,
                                           _body_keys(controller, schema)))
    return sorted(set(found), key=str)
