"""``openstack aggregate create/list/show/set/unset/add host/remove
host/delete``: host aggregates, admin only; an aggregate's availability
zone is the zone of its hosts for the scheduler, os-availability-zone,
os-services and the server create's zone check."""
import uuid

import pytest


def create(admin, name, zone=None):
    body = {'name': name}
    if zone is not None:
        body['availability_zone'] = zone
    resp = admin.post('/os-aggregates', {'aggregate': body})
    assert resp.status_int == 200, resp.body
    return resp.data['aggregate']


def action(admin, aggregate_id, name, value):
    return admin.post('/os-aggregates/%s/action' % aggregate_id, {name: value})


def test_create_list_show_update_delete(compute):
    admin = compute.admin()
    created = create(admin, 'agg1', 'az1')
    assert set(created) == {'id', 'name', 'availability_zone', 'created_at', 'updated_at',
                            'deleted', 'deleted_at'}
    assert (created['name'], created['availability_zone'], created['deleted']) == (
        'agg1', 'az1', False)
    assert created['created_at'] and created['updated_at'] is None
    shown = admin.get('/os-aggregates/%s' % created['id']).data['aggregate']
    assert (shown['hosts'], shown['metadata']) == ([], {'availability_zone': 'az1'})
    assert 'uuid' not in shown
    at_241 = compute.admin('2.41').get('/os-aggregates/%s' % created['id']).data['aggregate']
    assert str(uuid.UUID(at_241['uuid'])) == at_241['uuid']
    plain = create(admin, 'agg2')
    assert plain['availability_zone'] is None
    listed = admin.get('/os-aggregates').data['aggregates']
    assert [(a['name'], a['availability_zone']) for a in listed] == [
        ('agg1', 'az1'), ('agg2', None)]

    resp = admin.put('/os-aggregates/%s' % plain['id'],
                     {'aggregate': {'name': 'agg2b', 'availability_zone': 'az2'}})
    assert resp.status_int == 200, resp.body
    updated = resp.data['aggregate']
    assert (updated['name'], updated['availability_zone'], updated['metadata']) == (
        'agg2b', 'az2', {'availability_zone': 'az2'})
    assert updated['updated_at']

    resp = admin.delete('/os-aggregates/%s' % plain['id'])
    assert resp.status_int == 200 and not resp.body
    assert admin.get('/os-aggregates/%s' % plain['id']).status_int == 404
    assert [a['name'] for a in admin.get('/os-aggregates').data['aggregates']] == ['agg1']


def test_hosts_and_metadata(compute):
    compute.add_host('compute1')
    compute.add_host('compute2')
    admin = compute.admin()
    agg = create(admin, 'agg1')
    resp = action(admin, agg['id'], 'add_host', {'host': 'compute1'})
    assert resp.status_int == 200, resp.body
    assert resp.data['aggregate']['hosts'] == ['compute1']
    assert action(admin, agg['id'], 'add_host', {'host': 'compute2'}).data[
        'aggregate']['hosts'] == ['compute1', 'compute2']

    resp = action(admin, agg['id'], 'set_metadata', {'metadata': {'ssd': 'true', 'k': 'v'}})
    assert resp.status_int == 200, resp.body
    assert resp.data['aggregate']['metadata'] == {'ssd': 'true', 'k': 'v'}
    # A null value removes its key; the others stay.
    resp = action(admin, agg['id'], 'set_metadata', {'metadata': {'k': None, 'ssd': 'no'}})
    assert resp.data['aggregate']['metadata'] == {'ssd': 'no'}
    resp = action(admin, agg['id'], 'set_metadata',
                  {'metadata': {'availability_zone': 'az9'}})
    assert resp.data['aggregate']['availability_zone'] == 'az9'

    resp = action(admin, agg['id'], 'remove_host', {'host': 'compute1'})
    assert resp.status_int == 200, resp.body
    assert resp.data['aggregate']['hosts'] == ['compute2']


def test_errors(compute):
    compute.add_host('compute1')
    admin = compute.admin()
    agg = create(admin, 'agg1', 'az1')
    other = create(admin, 'agg2', 'az2')
    # Duplicate names are 409, on create and on rename.
    resp = admin.post('/os-aggregates', {'aggregate': {'name': 'agg1'}})
    assert resp.status_int == 409 and 'agg1 already exists' in resp.body.decode()
    assert admin.put('/os-aggregates/%s' % other['id'],
                     {'aggregate': {'name': 'agg1'}}).status_int == 409
    # Bodies as the api-ref has them.
    for body in ({}, {'aggregate': {}}, {'aggregate': {'name': ''}},
                 {'aggregate': {'name': 'x', 'bogus': 1}},
                 {'aggregate': {'name': 'x', 'availability_zone': 'a:b'}}):
        assert admin.post('/os-aggregates', body).status_int == 400, body
    assert admin.put('/os-aggregates/%s' % agg['id'], {'aggregate': {}}).status_int == 400
    assert admin.post('/os-aggregates', {'aggregate': {
        'name': 'x', 'availability_zone': 'internal'}}).status_int == 400
    # Unknown aggregates 404, ids that are not integers 400.
    assert admin.get('/os-aggregates/999').status_int == 404
    assert admin.get('/os-aggregates/abc').status_int == 400
    assert action(admin, 999, 'add_host', {'host': 'compute1'}).status_int == 404
    # Unknown hosts 404; a host twice 409; not a member 404.
    resp = action(admin, agg['id'], 'add_host', {'host': 'nohost'})
    assert resp.status_int == 404 and 'nohost' in resp.body.decode()
    assert action(admin, agg['id'], 'add_host', {'host': 'compute1'}).status_int == 200
    assert action(admin, agg['id'], 'add_host', {'host': 'compute1'}).status_int == 409
    assert action(admin, other['id'], 'remove_host', {'host': 'compute1'}).status_int == 404
    assert action(admin, agg['id'], 'remove_host', {'host': 'nohost'}).status_int == 404
    # A host in az1 cannot join an aggregate of az2 (409, as Nova) …
    resp = action(admin, other['id'], 'add_host', {'host': 'compute1'})
    assert resp.status_int == 409 and 'az1' in resp.body.decode()
    # … but may join one without a zone, or with the same zone.
    assert action(admin, create(admin, 'agg3')['id'], 'add_host',
                  {'host': 'compute1'}).status_int == 200
    assert action(admin, create(admin, 'agg4', 'az1')['id'], 'add_host',
                  {'host': 'compute1'}).status_int == 200
    # Giving agg3 (holding compute1) another zone than az1 is 400.
    agg3 = next(a for a in admin.get('/os-aggregates').data['aggregates']
                if a['name'] == 'agg3')
    assert action(admin, agg3['id'], 'set_metadata',
                  {'metadata': {'availability_zone': 'az2'}}).status_int == 400
    assert admin.put('/os-aggregates/%s' % agg3['id'],
                     {'aggregate': {'availability_zone': 'az2'}}).status_int == 400
    # An empty zone is 400.
    assert action(admin, agg3['id'], 'set_metadata',
                  {'metadata': {'availability_zone': ''}}).status_int == 400
    # Unknown actions and bad bodies 400.
    assert action(admin, agg['id'], 'bogus', {}).status_int == 400
    assert action(admin, agg['id'], 'add_host', {}).status_int == 400
    assert action(admin, agg['id'], 'set_metadata', {'metadata': {'k': 1}}).status_int == 400
    # An aggregate with hosts cannot be deleted (400); once empty it can.
    resp = admin.delete('/os-aggregates/%s' % agg['id'])
    assert resp.status_int == 400 and 'not empty' in resp.body.decode()
    assert action(admin, agg['id'], 'remove_host', {'host': 'compute1'}).status_int == 200
    assert admin.delete('/os-aggregates/%s' % agg['id']).status_int == 200


@pytest.mark.parametrize('method,path,body', [
    ('get', '/os-aggregates', None),
    ('post', '/os-aggregates', {'aggregate': {'name': 'x'}}),
    ('get', '/os-aggregates/1', None),
    ('put', '/os-aggregates/1', {'aggregate': {'name': 'y'}}),
    ('delete', '/os-aggregates/1', None),
    ('post', '/os-aggregates/1/action', {'add_host': {'host': 'compute1'}}),
    ('post', '/os-aggregates/1/action', {'remove_host': {'host': 'compute1'}}),
    ('post', '/os-aggregates/1/action', {'set_metadata': {'metadata': {}}}),
])
def test_members_are_forbidden(compute, method, path, body):
    compute.add_host('compute1')
    create(compute.admin(), 'agg1')
    member = compute.client(roles=['member', 'reader'])
    args = (path,) if body is None else (path, body)
    resp = getattr(member, method)(*args)
    assert resp.status_int == 403, resp.body


def test_an_aggregates_zone_is_its_hosts_zone(compute):
    compute.add_host('compute1')
    compute.add_host('compute2')
    compute.add_host('conductor1', binary='nova-conductor')
    admin = compute.admin()
    agg = create(admin, 'agg1', 'az1')
    assert compute.schedule('az1') is None
    action(admin, agg['id'], 'add_host', {'host': 'compute1'})

    zones = compute.client().get('/os-availability-zone').data['availabilityZoneInfo']
    assert [z['zoneName'] for z in zones] == ['az1', 'nova']
    detail = {z['zoneName']: z for z in
              admin.get('/os-availability-zone/detail').data['availabilityZoneInfo']}
    assert list(detail['az1']['hosts']) == ['compute1']
    assert list(detail['nova']['hosts']) == ['compute2']
    services = {s['host']: s['zone'] for s in admin.get('/os-services').data['services']}
    assert services == {'compute1': 'az1', 'compute2': 'nova', 'conductor1': 'internal'}
    assert compute.schedule('az1') == 'compute1'
    assert compute.schedule('nova') == 'compute2'
    assert compute.service.api.availability_zones() == {'az1', 'nova'}

    # The zone follows the aggregate's metadata, and leaves with the host.
    action(admin, agg['id'], 'set_metadata', {'metadata': {'availability_zone': 'az2'}})
    assert compute.schedule('az2') == 'compute1'
    assert compute.schedule('az1') is None
    action(admin, agg['id'], 'remove_host', {'host': 'compute1'})
    assert compute.schedule('az2') is None
    services = {s['host']: s['zone'] for s in admin.get('/os-services').data['services']}
    assert services['compute1'] == 'nova'

    # Servers show the zone of their host.
    action(admin, agg['id'], 'add_host', {'host': 'compute1'})
    on1 = compute.add_instance('on1', host='compute1')
    compute.add_instance('on2', host='compute2')
    shown = {s['name']: s['OS-EXT-AZ:availability_zone']
             for s in compute.client().get('/servers/detail').data['servers']}
    assert shown == {'on1': 'az2', 'on2': 'nova'}
    assert compute.client().get('/servers/%s' % on1).data['server'][
        'OS-EXT-AZ:availability_zone'] == 'az2'


def test_the_zone_of_hosts_with_servers_cannot_change(compute):
    compute.add_host('compute1')
    compute.add_host('compute2')
    admin = compute.admin()
    agg = create(admin, 'agg1', 'az1')
    action(admin, agg['id'], 'add_host', {'host': 'compute1'})
    action(admin, agg['id'], 'add_host', {'host': 'compute2'})
    compute.add_instance('web', host='compute2')
    for body in ({'availability_zone': 'az2'}, {'availability_zone': None}):
        resp = action(admin, agg['id'], 'set_metadata', {'metadata': body})
        assert resp.status_int == 400 and 'contain instances' in resp.body.decode(), body
        assert admin.put('/os-aggregates/%s' % agg['id'],
                         {'aggregate': body}).status_int == 400
    # The same zone, other keys and the name may change.
    assert action(admin, agg['id'], 'set_metadata', {'metadata': {
        'availability_zone': 'az1', 'ssd': 'yes'}}).status_int == 200
    assert admin.put('/os-aggregates/%s' % agg['id'],
                     {'aggregate': {'name': 'agg1b'}}).status_int == 200
    assert admin.get('/os-aggregates/%s' % agg['id']).data['aggregate'][
        'availability_zone'] == 'az1'
