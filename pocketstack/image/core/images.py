"""Image records: who sees which image, creating, listing, changing, deleting.

Visibility, as Glance defines it:

* ``public``    everyone sees it (only admins may make an image public);
* ``community`` everyone may use it, but it is listed only on request
  (``visibility=community``) or to its owner;
* ``shared``    its owner and the projects it is shared with (members) see
  it; lists show it to a member once the member accepted;
* ``private``   its owner only.

Admins see every image.  An image a caller cannot see does not exist for
them (404); one they see but may not change answers 403.
"""
import logging

import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.image.db import models

LOG = logging.getLogger(__name__)

DISK_FORMATS = ('ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop')
CONTAINER_FORMATS = ('ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed')
VISIBILITIES = ('public', 'community', 'shared', 'private')
STATUSES = ('queued', 'saving', 'active', 'killed', 'deleted', 'pending_delete',
            'deactivated', 'uploading', 'importing')
MEMBER_STATUSES = ('pending', 'accepted', 'rejected')

# Columns a client may set; everything else of the record is the service's.
WRITABLE = ('name', 'visibility', 'protected', 'os_hidden', 'min_disk', 'min_ram',
            'disk_format', 'container_format')
READ_ONLY = ('id', 'status', 'size', 'virtual_size', 'checksum', 'os_hash_algo',
             'os_hash_value', 'created_at', 'updated_at', 'self', 'file', 'schema',
             'direct_url', 'stores')
RESERVED = ('deleted', 'deleted_at', 'location', 'locations')
RESERVED_PREFIX = 'os_glance'

# Sort keys: nullable columns sort as if empty, so keyset pagination has a
# total order on every database.
_SORT_COLUMNS = {
    'name': sa.func.coalesce(models.Image.name, ''),
    'status': models.Image.status,
    'container_format': sa.func.coalesce(models.Image.container_format, ''),
    'disk_format': sa.func.coalesce(models.Image.disk_format, ''),
    'size': sa.func.coalesce(models.Image.size, -1),
    'virtual_size': sa.func.coalesce(models.Image.virtual_size, -1),
    'id': models.Image.id,
    'created_at': models.Image.created_at,
    'updated_at': models.Image.updated_at,
    'min_disk': models.Image.min_disk,
    'min_ram': models.Image.min_ram,
    'visibility': models.Image.visibility,
    'owner': sa.func.coalesce(models.Image.owner, ''),
    'checksum': sa.func.coalesce(models.Image.checksum, ''),
}
SORT_KEYS = tuple(_SORT_COLUMNS)
DEFAULT_SORT = (('created_at', 'desc'), ('id', 'desc'))

# Columns a list may filter on with ``in:``/exact values.
LIST_COLUMNS = ('id', 'name', 'status', 'visibility', 'owner', 'disk_format',
                'container_format', 'checksum', 'os_hash_algo', 'os_hash_value')
# Integer columns a list may filter on with an exact value (``min_ram=512``).
INTEGER_COLUMNS = ('size', 'virtual_size', 'min_disk', 'min_ram')


def to_dict(row):
    """An image as the managers pass it around: its columns, ``properties``
    and ``tags``; ``location`` is for core/data.py only."""
    image = {c: getattr(row, c) for c in (
        'id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner', 'size',
        'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'min_disk',
        'min_ram', 'disk_format', 'container_format', 'location', 'created_at',
        'updated_at')}
    image['properties'] = {p.name: p.value for p in row.properties}
    image['tags'] = sorted(t.value for t in row.tags)
    return image


def policy_target(image, **extra):
    return dict({'owner': image['owner'] or '', 'project_id': image['owner'] or '',
                 'visibility': image.get('visibility')}, **extra)


class ImageManager:

    def __init__(self, service):
        self.service = service
        self.conf = service.conf
        self.db = service.db
        self.policy = service.policy

    # -- seeing ----------------------------------------------------------------

    def _visibility_clause(self, context, visibility=None, member_status='accepted'):
        """Which rows ``context`` may list (None: no restriction)."""
        Image, Member = models.Image, models.ImageMember
        clause = None if visibility in (None, 'all') else Image.visibility == visibility
        if context.is_admin_role:
            return clause
        project = context.project_id
        members = sa.select(Member.image_id).where(Member.member == project)
        if member_status != 'all':
            members = members.where(Member.status == member_status)
        shared_with_me = sa.and_(Image.visibility == 'shared', Image.id.in_(members))
        if visibility is None:
            return sa.or_(Image.visibility == 'public', Image.owner == project, shared_with_me)
        if visibility == 'all':
            return sa.or_(Image.visibility.in_(('public', 'community')),
                          Image.owner == project, shared_with_me)
        if visibility in ('public', 'community'):
            return clause
        if visibility == 'private':
            return sa.and_(clause, Image.owner == project)
        return sa.and_(clause, sa.or_(Image.owner == project, Image.id.in_(members)))

    def can_see(self, context, row, session):
        if context.is_admin_role or row.visibility in ('public', 'community'):
            return True
        if row.owner and row.owner == context.project_id:
            return True
        if row.visibility == 'shared':
            # A member sees a shared image whatever its answer was.
            return session.scalar(sa.select(sa.func.count()).select_from(models.ImageMember).where(
                models.ImageMember.image_id == row.id,
                models.ImageMember.member == context.project_id)) > 0
        return False

    def get_row(self, context, session, image_id, lock=False):
        query = sa.select(models.Image).where(models.Image.id == image_id)
        if lock:
            query = query.with_for_update()
        row = session.scalar(query)
        if row is None or not self.can_see(context, row, session):
            raise exception.NotFound('No image found with ID %s' % image_id)
        return row

    def get(self, context, image_id):
        with self.db.reader() as session:
            image = to_dict(self.get_row(context, session, image_id))
        self.authorize(context, 'get_image', image)
        return image

    def authorize(self, context, action, image, **extra):
        self.policy.authorize(context, action, policy_target(image, **extra))

    # -- listing ---------------------------------------------------------------

    def list(self, context, filters, sort=DEFAULT_SORT, limit=25, marker=None):
        """One page of images and whether more follow.

        ``filters``: ``visibility``, ``member_status``, ``os_hidden``, ``tags``
        (all must be present), ``size_min``/``size_max``, ``columns``
        ({column: [values]} — any value matches), ``dates`` ({column:
        [(operator, datetime)]}), ``properties`` ({name: value}).
        """
        Image = models.Image
        self.policy.authorize(context, 'get_images', {'project_id': context.project_id})
        query = sa.select(Image)
        clause = self._visibility_clause(context, filters.get('visibility'),
                                         filters.get('member_status', 'accepted'))
        if clause is not None:
            query = query.where(clause)
        hidden = filters.get('os_hidden')
        query = query.where(Image.os_hidden == bool(hidden))
        for column, values in filters.get('columns', {}).items():
            query = query.where(getattr(Image, column).in_(values))
        for column, conditions in filters.get('dates', {}).items():
            for operator, value in conditions:
                query = query.where(getattr(getattr(Image, column), operator)(value))
        if filters.get('size_min') is not None:
            query = query.where(Image.size >= filters['size_min'])
        if filters.get('size_max') is not None:
            query = query.where(Image.size <= filters['size_max'])
        if 'protected' in filters:
            query = query.where(Image.protected == filters['protected'])
        for tag in filters.get('tags', ()):
            query = query.where(sa.exists().where(models.ImageTag.image_id == Image.id,
                                                  models.ImageTag.value == tag))
        for name, value in filters.get('properties', {}).items():
            query = query.where(sa.exists().where(models.ImageProperty.image_id == Image.id,
                                                  models.ImageProperty.name == name,
                                                  models.ImageProperty.value == value))

        keys = list(sort)
        if not any(key == 'id' for key, _ in keys):
            keys.append(('id', keys[-1][1] if keys else 'desc'))
        columns = [(_SORT_COLUMNS[key], direction) for key, direction in keys]
        with self.db.reader() as session:
            if marker is not None:
                try:
                    marker_row = self.get_row(context, session, marker)
                except exception.NotFound:
                    raise exception.BadRequest('Invalid marker. Image %s could not be found.'
                                               % marker)
                values = session.execute(sa.select(*[c for c, _ in columns]).where(
                    Image.id == marker_row.id)).one()
                query = query.where(_after(columns, values))
            query = query.order_by(*[c.asc() if d == 'asc' else c.desc() for c, d in columns])
            rows = session.scalars(query.limit(limit + 1)).all()
            return [to_dict(r) for r in rows[:limit]], len(rows) > limit

    # -- changing --------------------------------------------------------------

    def create(self, context, values):
        """Create a queued image from validated API values (core attributes,
        ``tags``, and custom properties under ``properties``)."""
        owner = values.pop('owner', None) or context.project_id
        if owner != context.project_id and not context.is_admin_role:
            raise exception.Forbidden('You are not permitted to create images owned by %s.'
                                      % owner)
        target = {'owner': owner or '', 'project_id': owner or ''}
        self.policy.authorize(context, 'add_image', target)
        visibility = values.get('visibility') or 'shared'
        self._authorize_visibility(context, visibility, target)
        properties = values.pop('properties', {})
        tags = sorted(set(values.pop('tags', ())))
        self._check_quotas(properties, tags)
        image_id = values.pop('id', None) or utils.new_id(dashes=True)
        now = utils.utcnow()
        row = models.Image(id=image_id, status='queued', visibility=visibility,
                           protected=values.get('protected', False),
                           os_hidden=values.get('os_hidden', False), owner=owner,
                           name=values.get('name'), min_disk=values.get('min_disk') or 0,
                           min_ram=values.get('min_ram') or 0,
                           disk_format=values.get('disk_format'),
                           container_format=values.get('container_format'),
                           created_at=now, updated_at=now)
        row.properties = [models.ImageProperty(name=k, value=v) for k, v in properties.items()]
        row.tags = [models.ImageTag(value=t) for t in tags]
        try:
            with self.db.writer() as session:
                if session.get(models.Image, image_id) is not None:
                    raise exception.Conflict('Image with identifier %s already exists!' % image_id)
                session.add(row)
        except sa.exc.IntegrityError:
            raise exception.Conflict('Image with identifier %s already exists!' % image_id)
        return to_dict(row)

    def _authorize_visibility(self, context, visibility, target):
        if visibility == 'public':
            self.policy.authorize(context, 'publicize_image', target)
        elif visibility == 'community':
            self.policy.authorize(context, 'communitize_image', target)

    def _check_quotas(self, properties, tags):
        for what, count, limit in (('properties', len(properties), self.conf.image_property_quota),
                                   ('tags', len(tags), self.conf.image_tag_quota)):
            if 0 <= limit < count:
                raise exception.RequestEntityTooLarge(
                    'Maximum number of %s exceeded: %d of at most %d.' % (what, count, limit))

    def update(self, context, image_id, apply_changes):
        """Change an image: ``apply_changes(image)`` edits the dict (core
        attributes, ``properties``, ``tags``) and raises on a bad change;
        the result is checked and stored atomically."""
        with self.db.writer() as session:
            row = self.get_row(context, session, image_id, lock=True)
            before = to_dict(row)
            self.authorize(context, 'modify_image', before)
            image = to_dict(row)
            image['properties'] = dict(image['properties'])
            image['tags'] = list(image['tags'])
            apply_changes(image)
            self._check_update(context, before, image)
            for column in WRITABLE + ('owner',):
                setattr(row, column, image[column])
            if image['properties'] != before['properties']:
                existing = {p.name: p for p in row.properties}
                for name, prop in existing.items():
                    if name not in image['properties']:
                        row.properties.remove(prop)
                for name, value in image['properties'].items():
                    if name in existing:
                        existing[name].value = value
                    else:
                        row.properties.append(models.ImageProperty(name=name, value=value))
            if sorted(set(image['tags'])) != before['tags']:
                wanted = set(image['tags'])
                for tag in list(row.tags):
                    if tag.value not in wanted:
                        row.tags.remove(tag)
                for value in sorted(wanted - {t.value for t in row.tags}):
                    row.tags.append(models.ImageTag(value=value))
            row.updated_at = utils.utcnow()
            session.flush()
            return to_dict(row)

    def _check_update(self, context, before, image):
        if image['visibility'] != before['visibility']:
            self._authorize_visibility(context, image['visibility'], policy_target(before))
        if image['owner'] != before['owner'] and not context.is_admin_role:
            raise exception.Forbidden("Attribute 'owner' can be changed only by an admin.")
        if before['status'] != 'queued':
            for column in ('disk_format', 'container_format'):
                if image[column] != before[column]:
                    raise exception.Forbidden(
                        'Attribute %s can be only replaced for a queued image.' % column)
        self._check_quotas(image['properties'], set(image['tags']))

    def add_tag(self, context, image_id, tag):
        def add(image):
            if tag not in image['tags']:
                image['tags'].append(tag)
        self.update(context, image_id, add)

    def delete_tag(self, context, image_id, tag):
        def remove(image):
            if tag not in image['tags']:
                raise exception.NotFound('Tag %s not found on image %s.' % (tag, image_id))
            image['tags'].remove(tag)
        self.update(context, image_id, remove)

    def set_status(self, context, image_id, action, allowed_from, new_status):
        """Deactivate / reactivate."""
        with self.db.writer() as session:
            row = self.get_row(context, session, image_id, lock=True)
            self.authorize(context, action, to_dict(row))
            if row.status == new_status:
                return
            if row.status not in allowed_from:
                raise exception.Forbidden('Not allowed to %s an image in status %s.'
                                         % (action, row.status))
            row.status = new_status
            row.updated_at = utils.utcnow()

    def delete(self, context, image_id):
        """Delete the record, then its data (a failure to remove the data is
        logged: the image is gone for every client either way)."""
        with self.db.writer() as session:
            row = self.get_row(context, session, image_id, lock=True)
            image = to_dict(row)
            self.authorize(context, 'delete_image', image)
            if row.protected:
                raise exception.Forbidden('Image %s is protected and cannot be deleted.'
                                          % image_id)
            session.delete(row)
        self.service.data.discard(image)


def _after(columns, values):
    """Rows strictly after ``values`` in the order of ``columns`` (keyset pagination)."""
    conditions = []
    for i, (column, direction) in enumerate(columns):
        equal = [c == v for (c, _), v in zip(columns[:i], values[:i])]
        step = column > values[i] if direction == 'asc' else column < values[i]
        conditions.append(sa.and_(*equal, step))
    return sa.or_(*conditions)
