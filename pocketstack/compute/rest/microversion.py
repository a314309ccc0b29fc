"""Compute API microversions (2.1 to MAX): which one a request asked for.

Clients send ``OpenStack-API-Version: compute 2.47`` (or the older
``X-OpenStack-Nova-API-Version: 2.47``), ``latest`` for the newest; without a
header a request gets 2.1.  The answer names the version it was served at and
says it ``Vary``s on those headers.  ``/v2`` (the legacy endpoint) is served
as 2.0 and ignores the headers.  docs/compute-microversions.md lists what each
version changes here.
"""
import re

import webob.dec

from pocketstack.common import exception
from pocketstack.common import wsgi

MIN = (2, 1)
MAX = (2, 104)
LEGACY = (2, 0)
ENV_KEY = 'pocketstack.compute.api_version'
HEADER = 'OpenStack-API-Version'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
_VERSION = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


# Nova's MAX_PROXY_API_SUPPORT_VERSION: the last microversion that serves the
# network and image proxies (os-floating-ip-pools, /images…).
MAX_PROXY_VERSION = (2, 35)


def served_until(req, last):
    """The 404 Nova gives a method asked for at a microversion after ``last``,
    the one that removed it."""
    if api_version(req) > last:
        raise exception.NotFound('The resource could not be found.')


def text(version):
    return '%d.%d' % version


def api_version(req):
    """The (major, minor) a request is served at."""
    return req.environ.get(ENV_KEY, MIN)


def requested(req):
    value = None
    for part in (req.headers.get(HEADER) or '').split(','):
        service, _, version = part.strip().partition(' ')
        if service.lower() == 'compute':
            value = version.strip()
    if value is None:
        value = req.headers.get(LEGACY_HEADER)
    if value is None:
        return MIN
    if value.lower() == 'latest':
        return MAX
    match = _VERSION.match(value.strip())
    if not match:
        raise exception.BadRequest('API Version String %s is of invalid format. Must be of '
                                   'format MajorNum.MinorNum.' % value)
    version = (int(match.group(1)), int(match.group(2)))
    if not MIN <= version <= MAX:
        raise exception.NotAcceptable('Version %s is not supported by the API. Minimum is %s '
                                      'and maximum is %s.' % (value, text(MIN), text(MAX)))
    return version


class VersionedApp:
    """Wraps the API router: sets the request's version, stamps the answer."""

    def __init__(self, app, renderer, legacy=False):
        self.app = app
        self.renderer = renderer
        self.legacy = legacy

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        if self.legacy:
            req.environ[ENV_KEY] = LEGACY
            return req.get_response(self.app)
        try:
            version = requested(req)
        except exception.PocketstackError as e:
            return self.renderer(e, req)
        req.environ[ENV_KEY] = version
        resp = req.get_response(self.app)
        resp.headers[HEADER] = 'compute %s' % text(version)
        resp.headers[LEGACY_HEADER] = text(version)
        resp.headers['Vary'] = '%s, %s' % (HEADER, LEGACY_HEADER)
        return resp
