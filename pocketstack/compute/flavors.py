"""Flavors: the sizes servers come in, with extra specs and project access.

``pocketstack up`` creates DevStack's flavors on first start (m1.nano 42,
m1.micro 84, m1.tiny 1 … m1.xlarge 5).  A private flavor (``is_public``
false) is visible to admins and to the projects given access.  Servers keep
a copy of their flavor, so deleting or changing one never changes a server.
"""
from pocketstack.common import db as common_db
from pocketstack.common import exception
from pocketstack.compute import exception as compute_exc
from pocketstack.compute.db import flavors as db_flavors

DEVSTACK_FLAVORS = (
    # flavorid, name, ram MB, vcpus, root GB
    ('42', 'm1.nano', 128, 1, 1),
    ('84', 'm1.micro', 192, 1, 1),
    ('1', 'm1.tiny', 512, 1, 1),
    ('2', 'm1.small', 2048, 1, 20),
    ('3', 'm1.medium', 4096, 2, 40),
    ('4', 'm1.large', 8192, 4, 80),
    ('5', 'm1.xlarge', 16384, 8, 160),
)


def _not_found(flavorid):
    return compute_exc.FlavorNotFound(id=flavorid)


class FlavorManager:

    def __init__(self, service):
        self.db = service.db

    @staticmethod
    def _visible(context, flavor):
        return flavor['is_public'] or context.is_admin_role or \
            context.project_id in flavor['projects']

    def _get_visible(self, context, flavorid):
        flavor = db_flavors.get(self.db, flavorid)
        if not self._visible(context, flavor):
            raise _not_found(flavorid)
        return flavor

    def get(self, context, flavorid):
        return self._get_visible(context, flavorid)

    def list(self, context, is_public=True):
        """Flavors ``context`` may see, as Nova filters them: ``is_public``
        True gives the public ones and the private ones shared with the
        caller's project, False the private ones, None all of them.  Only
        admins see disabled flavors."""
        admin = context.is_admin_role
        found = []
        for flavor in db_flavors.list_all(self.db):
            shared = context.project_id in flavor['projects']
            if not self._visible(context, flavor) or (flavor['disabled'] and not admin):
                continue
            if is_public is True and not (flavor['is_public'] or shared):
                continue
            if is_public is False and flavor['is_public']:
                continue
            found.append(flavor)
        return found

    def create(self, values, extra_specs=None):
        try:
            with self.db.writer():
                for column in ('flavorid', 'name'):
                    if db_flavors.taken(self.db, column, values[column]):
                        raise exception.Conflict('Flavor with %s %s already exists.'
                                                 % ('ID' if column == 'flavorid' else 'name',
                                                    values[column]))
                return db_flavors.create(self.db, values, extra_specs)
        except common_db.DuplicateEntry:
            raise exception.Conflict('Flavor %s already exists.' % values['name'])

    def update_description(self, flavorid, description):
        return db_flavors.update(self.db, flavorid, description=description)

    def delete(self, flavorid):
        db_flavors.delete(self.db, flavorid)

    # -- extra specs -----------------------------------------------------------------

    def set_extra_specs(self, context, flavorid, specs):
        """Add or change extra specs (the others stay)."""
        try:
            with self.db.writer():
                self._get_visible(context, flavorid)
                db_flavors.set_extra_specs(self.db, flavorid, specs)
        except common_db.DuplicateEntry:
            # Another request added the same key meanwhile.
            raise exception.Conflict('Flavor %s extra specs were changed by another request; '
                                     'retry.' % flavorid)

    def delete_extra_spec(self, context, flavorid, key):
        with self.db.writer():
            self._get_visible(context, flavorid)
            if not db_flavors.delete_extra_spec(self.db, flavorid, key):
                raise exception.NotFound('Flavor %s has no extra specs with key %s.'
                                         % (flavorid, key))

    # -- project access ----------------------------------------------------------------

    def add_access(self, flavorid, project_id, refuse_public=True):
        """Share a flavor with a project; the projects it is shared with."""
        exists = exception.Conflict('Flavor access already exists for flavor %s and project %s '
                                    'combination.' % (flavorid, project_id))
        with self.db.writer():
            flavor = db_flavors.get(self.db, flavorid)
            if refuse_public and flavor['is_public']:
                raise exception.Conflict('Can not add access to a public flavor.')
            if project_id in flavor['projects']:
                raise exists
            try:
                return db_flavors.add_project(self.db, flavorid, project_id)['projects']
            except common_db.DuplicateEntry:
                raise exists

    def remove_access(self, flavorid, project_id):
        flavor = db_flavors.remove_project(self.db, flavorid, project_id)
        if flavor is None:
            raise exception.NotFound('Flavor access not found for %s / %s combination.'
                                     % (flavorid, project_id))
        return flavor['projects']

    def ensure_defaults(self):
        """DevStack's flavors, when the flavor table is empty (first start)."""
        if db_flavors.count(self.db):
            return False
        for flavorid, name, ram, vcpus, disk in DEVSTACK_FLAVORS:
            self.create({'flavorid': flavorid, 'name': name, 'memory_mb': ram, 'vcpus': vcpus,
                         'root_gb': disk})
        return True
