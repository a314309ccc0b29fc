"""The services ``pocketstack up`` knows, and how to start each.

A new service (compute, image, network…) slots in by adding one ``Service``
to ``SERVICES``.  Everything is named by dotted path and imported only when
used, so ``pocketstack --help`` stays instant.

Conventions a service follows to be listed here:

* ``service_class`` is its common/service.py ``Service`` subclass:
  ``new_conf(argv)`` parses its ConfigOpts (with ``<api>_listen`` /
  ``<api>_listen_port`` registered for each API), ``for_conf(conf)`` is the
  service object of that ConfigOpts (built once; it has ``.db``), and
  ``sync_database_of(conf)`` migrates its database;
* each API is an app of its paste file (the first is the service's main API;
  one without ``catalog_type`` is served but not registered in the catalog);
* ``first_start(conf, identity)`` (optional) creates what a new cloud starts
  with (the default image, DevStack's flavors) when the service's database
  was just created;
* ``background(conf)`` (optional) starts what the service runs beside its
  APIs — RPC servers (conductor, scheduler, compute hosts), agents' state
  reports — and returns them (each has ``stop()``, and may have
  ``wait_started()``: ``up`` says it is ready only once that returns, after
  its APIs serve).
"""
import dataclasses
import importlib


@dataclasses.dataclass(frozen=True)
class Api:
    name: str                 # 'identity': the <api>_listen* options and --port NAME
    port: int                 # OpenStack's default port
    paste_app: str            # app name in the service's paste file
    catalog_type: str = None  # service type in the catalog; None: not in the catalog
    catalog_name: str = None  # service name in the catalog (as DevStack registers it)
    url_path: str = ''        # endpoint URL path below http://host:port


@dataclasses.dataclass(frozen=True)
class Service:
    name: str
    service_class: str          # 'module:Class', a common.service.Service
    apis: tuple
    service_user: str = None    # the user it calls other services as ('nova', …)
    first_start: str = None     # 'module:function'
    background: str = None      # 'module:function'
    needs: tuple = ()           # the services it cannot work without

    def new_conf(self, argv=None):
        return load(self.service_class).new_conf(argv)

    def instance(self, conf):
        return load(self.service_class).for_conf(conf)

    def sync_database(self, conf):
        """Migrate the service's database; True when the schema changed."""
        return load(self.service_class).sync_database_of(conf)


SERVICES = (
    Service(name='identity',
            service_class='pocketstack.identity.service:IdentityService',
            apis=(Api(name='identity', port=5000, paste_app='identity',
                      catalog_type='identity', catalog_name='keystone', url_path='/v3'),)),
    Service(name='image',
            service_class='pocketstack.image.service:ImageService',
            apis=(Api(name='image', port=9292, paste_app='image',
                      catalog_type='image', catalog_name='glance', url_path=''),),
            service_user='glance',
            first_start='pocketstack.image.default_image:on_first_start'),
    Service(name='compute',
            service_class='pocketstack.compute.service:ComputeService',
            apis=(Api(name='osapi_compute', port=8774, paste_app='osapi_compute',
                      catalog_type='compute', catalog_name='nova', url_path='/v2.1'),
                  # Guests reach it through the metadata proxy, never via the catalog.
                  Api(name='metadata', port=8775, paste_app='metadata')),
            service_user='nova',
            first_start='pocketstack.compute.service:on_first_start',
            background='pocketstack.compute.processes:all_in_one',
            # Boots need images; without a Network service servers have no ports.
            needs=('image',)),
    Service(name='network',
            service_class='pocketstack.network.service:NetworkService',
            apis=(Api(name='network', port=9696, paste_app='neutron',
                      catalog_type='network', catalog_name='neutron', url_path=''),),
            service_user='neutron',
            first_start='pocketstack.network.bootstrap:on_first_start',
            background='pocketstack.network.agents:start'),
)


class UnknownChoice(ValueError):
    """A choice of services ``up`` cannot run (the message says why)."""


def chosen(names):
    """The services named (all when ``names`` is empty), in start order;
    UnknownChoice for an unknown name, one left out that a chosen one needs,
    or no identity (every other service authenticates through it)."""
    names = [n.strip() for n in names or () if n.strip()]
    if not names:
        return SERVICES
    known = [s.name for s in SERVICES]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise UnknownChoice('unknown service %s (known: %s)'
                            % (', '.join(unknown), ', '.join(known)))
    if 'identity' not in names:
        raise UnknownChoice('identity cannot be left out: every other service '
                            'authenticates through it')
    for service in SERVICES:
        missing = [n for n in service.needs if service.name in names and n not in names]
        if missing:
            raise UnknownChoice('%s needs %s' % (service.name, ', '.join(missing)))
    return tuple(s for s in SERVICES if s.name in names)


def api_names():
    return [api.name for service in SERVICES for api in service.apis]


def catalog_endpoints(urls):
    """{service type: URL} of the catalog, from {API name: base URL}."""
    return {api.catalog_type: urls[api.name] + api.url_path
            for service in SERVICES for api in service.apis
            if api.catalog_type and api.name in urls}


def service_users(password_of, services=SERVICES):
    """{service user: password_of(user)} of every service calling others."""
    return {service.service_user: password_of(service.service_user)
            for service in services if service.service_user}


def get(name):
    for service in SERVICES:
        if service.name == name:
            return service
    raise KeyError(name)


def load(path):
    module, _, attr = path.partition(':')
    return getattr(importlib.import_module(module), attr)
