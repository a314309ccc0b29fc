"""GET /servers lists in SQL (compute/db/instances.page): on SQLite,
PostgreSQL and MariaDB every page — filters, sorting, markers — is exactly
the page the earlier implementation computed in Python from every row of
the project (:func:`python_page` below is that implementation, kept as the
reference), and a page costs one keyset query however deep it is."""
import datetime
import random
import re
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from pocketstack.common import db as common_db
from pocketstack.common import service
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import states
from pocketstack.compute.db import instances as db_instances
from pocketstack.compute.db import models
from tests import backends

PAGE = 17   # small pages, so that every list takes several markers
NAMES = ['web-1', 'web-2', 'Web-3', 'web-10', 'db', 'DB-primary', 'cache', 'café', '',
         None, 'a-b', 'aa', 'z']
STATES = [('active', None), ('active', 'rebooting'), ('active', 'resize_prep'),
          ('building', 'scheduling'), ('building', 'spawning'), ('stopped', None),
          ('stopped', 'powering-on'), ('error', None), ('shelved_offloaded', None),
          ('paused', None), ('resized', None), ('deleted', None)]
BASE_TIME = datetime.datetime(2026, 11, 1, 12, 0, 0)


def _instances(count, seed=7):
    """Rows with every kind of value the filters and sort keys meet:
    NULLs, ties, mixed case, deleted rows, tags, addresses."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        vm_state, task_state = rng.choice(STATES)
        created = BASE_TIME + datetime.timedelta(seconds=rng.randrange(40))   # ties
        launched = None if vm_state == 'building' else created + datetime.timedelta(
            seconds=rng.randrange(5))
        host = None if vm_state in ('building', 'shelved_offloaded') else rng.choice(
            ['compute1', 'compute2'])
        address = '10.0.%d.%d' % (rng.randrange(3), n % 250 + 1)
        rows.append({
            'uuid': str(uuid.UUID(int=rng.getrandbits(128))), 'user_id': rng.choice(['u1', 'u2']),
            'project_id': rng.choice(['p1', 'p1', 'p2']), 'display_name': rng.choice(NAMES),
            'hostname': 'h%d' % n, 'image_ref': rng.choice(['img-a', 'img-b', None]),
            'flavor': {'id': rng.choice(['42', '84']), 'name': 'f', 'vcpus': 1, 'ram': 128,
                       'disk': 1},
            'vm_state': vm_state, 'task_state': task_state,
            'power_state': rng.choice([0, 1, 4]), 'host': host, 'node': host,
            'availability_zone': rng.choice([None, 'nova', 'az1']),
            'key_name': rng.choice([None, 'k1', 'k2']),
            'config_drive': rng.choice(['', 'True']), 'locked': rng.random() < 0.3,
            'locked_by': rng.choice([None, 'owner', 'admin']), 'progress': rng.choice([0, 100]),
            'reservation_id': 'r-%d' % rng.randrange(4), 'launch_index': rng.randrange(3),
            'system_metadata': {}, 'created_at': created,
            'updated_at': created + datetime.timedelta(seconds=rng.randrange(60)),
            'launched_at': launched, 'terminated_at': None,
            'network_info': [_vif(address, rng.random() < 0.3)] if rng.random() < 0.7 else [],
            'tags': sorted(rng.sample(['a', 'b', 'c', 'prod'], rng.randrange(3))),
            'deleted': vm_state == 'deleted'})
    return rows


def _vif(address, floating):
    ips = [{'address': address, 'type': 'fixed', 'version': 4,
            'floating_ips': ['172.24.4.%s' % address.rsplit('.', 1)[1]] if floating else []}]
    return {'id': 'p', 'address': 'fa:16:3e:00:00:01', 'network': {
        'id': 'n', 'label': 'private', 'subnets': [{'ips': ips, 'version': 4}]}}


@pytest.fixture(scope='module', params=['sqlite', 'postgresql', 'mysql'])
def database(request, tmp_path_factory):
    """A compute database holding the same instances on each engine."""
    if request.param == 'sqlite':
        url, drop = 'sqlite:///%s' % (tmp_path_factory.mktemp('pages') / 'c.sqlite'), None
    else:
        url, drop = backends.fresh_database_url(request.param)
    database = common_db.Database(url)
    service.sync(database, 'pocketstack.compute.db')
    with database.writer() as session:
        for values in _instances(150):
            values = dict(values)
            tags, deleted = values.pop('tags'), values.pop('deleted')
            row = models.Instance(**values)
            row.tags = [models.InstanceTag(tag=t) for t in tags]
            session.add(row)
            session.flush()
            if deleted:
                row.deleted = row.id
    yield database
    database.dispose()
    if drop:
        drop()


@pytest.fixture(scope='module')
def everything(database):
    with database.reader() as session:
        return [db_instances.to_dict(r) for r in session.scalars(sa.select(models.Instance))]


# -- the reference: the Python lists of the earlier compute API --------------------------

def _test_of(name, value):
    """The earlier implementation's test of one filter on an instance dict."""
    if name == 'project_id':
        return lambda i: i['project_id'] == value
    if name == 'deleted':
        return lambda i: bool(i['deleted']) == value
    if name == 'changes-since':
        return lambda i: i['updated_at'] >= value
    if name == 'changes-before':
        return lambda i: i['updated_at'] <= value
    if name == 'name':
        return lambda i: bool(re.search(value, i['display_name'] or ''))
    if name == 'status':
        return lambda i: states.status(i['vm_state'], i['task_state']) in value
    if name == 'flavor':
        return lambda i: i['flavor']['id'] == value
    if name in ('config_drive', 'locked'):
        return lambda i: bool(i[name]) == value
    if name == 'tags':
        return lambda i: value <= set(i['tags'])
    if name == 'tags-any':
        return lambda i: bool(value & set(i['tags']))
    if name == 'not-tags':
        return lambda i: not value <= set(i['tags'])
    if name == 'not-tags-any':
        return lambda i: not value & set(i['tags'])
    return lambda i: i[name] == value


def python_page(everything, filters, sort_keys, limit, marker=None, matches=None):
    tests = [_test_of(k, v) for k, v in filters.items() if v is not None]
    found = [i for i in everything if all(t(i) for t in tests)
             and (matches is None or matches(i))]
    for key, direction in reversed(sort_keys):
        found.sort(key=lambda i, k=key: (i[k] is not None, i[k] if i[k] is not None else ''),
                   reverse=direction == 'desc')
    if marker is not None:
        found = found[[i['uuid'] for i in found].index(marker) + 1:]
    return found[:limit]


def _walk(page):
    """Every page of a list, following the markers; [[uuids]]."""
    pages, marker = [], None
    while True:
        found = page(marker)
        pages.append([i['uuid'] for i in found])
        if len(found) < PAGE:
            return pages
        marker = found[-1]['uuid']


DEFAULT_SORT = [('created_at', 'desc'), ('uuid', 'desc')]
SORTS = [
    DEFAULT_SORT,
    [('display_name', 'asc'), ('uuid', 'asc')],
    [('display_name', 'desc'), ('uuid', 'desc')],
    [('task_state', 'asc'), ('created_at', 'desc'), ('uuid', 'desc')],
    [('host', 'desc'), ('launched_at', 'asc'), ('uuid', 'asc')],
    [('availability_zone', 'asc'), ('key_name', 'desc'), ('uuid', 'desc')],
    [('power_state', 'asc'), ('locked', 'desc'), ('progress', 'asc'), ('uuid', 'asc')],
    [('updated_at', 'asc'), ('vm_state', 'desc'), ('uuid', 'asc')],
]
FILTERS = [
    {'deleted': False},
    {'deleted': True},
    {'project_id': 'p1', 'deleted': False},
    {'name': 'web'},                        # case-sensitive on every engine
    {'name': '^[Ww]eb-[0-9]$'},
    {'name': '^$', 'deleted': False},       # a NULL name matches as empty
    {'name': 'é'},
    {'status': {'ACTIVE'}},
    {'status': {'REBOOT', 'RESIZE'}},
    {'status': {'BUILD', 'SHUTOFF', 'ERROR'}},
    {'status': {'SHELVED_OFFLOADED', 'VERIFY_RESIZE', 'DELETED'}},
    {'flavor': '84'},
    {'config_drive': True}, {'config_drive': False},
    {'locked': True}, {'locked': False, 'project_id': 'p2'},
    {'tags': {'a', 'b'}}, {'tags-any': {'prod', 'c'}},
    {'not-tags': {'a', 'b'}}, {'not-tags-any': {'a'}},
    {'changes-since': BASE_TIME + datetime.timedelta(seconds=50)},
    {'changes-before': BASE_TIME + datetime.timedelta(seconds=30)},
    {'changes-since': BASE_TIME + datetime.timedelta(seconds=20),
     'changes-before': BASE_TIME + datetime.timedelta(seconds=70), 'deleted': False},
    {'host': 'compute1'}, {'node': 'compute2', 'vm_state': 'active'},
    {'image_ref': 'img-a', 'key_name': 'k1'}, {'availability_zone': 'az1'},
    {'power_state': 4}, {'progress': 100, 'launch_index': 1},
    {'reservation_id': 'r-2'}, {'locked_by': 'admin'}, {'user_id': 'u2'},
    {'created_at': BASE_TIME + datetime.timedelta(seconds=3)},
    {'task_state': 'scheduling'},
    {'project_id': 'p1', 'deleted': False, 'status': {'ACTIVE', 'SHUTOFF'},
     'tags-any': {'a', 'prod'}, 'name': '[a-z]'},
]


@pytest.mark.parametrize('number', range(len(FILTERS)))
def test_each_filter_gives_the_pages_python_gave(database, everything, number):
    filters = FILTERS[number]
    sort = SORTS[number % len(SORTS)]
    sql = _walk(lambda m: db_instances.page(database, filters, sort, PAGE, m))
    python = _walk(lambda m: python_page(everything, filters, sort, PAGE, m))
    assert sql == python
    assert sum(map(len, sql)) > 0 or filters.get('name') == 'é'


@pytest.mark.parametrize('sort', SORTS, ids=lambda s: ','.join('%s:%s' % k for k in s))
def test_each_sort_gives_the_pages_python_gave(database, everything, sort):
    sql = _walk(lambda m: db_instances.page(database, {}, sort, PAGE, m))
    python = _walk(lambda m: python_page(everything, {}, sort, PAGE, m))
    assert sql == python
    assert sum(map(len, sql)) == len(everything)


def test_an_address_filter_thins_out_batches_to_full_pages(database, everything):
    """``ip`` is the one test SQL cannot do: rows come in batches until the
    page is full, and the markers still walk the same list."""
    wanted = re.compile(r'^10\.0\.1\.')

    def matches(instance):
        return any(wanted.search(ip['address'])
                   for vif in instance['network_info'] or ()
                   for subnet in vif['network']['subnets'] for ip in subnet['ips'])
    sql = _walk(lambda m: db_instances.page(database, {'deleted': False}, DEFAULT_SORT, PAGE,
                                            m, matches=matches))
    python = _walk(lambda m: python_page(everything, {'deleted': False}, DEFAULT_SORT, PAGE,
                                         m, matches=matches))
    assert sql == python and len(sql) > 1


def test_an_unknown_marker_is_refused(database):
    with pytest.raises(compute_exc.MarkerNotFound):
        db_instances.page(database, {}, DEFAULT_SORT, PAGE, str(uuid.uuid4()))


def test_a_deep_page_is_one_keyset_query(tmp_path):
    """A page of 1,000 servers far into 3,000 reads its rows with one SELECT
    (its metadata and tags with one more each), and no more rows than it shows."""
    database = common_db.Database('sqlite:///%s' % (tmp_path / 'c.sqlite'))
    service.sync(database, 'pocketstack.compute.db')
    rows = _instances(3000, seed=11)
    with database.writer() as session:
        session.execute(sa.insert(models.Instance), [
            {k: v for k, v in r.items() if k not in ('tags', 'deleted')} for r in rows])
    first = db_instances.page(database, {}, DEFAULT_SORT, 1000)
    second = db_instances.page(database, {}, DEFAULT_SORT, 1000, first[-1]['uuid'])
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement != 'BEGIN':   # the read transaction common.db opens on SQLite
            statements.append(statement)
    event.listen(database.engine, 'before_cursor_execute', record)
    try:
        third = db_instances.page(database, {}, DEFAULT_SORT, 1000, second[-1]['uuid'])
    finally:
        event.remove(database.engine, 'before_cursor_execute', record)
        database.dispose()
    assert len(third) == 1000
    assert not {i['uuid'] for i in third} & {i['uuid'] for i in first + second}
    assert all(s.lstrip().upper().startswith('SELECT') for s in statements)
    # The marker's sort keys, then the page itself (LIMIT 1000), then the
    # page's metadata and tags: IN queries of at most 500 ids each.
    marker_lookup, page_query, *loads = statements
    assert 'LIMIT' not in marker_lookup and re.search(r'FROM instances\b', marker_lookup)
    assert 'LIMIT' in page_query and re.search(r'FROM instances\b', page_query)
    assert len(loads) == 4 and all(' IN (' in s and ('instance_metadata' in s or
                                                    'instance_tags' in s) for s in loads)
