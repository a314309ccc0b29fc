"""The image manager's listing — filters, custom-property filters, sorting
with keyset pagination, and member visibility — on SQLite, PostgreSQL and
MariaDB: the same calls must give the same pages on all three."""
import datetime
import functools

import pytest

from pocketstack.common import context as ctx_mod
from pocketstack.common import exception
from tests.conftest import make_image_conf


@pytest.fixture
def service(tmp_path, db_url):
    from pocketstack.image import service as service_mod
    svc = service_mod.ImageService.for_conf(make_image_conf(tmp_path, db_url))
    yield svc
    svc.db.dispose()


def context(project, admin=False):
    roles = ['admin', 'member', 'reader'] if admin else ['member', 'reader']
    return ctx_mod.RequestContext(user_id='user-' + project, project_id=project, roles=roles,
                                  overwrite=False)


P1, P2, P3, ADMIN = context('p1'), context('p2'), context('p3'), context('admin', admin=True)


def make(svc, ctx, data=None, properties=None, **values):
    """An image owned by ``ctx``'s project; with ``data`` it is uploaded (raw)."""
    if data is not None:
        values = dict({'disk_format': 'raw', 'container_format': 'bare'}, **values)
    image = svc.images.create(ctx, dict(values, properties=dict(properties or {})))
    if data is not None:
        svc.data.upload(ctx, image['id'], iter([data]))
    return image


def listed(svc, ctx, **filters):
    """Names of the images one large page shows ``ctx``."""
    found, more = svc.images.list(ctx, dict({'columns': {}, 'properties': {}}, **filters),
                                  limit=1000)
    assert not more
    return sorted(i['name'] or '' for i in found)


def walk(svc, ctx, sort, limit, **filters):
    """Every page of a list, following markers; returns the ids in order."""
    seen, marker = [], None
    for _ in range(100):
        page, more = svc.images.list(ctx, dict({'columns': {}, 'properties': {}}, **filters),
                                     sort=sort, limit=limit, marker=marker)
        assert len(page) <= limit
        seen += [i['id'] for i in page]
        if not more:
            return seen
        marker = page[-1]['id']
    pytest.fail('pagination does not end')


# -- filters --------------------------------------------------------------------

@pytest.fixture
def catalogue(service):
    make(service, P1, b'x' * 10, name='small', tags=['linux', 'ready'],
         properties={'os_distro': 'cirros', 'hw_disk_bus': 'virtio'})
    make(service, P1, b'x' * 100, name='medium', tags=['linux'],
         properties={'os_distro': 'ubuntu', 'hw_disk_bus': 'virtio'}, protected=True)
    make(service, P1, b'x' * 1000, name='big', tags=['ready'],
         properties={'os_distro': 'cirros', 'note': 'ünïcode ✓'})
    make(service, P1, name='queued', disk_format='qcow2', container_format='ovf')
    make(service, P2, name='theirs', visibility='private')
    return service


@pytest.mark.parametrize('filters,expected', [
    ({}, ['big', 'medium', 'queued', 'small']),
    ({'columns': {'name': ['small']}}, ['small']),
    ({'columns': {'name': ['small', 'big', 'nothing']}}, ['big', 'small']),
    ({'columns': {'status': ['active']}}, ['big', 'medium', 'small']),
    ({'columns': {'status': ['queued']}}, ['queued']),
    ({'columns': {'disk_format': ['qcow2'], 'container_format': ['ovf']}}, ['queued']),
    ({'columns': {'owner': ['p2']}}, []),
    ({'tags': ['linux']}, ['medium', 'small']),
    ({'tags': ['linux', 'ready']}, ['small']),
    ({'size_min': 100}, ['big', 'medium']),
    ({'size_max': 100}, ['medium', 'small']),
    ({'size_min': 11, 'size_max': 999}, ['medium']),
    ({'protected': True}, ['medium']),
    ({'protected': False}, ['big', 'queued', 'small']),
    ({'properties': {'os_distro': 'cirros'}}, ['big', 'small']),
    ({'properties': {'os_distro': 'cirros', 'hw_disk_bus': 'virtio'}}, ['small']),
    ({'properties': {'note': 'ünïcode ✓'}}, ['big']),
    ({'properties': {'os_distro': 'debian'}}, []),
    ({'properties': {'os_distro': 'cirros'}, 'tags': ['ready'], 'size_max': 500}, ['small']),
])
def test_list_filters(catalogue, filters, expected):
    assert listed(catalogue, P1, **filters) == expected


def test_id_and_date_filters(catalogue):
    by_name = {i['name']: i for i in catalogue.images.list(P1, {'columns': {}})[0]}
    ids = [by_name['small']['id'], by_name['queued']['id']]
    assert listed(catalogue, P1, columns={'id': ids}) == ['queued', 'small']
    past = datetime.datetime(2000, 1, 1)
    assert listed(catalogue, P1, dates={'created_at': [('__ge__', past)]}) == [
        'big', 'medium', 'queued', 'small']
    assert listed(catalogue, P1, dates={'updated_at': [('__lt__', past)]}) == []
    made = by_name['big']['created_at']
    assert 'big' in listed(catalogue, P1, dates={'created_at': [('__eq__', made)]})
    assert 'big' not in listed(catalogue, P1, dates={'created_at': [('__gt__', made)]})


def test_longest_values_the_api_accepts_fit_every_database(service):
    name, tag, key = 'ñ' * 255, '✓' * 255, 'ķ' * 255
    value = '€' * 21845  # 65535 bytes of UTF-8, the API's limit
    image = make(service, P1, name=name, tags=[tag], properties={key: value})
    stored = service.images.get(P1, image['id'])
    assert (stored['name'], stored['tags'], stored['properties']) == (name, [tag], {key: value})
    assert listed(service, P1, properties={key: value}) == [name]
    assert listed(service, P1, tags=[tag]) == [name]


def test_hidden_images_are_listed_only_on_request(service):
    make(service, P1, name='shown')
    make(service, P1, name='hidden', os_hidden=True)
    assert listed(service, P1) == ['shown']
    assert listed(service, P1, os_hidden=True) == ['hidden']


# -- sorting and keyset pagination --------------------------------------------------

@pytest.fixture
def ties(service):
    """Images with repeated sizes and names, some names empty or NULL."""
    for name, size in (('b', 3), (None, 1), ('a', 2), ('', 2), ('a', 3), (None, 3), ('c', None),
                       ('a', 1), ('b', None), (None, 2), ('a', 2)):
        make(service, P1, None if size is None else b'x' * size, name=name)
    return service


def expected_order(images, sort):
    """Keys in turn, NULL names and formats as empty and unknown sizes
    lowest, ties broken by id in the last key's direction."""
    keys = list(sort) + [('id', sort[-1][1])]

    def value(image, key):
        if key in ('name', 'disk_format'):
            return image[key] or ''
        if key == 'size':
            return -1 if image['size'] is None else image['size']
        return image[key]

    def compare(a, b):
        for key, direction in keys:
            va, vb = value(a, key), value(b, key)
            if va != vb:
                result = -1 if va < vb else 1
                return result if direction == 'asc' else -result
        return 0
    return [i['id'] for i in sorted(images, key=functools.cmp_to_key(compare))]


@pytest.mark.parametrize('sort', [
    [('name', 'asc')],
    [('name', 'desc')],
    [('size', 'desc'), ('name', 'asc')],
    [('name', 'asc'), ('size', 'asc')],
    [('size', 'asc')],
    [('disk_format', 'desc'), ('name', 'desc'), ('size', 'asc')],
])
@pytest.mark.parametrize('limit', [1, 2, 4])
def test_keyset_pagination_with_ties_and_nulls(ties, sort, limit):
    everything, more = ties.images.list(P1, {'columns': {}}, limit=1000)
    assert len(everything) == 11 and not more
    assert walk(ties, P1, sort, limit) == expected_order(everything, sort)


def test_pagination_with_filters_and_default_sort(ties):
    active = [i for i in ties.images.list(P1, {'columns': {}}, limit=1000)[0]
              if i['status'] == 'active']
    seen = walk(ties, P1, (('created_at', 'desc'), ('id', 'desc')), 2,
                columns={'status': ['active']})
    assert sorted(seen) == sorted(i['id'] for i in active) and len(seen) == len(set(seen))


def test_marker_the_caller_cannot_see_is_rejected(ties):
    theirs = make(ties, P2, name='theirs', visibility='private')
    with pytest.raises(exception.BadRequest):
        ties.images.list(P1, {'columns': {}}, marker=theirs['id'])
    with pytest.raises(exception.BadRequest):
        ties.images.list(P1, {'columns': {}}, marker='00000000-0000-0000-0000-000000000000')


# -- member visibility ------------------------------------------------------------------

@pytest.fixture
def shared_world(service):
    make(service, ADMIN, name='public', visibility='public')
    make(service, P1, name='private', visibility='private')
    make(service, P1, name='community', visibility='community')
    for status in ('pending', 'accepted', 'rejected'):
        image = make(service, P1, name='shared-' + status)
        service.members.create(P1, image['id'], 'p2')
        if status != 'pending':
            service.members.update(P2, image['id'], 'p2', status)
    make(service, P2, name='own', visibility='private')
    return service


@pytest.mark.parametrize('ctx,filters,expected', [
    (P2, {}, ['own', 'public', 'shared-accepted']),
    (P2, {'member_status': 'pending'}, ['own', 'public', 'shared-pending']),
    (P2, {'member_status': 'all'},
     ['own', 'public', 'shared-accepted', 'shared-pending', 'shared-rejected']),
    (P2, {'visibility': 'shared'}, ['shared-accepted']),
    (P2, {'visibility': 'shared', 'member_status': 'rejected'}, ['shared-rejected']),
    (P2, {'visibility': 'community'}, ['community']),
    (P2, {'visibility': 'private'}, ['own']),
    (P2, {'visibility': 'all'}, ['community', 'own', 'public', 'shared-accepted']),
    (P3, {}, ['public']),
    (P3, {'member_status': 'all'}, ['public']),
    (P1, {}, ['community', 'private', 'public', 'shared-accepted', 'shared-pending',
              'shared-rejected']),
    (ADMIN, {}, ['community', 'own', 'private', 'public', 'shared-accepted',
                 'shared-pending', 'shared-rejected']),
    (ADMIN, {'visibility': 'private'}, ['own', 'private']),
])
def test_member_visibility(shared_world, ctx, filters, expected):
    assert listed(shared_world, ctx, **filters) == expected


def test_members_see_shared_images_by_id_whatever_their_answer(shared_world):
    by_name = {i['name']: i['id'] for i in shared_world.images.list(ADMIN, {'columns': {}},
                                                                    limit=1000)[0]}
    for status in ('pending', 'accepted', 'rejected'):
        assert shared_world.images.get(P2, by_name['shared-' + status])['owner'] == 'p1'
        with pytest.raises(exception.NotFound):
            shared_world.images.get(P3, by_name['shared-' + status])
    with pytest.raises(exception.NotFound):
        shared_world.images.get(P2, by_name['private'])
    assert [m['member_id'] for m in shared_world.members.list(
        P2, by_name['shared-accepted'])] == ['p2']


def test_shared_images_page_like_the_others(shared_world):
    seen = walk(shared_world, P2, [('name', 'asc')], 1, member_status='all')
    names = [shared_world.images.get(P2, i)['name'] for i in seen]
    assert names == ['own', 'public', 'shared-accepted', 'shared-pending', 'shared-rejected']
