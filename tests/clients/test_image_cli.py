"""Image acceptance with the real clients: the ``openstack`` CLI, openstacksdk
and ``glance`` against ``pocketstack up``, as a user would drive them; plus
the raw requests whose status codes the Image v2 api-ref promises, and what a
broken or oversized upload must leave behind (nothing) in the store directory.

Every test makes the images it needs (the img1 tests share one, made by a
module fixture), so the tests run in any order and in parallel (each xdist
worker has its own cloud)."""
import hashlib
import http.client
import os
import socket
import subprocess
import time

import pytest

from tests import cloud_process

DEFAULT_IMAGE = 'cirros-0.6.3-x86_64-disk'
MIB = 1 << 20
TIB = 1 << 40
OCTETS = {'Content-Type': 'application/octet-stream'}

# The project and user that images are shared with.  (Not the `demo2`/`alice`
# of test_identity_cli.py: the session cloud is shared with those tests.)
SHARE_PROJECT = 'demo2-images'
SHARE_USER = 'dora'
SHARE_PASSWORD = 'd0ra-pass'


# -- helpers ---------------------------------------------------------------------

def random_file(path, size):
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def create_image(cloud, path, name, *extra, disk_format='raw'):
    """``openstack image create --file`` → the created image (a dict)."""
    return cloud.openstack_json('image', 'create', '--file', str(path),
                                '--disk-format', disk_format, '--container-format', 'bare',
                                *extra, name)


def image_names(up, *args, **kw):
    """Names in ``openstack image list`` (``cloud=`` picks the clouds.yaml entry)."""
    return [row['Name'] for row in up.openstack_json('image', 'list', *args, **kw)]


def as_user(cloud, user, password, project, *args):
    """Run the CLI with explicit --os-* credentials (no clouds.yaml entry)."""
    return cloud.openstack(
        '--os-auth-url', cloud.url + '/v3', '--os-identity-api-version', '3',
        '--os-username', user, '--os-password', password,
        '--os-user-domain-name', 'Default',
        '--os-project-name', project, '--os-project-domain-name', 'Default',
        *args, cloud=None)


def glance(cloud, *args, user='admin', password='secret', project='admin'):
    """Run the real ``glance`` CLI (it reads OS_* variables, not clouds.yaml).
    stdin is /dev/null: glanceclient reads image data from a stdin that is
    not a terminal, and an xdist worker's stdin is its control channel."""
    env = cloud_process.clean_env(
        HOME=cloud.home, OS_AUTH_URL=cloud.url + '/v3', OS_IDENTITY_API_VERSION='3',
        OS_USERNAME=user, OS_PASSWORD=password, OS_PROJECT_NAME=project,
        OS_USER_DOMAIN_NAME='Default', OS_PROJECT_DOMAIN_NAME='Default')
    proc = subprocess.run([cloud_process.command('glance'), *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def table_rows(output):
    """The cells of a prettytable as printed by glanceclient (header included)."""
    return [[cell.strip() for cell in line.strip().strip('|').split('|')]
            for line in output.splitlines() if line.startswith('|')]


def admin_token(cloud):
    return cloud.password_token('admin', 'secret', project='admin')


def demo_token(cloud):
    return cloud.password_token('demo', 'demopass', project='demo')


def get_image(cloud, token, image_id):
    status, _, body = cloud.http('GET', '/v2/images/' + image_id, token=token, api='image')
    assert status == 200, body
    return body


def new_queued_image(cloud, token, name, **fields):
    status, _, body = cloud.http('POST', '/v2/images', dict(
        name=name, disk_format='raw', container_format='bare', **fields),
        token=token, api='image')
    assert status == 201, body
    assert body['status'] == 'queued'
    return body


def wait_for_status(cloud, token, image_id, status, timeout=60):
    """Poll until the image has ``status`` (a deadline against hanging, not a
    measure of speed); the image."""
    deadline = time.monotonic() + timeout
    while True:
        image = get_image(cloud, token, image_id)
        if image['status'] == status:
            return image
        assert time.monotonic() < deadline, \
            'image %s stayed %s, never %s' % (image_id, image['status'], status)
        time.sleep(0.05)


def store_dir(cloud):
    return os.path.join(cloud.state_dir, 'images')


def store_files(cloud):
    return set(os.listdir(store_dir(cloud)))


def open_upload(cloud, token, image_id, *headers):
    """A raw socket that has sent the headers of PUT /v2/images/<id>/file."""
    sock = socket.create_connection(('127.0.0.1', cloud.ports['image']), timeout=30)
    head = ['PUT /v2/images/%s/file HTTP/1.1' % image_id, 'Host: 127.0.0.1',
            'X-Auth-Token: ' + token, 'Content-Type: application/octet-stream', *headers]
    sock.sendall(('\r\n'.join(head) + '\r\n\r\n').encode())
    return sock


# -- the openstack CLI: create, list, show, save, set ------------------------------

@pytest.fixture(scope='module')
def img1(cloud, tmp_path_factory):
    """img1 as the issue creates it: a few MB of random bytes, qcow2, public."""
    path = tmp_path_factory.mktemp('img1') / 'disk.img'
    data = random_file(path, 3 * MIB + 12345)
    image = create_image(cloud, path, 'img1', '--public', disk_format='qcow2')
    yield image, data
    rc, out, err = cloud.openstack('image', 'delete', image['id'])
    assert rc == 0, err


def test_image_create_uploads_the_file(cloud, img1):
    image, data = img1
    assert image['name'] == 'img1'
    assert image['status'] == 'active'
    assert image['visibility'] == 'public'
    assert (image['disk_format'], image['container_format']) == ('qcow2', 'bare')
    assert image['size'] == len(data)
    assert image['checksum'] == md5(data)
    assert image['properties']['os_hash_algo'] == 'sha512'
    assert image['properties']['os_hash_value'] == hashlib.sha512(data).hexdigest()


def test_image_list_shows_img1_and_the_default_image(cloud, img1):
    rows = {row['Name']: row for row in cloud.openstack_json('image', 'list', '--long')}
    assert rows['img1']['ID'] == img1[0]['id']
    for name in ('img1', DEFAULT_IMAGE):
        assert rows[name]['Status'] == 'active'
        assert rows[name]['Visibility'] == 'public'
    assert rows['img1']['Size'] == len(img1[1])
    assert rows[DEFAULT_IMAGE]['Disk Format'] == 'qcow2'
    # The demo user sees both public images too.
    assert {'img1', DEFAULT_IMAGE} <= set(image_names(cloud, cloud='pocketstack-demo'))


def test_image_show(cloud, img1):
    image, data = img1
    shown = cloud.openstack_json('image', 'show', 'img1')
    assert shown['id'] == image['id']
    assert shown['status'] == 'active'
    assert shown['size'] == len(data)
    assert shown['checksum'] == md5(data)
    token = admin_token(cloud)
    _, _, body = cloud.http('GET', '/v3/auth/tokens', token=token,
                            headers={'X-Subject-Token': token})
    assert shown['owner'] == body['token']['project']['id']  # the admin project
    assert shown['file'] == '/v2/images/%s/file' % image['id']


def test_image_save_gives_the_same_bytes(cloud, img1, tmp_path):
    image, data = img1
    out = tmp_path / 'out.img'
    rc, _, err = cloud.openstack('image', 'save', '--file', str(out), 'img1')
    assert rc == 0, err
    saved = out.read_bytes()
    assert saved == data
    assert md5(saved) == cloud.openstack_json('image', 'show', 'img1')['checksum']


def test_image_set_property_and_tag(cloud, img1):
    assert 'img1' not in image_names(cloud, '--property', 'os_distro=cirros')

    rc, _, err = cloud.openstack('image', 'set', '--property', 'os_distro=cirros',
                                 '--tag', 't1', 'img1')
    assert rc == 0, err
    shown = cloud.openstack_json('image', 'show', 'img1')
    assert shown['properties']['os_distro'] == 'cirros'
    assert shown['tags'] == ['t1']
    filtered = image_names(cloud, '--property', 'os_distro=cirros')
    assert 'img1' in filtered
    assert DEFAULT_IMAGE not in filtered


# -- sharing with another project ------------------------------------------------------

@pytest.fixture(scope='module')
def share_project(cloud):
    """A project with a member user, made with the CLI."""
    project = cloud.openstack_json('project', 'create', SHARE_PROJECT)
    cloud.openstack_json('user', 'create', '--project', SHARE_PROJECT,
                         '--password', SHARE_PASSWORD, SHARE_USER)
    rc, _, err = cloud.openstack('role', 'add', '--user', SHARE_USER,
                                 '--project', SHARE_PROJECT, 'member')
    assert rc == 0, err
    return project


def as_sharer(cloud, *args):
    return as_user(cloud, SHARE_USER, SHARE_PASSWORD, SHARE_PROJECT, *args)


def sharer_image_names(cloud):
    rc, out, err = as_sharer(cloud, 'image', 'list', '-f', 'value', '-c', 'Name')
    assert rc == 0, err
    return out.split()


def test_shared_image_appears_once_the_member_accepts(cloud, share_project, tmp_path):
    path = tmp_path / 'img2.img'
    data = random_file(path, 256 * 1024)
    img2 = create_image(cloud, path, 'img2')
    assert img2['visibility'] == 'shared'  # the default without --public

    member = cloud.openstack_json('image', 'add', 'project', 'img2', SHARE_PROJECT)
    assert (member['image_id'], member['member_id']) == (img2['id'], share_project['id'])
    assert member['status'] == 'pending'
    # Pending: not in the member's list, though the member may look it up by id.
    assert 'img2' not in sharer_image_names(cloud)
    rc, out, err = as_sharer(cloud, 'image', 'show', '-f', 'value', '-c', 'name', img2['id'])
    assert rc == 0, err
    assert out.strip() == 'img2'

    rc, _, err = as_sharer(cloud, 'image', 'set', '--accept', img2['id'])
    assert rc == 0, err
    members = cloud.openstack_json('image', 'member', 'list', 'img2')
    assert [(m['Member ID'], m['Status']) for m in members] == \
        [(share_project['id'], 'accepted')]
    assert 'img2' in sharer_image_names(cloud)
    out_file = tmp_path / 'shared-copy'
    rc, _, err = as_sharer(cloud, 'image', 'save', '--file', str(out_file), img2['id'])
    assert rc == 0, err
    assert out_file.read_bytes() == data
    # Still invisible to a project it was not shared with.
    status, _, body = cloud.http('GET', '/v2/images', token=demo_token(cloud), api='image')
    assert status == 200
    assert img2['id'] not in {i['id'] for i in body['images']}


# -- deactivate, protect, delete -----------------------------------------------------------

def test_deactivated_image_cannot_be_downloaded_until_reactivated(cloud, tmp_path):
    path = tmp_path / 'd.img'
    data = random_file(path, 64 * 1024)
    image = create_image(cloud, path, 'img-deactivate', '--public')

    admin = admin_token(cloud)
    rc, _, err = cloud.openstack('image', 'set', '--deactivate', image['id'])
    assert rc == 0, err
    assert get_image(cloud, admin, image['id'])['status'] == 'deactivated'
    status, _, _ = cloud.http('GET', '/v2/images/%s/file' % image['id'],
                              token=demo_token(cloud), api='image')
    assert status == 403
    rc, _, _ = cloud.openstack('image', 'save', '--file', str(tmp_path / 'demo.img'),
                               image['id'], cloud='pocketstack-demo')
    assert rc != 0
    # The admin may still read the data of a deactivated image.
    rc, _, err = cloud.openstack('image', 'save', '--file', str(tmp_path / 'admin.img'),
                                 image['id'])
    assert rc == 0, err
    assert (tmp_path / 'admin.img').read_bytes() == data

    rc, _, err = cloud.openstack('image', 'set', '--activate', image['id'])
    assert rc == 0, err
    assert get_image(cloud, admin, image['id'])['status'] == 'active'
    rc, _, err = cloud.openstack('image', 'save', '--file', str(tmp_path / 'demo.img'),
                                 image['id'], cloud='pocketstack-demo')
    assert rc == 0, err
    assert (tmp_path / 'demo.img').read_bytes() == data


def test_image_delete_removes_the_image_and_its_data(cloud, tmp_path):
    path = tmp_path / 'del.img'
    random_file(path, 64 * 1024)
    image = create_image(cloud, path, 'img-delete')
    assert image['id'] in store_files(cloud)

    rc, _, err = cloud.openstack('image', 'delete', 'img-delete')
    assert rc == 0, err
    assert 'img-delete' not in image_names(cloud)
    status, _, _ = cloud.http('GET', '/v2/images/' + image['id'],
                              token=admin_token(cloud), api='image')
    assert status == 404
    assert image['id'] not in store_files(cloud)


def test_protected_image_cannot_be_deleted(cloud, tmp_path):
    path = tmp_path / 'p.img'
    random_file(path, 4096)
    image = create_image(cloud, path, 'img-protected')
    rc, _, err = cloud.openstack('image', 'set', '--protected', image['id'])
    assert rc == 0, err

    rc, _, err = cloud.openstack('image', 'delete', image['id'])
    assert rc != 0
    assert '403' in err, err
    token = admin_token(cloud)
    status, _, body = cloud.http('DELETE', '/v2/images/' + image['id'], token=token,
                                 api='image')
    assert status == 403, body
    still = get_image(cloud, token, image['id'])
    assert (still['status'], still['protected']) == ('active', True)
    assert image['id'] in store_files(cloud)

    rc, _, err = cloud.openstack('image', 'set', '--unprotected', image['id'])
    assert rc == 0, err
    rc, _, err = cloud.openstack('image', 'delete', image['id'])
    assert rc == 0, err


# -- openstacksdk ---------------------------------------------------------------------------

def test_openstacksdk_create_list_download_delete(cloud, monkeypatch, tmp_path):
    import openstack
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', cloud.clouds_file)
    path = tmp_path / 'sdk.img'
    data = random_file(path, MIB + 7)

    conn = openstack.connect(cloud='pocketstack')
    try:
        image = conn.create_image('sdk-image', filename=str(path), disk_format='raw',
                                  container_format='bare', wait=True)
        assert image.status == 'active'
        assert image.size == len(data)
        assert image.checksum == md5(data)

        names = {i.name for i in conn.list_images()}
        assert {'sdk-image', DEFAULT_IMAGE} <= names

        out = tmp_path / 'sdk.out'
        conn.download_image('sdk-image', output_file=str(out))
        assert out.read_bytes() == data

        assert conn.delete_image('sdk-image', wait=True) is True
        assert conn.get_image('sdk-image') is None
        assert image.id not in store_files(cloud)
    finally:
        conn.close()


# -- glanceclient -----------------------------------------------------------------------------

def test_glance_image_list_and_download(cloud, tmp_path):
    path = tmp_path / 'g.img'
    data = random_file(path, 512 * 1024)
    image = create_image(cloud, path, 'img-glance-download', '--public')

    rc, out, err = glance(cloud, 'image-list')
    assert rc == 0, err
    rows = table_rows(out)
    assert rows[0] == ['ID', 'Name']
    listed = dict(rows[1:])
    assert listed[image['id']] == 'img-glance-download'
    assert DEFAULT_IMAGE in listed.values()

    out_file = tmp_path / 'out'
    rc, _, err = glance(cloud, 'image-download', '--file', str(out_file), image['id'])
    assert rc == 0, err
    assert out_file.read_bytes() == data

    # The demo user, in another project, downloads the public image too.
    demo_file = tmp_path / 'demo-out'
    rc, _, err = glance(cloud, 'image-download', '--file', str(demo_file), image['id'],
                        user='demo', password='demopass', project='demo')
    assert rc == 0, err
    assert demo_file.read_bytes() == data


def test_glance_image_create_with_file(cloud, tmp_path):
    path = tmp_path / 'f'
    data = random_file(path, 300 * 1024 + 1)
    rc, out, err = glance(cloud, 'image-create', '--name', 'g', '--disk-format', 'raw',
                          '--container-format', 'bare', '--file', str(path))
    assert rc == 0, err
    created = {row[0]: row[1] for row in table_rows(out)[1:] if row[0]}
    assert created['name'] == 'g'
    assert created['status'] == 'active'
    assert created['size'] == str(len(data))
    assert created['checksum'] == md5(data)

    shown = cloud.openstack_json('image', 'show', created['id'])
    assert (shown['name'], shown['size'], shown['checksum']) == ('g', len(data), md5(data))
    rc, _, err = glance(cloud, 'image-delete', created['id'])
    assert rc == 0, err


# -- errors, as the api-ref promises them --------------------------------------------------

def test_unknown_disk_format_is_400(cloud):
    token = admin_token(cloud)
    status, _, body = cloud.http('POST', '/v2/images', {
        'name': 'img-floppy', 'disk_format': 'floppy', 'container_format': 'bare'},
        token=token, api='image')
    assert status == 400, body
    assert 'disk_format' in body['message']
    status, _, body = cloud.http('GET', '/v2/images?name=img-floppy', token=token,
                                 api='image')
    assert status == 200 and body['images'] == []


def test_upload_to_an_active_image_is_409(cloud):
    token = admin_token(cloud)
    image = new_queued_image(cloud, token, 'img-upload-twice')
    first = os.urandom(1000)
    status, _, body = cloud.http('PUT', '/v2/images/%s/file' % image['id'], raw=first,
                                 headers=OCTETS, token=token, api='image')
    assert status == 204, body
    assert get_image(cloud, token, image['id'])['status'] == 'active'

    status, _, body = cloud.http('PUT', '/v2/images/%s/file' % image['id'],
                                 raw=os.urandom(2000), headers=OCTETS, token=token,
                                 api='image')
    assert status == 409, body
    after = get_image(cloud, token, image['id'])
    assert (after['size'], after['checksum']) == (len(first), md5(first))


def test_another_projects_private_image_is_404(cloud):
    admin = admin_token(cloud)
    image = new_queued_image(cloud, admin, 'img-admin-private', visibility='private')
    demo = demo_token(cloud)
    for method, path in (('GET', '/v2/images/' + image['id']),
                         ('GET', '/v2/images/%s/file' % image['id']),
                         ('DELETE', '/v2/images/' + image['id'])):
        status, _, body = cloud.http(method, path, token=demo, api='image')
        assert status == 404, (method, path, body)
    status, _, body = cloud.http('GET', '/v2/images', token=demo, api='image')
    assert status == 200
    assert image['id'] not in {i['id'] for i in body['images']}
    assert get_image(cloud, admin, image['id'])['name'] == 'img-admin-private'


def test_oversized_upload_is_413_and_leaves_no_file(cloud):
    token = admin_token(cloud)
    image = new_queued_image(cloud, token, 'img-too-big')
    before = store_files(cloud)
    # The cloud runs with the default 1 TiB cap: declare more, send a little.
    conn = http.client.HTTPConnection('127.0.0.1', cloud.ports['image'], timeout=30)
    try:
        conn.putrequest('PUT', '/v2/images/%s/file' % image['id'])
        for name, value in (('X-Auth-Token', token), ('Accept', 'application/json'),
                            ('Content-Type', 'application/octet-stream'),
                            ('Content-Length', str(TIB + 1))):
            conn.putheader(name, value)
        conn.endheaders()
        try:
            conn.send(os.urandom(64 * 1024))
        except OSError:
            pass  # the server may answer and close before reading the body
        resp = conn.getresponse()
        assert resp.status == 413, resp.read()
    finally:
        conn.close()
    after = wait_for_status(cloud, token, image['id'], 'queued')
    assert after['size'] is None and after['checksum'] is None
    assert store_files(cloud) == before


def interrupt_upload(cloud, send_partial_body):
    """Start an upload on a raw socket, wait until the image is saving, send
    part of the body, then drop the connection; the image afterwards."""
    token = admin_token(cloud)
    image = new_queued_image(cloud, token, 'img-interrupted')
    before = store_files(cloud)
    sock = send_partial_body(token, image['id'])
    try:
        wait_for_status(cloud, token, image['id'], 'saving')
    finally:
        sock.close()
    after = wait_for_status(cloud, token, image['id'], 'queued')
    assert after['size'] is None and after['checksum'] is None
    left = store_files(cloud)
    assert image['id'] not in left
    assert not [name for name in left if name.startswith('.tmp-')], left
    assert left == before
    # Queued for real: a complete upload now succeeds.
    data = os.urandom(4096)
    status, _, body = cloud.http('PUT', '/v2/images/%s/file' % image['id'], raw=data,
                                 headers=OCTETS, token=token, api='image')
    assert status == 204, body
    assert get_image(cloud, token, image['id'])['checksum'] == md5(data)


def test_interrupted_sized_upload_leaves_the_image_queued_and_no_file(cloud):
    def send(token, image_id):
        sock = open_upload(cloud, token, image_id, 'Content-Length: %d' % (10 * MIB))
        sock.sendall(os.urandom(MIB))
        return sock
    interrupt_upload(cloud, send)


def test_interrupted_chunked_upload_leaves_the_image_queued_and_no_file(cloud):
    def send(token, image_id):
        sock = open_upload(cloud, token, image_id, 'Transfer-Encoding: chunked')
        sock.sendall(b'%x\r\n' % MIB + os.urandom(MIB) + b'\r\n')
        sock.sendall(b'%x\r\n' % MIB + os.urandom(MIB // 2))  # closed mid-chunk
        return sock
    interrupt_upload(cloud, send)


def test_glance_direct_import(cloud):
    token = admin_token(cloud)
    status, headers, body = cloud.http('POST', '/v2/images', {
        'name': 'img-glance-direct', 'disk_format': 'raw', 'container_format': 'bare'},
        token=token, api='image')
    assert status == 201, body
    assert 'glance-direct' in headers['OpenStack-image-import-methods'].split(',')
    image_id = body['id']
    data = os.urandom(MIB + 3)

    status, _, body = cloud.http('PUT', '/v2/images/%s/stage' % image_id, raw=data,
                                 headers=OCTETS, token=token, api='image')
    assert status == 204, body
    assert get_image(cloud, token, image_id)['status'] == 'uploading'

    status, _, body = cloud.http('POST', '/v2/images/%s/import' % image_id,
                                 {'method': {'name': 'glance-direct'}}, token=token,
                                 api='image')
    assert status == 202, body
    image = wait_for_status(cloud, token, image_id, 'active')
    assert image['size'] == len(data)
    assert image['checksum'] == md5(data)
    assert image['os_hash_value'] == hashlib.sha512(data).hexdigest()
    # The staged copy is gone once imported.
    assert image_id not in os.listdir(os.path.join(cloud.state_dir, 'image-staging'))


@pytest.mark.parametrize('token', [None, 'not-a-real-token'], ids=['no-token', 'bad-token'])
def test_unauthenticated_requests_are_401(cloud, token):
    status, headers, body = cloud.http('GET', '/v2/images', token=token, api='image')
    assert status == 401, body
    assert body['code'] == '401 Unauthorized'
    # keystonemiddleware tells the client where to get a token.
    assert headers['WWW-Authenticate'] == 'Keystone uri="%s/v3"' % cloud.url
