"""Listing servers: ``GET /servers`` and ``/servers/detail`` (seed 000's
``nova list``) with the api-ref's filters, sorting and paging."""
import datetime
import time
import urllib.parse

import pytest


@pytest.fixture
def fleet(cloud):
    """Servers of project p1 (web-1, web-2, db-1 tagged; db-1 m1.micro) and
    one of project p2; all ACTIVE."""
    alice = cloud.client('alice', 'p1', '2.52')
    ids = {}
    for name, flavor, tags in (('web-1', '42', ['web', 'blue']), ('web-2', '42', ['web']),
                               ('db-1', '84', ['db', 'blue'])):
        ids[name] = cloud.boot(alice, name, flavor=flavor, tags=tags)
    ids['other'] = cloud.boot(cloud.client('bob', 'p2', '2.37'), 'other')
    for name, server_id in ids.items():
        cloud.wait_for_status(cloud.admin(), server_id, 'ACTIVE')
    return ids


def names(resp):
    assert resp.status_int == 200, resp.body
    return sorted(s['name'] for s in resp.data['servers'])


def test_index_shows_id_name_links_and_detail_the_whole_server(cloud, fleet):
    alice = cloud.client(version='2.47')
    index = alice.get('/servers').data['servers']
    assert {tuple(sorted(s)) for s in index} == {('id', 'links', 'name')}
    detail = alice.get('/servers/detail').data['servers']
    assert sorted(s['name'] for s in detail) == ['db-1', 'web-1', 'web-2']
    by_name = {s['name']: s for s in detail}
    assert by_name['db-1']['flavor']['original_name'] == 'm1.micro'
    assert all(s['status'] == 'ACTIVE' for s in detail)
    # Without a sort the newest come first.
    assert detail[0]['created'] >= detail[-1]['created']


def test_name_is_a_regular_expression(cloud, fleet):
    alice = cloud.client()
    assert names(alice.get('/servers?name=web')) == ['web-1', 'web-2']
    assert names(alice.get('/servers?name=%s' % urllib.parse.quote('^db-\\d$'))) == ['db-1']
    assert names(alice.get('/servers?name=nomatch')) == []


def test_status_image_and_flavor_filters(cloud, fleet):
    alice = cloud.client(version='2.37')
    assert alice.action(fleet['web-2'], 'os-stop').status_int == 202
    cloud.wait_for_status(alice, fleet['web-2'], 'SHUTOFF')
    assert names(alice.get('/servers/detail?status=SHUTOFF')) == ['web-2']
    assert names(alice.get('/servers?status=ACTIVE')) == ['db-1', 'web-1']
    assert names(alice.get('/servers?status=ACTIVE&status=SHUTOFF')) == [
        'db-1', 'web-1', 'web-2']
    assert names(alice.get('/servers?flavor=84')) == ['db-1']
    assert names(alice.get('/servers?image=%s' % cloud.image['id'])) == [
        'db-1', 'web-1', 'web-2']
    assert names(alice.get('/servers?image=6a2c1a52-2b3f-4b7d-9b7e-0d6f3b1f5f00')) == []


def test_unknown_status_is_400_from_2_38(cloud, fleet):
    assert cloud.client(version='2.38').get('/servers?status=SLEEPY').status_int == 400
    assert names(cloud.client(version='2.37').get('/servers?status=SLEEPY')) == []


def test_tag_filters(cloud, fleet):
    alice = cloud.client(version='2.26')
    assert names(alice.get('/servers?tags=web')) == ['web-1', 'web-2']
    assert names(alice.get('/servers?tags=web,blue')) == ['web-1']
    assert names(alice.get('/servers?tags-any=db,blue')) == ['db-1', 'web-1']
    assert names(alice.get('/servers?not-tags=web,blue')) == ['db-1', 'web-2']
    assert names(alice.get('/servers?not-tags-any=db,blue')) == ['web-2']
    detail = {s['name']: s for s in alice.get('/servers/detail').data['servers']}
    assert detail['web-1']['tags'] == ['blue', 'web']


def test_changes_since_includes_deleted_servers(cloud, fleet):
    alice = cloud.client(version='2.37')
    last_change = max(s['updated'] for s in alice.get('/servers/detail').data['servers'])
    since = (datetime.datetime.strptime(last_change, '%Y-%m-%dT%H:%M:%SZ')
             + datetime.timedelta(seconds=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
    time.sleep(1.1)  # times have second precision: the delete comes after `since`
    assert alice.delete('/servers/%s' % fleet['web-2']).status_int == 204
    cloud.wait_for_status(alice, fleet['web-2'], 'DELETED')
    changed = alice.get('/servers/detail?changes-since=%s' % since).data['servers']
    assert [(s['name'], s['status']) for s in changed] == [('web-2', 'DELETED')]
    assert names(alice.get('/servers?changes-since=2000-01-01T00:00:00Z')) == [
        'db-1', 'web-1', 'web-2']
    assert alice.get('/servers?changes-since=yesterday').status_int == 400


def test_sorting(cloud, fleet):
    alice = cloud.client()
    resp = alice.get('/servers?sort_key=display_name&sort_dir=asc')
    assert [s['name'] for s in resp.data['servers']] == ['db-1', 'web-1', 'web-2']
    resp = alice.get('/servers?sort_key=display_name&sort_dir=desc')
    assert [s['name'] for s in resp.data['servers']] == ['web-2', 'web-1', 'db-1']
    assert alice.get('/servers?sort_key=secret_column').status_int == 400
    assert alice.get('/servers?sort_key=display_name&sort_dir=sideways').status_int == 400


def test_limit_and_marker_page_with_next_links(cloud, fleet):
    alice = cloud.client()
    first = alice.get('/servers/detail?sort_key=display_name&sort_dir=asc&limit=2')
    assert [s['name'] for s in first.data['servers']] == ['db-1', 'web-1']
    (link,) = first.data['servers_links']
    assert link['rel'] == 'next'
    url = urllib.parse.urlsplit(link['href'])
    assert url.path == '/v2.1/servers/detail'
    query = urllib.parse.parse_qs(url.query)
    assert query == {'sort_key': ['display_name'], 'sort_dir': ['asc'], 'limit': ['2'],
                     'marker': [fleet['web-1']]}
    second = alice.get('/v2.1/servers/detail?' + url.query)
    assert [s['name'] for s in second.data['servers']] == ['web-2']
    assert 'servers_links' not in second.data
    # The index pages the same way.
    page = alice.get('/servers?sort_key=display_name&sort_dir=asc&limit=1&marker=%s'
                     % fleet['db-1'])
    assert [s['name'] for s in page.data['servers']] == ['web-1']
    assert urllib.parse.urlsplit(page.data['servers_links'][0]['href']).path == '/v2.1/servers'
    assert alice.get('/servers?marker=6a2c1a52-2b3f-4b7d-9b7e-0d6f3b1f5f00').status_int == 400
    assert alice.get('/servers?limit=-1').status_int == 400
    assert alice.get('/servers?limit=many').status_int == 400


def test_max_limit_caps_a_page(make_cloud):
    cloud = make_cloud({('api', 'max_limit'): 2})
    alice = cloud.client(version='2.37')
    for name in ('a', 'b', 'c'):
        cloud.boot(alice, name)
    resp = alice.get('/servers?limit=50')
    assert len(resp.data['servers']) == 2
    assert 'marker=' in resp.data['servers_links'][0]['href']
    assert len(alice.get('/servers').data['servers']) == 2


def test_all_tenants_is_for_admins(cloud, fleet):
    admin = cloud.admin()
    assert names(admin.get('/servers')) == []  # the admin project has none
    assert names(admin.get('/servers?all_tenants=1')) == ['db-1', 'other', 'web-1', 'web-2']
    assert names(admin.get('/servers/detail?all_tenants=true&project_id=p2')) == ['other']
    # A member asking for every project is refused, as Nova does.
    resp = cloud.client().get('/servers?all_tenants=1')
    assert resp.status_int == 403
    assert 'os_compute_api:servers:index:get_all_tenants' in resp.data['forbidden']['message']
    assert cloud.client('bob', 'p2').get('/servers/detail?all_tenants=1').status_int == 403
    assert names(cloud.client('bob', 'p2').get('/servers/detail?all_tenants=0')) == ['other']


def test_host_filter_is_for_admins(cloud, fleet):
    admin = cloud.admin()
    hosts = {s['name']: s['OS-EXT-SRV-ATTR:host']
             for s in admin.get('/servers/detail?all_tenants=1').data['servers']}
    on_compute1 = sorted(n for n, h in hosts.items() if h == 'compute1')
    assert names(admin.get('/servers?all_tenants=1&host=compute1')) == on_compute1
    # Ignored for members (their servers' hosts are not theirs to know).
    assert names(cloud.client().get('/servers?host=nowhere')) == ['db-1', 'web-1', 'web-2']


def test_member_filters_on_vm_state_from_2_83(cloud, fleet):
    alice = cloud.client(version='2.83')
    assert names(alice.get('/servers?vm_state=active')) == ['db-1', 'web-1', 'web-2']
    assert names(alice.get('/servers?vm_state=stopped')) == []
    # Before 2.83 a member's vm_state filter is dropped, as Nova does.
    assert names(cloud.client(version='2.82').get('/servers?vm_state=stopped')) == [
        'db-1', 'web-1', 'web-2']


def test_unknown_query_parameters_are_400_from_2_75(cloud, fleet):
    assert cloud.client(version='2.75').get('/servers?colour=red').status_int == 400
    assert names(cloud.client(version='2.74').get('/servers?colour=red')) == [
        'db-1', 'web-1', 'web-2']
