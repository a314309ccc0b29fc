"""Image members: the projects a ``shared`` image is offered to.

The owner adds and removes members; each member answers for itself
(``pending`` → ``accepted`` or ``rejected``, and back).  A member sees the
image whatever its answer; lists show it once accepted.  The owner sees every
member, a member only itself.
"""
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.image.core import images as images_mod
from pocketstack.image.db import models


def to_dict(row):
    return {'image_id': row.image_id, 'member_id': row.member, 'status': row.status,
            'created_at': row.created_at, 'updated_at': row.updated_at}


class MemberManager:

    def __init__(self, service):
        self.service = service
        self.db = service.db
        self.images = service.images

    def _image(self, context, session, image_id, lock=False):
        row = self.images.get_row(context, session, image_id, lock=lock)
        return row, images_mod.to_dict(row)

    @staticmethod
    def _sees_all_members(context, image):
        return context.is_admin_role or image['owner'] == context.project_id

    @staticmethod
    def _check_shared(image):
        """Members exist only for shared images: 403 for the others, as
        Glance answers (members of an image made private again are kept, but
        cannot be seen or changed until it is shared again)."""
        if image['visibility'] != 'shared':
            raise exception.Forbidden('Only shared images have members. Image %s is %s.'
                                      % (image['id'], image['visibility']))

    def _member_row(self, session, image_id, member_id):
        return session.scalar(sa.select(models.ImageMember).where(
            models.ImageMember.image_id == image_id, models.ImageMember.member == member_id))

    def list(self, context, image_id):
        with self.db.reader() as session:
            _, image = self._image(context, session, image_id)
            self.images.authorize(context, 'get_members', image,
                                  member_id=context.project_id)
            self._check_shared(image)
            query = sa.select(models.ImageMember).where(models.ImageMember.image_id == image_id)
            if not self._sees_all_members(context, image):
                query = query.where(models.ImageMember.member == context.project_id)
            return [to_dict(r) for r in session.scalars(query.order_by(models.ImageMember.id))]

    def get(self, context, image_id, member_id):
        with self.db.reader() as session:
            _, image = self._image(context, session, image_id)
            # As Glance's: the target's member is the caller (when the image
            # is shared with it); which members it may see is decided below.
            self.images.authorize(context, 'get_member', image, member_id=context.project_id)
            self._check_shared(image)
            row = self._member_row(session, image_id, member_id)
            if row is None or not (self._sees_all_members(context, image)
                                   or member_id == context.project_id):
                raise exception.NotFound('Member %s not found for image %s.'
                                         % (member_id, image_id))
            return to_dict(row)

    def create(self, context, image_id, member_id):
        with self.db.writer() as session:
            _, image = self._image(context, session, image_id, lock=True)
            self.images.authorize(context, 'add_member', image, member_id=member_id)
            if image['owner'] != context.project_id and not context.is_admin_role:
                raise exception.Forbidden('Only the owner of image %s may add members.'
                                          % image_id)
            self._check_shared(image)
            if self._member_row(session, image_id, member_id) is not None:
                raise exception.Conflict('The member %s is already associated with image %s.'
                                         % (member_id, image_id))
            quota = self.service.conf.image_member_quota
            count = session.scalar(sa.select(sa.func.count()).select_from(models.ImageMember)
                                   .where(models.ImageMember.image_id == image_id))
            if 0 <= quota <= count:
                raise exception.RequestEntityTooLarge(
                    'Image %s already has %d members, the most allowed.' % (image_id, quota))
            now = utils.utcnow()
            row = models.ImageMember(image_id=image_id, member=member_id, status='pending',
                                     created_at=now, updated_at=now)
            session.add(row)
            session.flush()
            return to_dict(row)

    def update(self, context, image_id, member_id, status):
        with self.db.writer() as session:
            _, image = self._image(context, session, image_id)
            self._check_shared(image)
            row = self._member_row(session, image_id, member_id)
            if row is None:
                raise exception.NotFound('Member %s not found for image %s.'
                                         % (member_id, image_id))
            self.images.authorize(context, 'modify_member', image, member_id=member_id)
            if member_id != context.project_id and not context.is_admin_role:
                raise exception.Forbidden('Only the member itself may change its status.')
            row.status = status
            row.updated_at = utils.utcnow()
            session.flush()
            return to_dict(row)

    def delete(self, context, image_id, member_id):
        with self.db.writer() as session:
            _, image = self._image(context, session, image_id)
            self._check_shared(image)
            row = self._member_row(session, image_id, member_id)
            if row is None or not (self._sees_all_members(context, image)
                                   or member_id == context.project_id):
                raise exception.NotFound('Member %s not found for image %s.'
                                         % (member_id, image_id))
            self.images.authorize(context, 'delete_member', image, member_id=member_id)
            if not self._sees_all_members(context, image):
                raise exception.Forbidden('Only the owner of image %s may remove members.'
                                          % image_id)
            session.delete(row)
