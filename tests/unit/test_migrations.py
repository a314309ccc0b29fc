"""Each service's migrations build exactly the schema its models describe,
on SQLite, PostgreSQL and MariaDB; and SCHEMA_HEAD names the newest one."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from pocketstack.common import db as common_db
from pocketstack.compute.db import models as compute_models
from pocketstack.identity.db import models as identity_models
from pocketstack.image.db import models as image_models
from pocketstack.network.db import models as network_models

SERVICES = [('pocketstack.%s.db:migrations' % models.__name__.split('.')[1], models)
            for models in (identity_models, image_models, compute_models, network_models)]


@pytest.mark.parametrize('migrations,models', SERVICES)
def test_models_match_migrations(db_url, migrations, models):
    """The upgrade road (no metadata given): every migration replayed."""
    database = common_db.Database(db_url, migrations=migrations)
    try:
        assert database.upgrade(head=models.SCHEMA_HEAD) is True
        assert database.current_revision() == models.SCHEMA_HEAD
        with database.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), models.Base.metadata)
        assert diff == []
        # Already at head: nothing to do (and Alembic is not consulted).
        assert database.upgrade(head=models.SCHEMA_HEAD) is False
    finally:
        database.dispose()


@pytest.mark.parametrize('migrations,models', SERVICES)
def test_a_new_database_built_from_the_models_is_at_head(db_url, migrations, models):
    """The first-start road: tables from the models, stamped at the head,
    so Alembic finds nothing to do and later migrations apply on top."""
    from alembic import command
    database = common_db.Database(db_url, migrations=migrations)
    try:
        assert database.upgrade(head=models.SCHEMA_HEAD, metadata=models.Base.metadata) is True
        assert database.current_revision() == models.SCHEMA_HEAD
        with database.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), models.Base.metadata)
        assert diff == []
        command.upgrade(database._alembic_config(), 'head')   # nothing left to replay
        assert database.current_revision() == models.SCHEMA_HEAD
        assert database.upgrade(head=models.SCHEMA_HEAD, metadata=models.Base.metadata) is False
    finally:
        database.dispose()


@pytest.mark.parametrize('migrations,models', SERVICES)
def test_schema_head_is_newest_migration(migrations, models):
    from alembic.config import Config
    config = Config()
    config.set_main_option('script_location', migrations)
    assert ScriptDirectory.from_config(config).get_current_head() == models.SCHEMA_HEAD


def test_sqlite_is_wal_with_immediate_writers(tmp_path):
    database = common_db.Database('sqlite:///%s' % (tmp_path / 'x.sqlite'))
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql('PRAGMA journal_mode').scalar() == 'wal'
    with database.writer() as session:
        session.execute(sa.text('CREATE TABLE t (v INTEGER)'))
    # A writer holds the write lock from its first statement: a second
    # connection cannot start writing meanwhile.
    import sqlite3
    with database.writer() as session:
        session.execute(sa.text('SELECT 1'))
        other = sqlite3.connect(str(tmp_path / 'x.sqlite'), timeout=0.05)
        with pytest.raises(sqlite3.OperationalError, match='locked'):
            other.execute('BEGIN IMMEDIATE')
        other.close()
    database.dispose()
