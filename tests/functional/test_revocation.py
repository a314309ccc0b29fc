"""In ``pocketstack up``, what Identity revokes is refused by Compute, Image
and Network on the very next request — although each of them caches the
tokens it has validated (keystonemiddleware's auth_token, 300 s)."""
import pytest

from tests.cloud_process import running_up

# One read per service, with the API name of its port.
READS = [('osapi_compute', '/v2.1/servers'), ('image', '/v2/images'),
         ('network', '/v2.0/networks')]


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    with running_up(tmp_path_factory.mktemp('revocation')) as up:
        yield up


def statuses(cloud, token):
    return [cloud.http('GET', path, token=token, api=api)[0] for api, path in READS]


def new_user(cloud, name):
    """A user with the member role on project demo, and a token of theirs
    every service has validated (and so cached) once."""
    status, _, body = cloud.http('POST', '/v3/users', {'user': {
        'name': name, 'password': 'pw-' + name, 'domain_id': 'default'}}, token=cloud.admin)
    assert status == 201, body
    user_id = body['user']['id']
    project_id = _id_of(cloud, '/v3/projects?name=demo', 'projects')
    role_id = _id_of(cloud, '/v3/roles?name=member', 'roles')
    path = '/v3/projects/%s/users/%s/roles/%s' % (project_id, user_id, role_id)
    assert cloud.http('PUT', path, token=cloud.admin)[0] == 204
    token = cloud.password_token(name, 'pw-' + name, project='demo')
    assert statuses(cloud, token) == [200, 200, 200]
    return user_id, token, path


def _id_of(cloud, path, key):
    status, _, body = cloud.http('GET', path, token=cloud.admin)
    assert status == 200, body
    (item,) = body[key]
    return item['id']


def test_a_revoked_token_is_refused_at_once(cloud):
    _, token, _ = new_user(cloud, 'revoked')
    status, _, _ = cloud.http('DELETE', '/v3/auth/tokens', token=cloud.admin,
                              headers={'X-Subject-Token': token})
    assert status == 204
    assert statuses(cloud, token) == [401, 401, 401]


def test_a_disabled_users_token_is_refused_at_once(cloud):
    user_id, token, _ = new_user(cloud, 'disabled')
    status, _, _ = cloud.http('PATCH', '/v3/users/%s' % user_id, {'user': {'enabled': False}},
                              token=cloud.admin)
    assert status == 200
    assert statuses(cloud, token) == [401, 401, 401]


def test_a_token_loses_a_removed_role_at_once(cloud):
    _, token, assignment = new_user(cloud, 'unassigned')
    assert cloud.http('DELETE', assignment, token=cloud.admin)[0] == 204
    assert statuses(cloud, token) == [401, 401, 401]


def test_other_tokens_keep_working(cloud):
    _, token, _ = new_user(cloud, 'bystander')
    new_user(cloud, 'someone-else')      # another change Identity commits
    assert statuses(cloud, token) == [200, 200, 200]
