"""Key pairs: public keys a user imports (or, before 2.92, has generated)
and servers boot with.  Key pairs belong to a user, not a project; their
names are unique per user and their number is capped by ``[quota] key_pairs``."""
import base64
import binascii
import datetime
import hashlib

from cryptography import exceptions as crypto_exc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pocketstack.common import db as common_db
from pocketstack.common import exception
from pocketstack.compute.db import keypairs as db_keypairs
from pocketstack.compute.db import quotas as db_quotas

SSH, X509 = 'ssh', 'x509'


def _invalid():
    return exception.BadRequest('Keypair data is invalid: failed to generate fingerprint')


def _colons(hex_digest):
    return ':'.join(hex_digest[i:i + 2] for i in range(0, len(hex_digest), 2))


def fingerprint(public_key):
    """The MD5 fingerprint ssh-keygen -l -E md5 prints (as Nova shows it);
    400 unless ``public_key`` is an OpenSSH public key."""
    try:
        serialization.load_ssh_public_key(public_key.strip().encode())
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (ValueError, IndexError, binascii.Error, UnicodeError,
            crypto_exc.UnsupportedAlgorithm) as e:
        raise _invalid() from e
    return _colons(hashlib.md5(blob, usedforsecurity=False).hexdigest())


def x509_fingerprint(certificate):
    """SHA-1 of a PEM certificate, colon separated (Nova's x509 key pairs)."""
    try:
        cert = x509.load_pem_x509_certificate(certificate.encode())
    except (ValueError, UnicodeError, TypeError) as e:
        raise exception.BadRequest('Keypair data is invalid: failed to generate '
                                   'X509 fingerprint') from e
    return _colons(cert.fingerprint(hashes.SHA1()).hex())  # noqa: S303 - Nova's format


def generate(key_type, user_id):
    """A new key: (private key PEM, public key, fingerprint).  ssh: an RSA
    2048 key in OpenSSH form; x509: a self-signed certificate for WinRM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    if key_type == SSH:
        public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
        public += ' Generated-by-Nova'
        return private, public, fingerprint(public)
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    public = cert.public_bytes(serialization.Encoding.PEM).decode()
    return private, public, x509_fingerprint(public)


def _not_found(user_id, name):
    return exception.NotFound('Keypair %s not found for user %s' % (name, user_id))


class KeypairManager:

    def __init__(self, service):
        self.db = service.db
        self.quotas = service.quotas

    def find(self, user_id, name):
        """The user's key pair of that name, or None."""
        return db_keypairs.get(self.db, user_id, name)

    def get(self, user_id, name):
        found = self.find(user_id, name)
        if found is None:
            raise _not_found(user_id, name)
        return found

    def list(self, user_id, limit=None, marker=None):
        """A user's key pairs by name, after ``marker`` (a name; 400 if unknown)."""
        with self.db.reader():
            if marker is not None and db_keypairs.get(self.db, user_id, marker) is None:
                raise exception.BadRequest('Marker %s could not be found.' % marker)
            return db_keypairs.list_for(self.db, user_id, limit, after_name=marker)

    def create(self, user_id, name, key_type=SSH, public_key=None, project_id=None):
        """Import ``public_key``, or generate a key when it is None; the key
        pair, with ``private_key`` when generated.  ``project_id``'s
        key_pairs quota limits each of its users."""
        private_key = None
        if public_key is None:
            private_key, public_key, print_ = generate(key_type, user_id)
        else:
            print_ = fingerprint(public_key) if key_type == SSH else x509_fingerprint(public_key)
        exists = exception.Conflict("Key pair '%s' already exists." % name)
        try:
            with self.db.writer():
                if db_keypairs.get(self.db, user_id, name) is not None:
                    raise exists
                self.quotas.check_count(project_id, 'key_pairs',
                                        db_quotas.count_key_pairs(self.db, user_id) + 1,
                                        'Quota exceeded, too many key pairs.')
                created = db_keypairs.create(self.db, {
                    'name': name, 'user_id': user_id, 'fingerprint': print_,
                    'public_key': public_key, 'type': key_type})
        except common_db.DuplicateEntry:
            raise exists
        if private_key is not None:
            created['private_key'] = private_key
        return created

    def delete(self, user_id, name):
        if not db_keypairs.delete(self.db, user_id, name):
            raise _not_found(user_id, name)
