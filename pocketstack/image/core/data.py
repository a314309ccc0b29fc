"""Image data: upload, download, and the glance-direct import.

An upload moves the image ``queued → saving → active``.  The bytes stream
from the request through :class:`Digest` (md5 checksum, sha512 multihash,
size cap, the virtual size of qcow2 disks) into the store, chunk by chunk; if
anything breaks — the client disconnects, the cap is hit — the store removes
what it wrote and the image goes back to ``queued``.  Each status change is a
conditional UPDATE, so two uploads to one image cannot both proceed and an
image deleted during its upload does not come back.

glance-direct import stages the bytes first (``queued → uploading``) in the
staging directory, then ``POST /import`` moves them into the store
(``importing → active``).

Each write holds the image's upload lock (core/upload_locks.py) from before
its first status change until after its last, so that an image API
starting can tell a write a dead process left from one in progress
(:meth:`DataManager.recover`): the dead one's image goes back to where its
data is — ``queued``, or ``uploading`` when whole staged data awaits its
import — and what it wrote is removed.
"""
import contextlib
import hashlib
import logging

import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import qcow2
from pocketstack.common import utils
from pocketstack.image.core import upload_locks
from pocketstack.image.db import models
from pocketstack.image.store import filesystem

LOG = logging.getLogger(__name__)

HASH_ALGORITHM = 'sha512'


class Digest:
    """Wraps an iterator of chunks: counts, hashes and caps them as they pass."""

    def __init__(self, chunks, size_cap, expected_size=None):
        self.chunks = chunks
        self.size_cap = size_cap
        self.expected_size = expected_size
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.multihash = hashlib.new(HASH_ALGORITHM)
        self.size = 0
        self.head = b''

    def __iter__(self):
        for chunk in self.chunks:
            if not chunk:
                continue
            self.size += len(chunk)
            if self.size > self.size_cap:
                raise exception.RequestEntityTooLarge(
                    'Image exceeds the storage quota: more than %d bytes.' % self.size_cap)
            if len(self.head) < 32:
                self.head += chunk[:32 - len(self.head)]
            self.md5.update(chunk)
            self.multihash.update(chunk)
            yield chunk
        if self.expected_size is not None and self.size != self.expected_size:
            raise exception.BadRequest('Upload incomplete: %d of %d bytes received.'
                                       % (self.size, self.expected_size))

    def virtual_size(self, disk_format):
        if disk_format == 'raw':
            return self.size
        if disk_format == 'qcow2':
            return qcow2.virtual_size(self.head)
        return None


class DataManager:

    def __init__(self, service):
        self.service = service
        self.conf = service.conf
        self.db = service.db
        self.store = service.store
        self.staging = filesystem.FilesystemStore(self.conf, datadir=self.conf.staging_dir)
        self.locks = upload_locks.UploadLocks(self.conf.upload_lock_dir)

    def _transition(self, image_id, from_statuses, to_status, **values):
        """UPDATE … SET status WHERE status IN from: True when it happened."""
        with self.db.writer() as session:
            result = session.execute(
                sa.update(models.Image)
                .where(models.Image.id == image_id, models.Image.status.in_(from_statuses))
                .values(status=to_status, updated_at=utils.utcnow(), **values))
            return result.rowcount == 1

    def _writable_image(self, context, image_id, action):
        image = self.service.images.get(context, image_id)
        self.service.images.authorize(context, action, image)
        if image['status'] != 'queued':
            raise exception.Conflict('Image status transition from %s to %s is not allowed.'
                                     % (image['status'], 'saving' if action == 'upload_image'
                                        else 'uploading'))
        if not image['disk_format'] or not image['container_format']:
            raise exception.BadRequest('Properties disk_format, container_format must be '
                                       'set prior to saving data.')
        return image

    @contextlib.contextmanager
    def _writing(self, image_id):
        """The image's upload lock for a write (409 while another holds it)."""
        try:
            with self.locks.held(image_id):
                yield
        except upload_locks.Busy:
            raise exception.Conflict('Image %s is already being uploaded.' % image_id)

    def _check_declared_size(self, size):
        if size is not None and size > self.conf.image_size_cap:
            raise exception.RequestEntityTooLarge(
                'Image exceeds the storage quota: %d bytes is more than %d.'
                % (size, self.conf.image_size_cap))

    # -- upload ----------------------------------------------------------------

    def upload(self, context, image_id, chunks, size=None):
        """Store the data of a queued image; it becomes active."""
        image = self._writable_image(context, image_id, 'upload_image')
        self._check_declared_size(size)
        with self._writing(image_id):
            if not self._transition(image_id, ('queued',), 'saving'):
                raise exception.Conflict('Image %s is already being uploaded.' % image_id)
            self._store_and_activate(image, chunks, size, from_status='saving')

    def _store_and_activate(self, image, chunks, size, from_status):
        image_id = image['id']
        digest = Digest(chunks, self.conf.image_size_cap, expected_size=size)
        try:
            location = self.store.add(image_id, digest)
        except BaseException:
            if self._transition(image_id, (from_status,), 'queued'):
                LOG.info('Upload of image %s failed; it is queued again', image_id)
            raise
        activated = self._transition(
            image_id, (from_status,), 'active', location=location, size=digest.size,
            checksum=digest.md5.hexdigest(), os_hash_algo=HASH_ALGORITHM,
            os_hash_value=digest.multihash.hexdigest(),
            virtual_size=digest.virtual_size(image['disk_format']))
        if not activated:
            self.store.delete(location)
            raise exception.Gone('Image %s was deleted during the upload.' % image_id)

    # -- download --------------------------------------------------------------

    def download(self, context, image_id):
        """The image (a dict) whose data may be read by ``context``, or None
        when it has no data yet."""
        image = self.service.images.get(context, image_id)
        self.service.images.authorize(context, 'download_image', image)
        if image['status'] == 'deactivated' and not context.is_admin_role:
            raise exception.Forbidden('The requested image has been deactivated. '
                                      'Image data download is forbidden.')
        if image['status'] != 'active' and not (image['status'] == 'deactivated'
                                                and image['location']):
            return None
        return image

    def read(self, image, offset=0, length=None):
        return self.store.get(image['location'], offset, length)

    # -- glance-direct import --------------------------------------------------

    def stage(self, context, image_id, chunks, size=None):
        image = self._writable_image(context, image_id, 'modify_image')   # as Glance
        self._check_declared_size(size)
        with self._writing(image_id):
            if not self._transition(image_id, ('queued',), 'uploading'):
                raise exception.Conflict('Image %s is already being uploaded.' % image_id)
            digest = Digest(chunks, self.conf.image_size_cap, expected_size=size)
            try:
                self.staging.add(image_id, digest)
            except BaseException:
                self._transition(image_id, ('uploading',), 'queued')
                raise
        LOG.info('Staged %d bytes for image %s', digest.size, image['id'])

    def import_(self, context, image_id, method):
        if method not in self.conf.enabled_import_methods:
            raise exception.BadRequest('Import method %s is not supported; this cloud offers %s.'
                                       % (method, ', '.join(self.conf.enabled_import_methods)))
        image = self.service.images.get(context, image_id)
        self.service.images.authorize(context, 'modify_image', image)    # as Glance
        if image['status'] != 'uploading':
            raise exception.Conflict('Image %s is %s; glance-direct imports staged data '
                                     '(PUT /v2/images/%s/stage first).'
                                     % (image_id, image['status'], image_id))
        with self._writing(image_id):
            if not self._transition(image_id, ('uploading',), 'importing'):
                raise exception.Conflict('Image %s is already being imported.' % image_id)
            staged = self.staging.location_of(image_id)
            try:
                self._store_and_activate(image, self.staging.get(staged), None,
                                         from_status='importing')
            finally:
                self.staging.delete(staged)

    # -- after a crash ---------------------------------------------------------

    def recover(self):
        """At start: each image a dead process left mid-write goes back to
        where its data is, and what that write left is removed.  An image
        whose lock a live process holds is being written: it is left alone."""
        with self.db.reader() as session:
            stuck = session.execute(sa.select(models.Image.id, models.Image.status).where(
                models.Image.status.in_(('saving', 'uploading', 'importing')))).all()
        for image_id, status in stuck:
            try:
                with self.locks.held(image_id):
                    self._recover(image_id, status)
            except upload_locks.Busy:
                LOG.debug('Image %s is %s in a live process', image_id, status)

    def _recover(self, image_id, status):
        staged = self.staging.holds(image_id)
        if status == 'uploading':
            if staged:
                return   # staged whole: it awaits its import
            self.staging.discard_partial(image_id)
            back_to = 'queued'
        else:   # saving, or importing (whose staged data, if still there, can be imported)
            self.store.discard_partial(image_id)
            back_to = 'uploading' if status == 'importing' and staged else 'queued'
        if self._transition(image_id, (status,), back_to):
            LOG.warning('Image %s was left %s by a process that stopped; it is %s again',
                        image_id, status, back_to)

    # -- cleanup ---------------------------------------------------------------

    def discard(self, image):
        """Remove the data of a deleted image (stored and staged)."""
        for store, location in ((self.store, image['location']),
                                (self.staging, self.staging.location_of(image['id']))):
            if not location:
                continue
            try:
                store.delete(location)
            except Exception:  # noqa: BLE001 - the record is gone; data is orphaned
                LOG.exception('Could not remove the data of deleted image %s', image['id'])
