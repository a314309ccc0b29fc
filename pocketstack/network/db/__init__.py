"""The Network service's database: models, migrations and the Database object."""
from pocketstack.common import config
from pocketstack.common import db as common_db
from pocketstack.network.db import models

MIGRATIONS = 'pocketstack.network.db:migrations'


def database(conf):
    return common_db.Database(config.database_url(conf), migrations=MIGRATIONS,
                              pool_size=conf.database.max_pool_size)


def sync(database_):
    return database_.upgrade(head=models.SCHEMA_HEAD, metadata=models.Base.metadata)
