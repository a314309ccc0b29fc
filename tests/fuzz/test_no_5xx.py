"""Random and malformed requests to every route of the four APIs of a real
``pocketstack up`` (keystone tokens, the packaged pipelines): never a 5xx,
every error in the API's own fault format, and an error leaves its
service's database as it was (no half-created row).

The routes come from the APIs' own route tables (routes.py); bodies, ids,
query strings and headers from strategies.py.  ``make test`` runs the
``ci`` profile (a few examples per route, fixed seed); ``make fuzz`` the
``fuzz`` profile (see conftest.py)."""
import http.client
import json
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.cloud_process import running_up
from tests.fuzz import routes as routes_mod
from tests.fuzz import samples as samples_mod
from tests.fuzz import strategies
from tests.functional.test_bad_input import FAULT_SHAPES

ROUTES = routes_mod.all_routes()
WRITES = {'POST', 'PUT', 'PATCH', 'DELETE'}


class Cloud:
    """The running cloud, its callers' tokens, ids of things that exist, and
    one keep-alive connection per API."""

    def __init__(self, up):
        self.up = up
        self.tokens = {'admin': up.admin, 'bogus': 'gAAAAAbogus' + 'x' * 100}
        self.known_ids = {'default', 'admin', 'demo', '1', '2', 'self'}
        self.ids = {}       # one seeded id of each kind, for the samples' bodies
        self._connections = {}

    def remember(self, **ids):
        self.ids.update(ids)
        self.known_ids.update(str(i) for i in ids.values())

    def request(self, api, method, path, body, headers):
        port_name, prefix = routes_mod.APIS[api]
        for attempt in (1, 2):
            conn = self._connections.get(api)
            if conn is None:
                conn = self._connections[api] = http.client.HTTPConnection(
                    '127.0.0.1', self.up.ports[port_name], timeout=60)
            try:
                conn.request(method, prefix + path, body=body or None, headers=headers)
                resp = conn.getresponse()
                return resp.status, resp.getheaders(), resp.read()
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self._connections.pop(api, None)
                if attempt == 2:
                    raise

    def row_counts(self, api):
        """{table: rows} of ``api``'s database (SQLite in the state directory)."""
        path = '%s/%s.sqlite' % (self.up.state_dir, api)
        with sqlite3.connect('file:%s?mode=ro' % path, uri=True) as db:
            tables = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
                    for t in tables}


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    with running_up(tmp_path_factory.mktemp('fuzz')) as up:
        cloud = Cloud(up)
        _seed(cloud)
        yield cloud


def _seed(cloud):
    """Something of each kind to aim at, and a member's and a reader's token."""
    up = cloud.up

    def ok(status, body, *expected):
        assert status in expected, body
        return body

    admin = up.admin
    project = ok(*up.http('GET', '/v3/projects?name=demo', token=admin)[::2], 200)['projects'][0]
    roles = {r['name']: r['id'] for r in ok(*up.http('GET', '/v3/roles', token=admin)[::2],
                                            200)['roles']}
    reader = ok(*up.http('POST', '/v3/users', {'user': {
        'name': 'fuzz-reader', 'password': 'pw', 'domain_id': 'default'}},
        token=admin)[::2], 201)['user']
    assert up.http('PUT', '/v3/projects/%s/users/%s/roles/%s' % (
        project['id'], reader['id'], roles['reader']), token=admin)[0] == 204
    cloud.tokens['member'] = up.password_token('demo', 'demopass', project='demo')
    cloud.tokens['reader'] = up.password_token('fuzz-reader', 'pw', project='demo')
    cloud.remember(project=project['id'], user=reader['id'],
                   **{'role_' + name: role for name, role in roles.items()})

    images = ok(*up.http('GET', '/v2/images', token=admin, api='image')[::2], 200)['images']
    cloud.remember(image=images[0]['id'])
    net = ok(*up.http('POST', '/v2.0/networks', {'network': {'name': 'fuzz'}}, token=admin,
                      api='network')[::2], 201)['network']
    subnet = ok(*up.http('POST', '/v2.0/subnets', {'subnet': {
        'network_id': net['id'], 'cidr': '10.99.0.0/24', 'ip_version': 4}}, token=admin,
        api='network')[::2], 201)['subnet']
    port = ok(*up.http('POST', '/v2.0/ports', {'port': {'network_id': net['id']}},
                       token=admin, api='network')[::2], 201)['port']
    router = ok(*up.http('POST', '/v2.0/routers', {'router': {'name': 'fuzz'}}, token=admin,
                         api='network')[::2], 201)['router']
    group = ok(*up.http('POST', '/v2.0/security-groups', {'security_group': {'name': 'fuzz'}},
                        token=admin, api='network')[::2], 201)['security_group']
    cloud.remember(network=net['id'], subnet=subnet['id'], port=port['id'],
                   router=router['id'], security_group=group['id'])
    server = ok(*up.http('POST', '/v2.1/servers', {'server': {
        'name': 'fuzz', 'imageRef': images[0]['id'], 'flavorRef': '1', 'networks': 'none'}},
        token=admin, api='osapi_compute',
        headers={'OpenStack-API-Version': 'compute 2.37'})[::2], 202)['server']
    cloud.remember(server=server['id'])


@pytest.mark.parametrize('route', ROUTES, ids=str)
@given(data=st.data())
def test_no_5xx_and_no_half_created_rows(cloud, route, data):
    path = route.path
    for name in route.variables:
        path = path.replace('{%s}' % name, data.draw(strategies.path_value(cloud.known_ids),
                                                     label=name), 1)
    query = data.draw(strategies.query(), label='query')
    if query:
        path += '?' + query
    headers = data.draw(strategies.headers(route.api), label='headers')
    caller = headers.pop('caller')
    headers = {k: v for k, v in headers.items() if v is not None}
    headers.update({'Accept': 'application/json', 'X-Auth-Token': cloud.tokens[caller]})
    samples = [make(cloud.ids) for make in samples_mod.SAMPLES.get(
        (route.api, route.method, route.path), ())]
    body = data.draw(strategies.body(route, samples), label='body') \
        if route.method in WRITES else b''

    check_rows = route.method in WRITES and route.api != 'compute'
    before = cloud.row_counts(route.api) if check_rows else None
    status, response_headers, payload = cloud.request(route.api, route.method, path, body,
                                                      headers)
    assert status < 500, (status, payload[:500])
    if status >= 400 and route.method != 'HEAD':
        decoded = _json(payload)
        assert decoded is not None and FAULT_SHAPES[route.api](decoded), (status, payload[:300])
        if check_rows:
            assert cloud.row_counts(route.api) == before, (status, payload[:300])


def _json(payload):
    try:
        return json.loads(payload)
    except ValueError:
        return None


def test_every_sample_belongs_to_a_route():
    # A sample whose route was renamed would silently stop being sent.
    served = {(r.api, r.method, r.path) for r in ROUTES}
    assert set(samples_mod.SAMPLES) <= served, set(samples_mod.SAMPLES) - served
