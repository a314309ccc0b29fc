"""Image data through the Image v2 API, in-process: uploads (hashes, sizes,
the size cap, broken and short uploads), downloads (whole, ranges, no data),
and the glance-direct import (stage, then import) — checked against the
Glance Image v2 api-ref's data and import sections."""
import hashlib
import io
import uuid

import pytest
import webob

from pocketstack.common import qcow2
from tests.functional.image.helpers import (
    OCTET_STREAM, RAW_BARE, create, create_active, files_in, upload)

HOST = 'http://127.0.0.1:9292'


def file_path(image_id):
    return '/v2/images/%s/file' % image_id


def show(client, image_id):
    return client.get('/v2/images/%s' % image_id).data


def store_files(fixture):
    return files_in(fixture.conf.glance_store.filesystem_store_datadir)


def staged_files(fixture):
    return files_in(fixture.conf.staging_dir)


def put_stream(app, path, stream, content_length=None, token='alice:p1'):
    """PUT ``stream`` as the raw ``wsgi.input`` of a request: sized when
    ``content_length`` is given (whatever the stream really holds), chunked
    otherwise."""
    req = webob.Request.blank(HOST + path, method='PUT')
    req.headers['X-Auth-Token'] = token
    req.headers['Accept'] = 'application/json'
    req.content_type = 'application/octet-stream'
    req.environ['wsgi.input'] = stream
    if content_length is None:
        req.headers['Transfer-Encoding'] = 'chunked'
    else:
        req.environ['CONTENT_LENGTH'] = str(content_length)
    return req.get_response(app)


class BrokenStream:
    """A client that sends ``good`` bytes, then its connection breaks."""

    def __init__(self, good):
        self.good = io.BytesIO(good)

    def read(self, size=-1):
        chunk = self.good.read(size)
        if not chunk:
            raise ConnectionResetError('the client went away')
        return chunk


@pytest.fixture
def capped(image):
    """The Image API with an image_size_cap of 100 bytes."""
    image.conf.set_override('image_size_cap', 100)
    return image


# -- upload ---------------------------------------------------------------------

def test_upload_activates_the_image_with_its_hashes_and_size(image):
    alice = image.client('alice', 'p1')
    data = bytes(range(256)) * 1000
    img = create(alice, name='raw', **RAW_BARE)
    resp = alice.put(file_path(img['id']), raw=data, headers=OCTET_STREAM)
    assert resp.status_int == 204 and resp.body == b''
    shown = show(alice, img['id'])
    assert shown['status'] == 'active'
    assert shown['size'] == len(data) == shown['virtual_size']
    assert shown['checksum'] == hashlib.md5(data).hexdigest()
    assert shown['os_hash_algo'] == 'sha512'
    assert shown['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert store_files(image) == [img['id']]


def test_qcow2_virtual_size_comes_from_its_header(image):
    alice = image.client('alice', 'p1')
    data = qcow2.empty(virtual_size=5 * 2 ** 30)
    img = create(alice, name='disk', disk_format='qcow2', container_format='bare')
    upload(alice, img['id'], data)
    shown = show(alice, img['id'])
    assert shown['size'] == len(data)
    assert shown['virtual_size'] == 5 * 2 ** 30


def test_upload_of_unknown_virtual_size_leaves_it_null(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='iso', disk_format='iso', container_format='bare')
    upload(alice, img['id'], b'an iso image')
    assert show(alice, img['id'])['virtual_size'] is None


def test_chunked_upload_without_content_length(image):
    alice = image.client('alice', 'p1')
    data = b'y' * 200_000
    img = create(alice, name='chunked', **RAW_BARE)
    resp = put_stream(image.app, file_path(img['id']), io.BytesIO(data))
    assert resp.status_int == 204, resp.text
    shown = show(alice, img['id'])
    assert (shown['status'], shown['size']) == ('active', len(data))
    assert alice.get(file_path(img['id'])).body == data


def test_upload_to_an_active_image_is_409_and_keeps_the_data(image):
    alice = image.client('alice', 'p1')
    img = create_active(alice, b'first')
    resp = alice.put(file_path(img['id']), raw=b'second', headers=OCTET_STREAM)
    assert resp.status_int == 409, resp.text
    assert alice.get(file_path(img['id'])).body == b'first'
    assert show(alice, img['id'])['checksum'] == hashlib.md5(b'first').hexdigest()


@pytest.mark.parametrize('formats', [{}, {'disk_format': 'raw'}, {'container_format': 'bare'}])
def test_upload_needs_disk_and_container_format(image, formats):
    alice = image.client('alice', 'p1')
    img = create(alice, name='unformatted', **formats)
    resp = alice.put(file_path(img['id']), raw=b'data', headers=OCTET_STREAM)
    assert resp.status_int == 400, resp.text
    assert show(alice, img['id'])['status'] == 'queued'
    assert store_files(image) == []


@pytest.mark.parametrize('content_type', ['application/json', None])
def test_upload_with_other_or_no_content_type_is_415(image, content_type):
    alice = image.client('alice', 'p1')
    img = create(alice, name='img', **RAW_BARE)
    resp = alice.put(file_path(img['id']), raw=b'{"a": 1}',
                     headers={'Content-Type': content_type})
    assert resp.status_int == 415, resp.text
    assert show(alice, img['id'])['status'] == 'queued'
    assert store_files(image) == []


def test_upload_by_other_projects(image):
    alice, bob, carol = (image.client('alice', 'p1'), image.client('bob', 'p2'),
                         image.client('carol', 'p3'))
    img = create(alice, name='shared', **RAW_BARE)
    alice.post('/v2/images/%s/members' % img['id'], {'member': 'p2'})
    assert bob.put(file_path(img['id']), raw=b'x', headers=OCTET_STREAM).status_int == 403
    assert carol.put(file_path(img['id']), raw=b'x', headers=OCTET_STREAM).status_int == 404
    assert show(alice, img['id'])['status'] == 'queued'
    upload(image.admin, img['id'], b'by admin')
    assert alice.get(file_path(img['id'])).body == b'by admin'


def test_upload_to_unknown_image_is_404(image):
    resp = image.client('alice', 'p1').put(file_path(uuid.uuid4()), raw=b'x',
                                           headers=OCTET_STREAM)
    assert resp.status_int == 404


# -- upload failures: nothing left behind ------------------------------------------

def assert_queued_and_nothing_stored(fixture, client, image_id):
    shown = show(client, image_id)
    assert (shown['status'], shown['size'], shown['checksum']) == ('queued', None, None)
    assert store_files(fixture) == []
    assert client.get(file_path(image_id)).status_int == 204


def test_upload_over_the_size_cap_is_413_and_leaves_nothing(capped):
    alice = capped.client('alice', 'p1')
    img = create(alice, name='big', **RAW_BARE)
    resp = alice.put(file_path(img['id']), raw=b'x' * 101, headers=OCTET_STREAM)
    assert resp.status_int == 413, resp.text
    assert_queued_and_nothing_stored(capped, alice, img['id'])


def test_chunked_upload_over_the_size_cap_is_413_and_leaves_nothing(capped):
    alice = capped.client('alice', 'p1')
    img = create(alice, name='big', **RAW_BARE)
    resp = put_stream(capped.app, file_path(img['id']), io.BytesIO(b'x' * 5000))
    assert resp.status_int == 413, resp.text
    assert_queued_and_nothing_stored(capped, alice, img['id'])
    upload(alice, img['id'], b'x' * 100)
    assert show(alice, img['id'])['size'] == 100


def test_truncated_upload_leaves_the_image_queued(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='short', **RAW_BARE)
    resp = put_stream(image.app, file_path(img['id']), io.BytesIO(b'x' * 50),
                      content_length=100)
    assert resp.status_int == 400, resp.text
    assert_queued_and_nothing_stored(image, alice, img['id'])
    upload(alice, img['id'], b'x' * 100)
    assert show(alice, img['id'])['status'] == 'active'


def test_upload_broken_mid_stream_leaves_the_image_queued(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='broken', **RAW_BARE)
    resp = put_stream(image.app, file_path(img['id']), BrokenStream(b'x' * 300_000),
                      content_length=1_000_000)
    assert resp.status_int >= 400
    assert_queued_and_nothing_stored(image, alice, img['id'])
    upload(alice, img['id'], b'retried')
    assert alice.get(file_path(img['id'])).body == b'retried'


class StreamWithSideEffect:
    """A body whose first read runs ``side_effect`` (another client's request
    arriving while this upload is in flight)."""

    def __init__(self, data, side_effect):
        self.data = io.BytesIO(data)
        self.side_effect = side_effect

    def read(self, size=-1):
        if self.side_effect is not None:
            effect, self.side_effect = self.side_effect, None
            effect()
        return self.data.read(size)


def test_image_deleted_during_its_upload_stays_deleted(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='doomed', **RAW_BARE)
    deleted = []

    def delete():
        assert show(alice, img['id'])['status'] == 'saving'
        deleted.append(alice.delete('/v2/images/%s' % img['id']).status_int)
    resp = put_stream(image.app, file_path(img['id']), StreamWithSideEffect(b'x' * 1000, delete),
                      content_length=1000)
    assert deleted == [204]
    assert resp.status_int == 410, resp.text
    assert alice.get('/v2/images/%s' % img['id']).status_int == 404
    assert store_files(image) == []


def test_second_upload_while_one_is_in_flight_is_409(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='contended', **RAW_BARE)
    second = []

    def upload_again():
        resp = alice.put(file_path(img['id']), raw=b'second', headers=OCTET_STREAM)
        second.append(resp.status_int)
    resp = put_stream(image.app, file_path(img['id']),
                      StreamWithSideEffect(b'first', upload_again), content_length=5)
    assert resp.status_int == 204, resp.text
    assert second == [409]
    assert alice.get(file_path(img['id'])).body == b'first'


# -- download ---------------------------------------------------------------------

def test_download_returns_the_bytes_with_md5_and_length(image):
    alice = image.client('alice', 'p1')
    data = bytes(range(256)) * 500
    img = create_active(alice, data)
    resp = alice.get(file_path(img['id']))
    assert resp.status_int == 200
    assert resp.body == data
    assert resp.headers['Content-Type'] == 'application/octet-stream'
    assert resp.headers['Content-MD5'] == hashlib.md5(data).hexdigest()
    assert int(resp.headers['Content-Length']) == len(data)


@pytest.mark.parametrize('header,start,end', [
    ('bytes=0-4', 0, 4),
    ('bytes=10-19', 10, 19),
    ('bytes=95-', 95, 99),
    ('bytes=-3', 97, 99),
    ('bytes=90-500', 90, 99),
])
def test_download_range(image, header, start, end):
    alice = image.client('alice', 'p1')
    data = bytes(range(100))
    img = create_active(alice, data)
    resp = alice.get(file_path(img['id']), headers={'Range': header})
    assert resp.status_int == 206, resp.text
    assert resp.body == data[start:end + 1]
    assert resp.headers['Content-Range'] == 'bytes %d-%d/100' % (start, end)
    assert int(resp.headers['Content-Length']) == end - start + 1


@pytest.mark.parametrize('header', ['bytes=100-200', 'bytes=10-', 'bytes=5-2', 'bytes=abc',
                                    'items=0-3'])
def test_unsatisfiable_or_malformed_range_is_416(image, header):
    alice = image.client('alice', 'p1')
    img = create_active(alice, b'x' * 10)
    resp = alice.get(file_path(img['id']), headers={'Range': header})
    assert resp.status_int == 416, resp.body[:100]
    assert resp.headers['Content-Range'] == 'bytes */10'


def test_multiple_ranges_are_400(image):
    alice = image.client('alice', 'p1')
    img = create_active(alice, b'0123456789')
    resp = alice.get(file_path(img['id']), headers={'Range': 'bytes=0-1,5-6'})
    assert resp.status_int == 400


def test_empty_image_uploads_and_downloads(image):
    alice = image.client('alice', 'p1')
    img = create_active(alice, b'')
    assert (img['status'], img['size'], img['checksum']) == (
        'active', 0, hashlib.md5(b'').hexdigest())
    resp = alice.get(file_path(img['id']))
    assert (resp.status_int, resp.body) == (200, b'')
    assert alice.get(file_path(img['id']), headers={'Range': 'bytes=0-4'}).status_int == 416


def test_download_of_image_without_data_is_204(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='empty', **RAW_BARE)
    resp = alice.get(file_path(img['id']))
    assert resp.status_int == 204 and resp.body == b''


def test_download_follows_visibility(image):
    alice, bob = image.client('alice', 'p1'), image.client('bob', 'p2')
    private = create_active(alice, b'private', visibility='private')
    community = create_active(alice, b'community', visibility='community')
    assert bob.get(file_path(private['id'])).status_int == 404
    assert bob.get(file_path(community['id'])).body == b'community'
    assert bob.get(file_path(uuid.uuid4())).status_int == 404


def test_delete_removes_the_stored_file(image):
    alice = image.client('alice', 'p1')
    keep = create_active(alice, b'keep')
    gone = create_active(alice, b'gone')
    assert sorted(store_files(image)) == sorted([keep['id'], gone['id']])
    assert alice.delete('/v2/images/%s' % gone['id']).status_int == 204
    assert store_files(image) == [keep['id']]
    assert alice.get(file_path(gone['id'])).status_int == 404


# -- glance-direct import -----------------------------------------------------------

def stage(client, image_id, data):
    return client.put('/v2/images/%s/stage' % image_id, raw=data, headers=OCTET_STREAM)


def import_(client, image_id, method='glance-direct'):
    return client.post('/v2/images/%s/import' % image_id, {'method': {'name': method}})


def test_glance_direct_import(image):
    alice = image.client('alice', 'p1')
    data = b'staged bytes' * 1000
    img = create(alice, name='imported', **RAW_BARE)
    resp = stage(alice, img['id'], data)
    assert resp.status_int == 204, resp.text
    assert show(alice, img['id'])['status'] == 'uploading'
    assert staged_files(image) == [img['id']]
    assert alice.get(file_path(img['id'])).status_int == 204

    resp = import_(alice, img['id'])
    assert resp.status_int == 202, resp.text
    shown = show(alice, img['id'])
    assert (shown['status'], shown['size']) == ('active', len(data))
    assert shown['checksum'] == hashlib.md5(data).hexdigest()
    assert shown['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert staged_files(image) == []
    assert store_files(image) == [img['id']]
    assert alice.get(file_path(img['id'])).body == data


def test_import_of_an_image_that_was_not_staged_is_409(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='unstaged', **RAW_BARE)
    resp = import_(alice, img['id'])
    assert resp.status_int == 409, resp.text
    assert show(alice, img['id'])['status'] == 'queued'
    active = create_active(alice)
    assert import_(alice, active['id']).status_int == 409


@pytest.mark.parametrize('body', [
    {'method': {'name': 'web-download', 'uri': 'http://example.com/x.img'}},
    {'method': {'name': 'no-such-method'}},
    {'method': {}},
    {'method': 'glance-direct'},
    {},
])
def test_import_with_unknown_or_malformed_method_is_400(image, body):
    alice = image.client('alice', 'p1')
    img = create(alice, name='staged', **RAW_BARE)
    assert stage(alice, img['id'], b'data').status_int == 204
    resp = alice.post('/v2/images/%s/import' % img['id'], body)
    assert resp.status_int == 400, resp.text
    assert show(alice, img['id'])['status'] == 'uploading'
    assert import_(alice, img['id']).status_int == 202


def test_stage_needs_a_queued_image_with_formats(image):
    alice = image.client('alice', 'p1')
    active = create_active(alice)
    assert stage(alice, active['id'], b'x').status_int == 409
    unformatted = create(alice, name='unformatted')
    assert stage(alice, unformatted['id'], b'x').status_int == 400
    staged = create(alice, name='staged', **RAW_BARE)
    assert stage(alice, staged['id'], b'once').status_int == 204
    assert stage(alice, staged['id'], b'twice').status_int == 409
    assert upload_status(alice, staged['id'], b'direct') == 409


def upload_status(client, image_id, data):
    return client.put(file_path(image_id), raw=data, headers=OCTET_STREAM).status_int


def test_stage_and_import_by_other_projects(image):
    alice, bob = image.client('alice', 'p1'), image.client('bob', 'p2')
    img = create(alice, name='shared', **RAW_BARE)
    alice.post('/v2/images/%s/members' % img['id'], {'member': 'p2'})
    assert stage(bob, img['id'], b'x').status_int == 403
    assert stage(alice, img['id'], b'mine').status_int == 204
    assert import_(bob, img['id']).status_int == 403
    assert show(alice, img['id'])['status'] == 'uploading'


def test_stage_over_the_size_cap_is_413_and_leaves_nothing(capped):
    alice = capped.client('alice', 'p1')
    img = create(alice, name='big', **RAW_BARE)
    assert stage(alice, img['id'], b'x' * 101).status_int == 413
    resp = put_stream(capped.app, '/v2/images/%s/stage' % img['id'], io.BytesIO(b'x' * 500))
    assert resp.status_int == 413
    assert show(alice, img['id'])['status'] == 'queued'
    assert staged_files(capped) == []


def test_broken_stage_leaves_the_image_queued(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='broken', **RAW_BARE)
    resp = put_stream(image.app, '/v2/images/%s/stage' % img['id'], BrokenStream(b'x' * 1000),
                      content_length=5000)
    assert resp.status_int >= 400
    assert show(alice, img['id'])['status'] == 'queued'
    assert staged_files(image) == []


def test_deleting_a_staged_image_removes_the_staged_data(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='staged', **RAW_BARE)
    assert stage(alice, img['id'], b'staged').status_int == 204
    assert staged_files(image) == [img['id']]
    assert alice.delete('/v2/images/%s' % img['id']).status_int == 204
    assert staged_files(image) == []
    assert store_files(image) == []
