"""Version discovery and negotiation (glance-api's ``versionnegotiation``).

The version document lists the 2.x minor versions this service implements:
2.0–2.7 (images, data, members, tags, deactivation (2.3), interoperable
import discovery and glance-direct import (2.5/2.6), hidden images and
multihash (2.7)).  Later minors add cache management, multi-store copy,
quotas usage and the location API, which are not built.

Paths ``/v2.N/…`` for a supported N are served by the v2 app; ``/`` and
``/versions`` — and a request for any version not served — get the document.
"""
import re

import webob
import webob.dec

from pocketstack.common import wsgi

MINORS = range(7, -1, -1)
_VERSIONED = re.compile(r'^/v(\d+)(?:\.(\d+))?(/.*)?$')


def versions_body(req):
    href = req.host_url + req.script_name + '/v2/'
    return {'versions': [{'id': 'v2.%d' % minor,
                          'status': 'CURRENT' if minor == MINORS[0] else 'SUPPORTED',
                          'links': [{'rel': 'self', 'href': href}]}
                         for minor in MINORS]}


@webob.dec.wsgify(RequestClass=wsgi.Request)
def versions_app(req):
    """``GET /``: 300 Multiple Choices; ``GET /versions``: 200."""
    status = 200 if req.path_info.rstrip('/') == '/versions' else 300
    return wsgi.json_response(versions_body(req), status=status)


class VersionNegotiation:
    """Maps ``/v2.N/…`` onto the v2 app; anything else unversioned or unknown
    gets the version document."""

    def __init__(self, app):
        self.app = app

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        match = _VERSIONED.match(req.path_info)
        if match is None:
            return versions_app
        major, minor, rest = match.groups()
        if major != '2' or (minor is not None and int(minor) not in MINORS):
            return versions_app
        req.path_info = '/v2' + (rest or '')
        return self.app
