"""The Network API in-process on its ``noauth`` pipeline: the token
``user:project`` names the caller (``network.client('alice', 'p1')``), the
user ``admin`` has the admin role.  Paths without a version go to /v2.0.

``network.create(client, 'networks', name='n1')`` and friends make the
usual resources and return their bodies, asserting the 201.
"""
import pytest

from pocketstack.common import wsgi
from pocketstack.network import service as network_service
from tests.conftest import ApiClient, make_conf


class NetworkClient(ApiClient):

    def __init__(self, app, user, project, roles=None):
        super().__init__(app, '%s:%s' % (user, project), host='http://127.0.0.1:9696',
                         headers={'X-Roles': ','.join(roles)} if roles is not None else None)
        self.user, self.project = user, project

    def request(self, method, path, body=None, headers=None, **kw):
        if path != '/' and not path.startswith('/v'):
            path = '/v2.0' + path
        return super().request(method, path, body, headers=headers, **kw)


class NetworkFixture:

    def __init__(self, tmp_path, overrides=None, db_url=None):
        self.conf = make_conf('network', tmp_path, db_url, overrides={
            ('DEFAULT', 'auth_strategy'): 'noauth', **(overrides or {})})
        self.app = wsgi.load_app(self.conf, 'neutron')
        self.service = network_service.NetworkService.for_conf(self.conf)
        self.db = self.service.db
        self.admin = self.client('admin', 'admin')

    def client(self, user='alice', project='p1', roles=None):
        return NetworkClient(self.app, user, project, roles)

    @staticmethod
    def create(client, collection, **attrs):
        """POST one resource; its body (asserting 201)."""
        member = collection.replace('-', '_')[:-1]
        resp = client.post('/%s' % collection, {member: attrs})
        assert resp.status_int == 201, resp.body
        return resp.data[member]

    def network_with_subnet(self, client, cidr='10.1.0.0/24', name='n1', **subnet):
        network = self.create(client, 'networks', name=name)
        sub = self.create(client, 'subnets', network_id=network['id'], cidr=cidr,
                          ip_version=6 if ':' in cidr else 4, name=name + '-subnet', **subnet)
        return network, sub


@pytest.fixture
def network(tmp_path):
    fixture = NetworkFixture(tmp_path)
    yield fixture
    fixture.db.dispose()


def fault(resp):
    """(status, NeutronError type) of an error answer."""
    return resp.status_int, (resp.data or {}).get('NeutronError', {}).get('type')
