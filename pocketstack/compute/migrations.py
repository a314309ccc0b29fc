"""Records of server moves (``os-migrations``): each resize or cold
migration has one, whose ``status`` follows the flow as Nova's does —

    pre-migrating (API) → migrating (source) → post-migrating (destination)
    → finished (VERIFY_RESIZE) → confirming → confirmed
                               → reverting  → reverted
    error: no host was found, or a step failed.

The API starts the record and the conductor and the hosts move it on (the
hosts through the conductor, compute/events.py's ``migration_step``); each
step finds the instance's move still under way — there is at most one.
"""
from pocketstack.compute.db import flavors as db_flavors
from pocketstack.compute.db import migration_records as db_migrations


class MigrationAPI:

    def __init__(self, service):
        self.db = service.db

    def start(self, context, instance, migration_type, new_flavor):
        db_migrations.create(self.db, {
            'instance_uuid': instance['uuid'], 'project_id': instance['project_id'],
            'user_id': context.user_id, 'migration_type': migration_type,
            'status': 'pre-migrating', 'source_compute': instance['host'],
            'source_node': instance['node'], 'old_flavor_id': instance['flavor']['id'],
            'new_flavor_id': new_flavor['id']})

    def update(self, instance_uuid, status, **values):
        """Move the instance's move under way to ``status``."""
        db_migrations.update_current(self.db, instance_uuid, status, **values)

    def list(self, filters, host=None, since=None, before=None, newest_first=False,
             marker=None, limit=None):
        """Migrations (db/migration_records.list_all), each with the row ids
        of its old and new flavors (``old_instance_type_id``…) as Nova shows them."""
        with self.db.reader():
            found = db_migrations.list_all(self.db, filters, host, since, before,
                                           newest_first, marker, limit)
            flavor_ids = db_flavors.internal_ids(self.db)
        return [dict(m, old_instance_type_id=flavor_ids.get(m['old_flavor_id']),
                     new_instance_type_id=flavor_ids.get(m['new_flavor_id'])) for m in found]
