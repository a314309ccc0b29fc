"""Small helpers shared by the Image API tests."""
import os

PATCH_V21 = {'Content-Type': 'application/openstack-images-v2.1-json-patch'}
PATCH_V20 = {'Content-Type': 'application/openstack-images-v2.0-json-patch'}
OCTET_STREAM = {'Content-Type': 'application/octet-stream'}
RAW_BARE = {'disk_format': 'raw', 'container_format': 'bare'}


def create(client, **attrs):
    """Create an image as ``client``; returns its JSON."""
    resp = client.post('/v2/images', attrs)
    assert resp.status_int == 201, resp.text
    return resp.data


def upload(client, image_id, data):
    resp = client.put('/v2/images/%s/file' % image_id, raw=data, headers=OCTET_STREAM)
    assert resp.status_int == 204, resp.text
    return resp


def create_active(client, data=b'image data', **attrs):
    """A raw/bare image with ``data`` uploaded; returns its JSON after upload."""
    image = create(client, **dict(RAW_BARE, **attrs))
    upload(client, image['id'], data)
    return client.get('/v2/images/%s' % image['id']).data


def patch(client, image_id, changes, headers=PATCH_V21):
    return client.patch('/v2/images/%s' % image_id, changes, headers=headers)


def names(resp):
    assert resp.status_int == 200, resp.text
    return [i['name'] for i in resp.data['images']]


def files_in(directory):
    """Every file (hidden ones too) under ``directory``; [] when it does not exist."""
    if not os.path.isdir(directory):
        return []
    return sorted(os.listdir(directory))
