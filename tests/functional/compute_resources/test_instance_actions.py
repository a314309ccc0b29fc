"""``openstack server event list/show``: a server's actions, newest first,
and each step's outcome — with the details each microversion and role may
see."""
import datetime
import hashlib

import pytest

from pocketstack.common import utils

T0 = datetime.datetime(2026, 1, 5, 10, 0, 0)


@pytest.fixture
def server(compute):
    """A server with a create (two hops, from the admin's context) and a
    failed stop on compute1."""
    uuid = compute.add_instance('web')
    compute.add_action(uuid, 'create', 'req-create', start_time=T0, events=[
        ('conductor_schedule_and_build_instances', 'Success', 'conductor', None, None),
        ('compute_build_and_run_instance', 'Success', 'compute1', None, None)])
    compute.add_action(uuid, 'stop', 'req-stop', start_time=T0 + datetime.timedelta(hours=1),
                       events=[('compute_stop_instance', 'Error', 'compute1',
                                'Traceback: boom', 'boom')], message='Error')
    return uuid


def test_list_is_newest_first(compute, server):
    resp = compute.client('alice', 'p1').get('/servers/%s/os-instance-actions' % server)
    assert resp.status_int == 200
    assert resp.data == {'instanceActions': [
        {'action': 'stop', 'instance_uuid': server, 'request_id': 'req-stop',
         'user_id': 'alice', 'project_id': 'p1', 'start_time': '2026-01-05T11:00:00.000000',
         'message': 'Error'},
        {'action': 'create', 'instance_uuid': server, 'request_id': 'req-create',
         'user_id': 'alice', 'project_id': 'p1', 'start_time': '2026-01-05T10:00:00.000000',
         'message': None}]}
    at_258 = compute.client(version='2.58').get('/servers/%s/os-instance-actions' % server)
    assert [a['updated_at'] for a in at_258.data['instanceActions']] == [
        '2026-01-05T11:00:01.000000', '2026-01-05T10:00:02.000000']


def test_show_before_2_51_gives_events_to_admins_only(compute, server):
    path = '/servers/%s/os-instance-actions/req-stop' % server
    action = compute.client().get(path).data['instanceAction']
    assert action['action'] == 'stop' and 'events' not in action
    events = compute.admin().get(path).data['instanceAction']['events']
    assert events == [{'event': 'compute_stop_instance', 'result': 'Error',
                       'start_time': '2026-01-05T11:00:00.000000',
                       'finish_time': '2026-01-05T11:00:01.000000',
                       'traceback': 'Traceback: boom'}]


def test_from_2_51_owners_see_events_without_tracebacks(compute, server):
    path = '/servers/%s/os-instance-actions/req-create' % server
    events = compute.client(version='2.51').get(path).data['instanceAction']['events']
    assert [(e['event'], e['result']) for e in events] == [
        ('conductor_schedule_and_build_instances', 'Success'),
        ('compute_build_and_run_instance', 'Success')]
    assert all('traceback' not in e and 'host' not in e for e in events)


def test_from_2_62_events_carry_host_ids_and_admins_see_hosts(compute, server):
    path = '/servers/%s/os-instance-actions/req-stop' % server
    (event,) = compute.client(version='2.62').get(path).data['instanceAction']['events']
    assert event['hostId'] == hashlib.sha224(b'p1compute1').hexdigest()
    assert 'host' not in event
    (event,) = compute.admin('2.62').get(path).data['instanceAction']['events']
    assert event['host'] == 'compute1' and event['traceback'] == 'Traceback: boom'
    assert 'details' not in event
    (event,) = compute.admin('2.84').get(path).data['instanceAction']['events']
    assert event['details'] == 'boom'
    (event,) = compute.client(version='2.84').get(path).data['instanceAction']['events']
    assert 'details' not in event


def test_unknown_actions_and_other_projects_servers_are_404(compute, server):
    assert compute.client().get(
        '/servers/%s/os-instance-actions/req-nope' % server).status_int == 404
    bob = compute.client('bob', 'p2')
    assert bob.get('/servers/%s/os-instance-actions' % server).status_int == 404
    assert bob.get('/servers/%s/os-instance-actions/req-stop' % server).status_int == 404
    assert compute.admin().get('/servers/%s/os-instance-actions' % server).status_int == 200


def test_a_deleted_servers_actions_are_readable_from_2_21(compute):
    gone = compute.add_instance('gone', deleted=True)
    compute.add_action(gone, 'delete', 'req-delete')
    assert compute.client(version='2.20').get(
        '/servers/%s/os-instance-actions' % gone).status_int == 404
    resp = compute.client(version='2.21').get('/servers/%s/os-instance-actions' % gone)
    assert [a['action'] for a in resp.data['instanceActions']] == ['delete']
    assert compute.client(version='2.21').get(
        '/servers/%s/os-instance-actions/req-delete' % gone).status_int == 200


def test_paging_and_time_filters_from_2_58(compute, server):
    client = compute.client(version='2.66')
    base = '/servers/%s/os-instance-actions' % server
    first = client.get(base + '?limit=1').data
    assert [a['request_id'] for a in first['instanceActions']] == ['req-stop']
    href = first['links'][0]['href']
    assert 'marker=req-stop' in href and 'limit=1' in href
    rest = client.get(href[len('http://127.0.0.1:8774/v2.1'):]).data
    assert [a['request_id'] for a in rest['instanceActions']] == ['req-create']
    since = client.get(base + '?changes-since=2026-01-05T10:30:00Z').data
    assert [a['request_id'] for a in since['instanceActions']] == ['req-stop']
    before = client.get(base + '?changes-before=2026-01-05T10:30:00Z').data
    assert [a['request_id'] for a in before['instanceActions']] == ['req-create']
    assert client.get(base + '?marker=req-nope').status_int == 400
    assert client.get(base + '?changes-since=yesterday').status_int == 400
    assert client.get(base + '?changes-since=2026-01-06T00:00:00Z'
                             '&changes-before=2026-01-05T00:00:00Z').status_int == 400
    assert client.get(base + '?colour=red').status_int == 400
    assert client.at('2.58').get(base + '?changes-before=2026-01-05T10:30:00Z').status_int \
        == 400
    # Before 2.58 the parameters do nothing.
    assert len(client.at('2.57').get(base + '?limit=1').data['instanceActions']) == 2


def test_an_action_without_events_yet_shows_its_start_as_updated_at(compute):
    uuid = compute.add_instance('web')
    start = utils.utcnow()
    compute.add_action(uuid, 'reboot', 'req-reboot', start_time=start)
    (action,) = compute.client(version='2.58').get(
        '/servers/%s/os-instance-actions' % uuid).data['instanceActions']
    assert action['updated_at'] == action['start_time']
    shown = compute.client(version='2.58').get(
        '/servers/%s/os-instance-actions/req-reboot' % uuid).data['instanceAction']
    assert shown['events'] == []
