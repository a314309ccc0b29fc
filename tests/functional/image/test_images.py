"""The Image v2 API's image records, in-process on the noauth pipeline:
create, show, list (visibility, filters, sorting, pagination), JSON-patch
updates, delete, tags, deactivation, version documents, schemas and the
discovery calls — checked against the Glance Image v2 api-ref."""
import os
import urllib.parse
import uuid

import pytest

from tests.functional.image.helpers import (
    PATCH_V20, RAW_BARE, create, create_active, files_in, names, patch, upload)


def image_path(image_id, suffix=''):
    return '/v2/images/%s%s' % (image_id, suffix)


def listed(client, query=''):
    """The set of image names ``client`` gets from one (large) list page."""
    sep = '&' if query else ''
    return set(names(client.get('/v2/images?limit=1000' + sep + query)))


# -- create ---------------------------------------------------------------------

def test_create_with_every_core_attribute_and_custom_properties(image):
    alice = image.client('alice', 'p1')
    image_id = str(uuid.uuid4())
    resp = alice.post('/v2/images', {
        'id': image_id, 'name': 'full', 'disk_format': 'qcow2', 'container_format': 'bare',
        'visibility': 'private', 'protected': True, 'min_disk': 2, 'min_ram': 512,
        'tags': ['b', 'a'], 'os_hidden': True, 'os_distro': 'cirros', 'hw_disk_bus': 'virtio'})
    assert resp.status_int == 201, resp.text
    assert resp.headers['Location'] == 'http://127.0.0.1:9292/v2/images/' + image_id
    assert 'glance-direct' in resp.headers['OpenStack-image-import-methods'].split(',')
    body = resp.data
    expected = {
        'id': image_id, 'name': 'full', 'disk_format': 'qcow2', 'container_format': 'bare',
        'visibility': 'private', 'protected': True, 'min_disk': 2, 'min_ram': 512,
        'os_hidden': True, 'os_distro': 'cirros', 'hw_disk_bus': 'virtio',
        'status': 'queued', 'owner': 'p1', 'size': None, 'virtual_size': None,
        'checksum': None, 'os_hash_algo': None, 'os_hash_value': None,
        'self': '/v2/images/' + image_id, 'file': '/v2/images/%s/file' % image_id,
        'schema': '/v2/schemas/image'}
    assert {k: body[k] for k in expected} == expected
    assert sorted(body['tags']) == ['a', 'b']
    assert body['created_at'].endswith('Z') and body['updated_at'].endswith('Z')
    shown = alice.get(image_path(image_id))
    assert shown.status_int == 200 and shown.data == body


def test_create_defaults(image):
    resp = image.client('alice', 'p1').post('/v2/images', {})
    assert resp.status_int == 201, resp.text
    body = resp.data
    assert uuid.UUID(body['id'])
    assert {k: body[k] for k in ('name', 'visibility', 'status', 'protected', 'os_hidden',
                                 'min_disk', 'min_ram', 'disk_format', 'container_format',
                                 'tags', 'owner')} == {
        'name': None, 'visibility': 'shared', 'status': 'queued', 'protected': False,
        'os_hidden': False, 'min_disk': 0, 'min_ram': 0, 'disk_format': None,
        'container_format': None, 'tags': [], 'owner': 'p1'}


@pytest.mark.parametrize('attrs', [
    {'disk_format': 'floppy'},
    {'container_format': 'box'},
    {'min_ram': -1},
    {'min_disk': 'big'},
    {'protected': 'yes'},
    {'visibility': 'everyone'},
    {'id': 'not-a-uuid'},
    {'name': 'x' * 256},
    {'tags': 'not-a-list'},
    {'os_distro': 5},
    {'os_distro': ['cirros']},
    {'k' * 256: 'key too long'},
    {'description': 'é' * 32768},
], ids=lambda a: '-'.join('%s=%r' % kv for kv in a.items())[:40])
def test_create_invalid_values_are_400(image, attrs):
    alice = image.client('alice', 'p1')
    resp = alice.post('/v2/images', dict(attrs, name=attrs.get('name', 'bad')))
    assert resp.status_int == 400, resp.text
    assert listed(alice) == set()


@pytest.mark.parametrize('name', ['status', 'checksum', 'size', 'virtual_size', 'os_hash_algo',
                                  'os_hash_value', 'created_at', 'updated_at', 'self', 'file',
                                  'schema', 'direct_url'])
def test_create_with_read_only_attribute_is_403(image, name):
    alice = image.client('alice', 'p1')
    resp = alice.post('/v2/images', {'name': 'ro', name: 'x'})
    assert resp.status_int == 403, resp.text
    assert listed(alice) == set()


@pytest.mark.parametrize('name', ['os_glance_import_task', 'os_glance_anything', 'deleted',
                                  'location'])
def test_create_with_reserved_attribute_is_403(image, name):
    alice = image.client('alice', 'p1')
    resp = alice.post('/v2/images', {'name': 'reserved', name: 'x'})
    assert resp.status_int == 403, resp.text
    assert listed(alice) == set()


def test_longest_custom_property_is_kept_whole(image):
    alice = image.client('alice', 'p1')
    key, value = 'ķ' * 255, 'é' * 32767  # 255 characters; 65534 bytes of UTF-8
    img = create(alice, name='long', **{key: value})
    assert alice.get(image_path(img['id'])).data[key] == value


def test_property_quota(image):
    image.conf.set_override('image_property_quota', 2)
    alice = image.client('alice', 'p1')
    assert alice.post('/v2/images', {'a': '1', 'b': '2', 'c': '3'}).status_int == 413
    img = create(alice, a='1', b='2')
    resp = patch(alice, img['id'], [{'op': 'add', 'path': '/c', 'value': '3'}])
    assert resp.status_int == 413, resp.text
    resp = patch(alice, img['id'], [{'op': 'remove', 'path': '/a'},
                                    {'op': 'add', 'path': '/c', 'value': '3'}])
    assert resp.status_int == 200 and (resp.data['b'], resp.data['c']) == ('2', '3')


def test_create_with_body_that_is_not_an_object_is_400(image):
    resp = image.client('alice', 'p1').post('/v2/images', ['name', 'x'])
    assert resp.status_int == 400


def test_create_with_existing_id_is_409(image):
    alice = image.client('alice', 'p1')
    first = create(alice, name='first')
    resp = image.client('bob', 'p2').post('/v2/images', {'id': first['id'], 'name': 'second'})
    assert resp.status_int == 409, resp.text
    assert alice.get(image_path(first['id'])).data['name'] == 'first'


def test_only_admin_may_create_public_images(image):
    alice = image.client('alice', 'p1')
    resp = alice.post('/v2/images', {'name': 'pub', 'visibility': 'public'})
    assert resp.status_int == 403, resp.text
    resp = image.admin.post('/v2/images', {'name': 'pub', 'visibility': 'public'})
    assert resp.status_int == 201
    assert listed(alice) == {'pub'}


def test_owner_may_create_community_images(image):
    resp = image.client('alice', 'p1').post('/v2/images', {'name': 'com',
                                                            'visibility': 'community'})
    assert resp.status_int == 201, resp.text
    assert resp.data['visibility'] == 'community'


def test_owner_other_than_own_project_needs_admin(image):
    resp = image.client('alice', 'p1').post('/v2/images', {'name': 'x', 'owner': 'p2'})
    assert resp.status_int == 403, resp.text
    resp = image.admin.post('/v2/images', {'name': 'for-p2', 'owner': 'p2'})
    assert resp.status_int == 201 and resp.data['owner'] == 'p2'
    assert listed(image.client('bob', 'p2')) == {'for-p2'}


def test_reader_only_role_may_read_but_not_create(image):
    create(image.client('alice', 'p2'), name='mine')
    reader = image.client('rita', 'p2', roles=['reader'])
    assert listed(reader) == {'mine'}
    assert reader.post('/v2/images', {'name': 'x'}).status_int == 403


# -- show ------------------------------------------------------------------------

def test_show_hides_other_projects_private_and_shared_images(image):
    alice, bob = image.client('alice', 'p1'), image.client('bob', 'p2')
    private = create(alice, name='private', visibility='private')
    shared = create(alice, name='shared')
    community = create(alice, name='community', visibility='community')
    for hidden in (private, shared):
        resp = bob.get(image_path(hidden['id']))
        assert resp.status_int == 404, resp.text
        assert resp.data['code'] == '404 Not Found' and resp.data['title'] == 'Not Found'
    assert bob.get(image_path(community['id'])).data['name'] == 'community'
    assert image.admin.get(image_path(private['id'])).data['name'] == 'private'


def test_show_unknown_image_is_404(image):
    assert image.client('alice', 'p1').get(image_path(uuid.uuid4())).status_int == 404


# -- list: visibility -------------------------------------------------------------

@pytest.fixture
def world(image):
    """Images of every visibility: p1 owns most, p2 is a member of its shared
    ones with each member status, p3 is a stranger."""
    p1, p2 = image.client('alice', 'p1'), image.client('bob', 'p2')
    create(image.admin, name='public', visibility='public')
    create(image.admin, name='admin-private', visibility='private')
    create(p1, name='p1-private', visibility='private')
    create(p1, name='p1-community', visibility='community')
    create(p1, name='p1-unshared')
    for status in ('pending', 'accepted', 'rejected'):
        shared = create(p1, name='shared-' + status)
        resp = p1.post(image_path(shared['id'], '/members'), {'member': 'p2'})
        assert resp.status_int == 200, resp.text
        if status != 'pending':
            resp = p2.put(image_path(shared['id'], '/members/p2'), {'status': status})
            assert resp.status_int == 200, resp.text
    create(p2, name='p2-private', visibility='private')
    create(p1, name='p1-hidden', os_hidden=True)
    return image


P1_OWN = {'p1-private', 'p1-community', 'p1-unshared', 'shared-pending', 'shared-accepted',
          'shared-rejected'}


@pytest.mark.parametrize('user,project,query,expected', [
    ('bob', 'p2', '', {'public', 'shared-accepted', 'p2-private'}),
    ('bob', 'p2', 'member_status=pending', {'public', 'shared-pending', 'p2-private'}),
    ('bob', 'p2', 'member_status=rejected', {'public', 'shared-rejected', 'p2-private'}),
    ('bob', 'p2', 'member_status=all',
     {'public', 'shared-pending', 'shared-accepted', 'shared-rejected', 'p2-private'}),
    ('bob', 'p2', 'visibility=shared', {'shared-accepted'}),
    ('bob', 'p2', 'visibility=shared&member_status=pending', {'shared-pending'}),
    ('bob', 'p2', 'visibility=community', {'p1-community'}),
    ('bob', 'p2', 'visibility=public', {'public'}),
    ('bob', 'p2', 'visibility=private', {'p2-private'}),
    ('bob', 'p2', 'visibility=all', {'public', 'p1-community', 'shared-accepted', 'p2-private'}),
    ('carol', 'p3', '', {'public'}),
    ('carol', 'p3', 'visibility=community', {'p1-community'}),
    ('carol', 'p3', 'member_status=all', {'public'}),
    ('alice', 'p1', '', P1_OWN | {'public'}),
    ('alice', 'p1', 'visibility=shared',
     {'p1-unshared', 'shared-pending', 'shared-accepted', 'shared-rejected'}),
    ('alice', 'p1', 'visibility=private', {'p1-private'}),
    ('alice', 'p1', 'os_hidden=true', {'p1-hidden'}),
    ('admin', 'admin', '', P1_OWN | {'public', 'admin-private', 'p2-private'}),
    ('admin', 'admin', 'visibility=private', {'admin-private', 'p1-private', 'p2-private'}),
    ('admin', 'admin', 'visibility=all', P1_OWN | {'public', 'admin-private', 'p2-private'}),
    ('admin', 'admin', 'visibility=community', {'p1-community'}),
])
def test_list_visibility_rules(world, user, project, query, expected):
    assert listed(world.client(user, project), query) == expected


def test_hidden_image_is_listed_on_request_and_shown_by_id(world):
    alice = world.client('alice', 'p1')
    hidden = alice.get('/v2/images?os_hidden=true').data['images']
    assert [i['name'] for i in hidden] == ['p1-hidden'] and hidden[0]['os_hidden'] is True
    assert 'p1-hidden' not in listed(alice, 'os_hidden=false')
    assert alice.get(image_path(hidden[0]['id'])).data['name'] == 'p1-hidden'


@pytest.mark.parametrize('query', ['visibility=everyone', 'member_status=maybe',
                                   'os_hidden=perhaps', 'protected=yes', 'protected=True',
                                   'size_min=big', 'min_ram=lots', 'limit=-1', 'limit=x'])
def test_list_with_invalid_parameter_is_400(image, query):
    assert image.client('alice', 'p1').get('/v2/images?' + query).status_int == 400


# -- list: filters ------------------------------------------------------------------

@pytest.fixture
def catalogue(image):
    """p1's images with varied attributes, and p2's image shared with p1."""
    p1 = image.client('alice', 'p1')
    create_active(p1, b'x' * 10, name='small', tags=['linux', 'ready'], os_distro='cirros')
    create_active(p1, b'x' * 100, name='medium', tags=['linux'], os_distro='ubuntu',
                  protected=True)
    big = create(p1, name='big', disk_format='qcow2', container_format='ovf',
                 tags=['ready'])
    upload(p1, big['id'], b'x' * 1000)
    create(p1, name='queued', disk_format='iso', container_format='bare', min_ram=512,
           min_disk=4)
    create(p1, name='glass, darkly')
    p2 = image.client('bob', 'p2')
    theirs = create(p2, name='theirs')
    p2.post(image_path(theirs['id'], '/members'), {'member': 'p1'})
    p1.put(image_path(theirs['id'], '/members/p1'), {'status': 'accepted'})
    return image


@pytest.mark.parametrize('query,expected', [
    ('name=small', {'small'}),
    ('name=nothing', set()),
    ('status=active', {'small', 'medium', 'big'}),
    ('status=queued', {'queued', 'glass, darkly', 'theirs'}),
    ('status=in:queued,active', {'small', 'medium', 'big', 'queued', 'glass, darkly',
                                 'theirs'}),
    ('owner=p2', {'theirs'}),
    ('owner=p1&status=queued', {'queued', 'glass, darkly'}),
    ('tag=linux', {'small', 'medium'}),
    ('tag=linux&tag=ready', {'small'}),
    ('tag=nothing', set()),
    ('size_min=100', {'medium', 'big'}),
    ('size_max=100', {'small', 'medium'}),
    ('size_min=11&size_max=999', {'medium'}),
    ('disk_format=qcow2', {'big'}),
    ('disk_format=in:iso,qcow2', {'big', 'queued'}),
    ('container_format=ovf', {'big'}),
    ('size=100', {'medium'}),
    ('min_ram=512', {'queued'}),
    ('min_disk=4&min_ram=512', {'queued'}),
    ('min_ram=0', {'small', 'medium', 'big', 'glass, darkly', 'theirs'}),
    ('os_hash_algo=sha512', {'small', 'medium', 'big'}),
    ('protected=true', {'medium'}),
    ('protected=false', {'small', 'big', 'queued', 'glass, darkly', 'theirs'}),
    ('os_distro=cirros', {'small'}),
    ('os_distro=ubuntu&tag=linux', {'medium'}),
    ('os_distro=debian', set()),
    ('name=in:small,medium', {'small', 'medium'}),
    ('name=in:"glass,%20darkly",big', {'glass, darkly', 'big'}),
    ('name=in:glass,big', {'big'}),
    ('created_at=gte:2000-01-01T00:00:00Z', {'small', 'medium', 'big', 'queued',
                                             'glass, darkly', 'theirs'}),
    ('created_at=lt:2000-01-01T00:00:00Z', set()),
    ('updated_at=gt:2999-01-01T00:00:00%2B02:00', set()),
])
def test_list_filters(catalogue, query, expected):
    assert listed(catalogue.client('alice', 'p1'), query) == expected


def test_list_filter_id_in(catalogue):
    alice = catalogue.client('alice', 'p1')
    by_name = {i['name']: i['id'] for i in alice.get('/v2/images').data['images']}
    query = 'id=in:%s,%s' % (by_name['small'], by_name['theirs'])
    assert listed(alice, query) == {'small', 'theirs'}
    assert listed(alice, 'id=' + by_name['big']) == {'big'}


def test_list_filter_on_creation_time_around_an_image(image):
    alice = image.client('alice', 'p1')
    made = create(alice, name='made')
    stamp = urllib.parse.quote(made['created_at'])
    assert listed(alice, 'created_at=gte:' + stamp) == {'made'}
    assert listed(alice, 'created_at=lte:' + stamp) == {'made'}
    assert listed(alice, 'created_at=eq:' + stamp) == {'made'}
    assert listed(alice, 'created_at=gt:' + stamp) == set()
    assert listed(alice, 'created_at=neq:' + stamp) == set()
    assert alice.get('/v2/images?created_at=gte:yesterday').status_int == 400


# -- list: sorting ------------------------------------------------------------------

@pytest.fixture
def sortable(image):
    p1 = image.client('alice', 'p1')
    for name, size in (('b', 30), ('a', 10), ('c', 20), ('a', 20)):
        create_active(p1, b'x' * size, name=name)
    return p1


@pytest.mark.parametrize('query,expected', [
    ('sort_key=name&sort_dir=asc&sort_key=size&sort_dir=desc',
     [('a', 20), ('a', 10), ('b', 30), ('c', 20)]),
    ('sort=name:asc,size:desc', [('a', 20), ('a', 10), ('b', 30), ('c', 20)]),
    ('sort=size:asc,name', [('a', 10), ('c', 20), ('a', 20), ('b', 30)]),
    ('sort_key=size&sort_key=name&sort_dir=asc', [('a', 10), ('a', 20), ('c', 20), ('b', 30)]),
])
def test_list_sorting(sortable, query, expected):
    images = sortable.get('/v2/images?' + query).data['images']
    assert [(i['name'], i['size']) for i in images] == expected


def test_sort_key_without_direction_is_descending_with_ties_broken_by_id(sortable):
    images = sortable.get('/v2/images?sort_key=name').data['images']
    keys = [(i['name'], i['id']) for i in images]
    assert [k[0] for k in keys] == ['c', 'b', 'a', 'a']
    assert keys == sorted(keys, reverse=True)


def test_default_order_is_newest_first(sortable):
    images = sortable.get('/v2/images').data['images']
    keys = [(i['created_at'], i['id']) for i in images]
    assert keys == sorted(keys, reverse=True)


@pytest.mark.parametrize('query', ['sort_key=colour', 'sort_dir=sideways', 'sort=name:up',
                                   'sort=colour:asc', 'sort=name:asc&sort_key=size',
                                   'sort=name&sort_dir=asc',
                                   'sort_key=name&sort_dir=asc&sort_dir=desc&sort_dir=asc'])
def test_list_invalid_sort_is_400(image, query):
    assert image.client('alice', 'p1').get('/v2/images?' + query).status_int == 400


# -- list: pagination ----------------------------------------------------------------

def walk(client, first_url):
    """Follow ``next`` links from ``first_url``; returns the pages' images."""
    pages, url = [], first_url
    while url:
        resp = client.get(url)
        assert resp.status_int == 200, resp.text
        assert resp.data['schema'] == '/v2/schemas/images'
        assert resp.data['first'].startswith('/v2/images')
        pages.append(resp.data['images'])
        url = resp.data.get('next')
        assert len(pages) < 20, 'pagination does not end'
    return pages


def test_pagination_walks_every_image_once_in_order(image):
    alice = image.client('alice', 'p1')
    for n in (3, 0, 6, 1, 5, 2, 4):
        create(alice, name='img%d' % n)
    pages = walk(alice, '/v2/images?limit=3&sort_key=name&sort_dir=asc')
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i['name'] for p in pages for i in p] == ['img%d' % n for n in range(7)]


def test_pagination_with_the_default_sort_and_equal_sort_values(image):
    alice = image.client('alice', 'p1')
    made = {create(alice, name='same', **RAW_BARE)['id'] for _ in range(7)}
    for query in ('limit=2', 'limit=2&sort_key=name', 'limit=3&sort=disk_format:asc',
                  'limit=1&sort_key=created_at&sort_dir=asc'):
        pages = walk(alice, '/v2/images?' + query)
        seen = [i['id'] for p in pages for i in p]
        assert sorted(seen) == sorted(made), query


def test_next_link_keeps_filters_and_is_absent_on_the_last_page(image):
    alice = image.client('alice', 'p1')
    for n in range(3):
        create(alice, name='keep', tags=['t'])
    create(alice, name='drop')
    first = alice.get('/v2/images?limit=2&tag=t')
    assert len(first.data['images']) == 2 and 'tag=t' in first.data['next']
    last = alice.get(first.data['next'])
    assert names(last) == ['keep'] and 'next' not in last.data
    exact = alice.get('/v2/images?limit=4')
    assert len(exact.data['images']) == 4 and 'next' not in exact.data


def test_invalid_or_invisible_marker_is_400(image):
    alice = image.client('alice', 'p1')
    create(alice, name='mine')
    theirs = create(image.client('bob', 'p2'), name='theirs', visibility='private')
    assert alice.get('/v2/images?marker=%s' % uuid.uuid4()).status_int == 400
    assert alice.get('/v2/images?marker=%s' % theirs['id']).status_int == 400


def test_limit_is_capped_at_api_limit_max(image):
    image.conf.set_override('api_limit_max', 2)
    alice = image.client('alice', 'p1')
    for n in range(3):
        create(alice, name='img%d' % n)
    resp = alice.get('/v2/images?limit=100')
    assert len(resp.data['images']) == 2 and 'next' in resp.data
    assert len(alice.get('/v2/images').data['images']) == 2


def test_limit_zero_gives_an_empty_page(image):
    alice = image.client('alice', 'p1')
    create(alice, name='img')
    resp = alice.get('/v2/images?limit=0')
    assert resp.status_int == 200
    assert resp.data['images'] == [] and 'next' not in resp.data


def test_limit_default_is_limit_param_default(image):
    image.conf.set_override('limit_param_default', 2)
    alice = image.client('alice', 'p1')
    for n in range(3):
        create(alice, name='img%d' % n)
    pages = walk(alice, '/v2/images')
    assert [len(p) for p in pages] == [2, 1]


# -- update (JSON patch) -------------------------------------------------------------

def test_patch_adds_replaces_and_removes_core_and_custom_properties(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='old', os_distro='cirros', hw_disk_bus='ide', min_ram=1)
    resp = patch(alice, img['id'], [
        {'op': 'replace', 'path': '/name', 'value': 'new'},
        {'op': 'add', 'path': '/min_disk', 'value': 3},
        {'op': 'replace', 'path': '/min_ram', 'value': 256},
        {'op': 'add', 'path': '/protected', 'value': True},
        {'op': 'replace', 'path': '/os_hidden', 'value': True},
        {'op': 'add', 'path': '/disk_format', 'value': 'vmdk'},
        {'op': 'replace', 'path': '/visibility', 'value': 'private'},
        {'op': 'replace', 'path': '/tags', 'value': ['x', 'y']},
        {'op': 'add', 'path': '/architecture', 'value': 'x86_64'},
        {'op': 'replace', 'path': '/os_distro', 'value': 'ubuntu'},
        {'op': 'add', 'path': '/hw_disk_bus', 'value': 'virtio'},
        {'op': 'add', 'path': '/a~1b~0c', 'value': 'escaped'},
    ])
    assert resp.status_int == 200, resp.text
    expected = {'name': 'new', 'min_disk': 3, 'min_ram': 256, 'protected': True,
                'os_hidden': True, 'disk_format': 'vmdk', 'visibility': 'private',
                'architecture': 'x86_64', 'os_distro': 'ubuntu', 'hw_disk_bus': 'virtio',
                'a/b~c': 'escaped'}
    assert {k: resp.data[k] for k in expected} == expected
    assert sorted(resp.data['tags']) == ['x', 'y']
    assert alice.get(image_path(img['id'])).data == resp.data

    resp = patch(alice, img['id'], [{'op': 'remove', 'path': '/architecture'},
                                    {'op': 'remove', 'path': '/a~1b~0c'}])
    assert resp.status_int == 200, resp.text
    assert 'architecture' not in resp.data and 'a/b~c' not in resp.data
    assert resp.data['os_distro'] == 'ubuntu'


def test_patch_v20_media_type(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='old', os_distro='cirros', gone='soon')
    resp = patch(alice, img['id'], [{'replace': '/name', 'value': 'new'},
                                    {'add': '/os_version', 'value': '1.0'},
                                    {'remove': '/gone'}], headers=PATCH_V20)
    assert resp.status_int == 200, resp.text
    assert (resp.data['name'], resp.data['os_version']) == ('new', '1.0')
    assert 'gone' not in resp.data
    resp = patch(alice, img['id'], [{'op': 'replace', 'path': '/name', 'value': 'x'}],
                 headers=PATCH_V20)
    assert resp.status_int == 400


@pytest.mark.parametrize('changes,status', [
    ([{'op': 'replace', 'path': '/missing', 'value': 'x'}], 409),
    ([{'op': 'remove', 'path': '/missing'}], 409),
    ([{'op': 'remove', 'path': '/name'}], 403),
    ([{'op': 'remove', 'path': '/min_ram'}], 403),
    ([{'op': 'replace', 'path': '/status', 'value': 'active'}], 403),
    ([{'op': 'replace', 'path': '/checksum', 'value': 'abc'}], 403),
    ([{'op': 'replace', 'path': '/id', 'value': str(uuid.uuid4())}], 403),
    ([{'op': 'add', 'path': '/os_glance_import_task', 'value': 'x'}], 403),
    ([{'op': 'replace', 'path': '/visibility', 'value': 'public'}], 403),
    ([{'op': 'replace', 'path': '/owner', 'value': 'p2'}], 403),
    ([{'op': 'move', 'path': '/name', 'value': 'x'}], 400),
    ([{'op': 'replace', 'path': '/name'}], 400),
    ([{'op': 'replace', 'path': 'name', 'value': 'x'}], 400),
    ([{'op': 'add', 'path': '/a/b', 'value': 'x'}], 400),
    ([{'op': 'replace', 'path': '/min_ram', 'value': -5}], 400),
    ([{'op': 'replace', 'path': '/disk_format', 'value': 'floppy'}], 400),
    ([{'op': 'replace', 'path': '/visibility', 'value': 'everyone'}], 400),
    ([{'op': 'add', 'path': '/os_distro', 'value': 7}], 400),
    ([{'op': 'add', 'path': '/' + 'k' * 256, 'value': 'x'}], 400),
    ([{'op': 'add', 'path': '/description', 'value': '✓' * 21846}], 400),
    ({'op': 'replace', 'path': '/name', 'value': 'x'}, 400),
    (['replace'], 400),
    # one bad change fails the whole request
    ([{'op': 'replace', 'path': '/name', 'value': 'changed'},
      {'op': 'remove', 'path': '/missing'}], 409),
])
def test_patch_errors_leave_the_image_unchanged(image, changes, status):
    alice = image.client('alice', 'p1')
    img = create(alice, name='orig', os_distro='cirros')
    resp = patch(alice, img['id'], changes)
    assert resp.status_int == status, resp.text
    assert alice.get(image_path(img['id'])).data == img


def test_patch_with_other_content_type_is_415(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='orig')
    changes = [{'op': 'replace', 'path': '/name', 'value': 'x'}]
    for ctype in ('application/json', 'application/json-patch+json'):
        resp = patch(alice, img['id'], changes, headers={'Content-Type': ctype})
        assert resp.status_int == 415, resp.text
    assert alice.get(image_path(img['id'])).data['name'] == 'orig'


def test_disk_and_container_format_are_fixed_once_data_is_uploaded(image):
    alice = image.client('alice', 'p1')
    img = create_active(alice, name='active')
    for path, value in (('/disk_format', 'qcow2'), ('/container_format', 'ovf')):
        resp = patch(alice, img['id'], [{'op': 'replace', 'path': path, 'value': value}])
        assert resp.status_int == 403, resp.text
    resp = patch(alice, img['id'], [{'op': 'replace', 'path': '/name', 'value': 'renamed'}])
    assert resp.status_int == 200 and resp.data['disk_format'] == 'raw'


def test_patch_by_other_projects(image):
    alice, bob, carol = (image.client('alice', 'p1'), image.client('bob', 'p2'),
                         image.client('carol', 'p3'))
    shared = create(alice, name='shared')
    alice.post(image_path(shared['id'], '/members'), {'member': 'p2'})
    community = create(alice, name='community', visibility='community')
    change = [{'op': 'replace', 'path': '/name', 'value': 'hijacked'}]
    assert patch(bob, shared['id'], change).status_int == 403
    assert patch(carol, shared['id'], change).status_int == 404
    assert patch(carol, community['id'], change).status_int == 403
    assert alice.get(image_path(shared['id'])).data['name'] == 'shared'
    assert alice.get(image_path(community['id'])).data['name'] == 'community'
    resp = patch(image.admin, shared['id'], change)
    assert resp.status_int == 200 and resp.data['name'] == 'hijacked'


def test_admin_may_publicize_and_change_owner(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='img')
    resp = patch(image.admin, img['id'], [{'op': 'replace', 'path': '/visibility',
                                           'value': 'public'},
                                          {'op': 'replace', 'path': '/owner', 'value': 'p2'}])
    assert resp.status_int == 200, resp.text
    assert (resp.data['visibility'], resp.data['owner']) == ('public', 'p2')
    assert listed(image.client('carol', 'p3')) == {'img'}


def test_patch_unknown_image_is_404(image):
    resp = patch(image.client('alice', 'p1'), uuid.uuid4(),
                 [{'op': 'replace', 'path': '/name', 'value': 'x'}])
    assert resp.status_int == 404


# -- delete -------------------------------------------------------------------------

def test_protected_image_cannot_be_deleted_until_unprotected(image):
    alice = image.client('alice', 'p1')
    img = create_active(alice, b'protected data', protected=True)
    datadir = image.conf.glance_store.filesystem_store_datadir
    assert files_in(datadir) == [img['id']]
    resp = alice.delete(image_path(img['id']))
    assert resp.status_int == 403, resp.text
    assert alice.get(image_path(img['id'])).status_int == 200
    assert files_in(datadir) == [img['id']]

    assert patch(alice, img['id'], [{'op': 'replace', 'path': '/protected',
                                     'value': False}]).status_int == 200
    assert alice.delete(image_path(img['id'])).status_int == 204
    assert alice.get(image_path(img['id'])).status_int == 404
    assert alice.delete(image_path(img['id'])).status_int == 404
    assert files_in(datadir) == []


def test_only_owner_or_admin_deletes(image):
    alice, bob = image.client('alice', 'p1'), image.client('bob', 'p2')
    shared = create(alice, name='shared')
    alice.post(image_path(shared['id'], '/members'), {'member': 'p2'})
    private = create(alice, name='private', visibility='private')
    assert bob.delete(image_path(shared['id'])).status_int == 403
    assert bob.delete(image_path(private['id'])).status_int == 404
    assert listed(alice) == {'shared', 'private'}
    assert image.admin.delete(image_path(private['id'])).status_int == 204
    assert listed(alice) == {'shared'}


def test_delete_removes_members_and_tags_with_the_image(image):
    alice, bob = image.client('alice', 'p1'), image.client('bob', 'p2')
    img = create(alice, name='img', tags=['t'], os_distro='x')
    alice.post(image_path(img['id'], '/members'), {'member': 'p2'})
    assert alice.delete(image_path(img['id'])).status_int == 204
    assert bob.get(image_path(img['id'], '/members/p2')).status_int == 404
    assert listed(bob, 'member_status=all') == set()


# -- tags -------------------------------------------------------------------------------

def test_tags_add_is_idempotent_and_delete_of_missing_tag_is_404(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='img', tags=['old'])
    tag = image_path(img['id'], '/tags/new%20tag')
    assert alice.put(tag).status_int == 204
    assert alice.put(tag).status_int == 204
    assert sorted(alice.get(image_path(img['id'])).data['tags']) == ['new tag', 'old']
    assert listed(alice, 'tag=new%20tag') == {'img'}
    assert alice.delete(tag).status_int == 204
    assert alice.get(image_path(img['id'])).data['tags'] == ['old']
    assert alice.delete(tag).status_int == 404
    assert alice.put(image_path(uuid.uuid4(), '/tags/x')).status_int == 404


def test_tags_need_write_access(image):
    alice, bob = image.client('alice', 'p1'), image.client('bob', 'p2')
    img = create(alice, name='img', visibility='community', tags=['t'])
    assert bob.put(image_path(img['id'], '/tags/x')).status_int == 403
    assert bob.delete(image_path(img['id'], '/tags/t')).status_int == 403
    assert alice.get(image_path(img['id'])).data['tags'] == ['t']


def test_tag_quota(image):
    image.conf.set_override('image_tag_quota', 2)
    alice = image.client('alice', 'p1')
    assert alice.post('/v2/images', {'tags': ['a', 'b', 'c']}).status_int == 413
    img = create(alice, tags=['a', 'b'])
    assert alice.put(image_path(img['id'], '/tags/c')).status_int == 413
    assert alice.get(image_path(img['id'])).data['tags'] == ['a', 'b']


# -- deactivate / reactivate --------------------------------------------------------

def test_deactivate_blocks_downloads_except_for_admins(image):
    alice = image.client('alice', 'p1')
    img = create_active(alice, b'payload')
    assert alice.post(image_path(img['id'], '/actions/deactivate')).status_int == 204
    assert alice.get(image_path(img['id'])).data['status'] == 'deactivated'
    assert alice.post(image_path(img['id'], '/actions/deactivate')).status_int == 204
    assert alice.get(image_path(img['id'], '/file')).status_int == 403
    resp = image.admin.get(image_path(img['id'], '/file'))
    assert resp.status_int == 200 and resp.body == b'payload'

    assert alice.post(image_path(img['id'], '/actions/reactivate')).status_int == 204
    assert alice.get(image_path(img['id'])).data['status'] == 'active'
    assert alice.post(image_path(img['id'], '/actions/reactivate')).status_int == 204
    assert alice.get(image_path(img['id'], '/file')).body == b'payload'


def test_deactivate_needs_an_active_image(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='queued', **RAW_BARE)
    assert alice.post(image_path(img['id'], '/actions/deactivate')).status_int == 403
    assert alice.post(image_path(img['id'], '/actions/reactivate')).status_int == 403
    assert alice.get(image_path(img['id'])).data['status'] == 'queued'
    assert alice.post(image_path(uuid.uuid4(), '/actions/deactivate')).status_int == 404


def test_deactivate_by_other_projects(image):
    alice, bob = image.client('alice', 'p1'), image.client('bob', 'p2')
    img = create_active(alice, visibility='community')
    assert bob.post(image_path(img['id'], '/actions/deactivate')).status_int == 403
    assert alice.get(image_path(img['id'])).data['status'] == 'active'
    assert image.admin.post(image_path(img['id'], '/actions/deactivate')).status_int == 204
    assert bob.get(image_path(img['id'], '/file')).status_int == 403
    assert bob.post(image_path(img['id'], '/actions/reactivate')).status_int == 403
    assert alice.get(image_path(img['id'])).data['status'] == 'deactivated'


# -- versions, routing, schemas, discovery --------------------------------------------

def test_version_documents(image):
    client = image.client('alice', 'p1')
    root = client.get('/')
    assert root.status_int == 300
    versions = {v['id']: v for v in root.data['versions']}
    assert set(versions) == {'v2.%d' % n for n in range(8)}
    assert versions['v2.7']['status'] == 'CURRENT'
    assert {v['status'] for k, v in versions.items() if k != 'v2.7'} == {'SUPPORTED'}
    assert versions['v2.0']['links'] == [{'rel': 'self', 'href': 'http://127.0.0.1:9292/v2/'}]
    listing = client.get('/versions')
    assert listing.status_int == 200 and listing.data == root.data


@pytest.mark.parametrize('path', ['/v3/images', '/v2.99/images', '/v1/images', '/v1'])
def test_unknown_versions_get_the_version_document(image, path):
    resp = image.client('alice', 'p1').get(path)
    assert resp.status_int == 300 and resp.data['versions']


def test_minor_version_paths_reach_the_v2_api(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='img')
    assert names(alice.get('/v2.3/images')) == ['img']
    assert alice.get('/v2.7/images/%s' % img['id']).data['id'] == img['id']
    resp = alice.post('/v2.0/images', {'name': 'other'})
    assert resp.status_int == 201
    assert listed(alice) == {'img', 'other'}


def test_wrong_method_is_405_with_allow(image):
    alice = image.client('alice', 'p1')
    img = create(alice, name='img')
    resp = alice.post(image_path(img['id']), {})
    assert resp.status_int == 405
    assert set(resp.headers['Allow'].replace(' ', '').split(',')) == {'GET', 'PATCH', 'DELETE'}
    resp = alice.delete('/v2/images')
    assert resp.status_int == 405 and set(resp.headers['Allow'].replace(' ', '').split(',')) \
        == {'GET', 'POST'}


def test_unknown_path_is_404(image):
    assert image.client('alice', 'p1').get('/v2/flavors').status_int == 404


@pytest.mark.parametrize('name,properties', [
    ('image', {'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'checksum',
               'os_hash_algo', 'os_hash_value', 'owner', 'size', 'virtual_size',
               'disk_format', 'container_format', 'tags', 'min_ram', 'min_disk',
               'created_at', 'updated_at', 'self', 'file', 'schema'}),
    ('images', {'images', 'first', 'next', 'schema'}),
    ('member', {'image_id', 'member_id', 'status', 'created_at', 'updated_at', 'schema'}),
    ('members', {'members', 'schema'}),
])
def test_schemas(image, name, properties):
    resp = image.client('alice', 'p1').get('/v2/schemas/' + name)
    assert resp.status_int == 200
    assert resp.data['name'] == name
    assert properties <= set(resp.data['properties'])


def test_image_schema_describes_formats_and_custom_properties(image):
    schema = image.client('alice', 'p1').get('/v2/schemas/image').data
    assert 'qcow2' in schema['properties']['disk_format']['enum']
    assert 'bare' in schema['properties']['container_format']['enum']
    assert schema['additionalProperties'] == {'type': 'string'}
    assert schema['properties']['status']['readOnly'] is True


def test_unknown_schema_is_404(image):
    assert image.client('alice', 'p1').get('/v2/schemas/flavor').status_int == 404


def test_discovery(image):
    client = image.client('alice', 'p1')
    methods = client.get('/v2/info/import')
    assert methods.status_int == 200
    assert methods.data['import-methods']['value'] == ['glance-direct']
    stores = client.get('/v2/info/stores')
    assert stores.status_int == 200
    assert [(s['id'], s['default']) for s in stores.data['stores']] == [('file', True)]


def test_uploaded_bytes_are_kept_in_the_filesystem_store(image):
    alice = image.client('alice', 'p1')
    img = create_active(alice)
    path = os.path.join(image.conf.glance_store.filesystem_store_datadir, img['id'])
    with open(path, 'rb') as f:
        assert f.read() == b'image data'
