"""The Image service's database: its tables (models.py) and Alembic migrations
(migrations/); common/service.py builds and migrates it."""
