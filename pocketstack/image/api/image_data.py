"""``/v2/images/{id}/file`` (upload, download), ``/stage`` and ``/import``.

Bytes are streamed both ways, a chunk at a time: the request body is read
straight from ``wsgi.input`` (webob would buffer it) and the download is an
iterator over the store's file.
"""
import webob

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.image import store
from pocketstack.image.api import schemas

OCTET_STREAM = 'application/octet-stream'


def request_chunks(req):
    """The request body as chunks; stops at Content-Length (core/data.py
    notices a short body) or at the end of a chunked body."""
    # As Glance: image data must say it is octet-stream; a missing type is
    # refused too, so a form post or a mislabelled JSON body never becomes an image.
    if (req.content_type or '').lower() != OCTET_STREAM:
        raise exception.UnsupportedMediaType(
            'Content-Type %s is not supported for image data; send %s.'
            % (req.content_type or '(none)', OCTET_STREAM))
    stream = req.environ['wsgi.input']
    remaining = req.content_length

    def chunks():
        nonlocal remaining
        while remaining is None or remaining > 0:
            size = store.CHUNK_SIZE if remaining is None else min(store.CHUNK_SIZE, remaining)
            chunk = stream.read(size)
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
    return chunks()


def _requested_span(req, size):
    """The (start, end) of the Range header, as Glance reads it: one range
    only (400 for several), 416 when it is malformed or outside the data."""
    header = req.headers['Range']
    if ',' in header:
        raise exception.BadRequest('Requests with multiple ranges are not supported; '
                                   'make one single-range request per range.')
    try:
        parsed = req.range
    except ValueError:   # webob's parser chokes on some malformed ones (bytes=--1)
        parsed = None
    span = parsed.range_for_length(size) if parsed is not None else None
    if span is None:
        err = exception.RangeNotSatisfiable(
            'Range %s is invalid or outside the image data (%d bytes).' % (header, size))
        err.headers = {'Content-Range': 'bytes */%d' % size}
        raise err
    return span


class ImageDataController:

    def __init__(self, service):
        self.data = service.data

    def upload(self, req, image_id):
        self.data.upload(req.context, image_id, request_chunks(req), size=req.content_length)

    def stage(self, req, image_id):
        self.data.stage(req.context, image_id, request_chunks(req), size=req.content_length)

    @wsgi.status(202)
    @wsgi.validate(schemas.IMPORT)
    def import_(self, req, image_id, body):
        self.data.import_(req.context, image_id, body['method']['name'])
        return webob.Response(status=202, content_type=None)

    def download(self, req, image_id):
        image = self.data.download(req.context, image_id)
        if image is None:
            return webob.Response(status=204, content_type=None)
        size = image['size']
        resp = webob.Response(content_type=OCTET_STREAM, charset=None)
        if 'Range' in req.headers:
            start, end = _requested_span(req, size)
            resp.status = 206
            resp.content_range = (start, end, size)
            resp.app_iter = self.data.read(image, start, end - start)
            resp.content_length = end - start
        else:
            resp.app_iter = self.data.read(image)
            resp.content_length = size
            resp.headers['Content-MD5'] = image['checksum']
        return resp
