"""The HTTP seam every service shares: paste loading, routing and dispatch.

The path of a request, as the seeds trace it for nova-api:

    server ─▶ paste composite (urlmap) ─▶ pipeline of filters ─▶ Router
           ─▶ Routes mapper match ─▶ Resource (controller + action)
           ─▶ controller method ─▶ service API ─▶ db

* :func:`load_app` loads a named app from a service's paste file.
* :class:`Router` is built from a declarative route table, placement-style:
  ``Route('/v3/users/{user_id}', GET=(ctl, 'show'), PATCH=(ctl, 'update'))``;
  a known path with an unknown method gives 405 with ``Allow``.
* :class:`Resource` turns one controller action into a WSGI app: it parses
  the JSON body, validates it (:func:`validate`), calls the action and renders
  what it returns as JSON — or renders the error it raised in the service's
  own fault format (:class:`FaultRenderer`).
"""
import datetime
import functools
import json
import logging
import re
import urllib.parse

import jsonschema
import routes
import routes.middleware
import webob
import webob.dec
import webob.exc

from pocketstack.common import exception
from pocketstack.common import utils

LOG = logging.getLogger(__name__)

JSON = 'application/json'
FAULT_RENDERED = 'pocketstack.fault_rendered'


# -- requests and responses --------------------------------------------------

# What a JSON body may hold.  Bounds far beyond any OpenStack request, so that
# no request reaches Python's recursion limit, a 64-bit column or a driver
# that cannot store the text.
# Compute and Identity also run oslo.middleware's sizelimit (114688 bytes, as
# Nova and Keystone do); Glance and Neutron have none, and a Glance property
# of 65535 bytes sent as \u escapes alone is ~200 KB: 1 MiB bounds the read.
MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64


class Request(webob.Request):
    """A webob Request that knows its context and decodes JSON bodies once."""

    _NO_BODY = object()

    @property
    def context(self):
        return self.environ.get('pocketstack.context')

    def json_body(self):
        """The decoded JSON body, or None when the request has none.

        A client's mistake is a 4xx: malformed JSON or text no database can
        store (lone surrogates, NUL), nesting beyond MAX_JSON_DEPTH or
        integers beyond 64 bits 400, a non-JSON content type 415, a body
        larger than MAX_JSON_BODY_BYTES 413, one that cannot be read 400.
        """
        cached = self.environ.get('pocketstack.json_body', self._NO_BODY)
        if cached is not self._NO_BODY:
            return cached
        raw = read_body(self, MAX_JSON_BODY_BYTES)
        if not raw:
            body = None
        else:
            ctype = (self.content_type or '').lower()
            if ctype and ctype != JSON and not ctype.endswith('+json') \
                    and 'json' not in ctype:
                raise exception.UnsupportedMediaType(
                    'Content type %s is not supported; send application/json.' % ctype)
            body = parse_json(raw)
        self.environ['pocketstack.json_body'] = body
        return body


def read_body(req, limit):
    """The request body, at most ``limit`` bytes (413 beyond); a body that
    ends before its Content-Length or a broken chunked encoding is 400."""
    if req.content_length is not None and req.content_length > limit:
        raise exception.RequestEntityTooLarge(
            'Request is too large: %d bytes, at most %d are accepted.'
            % (req.content_length, limit))
    try:
        if req.content_length is None:   # chunked, or no body
            raw = req.body_file_raw.read(limit + 1) if req.is_body_readable else b''
        else:
            raw = req.body
    except Exception as e:  # noqa: BLE001 - whatever the server's reader raises
        raise exception.BadRequest('The request body could not be read: %s' % (e or
                                   type(e).__name__))
    if len(raw) > limit:
        raise exception.RequestEntityTooLarge(
            'Request is too large: more than the %d bytes accepted.' % limit)
    if req.content_length is not None and len(raw) < req.content_length:
        raise exception.BadRequest('The request body ended after %d of its %d bytes.'
                                   % (len(raw), req.content_length))
    return raw


def _refuse_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def parse_json(raw):
    """Decode a JSON request body; BadRequest for anything a client sent
    wrong (see Request.json_body)."""
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise exception.BadRequest('Malformed request body: nested deeper than %d levels.'
                                   % MAX_JSON_DEPTH)
    except (ValueError, UnicodeDecodeError) as e:
        raise exception.BadRequest('Malformed request body: %s' % e)
    problem = _unstorable(body)
    if problem:
        raise exception.BadRequest('Malformed request body: %s' % problem)
    return body


def _unstorable(body):
    """Why no service could store ``body`` (None when it could); iterative,
    so depth is checked before anything else recurses into the body."""
    pending = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return 'nested deeper than %d levels.' % MAX_JSON_DEPTH
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    pending.append((key, depth))
                pending.append((item, depth + 1))
        elif isinstance(value, str):
            problem = bad_text(value)
            if problem:
                return problem
        elif isinstance(value, int) and not isinstance(value, bool) and \
                not utils.INT64[0] <= value <= utils.INT64[1]:
            return 'the integer %s is out of range (64 bits at most).' % value
    return None


def bad_text(value):
    """Why ``value`` cannot be stored as text (None when it can): a lone
    UTF-16 surrogate is no Unicode character, NUL no database's text."""
    if '\x00' in value:
        return 'NUL characters are not allowed.'
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        return 'the text %s is not valid Unicode (a lone surrogate).' % ascii(value)[:60]
    return None


def json_default(value):
    if isinstance(value, datetime.datetime):
        return isoformat(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError('%r is not JSON serializable' % (value,))


def isoformat(value, microseconds=False):
    """ISO 8601 UTC as the api-refs print it: 2026-11-22T20:23:21Z."""
    if value is None:
        return None
    if microseconds:
        return value.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def json_response(body, status=200, headers=None):
    resp = webob.Response(status=status, content_type=JSON, charset=None)
    if body is not None:
        resp.body = json.dumps(body, default=json_default).encode('utf-8')
    else:
        resp.content_type = None
        resp.content_length = 0
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


# -- faults ------------------------------------------------------------------

class FaultRenderer:
    """Renders errors as one API's fault body.  Subclass per service."""

    def body(self, error):
        return {'error': {'code': error.code, 'title': error.title,
                          'message': error.message}}

    def __call__(self, error, req=None):
        if req is not None:
            # Tells FaultWrapper this error is already in the API's format.
            req.environ[FAULT_RENDERED] = True
        return json_response(self.body(error), status=error.code, headers=error.headers)


def as_pocketstack_error(exc):
    """Map anything an app raised to a PocketstackError (500 when unexpected)."""
    if isinstance(exc, exception.PocketstackError):
        return exc
    if isinstance(exc, webob.exc.HTTPException):
        err = exception.PocketstackError(exc.detail or exc.explanation or exc.title)
        err.code = exc.code
        err.title = exc.title
        return err
    LOG.exception('Unexpected error')
    return exception.PocketstackError()


class FaultWrapper:
    """Paste filter: any error escaping the inner apps becomes the API's fault
    body, never a stack trace (seed 000's ``faultwrap``)."""

    def __init__(self, app, renderer):
        self.app = app
        self.renderer = renderer

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        problem = undecodable_url(req.environ)
        if problem:
            return self.renderer(exception.BadRequest(problem), req)
        try:
            resp = req.get_response(self.app)
        except Exception as exc:  # noqa: BLE001 - the point of this filter
            return self.renderer(as_pocketstack_error(exc), req)
        if resp.status_int >= 400 and not req.environ.get(FAULT_RENDERED):
            # Errors rendered by webob or third-party filters (sizelimit's 413…)
            # get the API's own fault body.
            err = exception.PocketstackError(_plain_text(resp))
            err.code = resp.status_int
            err.title = resp.status.split(' ', 1)[-1]
            fault = self.renderer(err, req)
            for name in ('Allow', 'WWW-Authenticate', 'Retry-After'):
                if name in resp.headers:
                    fault.headers[name] = resp.headers[name]
            return fault
        return resp


def undecodable_url(environ):
    """Why the path or query string is not UTF-8 (None when it is): every
    OpenStack API takes UTF-8 URLs; anything else is the client's mistake,
    answered before any code decodes it."""
    path = environ.get('PATH_INFO', '')
    try:
        path.encode('latin-1').decode('utf-8')   # WSGI hands the bytes over as latin-1
    except UnicodeError:
        return 'The request path is not valid UTF-8.'
    query = environ.get('QUERY_STRING', '')
    try:
        query.encode('latin-1')
        urllib.parse.unquote_to_bytes(query.replace('+', ' ')).decode('utf-8')
    except UnicodeError:
        return 'The query string is not valid UTF-8.'
    return None


def faultwrap_factory_for(renderer):
    """The paste ``filter_factory`` of a FaultWrapper rendering with ``renderer``."""
    def factory(global_conf, **local_conf):
        def filter_(app):
            return FaultWrapper(app, renderer)
        return filter_
    return factory


def _plain_text(resp):
    text = resp.text if resp.body else ''
    if 'json' in (resp.content_type or ''):
        try:
            text = str(json.loads(text).get('message') or resp.status)
        except (ValueError, AttributeError):
            pass
    if '<' in text:  # webob's HTML error page: keep its explanation only
        text = re.sub(r'<[^>]+>', ' ', text)
    return ' '.join(text.split())[:500] or resp.status


# -- validation --------------------------------------------------------------

def _format_schema_error(err):
    path = '/'.join(str(p) for p in err.absolute_path)
    if err.validator in ('required', 'additionalProperties'):
        return 'Invalid input for field/attribute %s: %s' % (path or 'body', err.message)
    if not path and err.validator == 'type' and err.schema.get('required'):
        return 'Invalid input for field/attribute body: expected an object with %s.' % (
            ', '.join(err.schema['required']))
    return "Invalid input for field/attribute %s. Value: %s. %s" % (
        path or 'body', json.dumps(err.instance, default=str)[:200], err.message)


_validators = {}


def check_schema(schema, body):
    """Validate ``body`` against a JSON schema; ValidationError names the field."""
    # Keyed by id(), so the entry keeps the schema alive and is reused only
    # for that very object (an id can be reused once its object is freed).
    cached = _validators.get(id(schema))
    if cached is not None and cached[0] is schema:
        validator = cached[1]
    else:
        cls = jsonschema.validators.validator_for(schema)
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        _validators[id(schema)] = (schema, validator)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise exception.ValidationError(_format_schema_error(best))


def validate(schema):
    """Decorator: the action receives the validated JSON body as ``body``."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, req, **kwargs):
            body = req.json_body()
            if body is None:
                raise exception.ValidationError('Request body is required.')
            check_schema(schema, body)
            return func(self, req, body=body, **kwargs)
        wrapper.validates = schema
        return wrapper
    return decorator


def status(code):
    """Decorator: the success status of an action (default 200, 204 when it
    returns None)."""
    def decorator(func):
        func.status_code = code
        return func
    return decorator


# -- routing -----------------------------------------------------------------

class Route:
    """One path and the handler of each of its methods.

    Handlers are ``(controller, 'action_name')`` pairs; ``conditions`` and
    ``requirements`` go to Routes as they are.
    """

    def __init__(self, path, requirements=None, **methods):
        self.path = path
        self.requirements = requirements or {}
        self.methods = methods


class Router:
    """WSGI app mapping requests to controller actions with a Routes mapper."""

    def __init__(self, route_table, fault_renderer, resource_class=None):
        self.routes = list(route_table)     # what it serves, for docs and the fuzz tests
        self.renderer = fault_renderer
        resource_class = resource_class or Resource
        self.mapper = routes.Mapper()
        self.mapper.minimization = False
        self.mapper.explicit = True
        allowed = {}
        for route in route_table:
            for method, (controller, action) in route.methods.items():
                app = resource_class(controller, action, fault_renderer)
                self.mapper.connect(route.path, app=app, requirements=route.requirements,
                                    conditions={'method': [method]})
            allowed.setdefault(route.path, []).extend(route.methods)
        # A path matched by no method-specific route: 405, listing the allowed ones.
        for path, methods in allowed.items():
            self.mapper.connect(path, app=self._not_allowed(sorted(set(methods))),
                                requirements={})
        self._router = routes.middleware.RoutesMiddleware(self._dispatch, self.mapper,
                                                          singleton=False)

    def _not_allowed(self, methods):
        renderer = self.renderer

        @webob.dec.wsgify(RequestClass=Request)
        def not_allowed(req):
            err = exception.MethodNotAllowed(
                'The method %s is not allowed for this resource.' % req.method)
            err.headers = {'Allow': ', '.join(methods)}
            return renderer(err, req)
        return not_allowed

    def __call__(self, environ, start_response):
        if not environ.get('PATH_INFO'):
            environ['PATH_INFO'] = '/'  # '/v3' reaches the v3 app as its root
        return self._router(environ, start_response)

    def _dispatch(self, environ, start_response):
        match = environ['wsgiorg.routing_args'][1]
        if not match:
            err = exception.NotFound('The resource could not be found.')
            return self.renderer(err, Request(environ))(environ, start_response)
        return match['app'](environ, start_response)


def _path_str(value):
    """A path variable as text: WSGI hands PATH_INFO over as latin-1, so a
    UTF-8 name or tag in a URL arrives garbled until re-decoded."""
    if not isinstance(value, str):
        return value
    try:
        return value.encode('latin-1').decode('utf-8')
    except UnicodeError:
        return value


class Resource:
    """One controller action as a WSGI app: JSON in, JSON out, faults rendered."""

    def __init__(self, controller, action, fault_renderer):
        self.controller = controller
        self.method = getattr(controller, action)
        self.renderer = fault_renderer

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        kwargs = dict(req.environ['wsgiorg.routing_args'][1])
        kwargs.pop('app', None)
        kwargs.pop('controller', None)
        kwargs.pop('action', None)
        kwargs = {k: _path_str(v) for k, v in kwargs.items()}
        try:
            result = self.method(req, **kwargs)
        except Exception as exc:  # noqa: BLE001 - rendered as the API's fault
            err = as_pocketstack_error(exc)
            if err.code >= 500:
                LOG.error('%s %s failed: %s', req.method, req.path, err.message)
            return self.renderer(err, req)
        return self.render(result, getattr(self.method, 'status_code', None))

    @staticmethod
    def render(result, status_code):
        if isinstance(result, webob.Response):
            return result
        if result is None:
            return webob.Response(status=status_code or 204, content_type=None)
        return json_response(result, status=status_code or 200)


# -- paste ---------------------------------------------------------------------

def load_app(conf, name):
    """Load the WSGI app ``name`` from the service's paste file (seed 003's
    ``Loader.load_app``)."""
    from paste import deploy

    from pocketstack.common import config
    path = config.paste_file(conf)
    global_conf = {'conf_key': config.remember(conf)}
    LOG.debug('Loading app %s from %s', name, path)
    return deploy.loadapp('config:%s' % path, name=name, global_conf=global_conf)


def urlmap_factory(loader, global_conf, **local_conf):
    """Paste composite: the longest matching path prefix picks the app.

    Paste's own ``egg:Paste#urlmap``, with one addition: a request for a
    version root without its trailing slash (``/v2.1``) also matches.
    """
    from paste import urlmap
    urlmap_app = urlmap.URLMap(not_found_app=_not_found)
    for path, app_name in local_conf.items():
        urlmap_app[urlmap.parse_path_expression(path)] = loader.get_app(app_name, global_conf=global_conf)
    return urlmap_app


def pipeline_factory(loader, global_conf, **local_conf):
    """Paste composite choosing a pipeline by an option, like nova's
    ``pipeline_factory_v21`` chooses by ``auth_strategy``.

    ``choose_by = section.option`` names the option; each other key is a
    pipeline: filters in order, the app last.
    """
    from pocketstack.common import config
    conf = config.lookup(global_conf)
    section, _, option = local_conf.pop('choose_by').rpartition('.')
    value = getattr(getattr(conf, section) if section else conf, option)
    pipeline = local_conf[value].split()
    filters = [loader.get_filter(n, global_conf=global_conf) for n in pipeline[:-1]]
    app = loader.get_app(pipeline[-1], global_conf=global_conf)
    for wrap in reversed(filters):
        app = wrap(app)
    return app


def _not_found(environ, start_response):
    start_response('404 Not Found', [('Content-Type', JSON)])
    return [json.dumps({'error': {'code': 404, 'title': 'Not Found',
                                  'message': 'The resource could not be found.'}}).encode()]


# -- small helpers for controllers -------------------------------------------

def query_bool(req, name, default=None):
    """A boolean query parameter as OpenStack APIs accept them (true/false/1/0/yes/no,
    a bare ``?name`` is true)."""
    if name not in req.GET:
        return default
    value = req.GET.get(name).strip().lower()
    if value in ('', 'true', '1', 'yes', 'on', 't', 'y'):
        return True
    if value in ('false', '0', 'no', 'off', 'f', 'n'):
        return False
    raise exception.ValidationError(
        'Invalid value %r for query parameter %s: expected a boolean.' % (value, name))


def query_int(req, name, default=None, minimum=None):
    if name not in req.GET:
        return default
    try:
        value = int(req.GET[name])
    except ValueError:
        raise exception.ValidationError(
            'Invalid value %r for query parameter %s: expected an integer.' % (req.GET[name], name))
    if minimum is not None and value < minimum:
        raise exception.ValidationError(
            'Query parameter %s must be at least %d.' % (name, minimum))
    if not utils.INT64[0] <= value <= utils.INT64[1]:
        raise exception.ValidationError(
            'Query parameter %s is out of range (64 bits at most).' % name)
    return value


def parse_datetime(value):
    """An ISO 8601 time from a query parameter, as naive UTC (400 if it is none)."""
    try:
        parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except ValueError:
        raise exception.BadRequest('Invalid time format for %s.' % value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def base_url(req):
    """The public URL prefix a client used (honours http_proxy_to_wsgi)."""
    return req.host_url + req.script_name
