"""The filesystem store: one file per image under ``filesystem_store_datadir``.

Uploads are written to a hidden temporary file in the same directory and
renamed into place when complete, so a reader never sees half an image and
a broken upload leaves nothing (the temporary file is removed on any error;
a crash can leave a ``.tmp-*`` file, swept when the store starts).

Several processes share the directory (prefork workers, gunicorn, a second
API host on shared storage), so a store starting must not sweep another
process's upload in progress: the writer holds an exclusive ``flock`` on its
temporary file, and only unlocked ones are swept (the kernel drops the lock
of a process that died).
"""
import fcntl
import glob
import logging
import os
import urllib.parse
import uuid

from pocketstack.common import exception
from pocketstack.image import store

LOG = logging.getLogger(__name__)


class FilesystemStore(store.Store):
    """Files in a local directory."""

    name = 'file'

    def __init__(self, conf, datadir=None):
        self.datadir = os.path.abspath(datadir or conf.glance_store.filesystem_store_datadir)
        os.makedirs(self.datadir, exist_ok=True)
        for leftover in glob.glob(os.path.join(self.datadir, '.tmp-*')):
            _sweep(leftover)

    def _path(self, image_id):
        return os.path.join(self.datadir, image_id)

    def location_of(self, image_id):
        return 'file://' + urllib.parse.quote(self._path(image_id))

    def holds(self, image_id):
        """Whether the whole data of ``image_id`` is here."""
        return os.path.exists(self._path(image_id))

    def discard_partial(self, image_id):
        """The temporary files of a dead upload of ``image_id`` (a live one's
        are locked), and the file a crash left between the rename and the
        image becoming active."""
        for leftover in glob.glob(os.path.join(self.datadir, '.tmp-%s-*' % image_id)):
            _sweep(leftover)
        _remove(self._path(image_id))

    def add(self, image_id, chunks):
        final = self._path(image_id)
        partial, f = self._locked_temporary(image_id)
        try:
            with f:
                for chunk in chunks:
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, final)
        except BaseException:
            _remove(partial)
            raise
        return self.location_of(image_id)

    def _locked_temporary(self, image_id):
        """A new temporary file, opened and locked.  A sweeper may take one
        between its creation and our lock: then it is unlinked, so try anew."""
        while True:
            partial = os.path.join(self.datadir, '.tmp-%s-%s' % (image_id, uuid.uuid4().hex))
            f = open(partial, 'xb')
            fcntl.flock(f, fcntl.LOCK_EX)
            if os.fstat(f.fileno()).st_nlink:
                return partial, f
            f.close()

    def _location_path(self, location):
        path = urllib.parse.unquote(urllib.parse.urlparse(location).path)
        if os.path.dirname(os.path.abspath(path)) != self.datadir:
            raise exception.NotFound('Image data is not in this store.')
        return path

    def get(self, location, offset=0, length=None):
        path = self._location_path(location)
        try:
            f = open(path, 'rb')
        except FileNotFoundError:
            raise exception.NotFound('Image data not found in the store.')
        return _read_file(f, offset, length)

    def size(self, location):
        return os.path.getsize(self._location_path(location))

    def delete(self, location):
        _remove(self._location_path(location))


def _read_file(f, offset, length):
    with f:
        f.seek(offset)
        remaining = length
        while remaining is None or remaining > 0:
            chunk = f.read(store.CHUNK_SIZE if remaining is None
                           else min(store.CHUNK_SIZE, remaining))
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


def _sweep(path):
    """Remove a temporary file no live upload holds."""
    try:
        f = open(path, 'rb')
    except FileNotFoundError:
        return
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another process is writing it
        LOG.info('Removing %s left by an interrupted upload', path)
        _remove(path)


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
