"""Image sharing through the Image v2 API, in-process: the owner adds and
removes members, each member answers for itself, and what every project then
sees — checked against the api-ref's Sharing section."""
import uuid

import pytest

from tests.functional.image.helpers import RAW_BARE, create, names, patch, upload


def members_path(image_id, member=None):
    return '/v2/images/%s/members%s' % (image_id, '/' + member if member else '')


def add_member(client, image_id, member):
    resp = client.post(members_path(image_id), {'member': member})
    assert resp.status_int == 200, resp.text
    return resp.data


def set_status(client, image_id, member, status):
    return client.put(members_path(image_id, member), {'status': status})


def listed(client, query=''):
    return set(names(client.get('/v2/images?' + query)))


@pytest.fixture
def shared(image):
    """alice (p1) owns a shared image; bob (p2) is a pending member."""
    alice = image.client('alice', 'p1')
    img = create(alice, name='shared')
    member = add_member(alice, img['id'], 'p2')
    image.img, image.member = img, member
    image.alice, image.bob = alice, image.client('bob', 'p2')
    image.carol = image.client('carol', 'p3')
    return image


def test_added_member_is_pending(shared):
    member = shared.member
    assert {k: member[k] for k in ('image_id', 'member_id', 'status', 'schema')} == {
        'image_id': shared.img['id'], 'member_id': 'p2', 'status': 'pending',
        'schema': '/v2/schemas/member'}
    assert member['created_at'].endswith('Z') and member['updated_at'].endswith('Z')
    shown = shared.alice.get(members_path(shared.img['id'], 'p2'))
    assert shown.status_int == 200 and shown.data == member


def test_pending_member_sees_the_image_by_id_but_not_in_its_list(shared):
    bob, img = shared.bob, shared.img
    assert bob.get('/v2/images/%s' % img['id']).data['name'] == 'shared'
    assert listed(bob) == set()
    assert listed(bob, 'member_status=pending') == {'shared'}
    assert listed(bob, 'visibility=shared&member_status=pending') == {'shared'}
    assert listed(bob, 'member_status=accepted') == set()


def test_member_accepts_then_rejects(shared):
    bob, img = shared.bob, shared.img
    resp = set_status(bob, img['id'], 'p2', 'accepted')
    assert resp.status_int == 200, resp.text
    assert (resp.data['member_id'], resp.data['status']) == ('p2', 'accepted')
    assert listed(bob) == {'shared'}
    assert listed(bob, 'visibility=shared') == {'shared'}
    assert shared.alice.get(members_path(img['id'], 'p2')).data['status'] == 'accepted'

    assert set_status(bob, img['id'], 'p2', 'rejected').data['status'] == 'rejected'
    assert listed(bob) == set()
    assert listed(bob, 'member_status=rejected') == {'shared'}
    assert bob.get('/v2/images/%s' % img['id']).status_int == 200

    assert set_status(bob, img['id'], 'p2', 'pending').data['status'] == 'pending'
    assert listed(bob, 'member_status=pending') == {'shared'}


def test_only_the_member_or_an_admin_sets_its_status(shared):
    img = shared.img
    assert set_status(shared.alice, img['id'], 'p2', 'accepted').status_int == 403
    assert set_status(shared.carol, img['id'], 'p2', 'accepted').status_int == 404
    assert shared.alice.get(members_path(img['id'], 'p2')).data['status'] == 'pending'
    resp = set_status(shared.admin, img['id'], 'p2', 'accepted')
    assert resp.status_int == 200 and resp.data['status'] == 'accepted'
    assert listed(shared.bob) == {'shared'}


@pytest.mark.parametrize('body', [{'status': 'maybe'}, {}, {'status': None},
                                  {'member': 'p2'}])
def test_invalid_member_status_is_400(shared, body):
    resp = shared.bob.put(members_path(shared.img['id'], 'p2'), body)
    assert resp.status_int == 400, resp.text
    assert shared.bob.get(members_path(shared.img['id'], 'p2')).data['status'] == 'pending'


def test_status_of_unknown_member_is_404(shared):
    resp = set_status(shared.carol, shared.img['id'], 'p3', 'accepted')
    assert resp.status_int == 404
    assert listed(shared.carol, 'member_status=all') == set()


def test_owner_lists_every_member_a_member_only_itself(shared):
    img = shared.img
    add_member(shared.alice, img['id'], 'p4')
    resp = shared.alice.get(members_path(img['id']))
    assert resp.status_int == 200
    assert resp.data['schema'] == '/v2/schemas/members'
    assert sorted(m['member_id'] for m in resp.data['members']) == ['p2', 'p4']
    mine = shared.bob.get(members_path(img['id']))
    assert [m['member_id'] for m in mine.data['members']] == ['p2']
    assert sorted(m['member_id'] for m in shared.admin.get(members_path(img['id']))
                  .data['members']) == ['p2', 'p4']


def test_member_details_are_for_the_owner_and_the_member_itself(shared):
    img = shared.img
    add_member(shared.alice, img['id'], 'p4')
    assert shared.bob.get(members_path(img['id'], 'p2')).data['member_id'] == 'p2'
    assert shared.bob.get(members_path(img['id'], 'p4')).status_int == 404
    assert shared.alice.get(members_path(img['id'], 'p4')).data['status'] == 'pending'
    assert shared.alice.get(members_path(img['id'], 'p9')).status_int == 404


def test_third_project_gets_404(shared):
    img, carol = shared.img, shared.carol
    assert carol.get('/v2/images/%s' % img['id']).status_int == 404
    assert carol.get(members_path(img['id'])).status_int == 404
    assert carol.get(members_path(img['id'], 'p2')).status_int == 404
    assert carol.post(members_path(img['id']), {'member': 'p3'}).status_int == 404
    assert carol.delete(members_path(img['id'], 'p2')).status_int == 404
    assert shared.alice.get(members_path(img['id'], 'p2')).status_int == 200


def test_unknown_image_is_404(image):
    alice = image.client('alice', 'p1')
    assert alice.get(members_path(uuid.uuid4())).status_int == 404
    assert alice.post(members_path(uuid.uuid4()), {'member': 'p2'}).status_int == 404


def test_duplicate_member_is_409(shared):
    resp = shared.alice.post(members_path(shared.img['id']), {'member': 'p2'})
    assert resp.status_int == 409, resp.text
    assert len(shared.alice.get(members_path(shared.img['id'])).data['members']) == 1


@pytest.mark.parametrize('body', [{}, {'member': ''}, {'member': 5}, {'member_id': 'p2'}])
def test_invalid_member_body_is_400(shared, body):
    assert shared.alice.post(members_path(shared.img['id']), body).status_int == 400


@pytest.mark.parametrize('visibility', ['private', 'public', 'community'])
def test_only_shared_images_have_members(image, visibility):
    img = create(image.admin, name=visibility, visibility=visibility)
    resp = image.admin.post(members_path(img['id']), {'member': 'p2'})
    assert resp.status_int == 403, resp.text
    assert image.admin.get(members_path(img['id'])).status_int == 403
    assert image.client('bob', 'p2').get('/v2/images/%s' % img['id']).status_int == (
        404 if visibility == 'private' else 200)


def test_members_lose_access_while_the_image_is_not_shared(shared):
    img, alice, bob = shared.img, shared.alice, shared.bob
    set_status(bob, img['id'], 'p2', 'accepted')
    resp = patch(alice, img['id'], [{'op': 'replace', 'path': '/visibility',
                                     'value': 'private'}])
    assert resp.status_int == 200, resp.text
    assert bob.get('/v2/images/%s' % img['id']).status_int == 404
    assert listed(bob, 'member_status=all') == set()
    assert alice.get(members_path(img['id'])).status_int == 403

    resp = patch(alice, img['id'], [{'op': 'replace', 'path': '/visibility',
                                     'value': 'shared'}])
    assert resp.status_int == 200, resp.text
    assert listed(bob) == {'shared'}


def test_only_the_owner_adds_members(shared):
    img = shared.img
    assert shared.bob.post(members_path(img['id']), {'member': 'p3'}).status_int == 403
    assert shared.carol.get('/v2/images/%s' % img['id']).status_int == 404
    resp = shared.admin.post(members_path(img['id']), {'member': 'p3'})
    assert resp.status_int == 200
    assert shared.carol.get('/v2/images/%s' % img['id']).status_int == 200


def test_delete_member_revokes_access(shared):
    img, alice, bob = shared.img, shared.alice, shared.bob
    set_status(bob, img['id'], 'p2', 'accepted')
    assert alice.delete(members_path(img['id'], 'p2')).status_int == 204
    assert bob.get('/v2/images/%s' % img['id']).status_int == 404
    assert listed(bob, 'member_status=all') == set()
    assert alice.get(members_path(img['id'])).data['members'] == []
    assert alice.delete(members_path(img['id'], 'p2')).status_int == 404


def test_members_cannot_delete_members(shared):
    img, alice, bob = shared.img, shared.alice, shared.bob
    add_member(alice, img['id'], 'p4')
    assert bob.delete(members_path(img['id'], 'p4')).status_int in (403, 404)
    assert bob.delete(members_path(img['id'], 'p2')).status_int == 403
    assert sorted(m['member_id'] for m in alice.get(members_path(img['id'])).data['members']) \
        == ['p2', 'p4']
    assert shared.admin.delete(members_path(img['id'], 'p4')).status_int == 204


def test_member_quota(shared):
    shared.conf.set_override('image_member_quota', 1)
    resp = shared.alice.post(members_path(shared.img['id']), {'member': 'p3'})
    assert resp.status_int == 413, resp.text
    assert shared.carol.get('/v2/images/%s' % shared.img['id']).status_int == 404


def test_member_may_download_but_not_change_the_image(shared):
    alice, bob = shared.alice, shared.bob
    image_id = shared.img['id']
    changes = [{'op': 'replace', 'path': '/' + k, 'value': v} for k, v in RAW_BARE.items()]
    assert patch(alice, image_id, changes).status_int == 200
    upload(alice, image_id, b'shared bytes')
    assert bob.get('/v2/images/%s/file' % image_id).body == b'shared bytes'
    assert bob.delete('/v2/images/%s' % image_id).status_int == 403
    assert alice.get('/v2/images/%s' % image_id).status_int == 200
