"""Nova's fault body: ``{"itemNotFound": {"code": 404, "message": "…"}}``,
the key naming the kind of fault."""
from pocketstack.common import wsgi

FAULT_NAMES = {400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound',
               405: 'badMethod', 409: 'conflictingRequest', 413: 'overLimit',
               415: 'badMediaType', 429: 'overLimit', 501: 'notImplemented',
               503: 'serviceUnavailable'}


class ComputeFaultRenderer(wsgi.FaultRenderer):

    def body(self, error):
        return {FAULT_NAMES.get(error.code, 'computeFault'): {'code': error.code,
                                                                'message': error.message}}


RENDERER = ComputeFaultRenderer()
