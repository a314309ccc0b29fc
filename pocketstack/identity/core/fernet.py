"""The Fernet key repository: keys on disk, rotation, encrypt/decrypt.

Keys live in ``[fernet_tokens] key_repository`` as files named by number, as
keystone-manage lays them out: ``0`` is the *staged* key (the next primary,
already accepted so every node can decrypt with it before it is used), the
highest number is the *primary* (encrypts new tokens), the others are
secondaries kept only to decrypt tokens issued before the last rotation.
"""
import os
import tempfile
import threading

from cryptography import fernet

STAGED = 0


def token_keys(conf):
    """The token key repository of an identity ConfigOpts."""
    return KeyRepository(conf.fernet_tokens.key_repository, conf.fernet_tokens.max_active_keys)


def credential_keys(conf):
    """The credential key repository (``[credential] key_repository``)."""
    return KeyRepository(conf.credential.key_repository)


class KeyRepository:

    def __init__(self, path, max_active_keys=3):
        self.path = path
        self.max_active_keys = max(max_active_keys, 2)
        self._lock = threading.Lock()
        self._loaded_mtime = None
        self._multi = None

    # -- on disk --------------------------------------------------------------

    def _key_files(self):
        try:
            names = os.listdir(self.path)
        except FileNotFoundError:
            return {}
        return {int(n): os.path.join(self.path, n) for n in names if n.isdigit()}

    def _write_key(self, number, key):
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix='.tmp-')
        with os.fdopen(fd, 'wb') as f:
            f.write(key)
        os.chmod(tmp, 0o600)
        os.replace(tmp, os.path.join(self.path, str(number)))

    def setup(self):
        """Create the repository with a staged and a primary key if it is empty
        (``keystone-manage fernet_setup``)."""
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        with self._lock:
            if not self._key_files():
                self._write_key(STAGED, fernet.Fernet.generate_key())
                self._write_key(1, fernet.Fernet.generate_key())

    def rotate(self):
        """Staged becomes primary, a new staged key is made, the oldest
        secondaries beyond ``max_active_keys`` are removed."""
        self.setup()
        with self._lock:
            files = self._key_files()
            new_primary = max(files) + 1
            os.replace(files[STAGED], os.path.join(self.path, str(new_primary)))
            self._write_key(STAGED, fernet.Fernet.generate_key())
            files = self._key_files()
            secondaries = sorted(n for n in files if n not in (STAGED, new_primary))
            excess = len(files) - self.max_active_keys
            for number in secondaries[:max(excess, 0)]:
                os.remove(files[number])
            self._loaded_mtime = None
            return new_primary

    # -- crypto ---------------------------------------------------------------

    def _fernet(self):
        mtime = os.stat(self.path).st_mtime_ns
        if self._multi is None or mtime != self._loaded_mtime:
            # Reload after a rotation (by this or another process).
            files = self._key_files()
            if not files:
                raise RuntimeError('Fernet key repository %s is empty' % self.path)
            keys = []
            # Highest number first: the primary encrypts; the secondaries and
            # the staged key (0, so last) only decrypt.
            for number in sorted(files, reverse=True):
                with open(files[number], 'rb') as f:
                    keys.append(fernet.Fernet(f.read().strip()))
            self._multi = fernet.MultiFernet(keys)
            self._loaded_mtime = mtime
        return self._multi

    def encrypt(self, payload):
        token = self._fernet().encrypt(payload).decode('ascii')
        return token.rstrip('=')  # as Keystone: padding is restored on decrypt

    def decrypt(self, token):
        """Raise cryptography.fernet.InvalidToken when no key opens it."""
        token = token.strip()
        token += '=' * (-len(token) % 4)
        return self._fernet().decrypt(token.encode('ascii'))
