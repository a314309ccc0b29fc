"""Which images a live process is writing: one lock file per image.

An image is ``saving`` (an upload), ``uploading`` (glance-direct staging)
or ``importing`` while a request in some image API process writes its
data.  If that process dies — ``kill -9``, a crash, a lost machine — the
status stays behind and the image refuses every new upload.  So each write
holds an exclusive ``flock`` on ``<upload_lock_dir>/<image id>.lock`` from
before the status leaves ``queued`` until after its last change, and the
kernel drops the lock of a process that dies.  An image API starting
(core/data.py: ``DataManager.recover``) takes the lock of each image left
in one of those statuses: when it gets it, no live process is writing that
image — prefork workers, a gunicorn, another API host sharing the directory
included.

The holder unlinks its file before letting go, so the directory holds files
only for writes in progress (or left by dead processes); whoever opened the
file before it was unlinked finds, once locked, that it is no longer the
file of that name, and tries anew.
"""
import contextlib
import fcntl
import os


class Busy(Exception):
    """Another live process holds the image's lock."""


class UploadLocks:

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, exist_ok=True)

    def _path(self, image_id):
        return os.path.join(self.directory, '%s.lock' % image_id)

    @contextlib.contextmanager
    def held(self, image_id):
        """The image's lock for the block; :class:`Busy` at once when a live
        process holds it."""
        path = self._path(image_id)
        while True:
            f = open(path, 'ab')
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.close()
                raise Busy(image_id) from None
            if _is_file_at(f, path):
                break
            f.close()   # its holder unlinked it meanwhile
        try:
            yield
        finally:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
            f.close()


def _is_file_at(f, path):
    try:
        return os.fstat(f.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False
