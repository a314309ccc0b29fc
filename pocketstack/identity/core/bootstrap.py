"""Bootstrap, as ``keystone-manage bootstrap`` (and DevStack after it) leave a cloud.

Creates — only what is missing, so a restart duplicates nothing — the
``Default`` domain, the roles admin ⇒ manager ⇒ member ⇒ reader and service
(Keystone's defaults since 2024.2), the admin
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
ROLE_NAMES = ('admin', 'manager', 'member', 'reader', 'service')
IMPLIED = (('admin', 'manager'), ('manager', 'member'), ('member', 'reader'))

# service type -> the name DevStack registers it under
SERVICE_NAMES = {'identity': 'keystone', 'compute': 'nova', 'image': 'glance',
                 'network': 'neutron', 'placement': 'placement',
                 'volumev3': 'cinder', 'block-storage': 'cinder',
                 'orchestration': 'heat'}
INTERFACES = ('public', 'internal', 'admin')


def bootstrap(service, endpoints, service_users=None, admin_password=None, demo=True,
              demo_password='demopass', region=None, retire=()):
    """Make the cloud's first objects; returns the credentials to hand out.

    ``endpoints`` maps each service type (identity's included) to its URL,
    or to {interface: URL} (public, internal, admin); ``service_users`` maps
    each service user's name (``nova``…) to its password.  A user that
    exists keeps its id and grants; its password becomes the one given and a
    disabled one is enabled again, as ``keystone-manage bootstrap`` recovers
    an admin.  ``admin_password`` and ``region`` default to the options'.
    The services of the types in ``retire`` leave the catalog, endpoints and all.
    """
    conf = service.conf
    region = region or conf.region_name
    admin_password = admin_password or conf.bootstrap.admin_password
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
    # users are created (or their passwords checked) in parallel.
    wanted = [('admin', admin_password, 'admin', ['admin'])]
    wanted += [(name, password, 'service', ['service', 'admin'])
               for name, password in (service_users or {}).items()]
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
    for service_type, urls in endpoints.items():
        if isinstance(urls, str):
            urls = dict.fromkeys(INTERFACES, urls)
        _ensure_service_endpoints(service, service_type, urls, region)
    for retired in service.catalog.list_services():
        if retired['type'] in retire:
            service.catalog.delete_service(retired['id'])
            LOG.info('Service %s (%s) left the catalog', retired['type'], retired['name'])

    def creds(user, password, project):
        return {'username': user, 'password': password, 'project_name': project,
                'user_domain_name': domain['name'], 'project_domain_name': domain['name']}
    result = {'admin': creds('admin', admin_password, 'admin')}
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
    identity = service.identity
    user = _get_or_create(
        lambda: identity.get_user_by_name(name, domain['id']),
        lambda: identity.create_user({
            'name': name, 'domain_id': domain['id'], 'password': password,
            'default_project_id': projects[project]['id']}))
    try:
        identity.authenticate(password, user_id=user['id'])  # a wrong password or disabled
    except exception.Unauthorized:
        LOG.info('Resetting the password of user %s and enabling it', name)
        user = identity.update_user(user['id'], {'password': password, 'enabled': True})
    return user


def _ensure_service_endpoints(service, service_type, urls, region):
    """The service of ``service_type`` with an endpoint per interface of
    ``urls`` in ``region``; one whose URL changed follows it."""
    catalog = service.catalog
    existing = [s for s in catalog.list_services() if s['type'] == service_type]
    if existing:
        svc = existing[0]
    else:
        svc = catalog.create_service({'type': service_type,
                                      'name': SERVICE_NAMES.get(service_type, service_type),
                                      'enabled': True})
    endpoints = {e['interface']: e for e in catalog.list_endpoints()
                 if e['service_id'] == svc['id'] and e['region_id'] == region}
    for interface, url in urls.items():
        endpoint = endpoints.get(interface)
        if endpoint is None:
            catalog.create_endpoint({'service_id': svc['id'], 'interface': interface,
                                     'url': url, 'region_id': region, 'enabled': True})
        elif endpoint['url'] != url:
            # The service moved (another --bind or port): follow it.
            catalog.update_endpoint(endpoint['id'], {'url': url})
            LOG.info('Endpoint %s %s now %s', service_type, interface, url)
