"""common.db's transaction scopes: nested scopes join the outer transaction,
and a writer opened inside a reader is refused at once (oslo.db's
enginefacade rule) instead of writing in a deferred SQLite read."""
import pytest
import sqlalchemy as sa

from pocketstack.common import db as common_db


@pytest.fixture
def database(tmp_path):
    database = common_db.Database('sqlite:///%s' % (tmp_path / 'scopes.sqlite'))
    with database.engine.begin() as conn:
        conn.exec_driver_sql('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)')
    yield database
    database.dispose()


def _insert(database, name):
    with database.writer() as session:
        session.execute(sa.text('INSERT INTO items (name) VALUES (:name)'), {'name': name})


def _names(database):
    with database.reader() as session:
        return [r[0] for r in session.execute(sa.text('SELECT name FROM items ORDER BY id'))]


def test_a_writer_inside_a_reader_is_refused_and_writes_nothing(database):
    with pytest.raises(common_db.ScopeError, match='inside a reader'):
        with database.reader():
            _insert(database, 'lost')
    assert _names(database) == []
    # The refused scope left nothing behind: the next ones work.
    _insert(database, 'kept')
    assert _names(database) == ['kept']


def test_scopes_inside_a_writer_are_one_transaction(database):
    with database.writer():
        _insert(database, 'a')
        assert _names(database) == ['a']        # a reader inside sees the writer's rows
        _insert(database, 'b')
    assert _names(database) == ['a', 'b']
    with pytest.raises(RuntimeError):
        with database.writer():
            _insert(database, 'c')
            raise RuntimeError('fails after the inner writer ended')
    assert _names(database) == ['a', 'b']       # the inner write went with the outer


def test_a_duplicate_insert_is_a_duplicate_entry(database):
    with database.engine.begin() as conn:
        conn.exec_driver_sql('CREATE UNIQUE INDEX uq_items_name ON items (name)')
    _insert(database, 'one')
    with pytest.raises(common_db.DuplicateEntry):
        with database.writer() as session, common_db.duplicates_refused():
            session.execute(sa.text("INSERT INTO items (name) VALUES ('one')"))
    assert _names(database) == ['one']
