"""Identity acceptance with the real clients: the ``openstack`` CLI and
openstacksdk against ``pocketstack up``, as a user would drive them; plus the
raw requests whose exact status codes the api-ref promises."""
import pytest

ALICE_PASSWORD = 's3cret'


def as_user(cloud, user, password, project, *args):
    """Run the CLI with explicit --os-* credentials (no clouds.yaml entry)."""
    return cloud.openstack(
        '--os-auth-url', cloud.url + '/v3', '--os-identity-api-version', '3',
        '--os-username', user, '--os-password', password,
        '--os-user-domain-name', 'Default',
        '--os-project-name', project, '--os-project-domain-name', 'Default',
        *args, cloud=None)


def rows_by(rows, key):
    return {row[key]: row for row in rows}


# -- what admin sees after `pocketstack up` ------------------------------------

def test_token_issue(cloud):
    token = cloud.openstack_json('token', 'issue')
    assert token['id'].startswith('gAAAA')  # a Fernet token
    assert set(token) >= {'id', 'expires', 'project_id', 'user_id'}
    projects = cloud.openstack_json('project', 'list')
    assert rows_by(projects, 'Name')['admin']['ID'] == token['project_id']


def test_catalog_list(cloud):
    (entry,) = [e for e in cloud.openstack_json('catalog', 'list') if e['Type'] == 'identity']
    assert entry['Name'] == 'keystone'
    interfaces = {e['interface']: e for e in entry['Endpoints']}
    assert set(interfaces) == {'public', 'internal', 'admin'}
    assert {e['url'] for e in entry['Endpoints']} == {cloud.url + '/v3'}
    assert {e['region'] for e in entry['Endpoints']} == {'RegionOne'}


def test_endpoint_service_region_domain_list(cloud):
    endpoints = [e for e in cloud.openstack_json('endpoint', 'list')
                 if e['Service Type'] == 'identity']
    assert sorted(e['Interface'] for e in endpoints) == ['admin', 'internal', 'public']
    assert {(e['URL'], e['Region'], e['Enabled'], e['Service Name']) for e in endpoints} == \
        {(cloud.url + '/v3', 'RegionOne', True, 'keystone')}

    services = cloud.openstack_json('service', 'list')
    assert sorted((s['Name'], s['Type']) for s in services) == [
        ('glance', 'image'), ('keystone', 'identity'), ('neutron', 'network'),
        ('nova', 'compute')]

    regions = cloud.openstack_json('region', 'list')
    assert [r['Region'] for r in regions] == ['RegionOne']

    domains = rows_by(cloud.openstack_json('domain', 'list'), 'Name')
    assert domains['Default']['ID'] == 'default'
    assert domains['Default']['Enabled'] is True


# -- a project and a user of one's own -----------------------------------------

@pytest.fixture(scope='module')
def demo2(cloud):
    project = cloud.openstack_json('project', 'create', 'demo2')
    assert project['name'] == 'demo2' and project['domain_id'] == 'default'
    return project


@pytest.fixture(scope='module')
def alice(cloud, demo2):
    user = cloud.openstack_json('user', 'create', '--project', 'demo2',
                                '--password', ALICE_PASSWORD, 'alice')
    assert user['name'] == 'alice' and user['default_project_id'] == demo2['id']
    rc, out, err = cloud.openstack('role', 'add', '--user', 'alice', '--project', 'demo2',
                                   'member')
    assert rc == 0, err
    return user


def test_role_assignment_list_names(cloud, alice):
    rows = cloud.openstack_json('role', 'assignment', 'list', '--names')
    assert {'Role': 'member', 'User': 'alice@Default', 'Group': '',
            'Project': 'demo2@Default', 'Domain': '', 'System': '',
            'Inherited': False} in rows
    rows = cloud.openstack_json('role', 'assignment', 'list', '--user', 'alice', '--names')
    assert [(r['Role'], r['Project']) for r in rows] == [('member', 'demo2@Default')]


def test_alice_can_issue_a_token(cloud, alice, demo2):
    rc, out, err = as_user(cloud, 'alice', ALICE_PASSWORD, 'demo2', 'token', 'issue',
                           '-f', 'json')
    assert rc == 0, err
    assert '"project_id": "%s"' % demo2['id'] in out
    assert '"user_id": "%s"' % alice['id'] in out


def test_alice_cannot_create_users(cloud, alice):
    rc, out, err = as_user(cloud, 'alice', ALICE_PASSWORD, 'demo2', 'user', 'create', 'bob')
    assert rc != 0
    assert '403' in err and 'not authorized' in err.lower(), err
    names = [u['Name'] for u in cloud.openstack_json('user', 'list')]
    assert 'bob' not in names


def test_revoked_token_is_refused(cloud, alice, demo2):
    rc, out, err = as_user(cloud, 'alice', ALICE_PASSWORD, 'demo2', 'token', 'issue',
                           '-f', 'value', '-c', 'id')
    assert rc == 0, err
    token = out.strip()
    status, _, body = cloud.http('GET', '/v3/auth/projects', token=token)
    assert status == 200 and [p['name'] for p in body['projects']] == ['demo2']

    rc, out, err = cloud.openstack('token', 'revoke', token)
    assert rc == 0, err

    status, _, body = cloud.http('GET', '/v3/auth/projects', token=token)
    assert status == 401, body
    assert body['error']['code'] == 401
    rc, out, err = cloud.openstack('--os-auth-type', 'token', '--os-token', token,
                                   '--os-auth-url', cloud.url + '/v3',
                                   '--os-project-id', demo2['id'], 'project', 'list',
                                   cloud=None)
    assert rc != 0 and '401' in err, err


def test_disabled_user_cannot_log_in(cloud, alice):
    # Last of alice's tests: she is disabled for good.
    rc, out, err = as_user(cloud, 'alice', ALICE_PASSWORD, 'demo2', 'token', 'issue')
    assert rc == 0, err
    rc, out, err = cloud.openstack('user', 'set', '--disable', 'alice')
    assert rc == 0, err
    user = cloud.openstack_json('user', 'show', 'alice')
    assert user['enabled'] is False
    rc, out, err = as_user(cloud, 'alice', ALICE_PASSWORD, 'demo2', 'token', 'issue')
    assert rc != 0 and '401' in err, err


# -- application credentials ----------------------------------------------------

def test_application_credential_authenticates(cloud):
    cred = cloud.openstack_json('application', 'credential', 'create', 'ci-job')
    assert cred['Name'] == 'ci-job' and cred['Secret']
    listed = [c['Name'] for c in cloud.openstack_json('application', 'credential', 'list')]
    assert 'ci-job' in listed

    admin = cloud.openstack_json('token', 'issue')
    assert cred['Project ID'] == admin['project_id']
    rc, out, err = cloud.openstack(
        '--os-auth-type', 'v3applicationcredential', '--os-auth-url', cloud.url + '/v3',
        '--os-application-credential-id', cred['ID'],
        '--os-application-credential-secret', cred['Secret'],
        'token', 'issue', '-f', 'json', cloud=None)
    assert rc == 0, err
    assert '"project_id": "%s"' % admin['project_id'] in out

    rc, out, err = cloud.openstack(
        '--os-auth-type', 'v3applicationcredential', '--os-auth-url', cloud.url + '/v3',
        '--os-application-credential-id', cred['ID'],
        '--os-application-credential-secret', 'wrong', 'token', 'issue', cloud=None)
    assert rc != 0 and '401' in err, err


# -- the legacy request from the seeds -------------------------------------------

def test_v2_tokens(cloud):
    status, _, body = cloud.http('POST', '/v2.0/tokens', {'auth': {
        'passwordCredentials': {'username': 'admin', 'password': 'secret'},
        'tenantName': 'admin'}})
    assert status == 200, body
    access = body['access']
    assert access['token']['id']
    assert access['token']['tenant']['name'] == 'admin'
    (identity,) = [s for s in access['serviceCatalog'] if s['type'] == 'identity']
    assert identity['endpoints'][0]['publicURL'] == cloud.url + '/v3'
    # The v2.0 token works against v3.
    status, _, _ = cloud.http('GET', '/v3/auth/projects', token=access['token']['id'])
    assert status == 200


# -- errors, as the api-ref promises them ----------------------------------------

def test_malformed_json_is_400(cloud):
    status, _, body = cloud.http('POST', '/v3/auth/tokens', raw=b'{"auth": {')
    assert status == 400, body
    assert body['error']['code'] == 400


def test_wrong_password_and_unknown_user_look_the_same(cloud):
    def attempt(user, password):
        return cloud.http('POST', '/v3/auth/tokens', {'auth': {'identity': {
            'methods': ['password'], 'password': {'user': {
                'name': user, 'domain': {'id': 'default'}, 'password': password}}}}})
    wrong_password = attempt('admin', 'not-the-password')
    unknown_user = attempt('nobody-of-that-name', 'not-the-password')
    assert wrong_password[0] == unknown_user[0] == 401
    assert wrong_password[2] == unknown_user[2]
    assert wrong_password[2]['error']['code'] == 401


def test_invalid_subject_token_is_404(cloud):
    token = cloud.password_token('admin', 'secret', project='admin')
    status, _, body = cloud.http('GET', '/v3/auth/tokens', token=token,
                                 headers={'X-Subject-Token': 'garbage-not-a-token'})
    assert status == 404, body
    assert body['error']['code'] == 404


def test_duplicate_project_is_409(cloud, demo2):
    rc, out, err = cloud.openstack('project', 'create', 'demo2')
    assert rc != 0
    assert '409' in err, err
    names = [p['Name'] for p in cloud.openstack_json('project', 'list')]
    assert names.count('demo2') == 1


def test_missing_required_field_is_400_naming_it(cloud):
    token = cloud.password_token('admin', 'secret', project='admin')
    status, _, body = cloud.http('POST', '/v3/users', {'user': {}}, token=token)
    assert status == 400, body
    assert "'name'" in body['error']['message']


# -- openstacksdk ----------------------------------------------------------------

def test_openstacksdk(cloud, monkeypatch):
    import os

    import openstack
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', cloud.clouds_file)
    conn = openstack.connect(cloud='pocketstack')
    try:
        names = {p.name for p in conn.identity.projects()}
        assert {'admin', 'service', 'demo'} <= names
        (keystone,) = [s for s in conn.identity.services() if s.type == 'identity']
        endpoints = [e for e in conn.identity.endpoints() if e.service_id == keystone.id]
        assert sorted(e.interface for e in endpoints) == ['admin', 'internal', 'public']
        assert {e.url for e in endpoints} == {cloud.url + '/v3'}
        assert conn.identity.get_endpoint(endpoints[0].id).url == cloud.url + '/v3'
    finally:
        conn.close()
