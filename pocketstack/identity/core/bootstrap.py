"""Bootstrap, as ``keystone-manage bootstrap`` (and DevStack after it) leave a cloud.

Creates — only what is missing, so a restart duplicates nothing — the
``Default`` domain, the roles admin ⇒ member ⇒ reader and service, the admin
user and project (with the admin role on the project and on the system), the
``service`` project with one user per service, a ``demo`` project and user,
the region, and the catalog: identity itself and every other enabled service.
"""
import concurrent.futures
import logging

from pocketstack.common import exception

LOG = logging.getLogger(__name__)

DEFAULT_DOMAIN = {'id': 'default', 'name': 'Default',
                  'description': 'The default domain'}
ROLE_NAMES = ('admin', 'member', 'reader', 'service')
IMPLIED = (('admin', 'member'), ('member', 'reader'))

# service type -> the name DevStack registers it under
SERVICE_NAMES = {'identity': 'keystone', 'compute': 'nova', 'image': 'glance',
                 'network': 'neutron', 'placement': 'placement',
                 'volumev3': 'cinder', 'block-storage': 'cinder',
                 'orchestration': 'heat'}
INTERFACES = ('public', 'internal', 'admin')


def bootstrap(service, public_url, endpoints=None, service_users=(), demo=True,
              demo_password='demopass'):
    """Make the cloud's first objects; returns the credentials to hand out.

    ``public_url`` is the identity API's base URL; ``endpoints`` maps each
    other service type to its URL.
    """
    conf = service.conf
    region = conf.region_name
    domain = _get_or_create(lambda: service.resource.get_domain(DEFAULT_DOMAIN['id']),
                            lambda: service.resource.create_domain(dict(DEFAULT_DOMAIN)))
    roles = {name: _get_or_create(lambda n=name: service.assignment.get_role_by_name(n),
                                  lambda n=name: service.assignment.create_role({'name': n}))
             for name in ROLE_NAMES}
    for prior, implied in IMPLIED:
        try:
            service.assignment.create_implied_role(roles[prior]['id'], roles[implied]['id'])
        except exception.Conflict:
            pass

    projects = {}
    for name, description in (('admin', 'Bootstrap project for the admin user'),
                              ('service', 'Project of the services\' own users'),
                              ('demo', 'Project of the demo user')):
        if name == 'demo' and not demo:
            continue
        projects[name] = _get_or_create(
            lambda n=name: service.resource.get_project_by_name(n, domain['id']),
            lambda n=name, d=description: service.resource.create_project(
                {'name': n, 'domain_id': domain['id'], 'description': d}))

    # Users: bcrypt at cost 12 takes ~0.25 s each and releases the GIL, so the
    # new ones are created in parallel.
    wanted = [('admin', conf.bootstrap.admin_password, 'admin', ['admin'])]
    wanted += [(name, conf.bootstrap.service_password, 'service', ['service', 'admin'])
               for name in service_users]
    if demo:
        wanted.append(('demo', demo_password, 'demo', ['member']))
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        users = list(pool.map(lambda w: _ensure_user(service, domain, projects, *w), wanted))
    for (name, _pw, project, role_names), user in zip(wanted, users):
        for role_name in role_names:
            service.assignment.grant(roles[role_name]['id'], user_id=user['id'],
                                     project_id=projects[project]['id'])
        if name == 'admin':
            service.assignment.grant(roles['admin']['id'], user_id=user['id'], system=True)
            service.assignment.grant(roles['admin']['id'], user_id=user['id'],
                                     domain_id=domain['id'])

    _get_or_create(lambda: service.catalog.get_region(region),
                   lambda: service.catalog.create_region({'id': region, 'description': ''}))
    catalog = dict(endpoints or {})
    catalog['identity'] = public_url.rstrip('/') + '/v3'
    for service_type, url in catalog.items():
        _ensure_service_endpoints(service, service_type, url, region)

    def creds(user, password, project):
        return {'username': user, 'password': password, 'project_name': project,
                'user_domain_name': domain['name'], 'project_domain_name': domain['name']}
    result = {'admin': creds('admin', conf.bootstrap.admin_password, 'admin')}
    if demo:
        result['demo'] = creds('demo', demo_password, 'demo')
    return result


def _get_or_create(get, create):
    try:
        return get()
    except exception.NotFound:
        try:
            return create()
        except exception.Conflict:  # another process bootstrapping at the same time
            return get()


def _ensure_user(service, domain, projects, name, password, project, _roles):
    return _get_or_create(
        lambda: service.identity.get_user_by_name(name, domain['id']),
        lambda: service.identity.create_user({
            'name': name, 'domain_id': domain['id'], 'password': password,
            'default_project_id': projects[project]['id']}))


def _ensure_service_endpoints(service, service_type, url, region):
    catalog = service.catalog
    existing = [s for s in catalog.list_services() if s['type'] == service_type]
    if existing:
        svc = existing[0]
    else:
        svc = catalog.create_service({'type': service_type,
                                      'name': SERVICE_NAMES.get(service_type, service_type),
                                      'enabled': True})
    endpoints = {e['interface']: e for e in catalog.list_endpoints()
                 if e['service_id'] == svc['id']}
    for interface in INTERFACES:
        endpoint = endpoints.get(interface)
        if endpoint is None:
            catalog.create_endpoint({'service_id': svc['id'], 'interface': interface,
                                     'url': url, 'region_id': region, 'enabled': True})
        elif endpoint['url'] != url:
            # The service moved (another --bind or port): follow it.
            catalog.update_endpoint(endpoint['id'], {'url': url})
            LOG.info('Endpoint %s %s now %s', service_type, interface, url)
