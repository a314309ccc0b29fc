from alembic import context

from pocketstack.common import db

db.run_migrations_online(context)
