"""Who may do what, cell by cell, as OpenStack's default policies say.

For resources of every service owned by project A, four callers try each
operation against one ``pocketstack up``: project B's member, A's reader,
A's member and an admin.  Each cell is one test (``pytest --collect-only``
lists them) and expects the status the upstream defaults give (Keystone,
Nova, Glance and Neutron with their secure-RBAC defaults, scope checks off
as in DevStack): a project's reader reads, its member writes, another
project's member sees nothing (404) where the API hides what it may not
see and is refused (403) where the API says so; admin-only views leave
items out of lists (Neutron) rather than refuse them.
"""
import itertools
import time
import uuid

import pytest

from tests.cloud_process import running_up

CALLERS = ('b_member', 'a_reader', 'a_member', 'admin')
COMPUTE = {'OpenStack-API-Version': 'compute 2.37'}


class Cloud:
    """The running cloud, the callers' tokens and project A's shared resources."""

    def __init__(self, up):
        self.up = up
        self.tokens = {'admin': up.admin}
        self.ids = {}

    def call(self, caller, api, method, path, body=None, headers=None):
        status, _headers, data = self.up.http(method, path, body, token=self.tokens[caller],
                                              headers=headers, api=api)
        return status, data

    def made(self, caller, api, path, body, key, headers=None, status=(201, 202, 200)):
        """POST as ``caller``; the new resource (asserting it was made)."""
        code, data = self.call(caller, api, 'POST', path, body, headers)
        assert code in status, (path, code, data)
        return data[key] if key else data


def _setup(up):
    cloud = Cloud(up)

    def admin(method, path, body=None, api='identity', status=(200, 201, 204)):
        code, data = cloud.call('admin', api, method, path, body)
        assert code in status, (method, path, code, data)
        return data

    roles = {r['name']: r['id'] for r in admin('GET', '/v3/roles')['roles']}
    for project in ('rbac-a', 'rbac-b'):
        made = admin('POST', '/v3/projects', {'project': {'name': project,
                                                          'domain_id': 'default'}})
        cloud.ids[project] = made['project']['id']
    for user, project, role in (('b_member', 'rbac-b', 'member'),
                                ('a_reader', 'rbac-a', 'reader'),
                                ('a_member', 'rbac-a', 'member')):
        made = admin('POST', '/v3/users', {'user': {'name': user, 'password': 'pw',
                                                    'domain_id': 'default'}})['user']
        cloud.ids[user] = made['id']
        admin('PUT', '/v3/projects/%s/users/%s/roles/%s' % (
            cloud.ids[project], made['id'], roles[role]))
        cloud.tokens[user] = up.password_token(user, 'pw', project=project)
    a = cloud.ids['rbac-a']
    admin('PUT', '/v2.1/os-quota-sets/%s' % a, {'quota_set': {
        'instances': 200, 'cores': 400, 'ram': 1024 * 1024}}, api='osapi_compute')
    admin('PUT', '/v2.0/quotas/%s' % a, {'quota': dict.fromkeys((
        'network', 'subnet', 'port', 'router', 'floatingip', 'security_group',
        'security_group_rule'), -1)}, api='network')
    cloud.ids['image'] = admin('GET', '/v2/images', api='image')['images'][0]['id']
    public = admin('POST', '/v2.0/networks', {'network': {
        'name': 'public', 'router:external': True}}, api='network')['network']
    admin('POST', '/v2.0/subnets', {'subnet': {
        'network_id': public['id'], 'cidr': '172.31.0.0/24', 'ip_version': 4}},
        api='network')
    cloud.ids['public'] = public['id']
    # A's network and subnet, made by A's member, for the cells that need one.
    cloud.ids['net'] = a_network(cloud)
    cloud.ids['subnet'] = cloud.made('a_member', 'network', '/v2.0/subnets', {'subnet': {
        'network_id': cloud.ids['net'], 'cidr': '10.77.0.0/24', 'ip_version': 4}},
        'subnet')['id']
    return cloud


# -- project A's resources, fresh for each cell that changes one -------------

def a_network(cloud):
    return cloud.made('a_member', 'network', '/v2.0/networks',
                      {'network': {'name': 'a-net'}}, 'network')['id']


def a_port(cloud, **attrs):
    return cloud.made('a_member', 'network', '/v2.0/ports', {'port': dict(
        network_id=cloud.ids['net'], **attrs)}, 'port')['id']


def a_server_port(cloud):
    # A port a server uses (device_owner compute:…): the admin makes it, as
    # Nova does with its service credentials.
    return cloud.made('admin', 'network', '/v2.0/ports', {'port': {
        'network_id': cloud.ids['net'], 'project_id': cloud.ids['rbac-a'],
        'device_owner': 'compute:nova', 'device_id': str(uuid.uuid4())}}, 'port')['id']


def a_router(cloud):
    return cloud.made('a_member', 'network', '/v2.0/routers',
                      {'router': {'name': 'a-router'}}, 'router')['id']


def a_subnet(cloud):
    net = a_network(cloud)
    return cloud.made('a_member', 'network', '/v2.0/subnets', {'subnet': {
        'network_id': net, 'cidr': '10.78.0.0/24', 'ip_version': 4}}, 'subnet')['id']


def a_floatingip(cloud):
    return cloud.made('a_member', 'network', '/v2.0/floatingips', {'floatingip': {
        'floating_network_id': cloud.ids['public']}}, 'floatingip')['id']


def a_group(cloud):
    return cloud.made('a_member', 'network', '/v2.0/security-groups',
                      {'security_group': {'name': 'a-sg'}}, 'security_group')['id']


def a_rule(cloud):
    return cloud.made('a_member', 'network', '/v2.0/security-group-rules', {
        'security_group_rule': {'security_group_id': a_group(cloud), 'direction': 'ingress',
                                'protocol': 'tcp', 'port_range_min': 22,
                                'port_range_max': 22}}, 'security_group_rule')['id']


def a_image(cloud, status='queued', **attrs):
    image = cloud.made('a_member', 'image', '/v2/images', dict(
        {'name': 'a-image', 'disk_format': 'raw', 'container_format': 'bare'}, **attrs), None)
    if status != 'queued':
        code = cloud.up.http('PUT', '/v2/images/%s/file' % image['id'], raw=b'x' * 512,
                                token=cloud.tokens['a_member'], api='image',
                                headers={'Content-Type': 'application/octet-stream'})[0]
        assert code == 204
    if status == 'deactivated':
        assert cloud.call('admin', 'image', 'POST',
                          '/v2/images/%s/actions/deactivate' % image['id'])[0] == 204
    return image['id']


def a_server(cloud):
    server = cloud.made('a_member', 'osapi_compute', '/v2.1/servers', {'server': {
        'name': 'a-server', 'imageRef': cloud.ids['image'], 'flavorRef': '1',
        'networks': 'none'}}, 'server', headers=COMPUTE)['id']
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = cloud.call('admin', 'osapi_compute', 'GET', '/v2.1/servers/%s' % server,
                            headers=COMPUTE)[1]['server']['status']
        if status == 'ACTIVE':
            return server
        time.sleep(0.05)
    raise AssertionError('server %s is still %s' % (server, status))


def a_keypair(cloud):
    name = 'kp-%s' % uuid.uuid4().hex[:8]
    cloud.made('a_member', 'osapi_compute', '/v2.1/os-keypairs', {'keypair': {'name': name}},
               'keypair')
    return name


def fresh(make):
    """A cell's resource: made anew for each caller (the cell changes it)."""
    return make


def shared(name, make):
    """A cell's resource: made once and shared by the four callers (a read)."""
    def get(cloud):
        if name not in cloud.ids:
            cloud.ids[name] = make(cloud)
        get.last = cloud.ids[name]
        return get.last
    return get


def c_ids(data, key):
    return {item['id'] for item in data[key]}


def _name():
    return 'n-%s' % uuid.uuid4().hex[:8]


# (resource, operation, resource maker or None, request(cloud, id) ->
#  (api, method, path, body[, headers]), expected (b_member, a_reader, a_member, admin))
N, I, C, K = 'network', 'image', 'osapi_compute', 'identity'
A_NET, A_IMAGE = shared('A_NET', a_network), shared('A_IMAGE', a_image)
A_SERVER = shared('A_SERVER', a_server)
CELLS = [
    # -- Network (Neutron) -------------------------------------------------
    ('network', 'list', None, lambda c, _: (N, 'GET', '/v2.0/networks', None),
     (200, 200, 200, 200)),
    ('network', 'show', A_NET, lambda c, i: (N, 'GET', '/v2.0/networks/%s' % i, None),
     (404, 200, 200, 200)),
    ('network', 'create', None,
     lambda c, _: (N, 'POST', '/v2.0/networks', {'network': {'name': _name()}}),
     (201, 403, 201, 201)),
    ('network', 'create shared', None, lambda c, _: (
        N, 'POST', '/v2.0/networks', {'network': {'name': _name(), 'shared': True}}),
     (403, 403, 403, 201)),
    ('network', 'update', fresh(a_network), lambda c, i: (
        N, 'PUT', '/v2.0/networks/%s' % i, {'network': {'name': 'renamed'}}),
     (404, 403, 200, 200)),
    ('network', 'delete', fresh(a_network),
     lambda c, i: (N, 'DELETE', '/v2.0/networks/%s' % i, None), (404, 403, 204, 204)),
    ('network', 'tag', fresh(a_network),
     lambda c, i: (N, 'PUT', '/v2.0/networks/%s/tags/red' % i, None), (404, 403, 201, 201)),
    ('subnet', 'show', lambda c: c.ids['subnet'],
     lambda c, i: (N, 'GET', '/v2.0/subnets/%s' % i, None), (404, 200, 200, 200)),
    ('subnet', 'create', fresh(a_network), lambda c, i: (N, 'POST', '/v2.0/subnets', {
        'subnet': {'network_id': i, 'cidr': '10.79.0.0/24', 'ip_version': 4}}),
     (404, 403, 201, 201)),
    ('subnet', 'create on an external network', lambda c: c.ids['public'],
     lambda c, i: (N, 'POST', '/v2.0/subnets', {
         'subnet': {'network_id': i, 'cidr': '172.30.0.0/24', 'ip_version': 4}}),
     (403, 403, 403, 201)),
    ('subnet', 'update', fresh(a_subnet), lambda c, i: (
        N, 'PUT', '/v2.0/subnets/%s' % i, {'subnet': {'name': 'renamed'}}),
     (404, 403, 200, 200)),
    ('subnet', 'delete', fresh(a_subnet),
     lambda c, i: (N, 'DELETE', '/v2.0/subnets/%s' % i, None), (404, 403, 204, 204)),
    ('port', 'list', None, lambda c, _: (N, 'GET', '/v2.0/ports', None), (200, 200, 200, 200)),
    ('port', 'show', shared('A_PORT', a_port),
     lambda c, i: (N, 'GET', '/v2.0/ports/%s' % i, None), (404, 200, 200, 200)),
    ('port', 'create', None, lambda c, _: (
        N, 'POST', '/v2.0/ports', {'port': {'network_id': c.ids['net']}}),
     (404, 403, 201, 201)),
    ('port', 'create on an external network', None, lambda c, _: (
        N, 'POST', '/v2.0/ports', {'port': {'network_id': c.ids['public']}}),
     (403, 403, 403, 201)),
    ('port', 'create bound to a host', None, lambda c, _: (N, 'POST', '/v2.0/ports', {
        'port': {'network_id': c.ids['net'], 'binding:host_id': 'compute1'}}),
     (404, 403, 403, 201)),
    ('port', 'update', fresh(a_port), lambda c, i: (
        N, 'PUT', '/v2.0/ports/%s' % i, {'port': {'name': 'renamed'}}),
     (404, 403, 200, 200)),
    ('port', 'delete', fresh(a_port),
     lambda c, i: (N, 'DELETE', '/v2.0/ports/%s' % i, None), (404, 403, 204, 204)),
    ('port', "delete a server's", fresh(a_server_port),
     lambda c, i: (N, 'DELETE', '/v2.0/ports/%s' % i, None), (404, 403, 403, 204)),
    ('router', 'show', shared('A_ROUTER', a_router),
     lambda c, i: (N, 'GET', '/v2.0/routers/%s' % i, None), (404, 200, 200, 200)),
    ('router', 'create', None,
     lambda c, _: (N, 'POST', '/v2.0/routers', {'router': {'name': _name()}}),
     (201, 403, 201, 201)),
    ('router', 'update', fresh(a_router), lambda c, i: (
        N, 'PUT', '/v2.0/routers/%s' % i, {'router': {'name': 'renamed'}}),
     (404, 403, 200, 200)),
    ('router', 'delete', fresh(a_router),
     lambda c, i: (N, 'DELETE', '/v2.0/routers/%s' % i, None), (404, 403, 204, 204)),
    ('router', 'add_router_interface', fresh(a_router), lambda c, i: (
        N, 'PUT', '/v2.0/routers/%s/add_router_interface' % i, {'subnet_id': a_subnet(c)}),
     (404, 403, 200, 200)),
    ('floatingip', 'show', shared('A_FIP', a_floatingip),
     lambda c, i: (N, 'GET', '/v2.0/floatingips/%s' % i, None), (404, 200, 200, 200)),
    ('floatingip', 'create', None, lambda c, _: (N, 'POST', '/v2.0/floatingips', {
        'floatingip': {'floating_network_id': c.ids['public']}}), (201, 403, 201, 201)),
    ('floatingip', 'update', fresh(a_floatingip), lambda c, i: (
        N, 'PUT', '/v2.0/floatingips/%s' % i, {'floatingip': {'description': 'x'}}),
     (404, 403, 200, 200)),
    ('floatingip', 'delete', fresh(a_floatingip),
     lambda c, i: (N, 'DELETE', '/v2.0/floatingips/%s' % i, None), (404, 403, 204, 204)),
    ('security_group', 'show', shared('A_SG', a_group),
     lambda c, i: (N, 'GET', '/v2.0/security-groups/%s' % i, None), (404, 200, 200, 200)),
    ('security_group', 'create', None, lambda c, _: (
        N, 'POST', '/v2.0/security-groups', {'security_group': {'name': _name()}}),
     (201, 403, 201, 201)),
    ('security_group', 'update', fresh(a_group), lambda c, i: (
        N, 'PUT', '/v2.0/security-groups/%s' % i, {'security_group': {'name': 'renamed'}}),
     (404, 403, 200, 200)),
    ('security_group', 'delete', fresh(a_group),
     lambda c, i: (N, 'DELETE', '/v2.0/security-groups/%s' % i, None), (404, 403, 204, 204)),
    ('security_group_rule', 'show', shared('A_RULE', a_rule),
     lambda c, i: (N, 'GET', '/v2.0/security-group-rules/%s' % i, None),
     (404, 200, 200, 200)),
    ('security_group_rule', 'create', fresh(a_group), lambda c, i: (
        N, 'POST', '/v2.0/security-group-rules', {'security_group_rule': {
            'security_group_id': i, 'direction': 'ingress', 'protocol': 'udp'}}),
     (404, 403, 201, 201)),
    ('security_group_rule', 'delete', fresh(a_rule),
     lambda c, i: (N, 'DELETE', '/v2.0/security-group-rules/%s' % i, None),
     (404, 403, 204, 204)),
    ('agent', 'list (items filtered)', None,
     lambda c, _: (N, 'GET', '/v2.0/agents', None), (200, 200, 200, 200),
     lambda data, caller: (data['agents'] != []) == (caller == 'admin')),
    ('network', "list (B's member does not see A's)", A_NET,
     lambda c, _: (N, 'GET', '/v2.0/networks', None), (200, 200, 200, 200),
     lambda data, caller: (c_ids(data, 'networks') >= {A_NET.last}) == (caller != 'b_member')),
    ('quota', "show A's", None, lambda c, _: (
        N, 'GET', '/v2.0/quotas/%s' % c.ids['rbac-a'], None), (403, 200, 200, 200)),
    ('quota', "update A's", None, lambda c, _: (
        N, 'PUT', '/v2.0/quotas/%s' % c.ids['rbac-a'], {'quota': {'network': 50}}),
     (403, 403, 403, 200)),
    # -- Image (Glance) ----------------------------------------------------
    ('image', 'list', None, lambda c, _: (I, 'GET', '/v2/images', None), (200, 200, 200, 200)),
    ('image', 'show', A_IMAGE, lambda c, i: (I, 'GET', '/v2/images/%s' % i, None),
     (404, 200, 200, 200)),
    ('image', 'create', None, lambda c, _: (I, 'POST', '/v2/images', {'name': _name()}),
     (201, 403, 201, 201)),
    ('image', 'create public', None, lambda c, _: (
        I, 'POST', '/v2/images', {'name': _name(), 'visibility': 'public'}),
     (403, 403, 403, 201)),
    ('image', 'update', fresh(a_image), lambda c, i: (
        I, 'PATCH', '/v2/images/%s' % i, [{'op': 'replace', 'path': '/name', 'value': 'x'}],
        {'Content-Type': 'application/openstack-images-v2.1-json-patch'}),
     (404, 403, 200, 200)),
    ('image', 'delete', fresh(a_image),
     lambda c, i: (I, 'DELETE', '/v2/images/%s' % i, None), (404, 403, 204, 204)),
    ('image', 'download', shared('A_ACTIVE', lambda c: a_image(c, 'active')),
     lambda c, i: (I, 'GET', '/v2/images/%s/file' % i, None), (404, 403, 200, 200)),
    ('image', 'deactivate', fresh(lambda c: a_image(c, 'active')),
     lambda c, i: (I, 'POST', '/v2/images/%s/actions/deactivate' % i, None),
     (404, 403, 204, 204)),
    ('image', 'reactivate', fresh(lambda c: a_image(c, 'deactivated')),
     lambda c, i: (I, 'POST', '/v2/images/%s/actions/reactivate' % i, None),
     (404, 403, 204, 204)),
    ('image', 'add member', fresh(a_image), lambda c, i: (
        I, 'POST', '/v2/images/%s/members' % i, {'member': c.ids['rbac-b']}),
     (404, 403, 200, 200)),
    # -- Compute (Nova) ----------------------------------------------------
    ('server', 'list', None, lambda c, _: (C, 'GET', '/v2.1/servers', None, COMPUTE),
     (200, 200, 200, 200)),
    ('server', 'list all_tenants', None, lambda c, _: (
        C, 'GET', '/v2.1/servers/detail?all_tenants=1', None, COMPUTE), (403, 403, 403, 200)),
    ('server', 'show', A_SERVER, lambda c, i: (C, 'GET', '/v2.1/servers/%s' % i, None, COMPUTE),
     (404, 200, 200, 200)),
    ('server', 'create', None, lambda c, _: (C, 'POST', '/v2.1/servers', {'server': {
        'name': _name(), 'imageRef': c.ids['image'], 'flavorRef': '1', 'networks': 'none'}},
        COMPUTE), (202, 403, 202, 202)),
    ('server', 'update', fresh(a_server), lambda c, i: (
        C, 'PUT', '/v2.1/servers/%s' % i, {'server': {'name': 'renamed'}}, COMPUTE),
     (404, 403, 200, 200)),
    ('server', 'delete', fresh(a_server),
     lambda c, i: (C, 'DELETE', '/v2.1/servers/%s' % i, None, COMPUTE), (404, 403, 204, 204)),
    ('server', 'action (reboot)', fresh(a_server), lambda c, i: (
        C, 'POST', '/v2.1/servers/%s/action' % i, {'reboot': {'type': 'SOFT'}}, COMPUTE),
     (404, 403, 202, 202)),
    ('flavor', 'create', None, lambda c, _: (C, 'POST', '/v2.1/flavors', {'flavor': {
        'name': _name(), 'ram': 64, 'vcpus': 1, 'disk': 1}}, COMPUTE), (403, 403, 403, 200)),
    ('keypair', 'create (own user)', None, lambda c, _: (
        C, 'POST', '/v2.1/os-keypairs', {'keypair': {'name': _name()}}, COMPUTE),
     (201, 201, 201, 201)),
    ('quota_set', "update A's", None, lambda c, _: (
        C, 'PUT', '/v2.1/os-quota-sets/%s' % c.ids['rbac-a'],
        {'quota_set': {'instances': 150}}, COMPUTE), (403, 403, 403, 200)),
    ('aggregate', 'list', None, lambda c, _: (C, 'GET', '/v2.1/os-aggregates', None, COMPUTE),
     (403, 403, 403, 200)),
    # -- Identity (Keystone) -----------------------------------------------
    ('project', 'list', None, lambda c, _: (K, 'GET', '/v3/projects', None),
     (403, 403, 403, 200)),
    ('project', 'show A', None, lambda c, _: (
        K, 'GET', '/v3/projects/%s' % c.ids['rbac-a'], None), (403, 200, 200, 200)),
    ('project', 'create', None, lambda c, _: (K, 'POST', '/v3/projects', {
        'project': {'name': _name(), 'domain_id': 'default'}}), (403, 403, 403, 201)),
    ('user', "show A's member", None, lambda c, _: (
        K, 'GET', '/v3/users/%s' % c.ids['a_member'], None), (403, 403, 200, 200)),
    ('user', 'create', None, lambda c, _: (K, 'POST', '/v3/users', {
        'user': {'name': _name(), 'domain_id': 'default'}}), (403, 403, 403, 201)),
    ('role_assignment', 'list', None, lambda c, _: (
        K, 'GET', '/v3/role_assignments', None), (403, 403, 403, 200)),
]


def _cell_id(cell, caller):
    resource, operation = cell[0], cell[1]
    return '%s %s by %s' % (resource, operation, caller)


PARAMS = [pytest.param(cell, n, id=_cell_id(cell, caller))
          for cell, (n, caller) in itertools.product(CELLS, enumerate(CALLERS))]


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    with running_up(tmp_path_factory.mktemp('rbac')) as up:
        yield _setup(up)


@pytest.mark.parametrize('cell,caller_index', PARAMS)
def test_rbac(cloud, cell, caller_index):
    _resource, _operation, make, request, expected, *check = cell
    caller = CALLERS[caller_index]
    resource_id = make(cloud) if make else None
    api, method, path, body, *headers = request(cloud, resource_id)
    status, data = cloud.call(caller, api, method, path, body, headers[0] if headers else None)
    assert status == expected[caller_index], data
    if check:
        assert check[0](data, caller), data
