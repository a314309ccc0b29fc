"""``openstack compute service list/set/delete``: compute services, up
or down by their heartbeat, and disabling one so the scheduler skips it."""
import uuid

import pytest


BINARY = 'nova-compute'


def services(client, query=''):
    return {s['host']: s for s in client.get('/os-services' + query).data['services']}


def test_list_shows_state_status_and_zone(compute):
    compute.add_host('compute1')
    compute.add_host('compute2', up=False, zone='az2')
    compute.add_host('conductor1', binary='nova-conductor')
    assert compute.client().get('/os-services').status_int == 403
    listed = services(compute.admin('2.11'))
    assert {h: (s['binary'], s['state'], s['status'], s['zone'], s['forced_down'])
            for h, s in listed.items()} == {
        'compute1': (BINARY, 'up', 'enabled', 'nova', False),
        'compute2': (BINARY, 'down', 'enabled', 'az2', False),
        'conductor1': ('nova-conductor', 'up', 'enabled', 'internal', False)}
    assert isinstance(listed['compute1']['id'], int)
    assert listed['compute1']['updated_at'] and listed['compute1']['disabled_reason'] is None
    assert 'forced_down' not in services(compute.admin('2.10'))['compute1']
    at_253 = services(compute.admin('2.53'))
    assert str(uuid.UUID(at_253['compute1']['id'])) == at_253['compute1']['id']
    assert list(services(compute.admin(), '?host=compute2')) == ['compute2']
    assert list(services(compute.admin(), '?binary=nova-conductor')) == ['conductor1']


def test_a_disabled_host_is_skipped_by_the_scheduler_until_enabled(compute):
    service_id = compute.add_host('compute1')
    admin = compute.admin('2.53')
    resp = admin.put('/os-services/%s' % service_id, {'status': 'disabled',
                                                     'disabled_reason': 'maintenance'})
    assert resp.status_int == 200, resp.body
    service = resp.data['service']
    assert (service['id'], service['status'], service['disabled_reason'], service['host']) == (
        service_id, 'disabled', 'maintenance', 'compute1')
    assert services(admin)['compute1']['status'] == 'disabled'
    assert compute.schedule() is None
    enabled = admin.put('/os-services/%s' % service_id, {'status': 'enabled'})
    assert enabled.data['service']['status'] == 'enabled'
    assert enabled.data['service']['disabled_reason'] is None
    assert compute.schedule() == 'compute1'


def test_a_forced_down_host_is_down_and_skipped(compute):
    service_id = compute.add_host('compute1')
    admin = compute.admin('2.53')
    resp = admin.put('/os-services/%s' % service_id, {'forced_down': True})
    assert resp.status_int == 200
    assert resp.data['service']['forced_down'] is True
    assert resp.data['service']['state'] == 'down'
    assert compute.schedule() is None
    admin.put('/os-services/%s' % service_id, {'forced_down': 'false'})
    assert services(admin)['compute1']['state'] == 'up'
    assert compute.schedule() == 'compute1'


@pytest.mark.parametrize('body', [
    {}, {'status': 'paused'}, {'status': 'enabled', 'disabled_reason': 'why'},
    {'forced_down': 'perhaps'}, {'host': 'compute1'},
])
def test_invalid_updates_are_400(compute, body):
    service_id = compute.add_host('compute1')
    resp = compute.admin('2.53').put('/os-services/%s' % service_id, body)
    assert resp.status_int == 400, resp.body
    assert services(compute.admin())['compute1']['status'] == 'enabled'


def test_update_errors(compute):
    service_id = compute.add_host('compute1')
    conductor = compute.add_host('conductor1', binary='nova-conductor')
    admin = compute.admin('2.53')
    assert admin.put('/os-services/not-a-uuid', {'status': 'disabled'}).status_int == 400
    assert admin.put('/os-services/%s' % uuid.uuid4(),
                     {'status': 'disabled'}).status_int == 404
    assert admin.put('/os-services/%s' % conductor, {'status': 'disabled'}).status_int == 400
    assert compute.client(version='2.53').put('/os-services/%s' % service_id,
                                              {'status': 'disabled'}).status_int == 403


def test_before_2_53_services_are_named_by_host_and_binary(compute):
    compute.add_host('compute1')
    old = compute.admin('2.11')
    body = {'host': 'compute1', 'binary': BINARY}
    resp = old.put('/os-services/disable-log-reason', dict(body, disabled_reason='fan'))
    assert resp.status_int == 200
    assert resp.data == {'service': dict(body, status='disabled', disabled_reason='fan')}
    assert services(old)['compute1']['disabled_reason'] == 'fan'
    assert old.put('/os-services/enable', body).data == {'service': dict(body,
                                                                         status='enabled')}
    assert old.put('/os-services/disable', body).data['service']['status'] == 'disabled'
    assert services(old)['compute1']['status'] == 'disabled'
    forced = old.put('/os-services/force-down', dict(body, forced_down=True))
    assert forced.data == {'service': dict(body, forced_down=True)}
    assert services(old)['compute1']['state'] == 'down'
    assert old.put('/os-services/disable-log-reason', body).status_int == 400
    assert old.put('/os-services/reboot', body).status_int == 404
    assert old.put('/os-services/disable', dict(body, host='nohost')).status_int == 404
    assert compute.admin('2.10').put('/os-services/force-down',
                                     dict(body, forced_down=True)).status_int == 404


def test_delete_refuses_a_host_with_servers_then_forgets_it(compute):
    service_id = compute.add_host('compute1')
    web = compute.add_instance('web', host='compute1')
    admin = compute.admin('2.53')
    assert admin.delete('/os-services/%s' % service_id).status_int == 409
    with compute.db.writer() as session:
        from pocketstack.compute.db import models
        session.query(models.Instance).filter_by(uuid=web).update({'deleted': 1})
    assert compute.client(version='2.53').delete(
        '/os-services/%s' % service_id).status_int == 403
    assert admin.delete('/os-services/%s' % service_id).status_int == 204
    assert services(admin) == {}
    assert admin.get('/os-hypervisors').data == {'hypervisors': []}
    assert admin.delete('/os-services/%s' % service_id).status_int == 404
    assert admin.delete('/os-services/12').status_int == 400
