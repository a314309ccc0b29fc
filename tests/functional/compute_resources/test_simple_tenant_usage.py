"""``openstack usage list`` / ``usage show``: os-simple-tenant-usage — hours
and resource-hours of the servers that ran within a period, per project."""
import datetime

import pytest

from tests.functional.compute_resources.conftest import NANO

TINY = dict(NANO, id='1', name='m1.tiny', ram=512, disk=1, vcpus=1)
T0 = datetime.datetime(2026, 11, 1, 0, 0, 0)


def at(hours):
    return T0 + datetime.timedelta(hours=hours)


def period(start_hours, end_hours):
    return 'start=%s&end=%s' % (at(start_hours).isoformat(), at(end_hours).isoformat())


@pytest.fixture
def servers(compute):
    """p1: 'web' ran hours 0-10 (deleted), 'db' since hour 2; p2: 'app' since
    hour 5; p1's 'never' was not launched."""
    ids = {
        'web': compute.add_instance('web', flavor=TINY, launched_at=at(0),
                                    terminated_at=at(10), deleted=True),
        'db': compute.add_instance('db', flavor=NANO, launched_at=at(2)),
        'app': compute.add_instance('app', project_id='p2', user_id='bob', flavor=TINY,
                                    launched_at=at(5)),
        'never': compute.add_instance('never', vm_state='building', host=None),
    }
    return ids


def test_list_sums_each_projects_hours_within_the_period(compute, servers):
    resp = compute.admin().get('/os-simple-tenant-usage?' + period(4, 8))
    assert resp.status_int == 200, resp.body
    usages = {u['tenant_id']: u for u in resp.data['tenant_usages']}
    assert set(usages) == {'p1', 'p2'}
    p1 = usages['p1']
    assert 'server_usages' not in p1
    assert (p1['start'], p1['stop']) == (at(4).isoformat(), at(8).isoformat())
    assert p1['total_hours'] == pytest.approx(8.0)           # web 4 + db 4
    assert p1['total_vcpus_usage'] == pytest.approx(8.0)
    assert p1['total_memory_mb_usage'] == pytest.approx(4 * 512 + 4 * 128)
    assert p1['total_local_gb_usage'] == pytest.approx(8.0)
    assert usages['p2']['total_hours'] == pytest.approx(3.0)  # app from hour 5
    # After web's deletion only db counts; before anything launched, nothing.
    late = compute.admin().get('/os-simple-tenant-usage?' + period(12, 14)).data
    assert {u['tenant_id']: u['total_hours'] for u in late['tenant_usages']} == {
        'p1': pytest.approx(2.0), 'p2': pytest.approx(2.0)}
    assert compute.admin().get('/os-simple-tenant-usage?start=2026-10-01T00:00:00&'
                               'end=2026-10-02T00:00:00').data == {'tenant_usages': []}


def test_show_details_each_server(compute, servers):
    resp = compute.client().get('/os-simple-tenant-usage/p1?' + period(4, 8))
    assert resp.status_int == 200, resp.body
    usage = resp.data['tenant_usage']
    rows = {s['name']: s for s in usage['server_usages']}
    assert set(rows) == {'web', 'db'}
    web = rows['web']
    assert (web['instance_id'], web['state'], web['flavor'], web['hours']) == (
        servers['web'], 'terminated', 'm1.tiny', pytest.approx(4.0))
    assert (web['started_at'], web['ended_at'], web['uptime']) == (
        at(0).isoformat(), at(10).isoformat(), 36000)
    assert (web['vcpus'], web['memory_mb'], web['local_gb'], web['tenant_id']) == (
        1, 512, 1, 'p1')
    assert (rows['db']['state'], rows['db']['ended_at']) == ('active', None)
    detailed = compute.admin().get('/os-simple-tenant-usage?detailed=1&' + period(4, 8))
    assert {s['name'] for u in detailed.data['tenant_usages']
            for s in u['server_usages']} == {'web', 'db', 'app'}


def test_pages_from_240(compute, servers):
    admin = compute.admin('2.40')
    first = admin.get('/os-simple-tenant-usage?detailed=1&limit=2&' + period(4, 8)).data
    names = [s['name'] for u in first['tenant_usages'] for s in u['server_usages']]
    assert sorted(names) == ['db', 'web']
    (link,) = first['tenant_usages_links']
    assert 'marker=%s' % servers['db'] in link['href']
    rest = admin.get('/os-simple-tenant-usage?detailed=1&limit=2&marker=%s&%s'
                     % (servers['db'], period(4, 8))).data
    assert [s['name'] for u in rest['tenant_usages'] for s in u['server_usages']] == ['app']
    assert 'tenant_usages_links' not in rest
    assert admin.get('/os-simple-tenant-usage?marker=nope').status_int == 400


def test_errors_and_who_may_see(compute, servers):
    alice = compute.client()
    assert alice.get('/os-simple-tenant-usage').status_int == 403
    assert alice.get('/os-simple-tenant-usage/p2').status_int == 403
    assert compute.client('bob', 'p2').get('/os-simple-tenant-usage/p2?' + period(4, 8)
                                           ).data['tenant_usage']['total_hours'] > 0
    assert alice.get('/os-simple-tenant-usage/p1?start=yesterday').status_int == 400
    resp = alice.get('/os-simple-tenant-usage/p1?' + period(8, 4))
    assert resp.status_int == 400
    assert 'start time cannot occur after the end time' in resp.data['badRequest']['message']
    # A project without servers in the period: an empty usage.
    assert compute.client('carol', 'p3').get('/os-simple-tenant-usage/p3').data == {
        'tenant_usage': {}}


def test_a_running_server_counts_up_to_now_not_the_periods_end(compute):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    compute.add_instance('fresh', flavor=NANO, launched_at=now - datetime.timedelta(hours=1))
    tomorrow = (now + datetime.timedelta(days=1)).isoformat()
    usage = compute.client().get('/os-simple-tenant-usage/p1?start=%s&end=%s' % (
        (now - datetime.timedelta(days=1)).isoformat(), tomorrow)).data['tenant_usage']
    assert usage['total_hours'] == pytest.approx(1.0, abs=0.05)
