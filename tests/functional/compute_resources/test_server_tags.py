"""``openstack server set/unset --tag`` (2.26): a server's tags — replaced,
checked, added and removed one by one or all at once."""
import urllib.parse

import pytest


@pytest.fixture
def server(compute):
    return compute.add_instance('web', tags=('blue', 'web'))


@pytest.fixture
def alice(compute):
    return compute.client('alice', 'p1', '2.26')


def test_tags_need_2_26(compute, server):
    assert compute.client(version='2.25').get('/servers/%s/tags' % server).status_int == 404


def test_list_and_check(alice, server):
    assert alice.get('/servers/%s/tags' % server).data == {'tags': ['blue', 'web']}
    resp = alice.get('/servers/%s/tags/blue' % server)
    assert resp.status_int == 204 and not resp.body
    assert alice.get('/servers/%s/tags/red' % server).status_int == 404


def test_put_replaces_all_tags(compute, alice, server):
    resp = alice.put('/servers/%s/tags' % server, {'tags': ['web', 'prod', 'prod']})
    assert resp.status_int == 200, resp.body
    assert resp.data == {'tags': ['prod', 'web']}
    assert compute.instance(server)['tags'] == ['prod', 'web']
    # Servers are filtered by them.
    found = alice.get('/servers?tags=prod').data['servers']
    assert [s['id'] for s in found] == [server]


def test_one_tag_is_added_with_201_then_204(compute, alice, server):
    resp = alice.put('/servers/%s/tags/new one' % server)
    assert resp.status_int == 201, resp.body
    assert resp.headers['Location'] == 'http://127.0.0.1:8774/v2.1/servers/%s/tags/%s' % (
        server, urllib.parse.quote('new one'))
    assert alice.put('/servers/%s/tags/new one' % server).status_int == 204
    assert compute.instance(server)['tags'] == ['blue', 'new one', 'web']
    assert alice.put('/servers/%s/tags/x' % server, {'tag': 'x'}).status_int == 400


def test_one_tag_and_all_tags_are_deleted(compute, alice, server):
    resp = alice.delete('/servers/%s/tags/blue' % server)
    assert resp.status_int == 204
    assert compute.instance(server)['tags'] == ['web']
    assert alice.delete('/servers/%s/tags/blue' % server).status_int == 404
    resp = alice.delete('/servers/%s/tags' % server)
    assert resp.status_int == 204
    assert alice.get('/servers/%s/tags' % server).data == {'tags': []}


@pytest.mark.parametrize('tags', [['a,b'], ['a/b'], [''], ['x' * 61], 'web',
                                  ['t%d' % n for n in range(51)], [1]])
def test_invalid_tag_lists_are_400(compute, alice, server, tags):
    resp = alice.put('/servers/%s/tags' % server, {'tags': tags})
    assert resp.status_int == 400, resp.body
    assert compute.instance(server)['tags'] == ['blue', 'web']


def test_an_invalid_tag_in_the_path_is_400(compute, alice, server):
    resp = alice.put('/servers/%s/tags/a,b' % server)
    assert resp.status_int == 400
    assert "Tag 'a,b' is invalid" in resp.data['badRequest']['message']
    assert alice.put('/servers/%s/tags/%s' % (server, 'x' * 61)).status_int == 400


def test_a_server_has_at_most_50_tags(compute, alice):
    server = compute.add_instance('web', tags=['t%d' % n for n in range(50)])
    resp = alice.put('/servers/%s/tags/one-more' % server)
    assert resp.status_int == 400
    assert 'limit 50' in resp.data['badRequest']['message']
    assert alice.put('/servers/%s/tags/t1' % server).status_int == 204


@pytest.mark.parametrize('vm_state', ['building', 'error', 'shelved_offloaded'])
def test_changes_in_other_states_are_409(compute, alice, vm_state):
    server = compute.add_instance('web', tags=('blue',), vm_state=vm_state)
    for resp in (alice.put('/servers/%s/tags' % server, {'tags': ['x']}),
                 alice.put('/servers/%s/tags/x' % server),
                 alice.delete('/servers/%s/tags/blue' % server),
                 alice.delete('/servers/%s/tags' % server)):
        assert resp.status_int == 409, resp.body
    assert compute.instance(server)['tags'] == ['blue']
    assert alice.get('/servers/%s/tags' % server).data == {'tags': ['blue']}


def test_a_stopped_or_locked_server_can_be_tagged(compute, alice):
    server = compute.add_instance('web', vm_state='stopped', locked=True, locked_by='owner',
                                  task_state='powering-on')
    assert alice.put('/servers/%s/tags/x' % server).status_int == 201


def test_another_projects_server_is_404(compute, server):
    bob = compute.client('bob', 'p2', '2.26')
    assert bob.get('/servers/%s/tags' % server).status_int == 404
    assert bob.put('/servers/%s/tags/x' % server).status_int == 404
    assert bob.delete('/servers/%s/tags' % server).status_int == 404
    assert compute.instance(server)['tags'] == ['blue', 'web']
