"""Uploads a crash cut short (issue 12, "nothing stuck after a crash"): an
Image API starting returns the images a dead process left ``saving`` (or
``uploading``/``importing``) to where their data is, removing what it wrote,
so the client can upload again — and never touches an upload a live process
is still writing (core/upload_locks.py).  Each "other process" here is a
real one, forked; tests/functional/test_crash.py kills ``pocketstack up``."""
import hashlib
import multiprocessing
import os
import signal

import sqlalchemy as sa

from pocketstack.common import wsgi
from pocketstack.image import service as service_mod
from pocketstack.image.db import models
from tests.conftest import make_image_conf
from tests.functional.image.helpers import OCTET_STREAM, RAW_BARE, create, files_in, upload
from tests.functional.image.test_image_data import (
    StreamWithSideEffect, file_path, put_stream, show)

FORK = multiprocessing.get_context('fork')


def start_image_service(tmp_path):
    """An Image API starting on the same state directory, in this process."""
    service = service_mod.ImageService.for_conf(make_image_conf(tmp_path))
    service.db.dispose()


def start_image_service_elsewhere(tmp_path):
    process = FORK.Process(target=start_image_service, args=(tmp_path,))
    process.start()
    process.join(30)
    assert process.exitcode == 0


class HangingClient:
    """A client that sends one chunk, then hangs (until its API is killed)."""

    def __init__(self, sent):
        self.sent = sent
        self.first = True

    def read(self, size=-1):
        if self.first:
            self.first = False
            return b'x' * 65536
        self.sent.set()
        signal.pause()


def _upload_until_killed(tmp_path, image_id, sent):
    """In a child: another Image API process, uploading to ``image_id``."""
    app = wsgi.load_app(make_image_conf(tmp_path), 'image')
    put_stream(app, file_path(image_id), HangingClient(sent), content_length=10 ** 9)


def set_status(fixture, image_id, status):
    with fixture.service.db.writer() as session:
        session.execute(sa.update(models.Image).where(models.Image.id == image_id)
                        .values(status=status))


def test_an_upload_killed_midway_is_queued_again_at_start_and_can_be_redone(image, tmp_path):
    alice = image.client('alice', 'p1')
    img = create(alice, name='big', **RAW_BARE)
    sent = FORK.Event()
    child = FORK.Process(target=_upload_until_killed, args=(tmp_path, img['id'], sent))
    child.start()
    assert sent.wait(30)
    assert show(alice, img['id'])['status'] == 'saving'
    os.kill(child.pid, signal.SIGKILL)
    child.join(30)
    # Until an Image API starts, nothing has changed: a retry is refused.
    assert alice.put(file_path(img['id']), raw=b'again',
                     headers=OCTET_STREAM).status_int == 409
    store = image.conf.glance_store.filesystem_store_datadir
    assert [f for f in files_in(store) if f.startswith('.tmp-')]

    start_image_service(tmp_path)

    assert show(alice, img['id'])['status'] == 'queued'
    assert files_in(store) == []
    assert files_in(image.conf.upload_lock_dir) == []
    data = b'a whole image'
    upload(alice, img['id'], data)
    shown = show(alice, img['id'])
    assert (shown['status'], shown['size'], shown['checksum']) == (
        'active', len(data), hashlib.md5(data).hexdigest())


def test_an_image_api_starting_elsewhere_leaves_an_upload_in_progress_alone(image, tmp_path):
    alice = image.client('alice', 'p1')
    img = create(alice, name='busy', **RAW_BARE)
    during = []

    def another_api_starts():
        start_image_service_elsewhere(tmp_path)
        during.append(show(alice, img['id'])['status'])
    resp = put_stream(image.app, file_path(img['id']),
                      StreamWithSideEffect(b'0123456789', another_api_starts), content_length=10)
    assert resp.status_int == 204, resp.text
    assert during == ['saving']
    assert show(alice, img['id'])['status'] == 'active'
    assert alice.get(file_path(img['id'])).body == b'0123456789'


def test_an_import_cut_short_can_be_imported_again(image, tmp_path):
    alice = image.client('alice', 'p1')
    img = create(alice, name='staged', **RAW_BARE)
    resp = alice.put('/v2/images/%s/stage' % img['id'], raw=b'staged bytes',
                     headers=OCTET_STREAM)
    assert resp.status_int == 204, resp.text
    set_status(image, img['id'], 'importing')   # as an import killed midway leaves it

    start_image_service(tmp_path)

    assert show(alice, img['id'])['status'] == 'uploading'
    resp = alice.post('/v2/images/%s/import' % img['id'],
                      {'method': {'name': 'glance-direct'}})
    assert resp.status_int == 202, resp.text
    assert show(alice, img['id'])['status'] == 'active'
    assert alice.get(file_path(img['id'])).body == b'staged bytes'


def test_a_stage_cut_short_is_queued_again_and_a_whole_stage_is_kept(image, tmp_path):
    alice = image.client('alice', 'p1')
    cut = create(alice, name='cut', **RAW_BARE)
    set_status(image, cut['id'], 'uploading')   # killed before its data was whole
    whole = create(alice, name='whole', **RAW_BARE)
    assert alice.put('/v2/images/%s/stage' % whole['id'], raw=b'all of it',
                     headers=OCTET_STREAM).status_int == 204

    start_image_service(tmp_path)

    assert show(alice, cut['id'])['status'] == 'queued'
    assert show(alice, whole['id'])['status'] == 'uploading'
    assert files_in(image.conf.staging_dir) == [whole['id']]
