"""The filesystem store shared by several processes (prefork workers,
gunicorn): a store starting sweeps what a dead upload left, never another
process's upload in progress."""
import multiprocessing
import os

import pytest

from pocketstack.image.store import filesystem


def _store(datadir):
    return filesystem.FilesystemStore(conf=None, datadir=str(datadir))


def _start_store_in_another_process(datadir):
    process = multiprocessing.get_context('fork').Process(target=_store, args=(datadir,))
    process.start()
    process.join(30)
    assert process.exitcode == 0


def test_a_store_starting_elsewhere_does_not_sweep_an_upload_in_progress(tmp_path):
    store = _store(tmp_path)

    def chunks():
        yield b'first half '
        # Another worker starts while this upload is half written.
        _start_store_in_another_process(tmp_path)
        yield b'second half'

    location = store.add('img-1', chunks())
    assert b''.join(store.get(location)) == b'first half second half'
    assert sorted(os.listdir(tmp_path)) == ['img-1']


def test_a_dead_uploads_temporary_file_is_swept_at_start(tmp_path):
    (tmp_path / '.tmp-img-2-0123').write_bytes(b'half an image')
    (tmp_path / 'img-3').write_bytes(b'a whole image')
    _store(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ['img-3']


def test_a_failed_upload_leaves_nothing(tmp_path):
    store = _store(tmp_path)

    def broken():
        yield b'some'
        raise OSError('client went away')

    with pytest.raises(OSError):
        store.add('img-4', broken())
    assert os.listdir(tmp_path) == []
