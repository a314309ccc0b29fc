"""Flavors: the sizes servers come in, with extra specs and project access.

``pocketstack up`` creates DevStack's flavors on first start (m1.nano 42,
m1.micro 84, m1.tiny 1 … m1.xlarge 5).  A private flavor (``is_public``
false) is visible to admins and to the projects given access.  Servers keep
a copy of their flavor, so deleting or changing one never changes a server.
"""
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.compute.db import models

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


def to_dict(row):
    """A flavor as servers embed it and the API shows it."""
    return {'id': row.flavorid, 'name': row.name, 'ram': row.memory_mb, 'vcpus': row.vcpus,
            'disk': row.root_gb, 'ephemeral': row.ephemeral_gb, 'swap': row.swap,
            'rxtx_factor': row.rxtx_factor, 'is_public': row.is_public,
            'disabled': row.disabled, 'description': row.description,
            'extra_specs': {s.key: s.value for s in row.extra_specs},
            'projects': sorted(p.project_id for p in row.projects)}


def _not_found(flavorid):
    return exception.NotFound('Flavor %s could not be found.' % flavorid)


class FlavorManager:

    def __init__(self, service):
        self.db = service.db

    def _visible(self, context, row):
        return row.is_public or context.is_admin_role or context.project_id in {
            p.project_id for p in row.projects}

    @staticmethod
    def _row(session, flavorid):
        row = session.scalar(sa.select(models.Flavor).where(models.Flavor.flavorid == flavorid))
        if row is None:
            raise _not_found(flavorid)
        return row

    def get(self, context, flavorid):
        with self.db.reader() as session:
            row = self._row(session, flavorid)
            if not self._visible(context, row):
                raise _not_found(flavorid)
            return to_dict(row)

    def list(self, context, is_public=True):
        """Flavors ``context`` may see, as Nova filters them: ``is_public``
        True gives the public ones and the private ones shared with the
        caller's project, False the private ones, None all of them.  Only
        admins see disabled flavors."""
        admin = context.is_admin_role
        with self.db.reader() as session:
            rows = session.scalars(sa.select(models.Flavor).order_by(models.Flavor.flavorid)).all()
            found = []
            for row in rows:
                shared = context.project_id in {p.project_id for p in row.projects}
                if not self._visible(context, row) or (row.disabled and not admin):
                    continue
                if is_public is True and not (row.is_public or shared):
                    continue
                if is_public is False and row.is_public:
                    continue
                found.append(to_dict(row))
            return found

    def create(self, values, extra_specs=None):
        row = models.Flavor(**values)
        row.extra_specs = [models.FlavorExtraSpec(key=k, value=v)
                           for k, v in (extra_specs or {}).items()]
        try:
            with self.db.writer() as session:
                for column in ('flavorid', 'name'):
                    clash = session.scalar(sa.select(models.Flavor).where(
                        getattr(models.Flavor, column) == values[column]))
                    if clash is not None:
                        raise exception.Conflict('Flavor with %s %s already exists.'
                                                 % ('ID' if column == 'flavorid' else 'name',
                                                    values[column]))
                session.add(row)
                session.flush()
                return to_dict(row)
        except sa.exc.IntegrityError:
            raise exception.Conflict('Flavor %s already exists.' % values['name'])

    def update_description(self, flavorid, description):
        with self.db.writer() as session:
            row = self._row(session, flavorid)
            row.description = description
            row.updated_at = utils.utcnow()
            return to_dict(row)

    def delete(self, flavorid):
        with self.db.writer() as session:
            session.delete(self._row(session, flavorid))

    # -- extra specs -----------------------------------------------------------------

    def set_extra_specs(self, context, flavorid, specs):
        """Add or change extra specs (the others stay)."""
        try:
            with self.db.writer() as session:
                row = self._row(session, flavorid)
                if not self._visible(context, row):
                    raise _not_found(flavorid)
                existing = {s.key: s for s in row.extra_specs}
                for key, value in specs.items():
                    if key in existing:
                        existing[key].value = value
                    else:
                        row.extra_specs.append(models.FlavorExtraSpec(key=key, value=value))
        except sa.exc.IntegrityError:
            # Another request added the same key meanwhile.
            raise exception.Conflict('Flavor %s extra specs were changed by another request; '
                                     'retry.' % flavorid)

    def delete_extra_spec(self, context, flavorid, key):
        with self.db.writer() as session:
            row = self._row(session, flavorid)
            if not self._visible(context, row):
                raise _not_found(flavorid)
            spec = next((s for s in row.extra_specs if s.key == key), None)
            if spec is None:
                raise exception.NotFound('Flavor %s has no extra specs with key %s.'
                                         % (flavorid, key))
            row.extra_specs.remove(spec)

    # -- project access ----------------------------------------------------------------

    def add_access(self, flavorid, project_id, refuse_public=True):
        """Share a flavor with a project; the projects it is shared with."""
        try:
            with self.db.writer() as session:
                row = self._row(session, flavorid)
                if refuse_public and row.is_public:
                    raise exception.Conflict('Can not add access to a public flavor.')
                if project_id in {p.project_id for p in row.projects}:
                    raise exception.Conflict(
                        'Flavor access already exists for flavor %s and project %s '
                        'combination.' % (flavorid, project_id))
                row.projects.append(models.FlavorProject(project_id=project_id))
                session.flush()
                return sorted(p.project_id for p in row.projects)
        except sa.exc.IntegrityError:
            raise exception.Conflict('Flavor access already exists for flavor %s and project %s '
                                     'combination.' % (flavorid, project_id))

    def remove_access(self, flavorid, project_id):
        with self.db.writer() as session:
            row = self._row(session, flavorid)
            access = next((p for p in row.projects if p.project_id == project_id), None)
            if access is None:
                raise exception.NotFound('Flavor access not found for %s / %s combination.'
                                         % (flavorid, project_id))
            row.projects.remove(access)
            session.flush()
            return sorted(p.project_id for p in row.projects)

    def ensure_defaults(self):
        """DevStack's flavors, when the flavor table is empty (first start)."""
        with self.db.reader() as session:
            if session.scalar(sa.select(sa.func.count()).select_from(models.Flavor)):
                return False
        for flavorid, name, ram, vcpus, disk in DEVSTACK_FLAVORS:
            self.create({'flavorid': flavorid, 'name': name, 'memory_mb': ram, 'vcpus': vcpus,
                         'root_gb': disk})
        return True


def on_first_start(conf, identity):
    """``pocketstack up``'s hook: DevStack's flavors in a new compute database."""
    from pocketstack.compute import service as compute_service
    service = compute_service.ComputeService.for_conf(conf)
    if service.schema_created:
        service.flavors.ensure_defaults()
