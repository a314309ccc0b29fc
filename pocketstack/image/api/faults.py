"""Glance's fault format: webob's error page for the media type the client
accepts — ``{"message": …, "code": "404 Not Found", "title": "Not Found"}``
for JSON clients (openstacksdk), HTML for the others (glanceclient)."""
import webob.exc

from pocketstack.common import wsgi


class ImageFaultRenderer(wsgi.FaultRenderer):

    def __call__(self, error, req=None):
        if req is not None:
            req.environ[wsgi.FAULT_RENDERED] = True
        cls = webob.exc.status_map.get(error.code, webob.exc.HTTPInternalServerError)
        fault = cls(detail=error.message, headers=error.headers or None)
        if req is None:
            return fault
        # webob picks the body format from the request's Accept header.
        return req.get_response(fault)


RENDERER = ImageFaultRenderer()
