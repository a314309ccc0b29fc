"""Databases: SQLAlchemy 2 engines, reader/writer transaction scopes, Alembic.

Each service owns one database.  Code touches it only inside an explicit
scope, as placement does::

    with db.writer() as session:
        session.add(row)

On SQLite (the all-in-one default) the file is in WAL mode, so readers never
wait for writers, and a writer takes its lock up front (``BEGIN IMMEDIATE``):
two writers queue on the busy timeout instead of one of them failing later with
"database is locked" when it tries to upgrade a read lock.

Scopes nest: an inner ``reader()`` or ``writer()`` joins the transaction it
is in, so functions that each open a scope compose into one transaction.  A
``writer()`` inside a ``reader()`` is refused at once (ScopeError), as
oslo.db's enginefacade refuses it: joining would write in a read
transaction, which SQLite opened deferred — the "database is locked" road.

Lists page with :func:`keyset`: ORDER BY the sort keys (the id last, so the
order is total) and, after a marker row, WHERE (k1 > m1) OR (k1 = m1 AND k2 >
m2) …, so a page costs the same however deep it is.
"""
import contextlib
import logging
import functools
import os
import random
import threading
import time

import sqlalchemy as sa
from sqlalchemy import event, orm

LOG = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_S = 30
DEADLOCK_RETRIES = 10
# MySQL/MariaDB: deadlock victim, lock wait timeout.  PostgreSQL: deadlock
# detected, serialization failure.
_DEADLOCK_CODES = {1213, 1205}
_DEADLOCK_SQLSTATES = {'40P01', '40001'}


class ScopeError(RuntimeError):
    """A transaction scope used the wrong way round (a programming error)."""


class DuplicateEntry(Exception):
    """A unique key refused a row (oslo.db's DBDuplicateEntry): another
    request inserted the same thing first."""


@contextlib.contextmanager
def duplicates_refused():
    """Turn an insert's IntegrityError into DuplicateEntry (flush inside)."""
    try:
        yield
    except sa.exc.IntegrityError as e:
        raise DuplicateEntry(str(e.orig)) from e


class Database:
    """One service's database: engine, session scopes and migrations."""

    def __init__(self, url, migrations=None, pool_size=10):
        """``migrations`` is the package holding the Alembic scripts,
        e.g. ``'pocketstack.identity.db:migrations'``."""
        self.url = sa.engine.make_url(url)
        self.migrations = migrations
        self.dialect = self.url.get_backend_name()     # sqlite, postgresql, mysql
        self.is_sqlite = self.dialect == 'sqlite'
        kwargs = {}
        if self.is_sqlite:
            database = self.url.database
            if database and database != ':memory:':
                os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
            kwargs['connect_args'] = {'timeout': SQLITE_BUSY_TIMEOUT_S,
                                      'check_same_thread': False}
            if not database or database == ':memory:':
                kwargs['poolclass'] = sa.pool.StaticPool
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size * 2,
                          pool_pre_ping=True, pool_recycle=3600)
        self.engine = sa.create_engine(self.url, **kwargs)
        if self.is_sqlite:
            self._prepare_sqlite(self.engine)
        self._write_engine = self.engine.execution_options(pocketstack_writer=True)
        self._sessionmaker = orm.sessionmaker(expire_on_commit=False)
        self._local = threading.local()
        self.after_write = []   # callables run after each committed writer()

    @staticmethod
    def _prepare_sqlite(engine):
        @event.listens_for(engine, 'connect')
        def _on_connect(dbapi_conn, _record):
            # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is deferred).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute('PRAGMA journal_mode=WAL')
            cursor.execute('PRAGMA synchronous=NORMAL')
            cursor.execute('PRAGMA foreign_keys=ON')
            cursor.close()

        @event.listens_for(engine, 'begin')
        def _on_begin(conn):
            if conn.get_execution_options().get('pocketstack_writer'):
                conn.exec_driver_sql('BEGIN IMMEDIATE')
            else:
                conn.exec_driver_sql('BEGIN')

    @contextlib.contextmanager
    def _scope(self, bind, writing):
        outer = getattr(self._local, 'session', None)
        if outer is not None:
            if writing and not self._local.writing:
                raise ScopeError('A writer() was opened inside a reader(): open the '
                                 'writer first (it may read), or the reader after it.')
            # Nested scopes share the outer transaction: a manager calling
            # another manager stays atomic.
            yield outer
            return
        session = self._sessionmaker(bind=bind)
        self._local.session, self._local.writing = session, writing
        try:
            with session.begin():
                yield session
        finally:
            self._local.session = None
            session.close()
        if writing:
            for callback in self.after_write:
                callback()

    def reader(self):
        """A read transaction (a consistent snapshot)."""
        return self._scope(self.engine, writing=False)

    def writer(self):
        """A write transaction: committed on success, rolled back on error."""
        return self._scope(self._write_engine, writing=True)

    # -- schema --------------------------------------------------------------

    def _alembic_config(self):
        from alembic.config import Config  # imported only when a schema may change
        config = Config()
        config.set_main_option('script_location', self.migrations)
        config.attributes['engine'] = self.engine
        return config

    def current_revision(self):
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table('alembic_version'):
                return None
            return conn.exec_driver_sql('SELECT version_num FROM alembic_version').scalar()

    def upgrade(self, head=None, metadata=None):
        """Bring the schema to the newest migration; True when it changed.

        ``head`` is the newest revision the caller knows of (each service's
        ``db.models.SCHEMA_HEAD``): when the database is already there, Alembic
        is not even imported, which keeps start-up fast.  A new, empty
        database with ``metadata`` given is built from the models and stamped
        at ``head`` (Alembic's cookbook, "Building an Up to Date Database from
        Scratch"): every CI run's first start skips importing Alembic and
        replaying each migration.  Migrations upgrade databases that exist;
        tests/unit/test_migrations.py keeps both roads to the same schema.
        """
        current = self.current_revision()
        if head is not None and current == head:
            return False
        if current is None and head is not None and metadata is not None and \
                self._create_if_empty(head, metadata):
            return True
        from alembic import command
        LOG.info('Upgrading database schema of %s', self.url.render_as_string(hide_password=True))
        command.upgrade(self._alembic_config(), 'head')
        return True

    def _create_if_empty(self, head, metadata):
        """Create the models' tables and Alembic's version row in a database
        holding no table yet; False (touching nothing) otherwise."""
        # The writer engine: on SQLite, BEGIN IMMEDIATE makes a second process
        # starting on the same new file wait here, then find the tables.
        with self._write_engine.begin() as conn:
            if sa.inspect(conn).get_table_names():
                return False
            LOG.info('Creating the database schema of %s at %s',
                     self.url.render_as_string(hide_password=True), head)
            metadata.create_all(conn)
            version = sa.Table('alembic_version', sa.MetaData(),
                               sa.Column('version_num', sa.String(32), primary_key=True))
            version.create(conn)
            conn.execute(version.insert().values(version_num=head))
        return True

    def dispose(self):
        self.engine.dispose()


def run_migrations_online(context):
    """Body of every service's Alembic ``env.py``."""
    engine = context.config.attributes.get('engine')
    if engine is None:
        engine = sa.create_engine(context.config.get_main_option('sqlalchemy.url'))
    with engine.connect() as connection:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


def is_deadlock(error):
    """Whether the database aborted a transaction to break a deadlock (which
    MySQL's InnoDB does even to inserts racing on one unique key).  The
    chain of causes counts too: a deadlock inside a savepoint surfaces as
    the failed ROLLBACK TO SAVEPOINT that followed it (MySQL had already
    rolled the whole transaction back)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _is_deadlock_error(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def _is_deadlock_error(error):
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    orig = error.orig
    if getattr(orig, 'sqlstate', None) in _DEADLOCK_SQLSTATES:  # psycopg
        return True
    args = getattr(orig, 'args', ())
    return bool(args) and args[0] in _DEADLOCK_CODES  # PyMySQL


def retry_on_deadlock(fn):
    """Run ``fn`` again when the database picked its transaction as a
    deadlock victim (the transaction is rolled back whole, so only the code
    that opened it can start it again: put this around a whole request's
    work, as Neutron's API layer does, never inside a ``writer()``)."""
    @functools.wraps(fn)
    def retrying(*args, **kwargs):
        for attempt in range(DEADLOCK_RETRIES):
            try:
                return fn(*args, **kwargs)
            except sa.exc.DBAPIError as error:
                if not is_deadlock(error) or attempt == DEADLOCK_RETRIES - 1:
                    raise
                LOG.debug('Deadlock in %s, trying again: %s', fn.__qualname__, error.orig)
                time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 5)))
    return retrying


def as_dict(row, *columns):
    return {c: getattr(row, c) for c in columns}


# -- keyset pagination -----------------------------------------------------------

def keyset(stmt, keys, after=None):
    """``stmt`` ordered by ``keys`` and, given ``after`` (the values of the
    keys in the row the last page ended on), limited to the rows after it.

    ``keys``: [(column, ascending)] ending with a unique column, so the order
    is total; a key may be an expression of a column (``col.collate('C')``),
    written (expression, ascending, nullable).  NULLs sort first ascending
    and last descending on every database."""
    keys = [key if len(key) == 3 else (key[0], key[1], _nullable(key[0])) for key in keys]
    if after is not None:
        stmt = stmt.where(_after(after, keys))
    return stmt.order_by(*[term for key in keys for term in _order(*key)])


def _order(col, asc, nullable):
    """ORDER BY terms putting NULLs first ascending and last descending
    (PostgreSQL's own default is the opposite; MySQL has no NULLS FIRST),
    the order _after assumes."""
    terms = [col.asc() if asc else col.desc()]
    if nullable:
        terms.insert(0, col.is_(None).desc() if asc else col.is_(None).asc())
    return terms


def _nullable(col):
    return bool(getattr(getattr(col, 'expression', col), 'nullable', False))


def _after(values, keys):
    """Rows strictly after ``values`` in the order of ``keys``:
    (k1 > m1) OR (k1 = m1 AND k2 > m2) OR …"""
    clauses, equal = [], []
    for value, (col, asc, nullable) in zip(values, keys):
        if isinstance(value, bool):
            value = sa.literal(value)   # SQLAlchemy refuses `col < True` as written
        if value is None:
            # NULLs come first ascending (see _order): anything non-NULL is after.
            beyond = col.is_not(None) if asc else sa.false()
        elif asc:
            beyond = col > value
        else:
            beyond = col < value
            if nullable:
                beyond = sa.or_(beyond, col.is_(None))   # … and last descending
        clauses.append(sa.and_(*equal, beyond))
        equal.append(col.is_(None) if value is None else col == value)
    return sa.or_(*clauses)
