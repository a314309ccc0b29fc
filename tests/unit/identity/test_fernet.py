"""The Fernet key repository: setup, rotation, and tokens surviving rotation."""
import os

import pytest
from cryptography import fernet

from pocketstack.identity.core.fernet import KeyRepository


def test_setup_creates_staged_and_primary(tmp_path):
    repo = KeyRepository(str(tmp_path / 'keys'))
    repo.setup()
    assert sorted(os.listdir(tmp_path / 'keys')) == ['0', '1']
    repo.setup()  # idempotent: keys are never replaced
    assert sorted(os.listdir(tmp_path / 'keys')) == ['0', '1']


def test_token_from_before_rotation_still_decrypts(tmp_path):
    repo = KeyRepository(str(tmp_path / 'keys'), max_active_keys=3)
    repo.setup()
    old = repo.encrypt(b'payload')
    assert repo.rotate() == 2
    assert repo.decrypt(old) == b'payload'
    new = repo.encrypt(b'other')
    assert repo.decrypt(new) == b'other'


def test_rotation_retires_oldest_keys(tmp_path):
    repo = KeyRepository(str(tmp_path / 'keys'), max_active_keys=3)
    repo.setup()
    first = repo.encrypt(b'first')
    repo.rotate()
    repo.rotate()
    assert sorted(int(n) for n in os.listdir(tmp_path / 'keys')) == [0, 2, 3]
    with pytest.raises(fernet.InvalidToken):
        repo.decrypt(first)


def test_rotation_seen_by_another_process_view(tmp_path):
    # Two repositories on one directory stand for two API workers.
    a = KeyRepository(str(tmp_path / 'keys'))
    b = KeyRepository(str(tmp_path / 'keys'))
    a.setup()
    b.decrypt(a.encrypt(b'x'))
    a.rotate()
    assert b.decrypt(a.encrypt(b'y')) == b'y'


def test_staged_key_already_decrypts(tmp_path):
    """A node that rotated first issues tokens with the old staged key;
    nodes that have not rotated yet must accept them."""
    path = tmp_path / 'keys'
    repo = KeyRepository(str(path))
    repo.setup()
    staged = fernet.Fernet((path / '0').read_bytes())
    token = staged.encrypt(b'z').decode().rstrip('=')
    assert repo.decrypt(token) == b'z'


def test_garbage_is_invalid(tmp_path):
    repo = KeyRepository(str(tmp_path / 'keys'))
    repo.setup()
    with pytest.raises(fernet.InvalidToken):
        repo.decrypt('not-a-token')
