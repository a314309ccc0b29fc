"""``openstack server set/unset --property``: a server's metadata, merged,
replaced and changed item by item, within its state and quota rules."""
import pytest


@pytest.fixture
def server(compute):
    return compute.add_instance('web', metadata={'role': 'web', 'tier': 'front'})


def test_list_and_show(compute, server):
    alice = compute.client()
    assert alice.get('/servers/%s/metadata' % server).data == {
        'metadata': {'role': 'web', 'tier': 'front'}}
    assert alice.get('/servers/%s/metadata/role' % server).data == {'meta': {'role': 'web'}}
    resp = alice.get('/servers/%s/metadata/missing' % server)
    assert resp.status_int == 404


def test_post_merges_and_put_replaces(compute, server):
    alice = compute.client()
    before = compute.instance(server)['updated_at']
    resp = alice.post('/servers/%s/metadata' % server, {'metadata': {'tier': 'back',
                                                                     'os': 'cirros'}})
    assert resp.status_int == 200, resp.body
    assert resp.data == {'metadata': {'role': 'web', 'tier': 'back', 'os': 'cirros'}}
    assert compute.instance(server)['metadata'] == resp.data['metadata']
    assert compute.instance(server)['updated_at'] >= before
    resp = alice.put('/servers/%s/metadata' % server, {'metadata': {'tier': 'db'}})
    assert resp.status_int == 200
    assert resp.data == {'metadata': {'tier': 'db'}}
    assert alice.get('/servers/%s/metadata' % server).data == {'metadata': {'tier': 'db'}}
    # The server shows it too.
    assert compute.client().get('/servers/%s' % server).data['server']['metadata'] == {
        'tier': 'db'}


def test_one_item_is_set_and_deleted(compute, server):
    alice = compute.client()
    resp = alice.put('/servers/%s/metadata/owner' % server, {'meta': {'owner': 'ops'}})
    assert resp.status_int == 200 and resp.data == {'meta': {'owner': 'ops'}}
    assert compute.instance(server)['metadata']['owner'] == 'ops'
    resp = alice.delete('/servers/%s/metadata/role' % server)
    assert resp.status_int == 204 and not resp.body
    assert compute.instance(server)['metadata'] == {'tier': 'front', 'owner': 'ops'}
    assert alice.delete('/servers/%s/metadata/role' % server).status_int == 404


@pytest.mark.parametrize('method, path, body', [
    ('post', '', {'metadata': {'bad/key': 'x'}}),
    ('post', '', {'metadata': {'k': 'x' * 256}}),
    ('post', '', {'metadata': {'k': 1}}),
    ('post', '', {'meta': {'k': 'v'}}),
    ('put', '', {'metadata': 'nope'}),
    ('put', '/k', {'meta': {'other': 'v'}}),
    ('put', '/k', {'meta': {'k': 'v', 'j': 'w'}}),
    ('put', '/k', {'meta': {}}),
])
def test_invalid_bodies_are_400(compute, server, method, path, body):
    resp = getattr(compute.client(), method)('/servers/%s/metadata%s' % (server, path), body)
    assert resp.status_int == 400, resp.body
    assert compute.instance(server)['metadata'] == {'role': 'web', 'tier': 'front'}


def test_more_items_than_the_quota_is_403(make_compute):
    compute = make_compute({('quota', 'metadata_items'): 3})
    server = compute.add_instance('web', metadata={'a': '1', 'b': '2'})
    alice = compute.client()
    resp = alice.post('/servers/%s/metadata' % server, {'metadata': {'c': '3', 'd': '4'}})
    assert resp.status_int == 403
    assert 'metadata_items' in resp.data['forbidden']['message']
    assert compute.instance(server)['metadata'] == {'a': '1', 'b': '2'}
    # Replacing counts what remains.
    assert alice.put('/servers/%s/metadata' % server, {'metadata': {
        'x': '1', 'y': '2', 'z': '3'}}).status_int == 200


@pytest.mark.parametrize('columns', [{'vm_state': 'building', 'task_state': 'spawning'},
                                     {'vm_state': 'error'},
                                     {'vm_state': 'active', 'task_state': 'rebooting'},
                                     {'vm_state': 'shelved_offloaded'}])
def test_changes_in_other_states_are_409(compute, columns):
    server = compute.add_instance('web', metadata={'role': 'web'}, **columns)
    alice = compute.client()
    for resp in (alice.post('/servers/%s/metadata' % server, {'metadata': {'a': 'b'}}),
                 alice.put('/servers/%s/metadata/a' % server, {'meta': {'a': 'b'}}),
                 alice.delete('/servers/%s/metadata/role' % server)):
        assert resp.status_int == 409, resp.body
    assert compute.instance(server)['metadata'] == {'role': 'web'}
    assert alice.get('/servers/%s/metadata' % server).status_int == 200


def test_a_locked_server_is_409_except_for_admins(compute):
    server = compute.add_instance('web', locked=True, locked_by='owner')
    resp = compute.client().post('/servers/%s/metadata' % server, {'metadata': {'a': 'b'}})
    assert resp.status_int == 409
    assert 'locked' in resp.data['conflictingRequest']['message']
    assert compute.admin().post('/servers/%s/metadata' % server,
                                {'metadata': {'a': 'b'}}).status_int == 200


def test_another_projects_server_is_404(compute, server):
    bob = compute.client('bob', 'p2')
    assert bob.get('/servers/%s/metadata' % server).status_int == 404
    assert bob.post('/servers/%s/metadata' % server,
                    {'metadata': {'a': 'b'}}).status_int == 404
    assert bob.delete('/servers/%s/metadata/role' % server).status_int == 404
    assert compute.instance(server)['metadata'] == {'role': 'web', 'tier': 'front'}
    assert compute.client().get('/servers/nope/metadata').status_int == 404
