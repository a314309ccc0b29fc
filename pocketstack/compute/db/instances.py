"""Instance queries (Nova's ``instance_*`` in ``db/main/api.py``): the
instances and the rows hanging off them — metadata, tags, faults.

Every function opens its own scope, which joins the caller's when there is
one, so a service API can put several of them in one transaction.  Instances
leave this module as dicts (:func:`to_dict`), never as rows.

State changes are conditional, as Nova's ``instance.save(expected_task_state=…)``:
an update that expects a state the instance has left (deleted meanwhile,
another operation won) changes nothing and says so.

Lists (:func:`page`) filter, sort and page in SQL — one keyset query per page
however deep it is.  Strings sort and match byte by byte on every database
(``COLLATE "C"`` on PostgreSQL, ``BINARY`` on MySQL), so a page is the same
on SQLite, PostgreSQL and MariaDB; only the ``ip`` filters (addresses inside
the cached network info) are tested in Python, on batches of rows.
"""
import sqlalchemy as sa

from pocketstack.common import db as common_db
from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import states
from pocketstack.compute.db import models

ANY = object()   # update(): no expectation on this state
I = models.Instance
# Columns an exact filter of GET /servers may name (rest/servers.py maps the
# query parameters onto them).
FILTER_COLUMNS = frozenset((
    'reservation_id', 'image_ref', 'key_name', 'availability_zone', 'vm_state', 'task_state',
    'power_state', 'progress', 'user_id', 'uuid', 'hostname', 'host', 'node', 'launch_index',
    'locked_by', 'created_at', 'launched_at', 'terminated_at'))
TAG_FILTERS = ('tags', 'tags-any', 'not-tags', 'not-tags-any')
_BATCH = 200   # rows read at a time while a Python test (ip) thins them out


def to_dict(row):
    instance = {c.name: getattr(row, c.name) for c in I.__table__.columns}
    instance['metadata'] = {m.key: m.value for m in row.metadata_items}
    instance['tags'] = sorted(t.tag for t in row.tags)
    return instance


def _row(session, uuid, read_deleted=False, lock=False):
    query = sa.select(I).where(I.uuid == uuid)
    if not read_deleted:
        query = query.where(I.deleted == 0)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise compute_exc.InstanceNotFound(uuid=uuid)
    return row


def get(db, uuid, read_deleted=False, lock=False):
    """The instance (InstanceNotFound if there is none); ``lock``: its row
    is locked until the caller's write transaction ends."""
    scope = db.writer() if lock else db.reader()
    with scope as session:
        return to_dict(_row(session, uuid, read_deleted, lock))


def create(db, context, instances, metadata, tags, now):
    """Insert ``instances`` (column dicts, each with its ``uuid``), each with
    the same ``metadata`` and ``tags`` and a ``create`` action; the
    instances as dicts."""
    with db.writer() as session:
        rows = []
        for values in instances:
            row = I(**values)
            row.metadata_items = [models.InstanceMetadata(key=k, value=v)
                                  for k, v in metadata.items()]
            row.tags = [models.InstanceTag(tag=t) for t in sorted(set(tags))]
            session.add(row)
            session.add(models.InstanceAction(
                instance_uuid=row.uuid, action='create', request_id=context.request_id,
                user_id=context.user_id, project_id=context.project_id, start_time=now))
            rows.append(row)
        session.flush()
        return [to_dict(r) for r in rows]


def _expecting(query, column, expected):
    if expected is ANY:
        return query
    expected = expected if isinstance(expected, (list, tuple, set)) else [expected]
    allowed = [e for e in expected if e is not None]
    condition = column.in_(allowed) if allowed else sa.false()
    if None in expected:
        condition = sa.or_(condition, column.is_(None))
    return query.where(condition)


def update(db, uuid, expected_task_state=ANY, expected_vm_state=ANY, expected_host=ANY,
           **values):
    """Change a live instance if it is still in the expected states (a state,
    or a list of them; None stands for no task, or no host); True if it was."""
    query = sa.update(I).where(I.uuid == uuid, I.deleted == 0)
    query = _expecting(query, I.task_state, expected_task_state)
    query = _expecting(query, I.vm_state, expected_vm_state)
    query = _expecting(query, I.host, expected_host)
    values.setdefault('updated_at', utils.utcnow())
    with db.writer() as session:
        return session.execute(query.values(**values)).rowcount == 1


def fail(db, uuid, fault, host=None, **values):
    """Apply ``values`` (e.g. vm_state=error) and record ``fault`` in one
    transaction, so no reader sees the state without its fault; True when
    the instance was still there to fail."""
    with db.writer():
        if not update(db, uuid, **values):
            return False
        add_fault(db, uuid, fault, host)
        return True


def destroy(db, uuid, unplaced_only=False):
    """Soft-delete an instance (Nova's ``deleted = id``), release its claims
    and take it out of its server groups; True if it was deleted now.
    ``unplaced_only``: only while no host holds it (the API deleting a server
    the conductor has not placed yet)."""
    now = utils.utcnow()
    with db.writer() as session:
        row = session.scalar(sa.select(I).where(I.uuid == uuid).with_for_update())
        if row is None or row.deleted or (unplaced_only and row.host is not None):
            return False
        row.deleted = row.id
        row.vm_state = states.DELETED
        row.task_state = None
        row.power_state = states.NOSTATE
        row.deleted_at = row.terminated_at = row.updated_at = now
        session.execute(sa.delete(models.Allocation).where(
            models.Allocation.consumer_id.in_([uuid, 'resize-' + uuid])))
        session.execute(sa.delete(models.ServerGroupMember).where(
            models.ServerGroupMember.instance_uuid == uuid))
        return True


# -- metadata and tags ------------------------------------------------------------

def set_metadata(db, uuid, metadata):
    """Make ``metadata`` the instance's whole metadata.  Rows are changed in
    place: a removed and re-added key would be inserted before the old row
    is deleted."""
    with db.writer() as session:
        row = _row(session, uuid)
        items = {m.key: m for m in row.metadata_items}
        for key, item in items.items():
            if key not in metadata:
                row.metadata_items.remove(item)
            else:
                item.value = metadata[key]
        row.metadata_items.extend(models.InstanceMetadata(key=k, value=v)
                                  for k, v in metadata.items() if k not in items)
        row.updated_at = utils.utcnow()


def set_tags(db, uuid, tags):
    """Make ``tags`` the instance's tags (kept tags stay as they are, for the
    same reason as metadata)."""
    with db.writer() as session:
        row = _row(session, uuid)
        for tag in list(row.tags):
            if tag.tag not in tags:
                row.tags.remove(tag)
        kept = {t.tag for t in row.tags}
        row.tags.extend(models.InstanceTag(tag=t) for t in sorted(set(tags) - kept))
        row.updated_at = utils.utcnow()


def add_tag(db, uuid, tag):
    """Add one tag; False when the instance had it already (or another request
    added it meanwhile)."""
    try:
        with db.writer() as session, common_db.duplicates_refused():
            row = _row(session, uuid)
            if tag in {t.tag for t in row.tags}:
                return False
            row.tags.append(models.InstanceTag(tag=tag))
            row.updated_at = utils.utcnow()
            session.flush()
            return True
    except common_db.DuplicateEntry:
        return False


# -- faults --------------------------------------------------------------------------

def add_fault(db, uuid, fault, host=None):
    """Record why an instance failed (``fault``: code, message, details;
    compute/events.py makes it from an error)."""
    with db.writer() as session:
        session.add(models.InstanceFault(instance_uuid=uuid, host=host, **fault))


def latest_faults(db, uuids):
    """{instance uuid: its latest fault (code, message, details, created_at)}."""
    with db.reader() as session:
        rows = session.scalars(sa.select(models.InstanceFault).where(
            models.InstanceFault.instance_uuid.in_(list(uuids)))
            .order_by(models.InstanceFault.id)).all()
        return {r.instance_uuid: common_db.as_dict(r, 'code', 'message', 'details',
                                                   'created_at') for r in rows}


# -- lists ----------------------------------------------------------------------------

def page(db, filters, sort_keys, limit, marker=None, matches=None):
    """One page of instances: those matching ``filters`` (below), in the
    order of ``sort_keys`` ([(column name, 'asc' or 'desc')], ending with a
    unique column), after the instance ``marker`` (a uuid: MarkerNotFound
    when there is none), at most ``limit``.  ``matches(instance)``, if
    given, must also hold (tested in Python: rows are read in batches until
    the page is full).

    ``filters``: ``project_id``; ``deleted`` (True: only deleted ones, False:
    only live ones, None: both); ``changes-since`` / ``changes-before``
    (updated at or after / at or before); ``name`` (a regular expression
    searched in the name); ``status`` (API statuses); ``flavor`` (its id);
    ``config_drive`` and ``locked`` (booleans); the tag filters (sets of
    tags); and any column of FILTER_COLUMNS (equal to the value)."""
    keys = [(_sortable(db, getattr(I, name)), direction == 'asc', getattr(I, name).nullable)
            for name, direction in sort_keys]
    stmt = sa.select(I).where(*_conditions(db, filters))
    with db.reader() as session:
        after = None
        if marker is not None:
            after = session.execute(sa.select(*[getattr(I, name) for name, _ in sort_keys])
                                    .where(I.uuid == marker)).first()
            if after is None:
                raise compute_exc.MarkerNotFound(marker=marker)
        found = []
        while len(found) < limit:
            batch = limit - len(found) if matches is None else max(limit, _BATCH)
            rows = session.scalars(common_db.keyset(stmt, keys, after).limit(batch)).all()
            for row in rows:
                instance = to_dict(row)
                if matches is None or matches(instance):
                    found.append(instance)
                    if len(found) == limit:
                        break
            if len(rows) < batch:
                break
            after = [getattr(rows[-1], name) for name, _ in sort_keys]
        return found


def _sortable(db, column):
    """A string column compared byte by byte, whatever the database's collation."""
    if not isinstance(column.type, sa.String):
        return column
    if db.dialect == 'postgresql':
        return column.collate('C')
    if db.dialect == 'mysql':
        return sa.func.binary(column)
    return column


def _conditions(db, filters):
    filters = dict(filters)
    conditions = []
    if filters.get('project_id') is not None:
        conditions.append(I.project_id == filters['project_id'])
    deleted = filters.get('deleted')
    if deleted is not None:
        conditions.append(I.deleted != 0 if deleted else I.deleted == 0)
    if filters.get('changes-since') is not None:
        conditions.append(I.updated_at >= filters['changes-since'])
    if filters.get('changes-before') is not None:
        conditions.append(I.updated_at <= filters['changes-before'])
    if filters.get('name') is not None:
        conditions.append(_regex(db, sa.func.coalesce(I.display_name, ''), filters['name']))
    if filters.get('status'):
        conditions.append(_status(filters['status']))
    if filters.get('flavor') is not None:
        conditions.append(I.flavor['id'].as_string() == filters['flavor'])
    if filters.get('config_drive') is not None:
        conditions.append(I.config_drive != '' if filters['config_drive'] else
                          I.config_drive == '')
    if filters.get('locked') is not None:
        conditions.append(I.locked == bool(filters['locked']))
    for name in FILTER_COLUMNS & set(filters):
        conditions.append(getattr(I, name) == filters[name])
    conditions += _tag_conditions(filters)
    return conditions


def _regex(db, text, pattern):
    """``text`` searched for ``pattern``, case-sensitively on every database
    (MySQL's REGEXP follows the column's case-insensitive collation)."""
    if db.dialect == 'mysql':
        return text.op('REGEXP BINARY')(pattern)
    return text.regexp_match(pattern)


def _status(wanted):
    """Instances whose API status (states.status) is one of ``wanted``."""
    clauses = []
    for vm_state, tasks, others in states.task_states_for(wanted):
        task = I.task_state.in_(tasks) if tasks else sa.false()
        if others is not None:   # any task but these, or none
            task = sa.or_(I.task_state.is_(None), I.task_state.notin_(others))
        clauses.append(sa.and_(I.vm_state == vm_state, task))
    return sa.or_(*clauses) if clauses else sa.false()


def _tag_conditions(filters):
    tag = models.InstanceTag

    def having(tags):
        return sa.select(tag.instance_uuid).where(tag.tag.in_(sorted(tags)))

    def having_all(tags):
        return having(tags).group_by(tag.instance_uuid).having(
            sa.func.count(sa.distinct(tag.tag)) == len(set(tags)))

    conditions = []
    if filters.get('tags'):
        conditions.append(I.uuid.in_(having_all(filters['tags'])))
    if filters.get('tags-any'):
        conditions.append(I.uuid.in_(having(filters['tags-any'])))
    if filters.get('not-tags'):
        conditions.append(I.uuid.notin_(having_all(filters['not-tags'])))
    if filters.get('not-tags-any'):
        conditions.append(I.uuid.notin_(having(filters['not-tags-any'])))
    return conditions


# -- what other resources ask of instances ---------------------------------------------

def on_host(db, host):
    """The live instances ``host`` holds, oldest first (what a compute host
    looks over when it starts)."""
    with db.reader() as session:
        return [to_dict(r) for r in session.scalars(sa.select(I).where(
            I.host == host, I.deleted == 0).order_by(I.id))]


def unplaced_builds(db, created_before):
    """Uuids of the live instances still building with no host that were
    created at or before ``created_before``, oldest first."""
    with db.reader() as session:
        return list(session.scalars(sa.select(I.uuid).where(
            I.deleted == 0, I.vm_state == states.BUILDING, I.host.is_(None),
            I.created_at <= created_before).order_by(I.id)))


def unplaced_unshelves(db, updated_before):
    """Uuids of the live shelved offloaded instances being unshelved with no
    host yet (the conductor is scheduling them), asked at or before
    ``updated_before``."""
    with db.reader() as session:
        return list(session.scalars(sa.select(I.uuid).where(
            I.deleted == 0, I.vm_state == states.SHELVED_OFFLOADED,
            I.task_state == states.UNSHELVING, I.host.is_(None),
            I.updated_at <= updated_before).order_by(I.id)))


def count_live(db, host=None, project_id=None):
    """Live instances on ``host`` and/or of ``project_id``."""
    query = sa.select(sa.func.count()).select_from(I).where(I.deleted == 0)
    if host is not None:
        query = query.where(I.host == host)
    if project_id is not None:
        query = query.where(I.project_id == project_id)
    with db.reader() as session:
        return session.scalar(query)


def any_on_hosts(db, hosts):
    """Whether a live instance is on one of ``hosts``."""
    with db.reader() as session:
        return session.scalar(sa.select(I.id).where(I.host.in_(list(hosts)),
                                                    I.deleted == 0).limit(1)) is not None


def names_on_hosts(db, hosts):
    """{host: [{'name', 'uuid'}]} of the live instances on ``hosts``, oldest first."""
    with db.reader() as session:
        rows = session.execute(sa.select(I.host, I.display_name, I.uuid).where(
            I.host.in_(list(hosts)), I.deleted == 0).order_by(I.id)).all()
    found = {}
    for host, name, uuid in rows:
        found.setdefault(host, []).append({'name': name, 'uuid': uuid})
    return found


def count_by_node(db, nodes):
    """{hypervisor hostname: live instances on it}."""
    with db.reader() as session:
        return dict(session.execute(sa.select(I.node, sa.func.count()).where(
            I.node.in_(list(nodes)), I.deleted == 0).group_by(I.node)).all())


def flavors_held(db, project_id):
    """[{'flavor', 'new_flavor', 'old_flavor'}] of a project's live instances
    (what its quotas count)."""
    with db.reader() as session:
        return [dict(r) for r in session.execute(sa.select(
            I.flavor, I.new_flavor, I.old_flavor).where(
            I.project_id == project_id, I.deleted == 0)).mappings()]


def launched_within(db, start, stop, project_id=None, limit=None, marker=None):
    """Instances that ran at some time between ``start`` and ``stop``
    (launched before ``stop``, not terminated before ``start``), deleted
    ones included, oldest first; after the instance ``marker`` (a uuid:
    MarkerNotFound when there is none)."""
    query = sa.select(I).where(
        I.launched_at.isnot(None), I.launched_at < stop,
        sa.or_(I.terminated_at.is_(None), I.terminated_at >= start)).order_by(I.id)
    if project_id is not None:
        query = query.where(I.project_id == project_id)
    if limit is not None:
        query = query.limit(limit)
    with db.reader() as session:
        if marker is not None:
            marker_id = session.scalar(sa.select(I.id).where(I.uuid == marker))
            if marker_id is None:
                raise compute_exc.MarkerNotFound(marker=marker)
            query = query.where(I.id > marker_id)
        return [to_dict(r) for r in session.scalars(query)]
