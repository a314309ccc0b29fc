"""A client's mistakes, sent to a real ``pocketstack up`` over real sockets:
each gets the API's 4xx fault body and a request id, never a 5xx, a hang
or the HTTP server's own plain-text page.

Each case is one family of malformed input that once reached a 500 (issue
12): lone surrogates, invalid UTF-8 in paths and query strings, deep JSON,
bodies shorter than their Content-Length, integers beyond 64 bits, absurd
Content-Lengths, malformed ranges, names pasted into another service's URL.
"""
import json
import socket

import pytest

from tests.cloud_process import running_up

# What each API's fault body looks like (the api-refs' error formats).
FAULT_SHAPES = {
    'identity': lambda body: set(body['error']) >= {'code', 'title', 'message'},
    'compute': lambda body: len(body) == 1 and {'code', 'message'} <= set(
        next(iter(body.values()))),
    'image': lambda body: set(body) >= {'code', 'title', 'message'},
    'network': lambda body: set(body['NeutronError']) >= {'type', 'message', 'detail'},
}
PREFIX = {'identity': '/v3', 'compute': '/v2.1', 'image': '/v2', 'network': '/v2.0'}
PORT_NAME = {'identity': 'identity', 'compute': 'osapi_compute', 'image': 'image',
             'network': 'network'}
COLLECTION = {'identity': '/users', 'compute': '/servers', 'image': '/images',
              'network': '/networks'}


@pytest.fixture(scope='module')
def cloud(tmp_path_factory):
    with running_up(tmp_path_factory.mktemp('bad-input')) as up:
        yield up


def raw_request(cloud, api, head, body=b'', half_close=False, timeout=10):
    """Send ``head`` (request line and headers, without the blank line) and
    ``body`` over one socket; (status, headers, decoded JSON or None, raw)."""
    with socket.create_connection(('127.0.0.1', cloud.ports[PORT_NAME[api]]), timeout=timeout) as sock:
        sock.sendall(head.encode('latin-1') + b'\r\n\r\n' + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b''
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                pytest.fail('no answer to %r within %ss' % (head.splitlines()[0], timeout))
            if not chunk:
                break
            data += chunk
            if _complete(data):
                break
    head_part, _, payload = data.partition(b'\r\n\r\n')
    lines = head_part.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(':') for line in lines[1:])}
    try:
        decoded = json.loads(payload) if payload else None
    except ValueError:
        decoded = None
    return status, headers, decoded, payload


def _complete(data):
    head, sep, payload = data.partition(b'\r\n\r\n')
    if not sep:
        return False
    for line in head.split(b'\r\n')[1:]:
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            return len(payload) >= int(value)
    return False


def request(cloud, api, method, path, body=b'', headers=None, **kw):
    headers = {'Host': '127.0.0.1', 'Accept': 'application/json',
               'X-Auth-Token': cloud.admin, 'Connection': 'close', **(headers or {})}
    if body and 'Content-Length' not in headers and 'Transfer-Encoding' not in headers:
        headers['Content-Length'] = str(len(body))
    head = '%s %s HTTP/1.1\r\n' % (method, path) + '\r\n'.join(
        '%s: %s' % item for item in headers.items())
    return raw_request(cloud, api, head, body, **kw)


def assert_api_fault(api, answer, *statuses):
    status, headers, body, payload = answer
    assert status in statuses, (status, payload[:300])
    assert body is not None and FAULT_SHAPES[api](body), payload[:300]
    assert 'x-openstack-request-id' in headers or 'x-compute-request-id' in headers, headers


CREATE = {
    'identity': ('/v3/users', lambda name: {'user': {'name': name}}),
    'compute': ('/v2.1/servers', lambda name: {'server': {
        'name': name, 'imageRef': '70a599e0-31e7-49b7-b260-868f441e862b', 'flavorRef': '1'}}),
    'image': ('/v2/images', lambda name: {'name': name}),
    'network': ('/v2.0/networks', lambda name: {'network': {'name': name}}),
}
APIS = sorted(CREATE)


@pytest.mark.parametrize('api', APIS)
@pytest.mark.parametrize('text', ['\ud800', 'a\udfffb', 'nul\x00byte'],
                         ids=['lone-high-surrogate', 'lone-low-surrogate', 'nul'])
def test_a_string_the_database_cannot_store_is_400(cloud, api, text):
    path, make = CREATE[api]
    body = json.dumps(make(text)).encode()   # ensure_ascii: \ud800 travels as an escape
    assert_api_fault(api, request(cloud, api, 'POST', path, body,
                                  {'Content-Type': 'application/json'}), 400)


@pytest.mark.parametrize('api', APIS)
def test_json_nested_beyond_reason_is_400(cloud, api):
    path, _ = CREATE[api]
    assert_api_fault(api, request(cloud, api, 'POST', path, b'[' * 10000 + b']' * 10000,
                                  {'Content-Type': 'application/json'}), 400)


@pytest.mark.parametrize('api', APIS)
@pytest.mark.parametrize('where', ['query', 'path'])
def test_invalid_utf8_in_the_url_is_400(cloud, api, where):
    path = PREFIX[api] + COLLECTION[api]
    path += '?name=%FF%FE' if where == 'query' else '/%FF%FE'
    assert_api_fault(api, request(cloud, api, 'GET', path), 400)


@pytest.mark.parametrize('api', APIS)
def test_a_body_shorter_than_its_content_length_is_400(cloud, api):
    path, make = CREATE[api]
    answer = request(cloud, api, 'POST', path, b'{"x": ',
                     {'Content-Type': 'application/json', 'Content-Length': '100'},
                     half_close=True)
    assert_api_fault(api, answer, 400)


@pytest.mark.parametrize('api', APIS)
def test_a_malformed_chunked_body_is_400(cloud, api):
    path, _ = CREATE[api]
    answer = request(cloud, api, 'POST', path, b'zz\r\n{}\r\n0\r\n\r\n',
                     {'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked'})
    assert_api_fault(api, answer, 400)


@pytest.mark.parametrize('api', APIS)
def test_an_absurd_content_length_is_refused_at_once(cloud, api):
    path, _ = CREATE[api]
    answer = request(cloud, api, 'POST', path, b'{}',
                     {'Content-Type': 'application/json',
                      'Content-Length': '99999999999999999999'}, timeout=5)
    assert_api_fault(api, answer, 400, 413)


@pytest.mark.parametrize('api', ['compute', 'image', 'network'])   # Keystone takes no limit
def test_a_limit_beyond_64_bits_is_400(cloud, api):
    path = PREFIX[api] + COLLECTION[api] + '?limit=99999999999999999999999'
    assert_api_fault(api, request(cloud, api, 'GET', path), 400)


def test_a_quota_beyond_64_bits_is_400(cloud):
    body = json.dumps({'quota_set': {'instances': 2 ** 64}}).encode()
    answer = request(cloud, 'compute', 'PUT', '/v2.1/os-quota-sets/demo', body,
                     {'Content-Type': 'application/json'})
    assert_api_fault('compute', answer, 400)
    body = json.dumps({'quota': {'network': 2 ** 64}}).encode()
    answer = request(cloud, 'network', 'PUT', '/v2.0/quotas/demo', body,
                     {'Content-Type': 'application/json'})
    assert_api_fault('network', answer, 400)


@pytest.mark.parametrize('api', APIS)
def test_a_malformed_request_line_gets_an_answer(cloud, api):
    # The HTTP server answers before any app runs; it must still answer 400.
    status, _, _, _ = raw_request(cloud, api, 'GET /v3 HTTP/1.1 extra\r\nHost: x')
    assert status == 400


def test_a_malformed_range_on_an_image_download_is_416(cloud):
    status, _, image = cloud.http('POST', '/v2/images', {
        'name': 'r', 'disk_format': 'raw', 'container_format': 'bare'},
        token=cloud.admin, api='image')
    assert status == 201
    status, _, _ = cloud.http('PUT', '/v2/images/%s/file' % image['id'], raw=b'0123456789',
                              token=cloud.admin, api='image',
                              headers={'Content-Type': 'application/octet-stream'})
    assert status == 204
    for bad in ('bytes=--1', 'bytes=-', 'bytes=5-2', 'bytes=a-b', 'bytes=99999999999999999999-'):
        answer = request(cloud, 'image', 'GET', '/v2/images/%s/file' % image['id'],
                         headers={'Range': bad})
        assert_api_fault('image', answer, 400, 416)


def test_a_security_group_name_cannot_reach_another_network_path(cloud):
    status, _, server = cloud.http('POST', '/v2.1/servers', {'server': {
        'name': 'sg', 'imageRef': _image_id(cloud), 'flavorRef': '1', 'networks': 'none'}},
        token=cloud.admin, api='osapi_compute', headers={'OpenStack-API-Version': 'compute 2.37'})
    assert status == 202, server
    server_id = server['server']['id']
    for name in ('../../etc/passwd', '../networks', 'a?b=c', 'x#y', '%2e%2e'):
        status, _, body = cloud.http('POST', '/v2.1/servers/%s/action' % server_id,
                                     {'addSecurityGroup': {'name': name}},
                                     token=cloud.admin, api='osapi_compute')
        # Not found as a security group — never another Network API answer.
        assert status == 404, (name, status, body)
        assert 'security group' in json.dumps(body).lower(), body


def _image_id(cloud):
    status, _, body = cloud.http('GET', '/v2/images', token=cloud.admin, api='image')
    assert status == 200
    return next(i['id'] for i in body['images'] if i['status'] == 'active')
