"""The metadata API's WSGI app: which instance is asking, then its document.

Guests reach the service at 169.254.169.254 through Neutron's metadata proxy,
which knows the instance from the port the request came in on and forwards it
here with three headers (Nova's ``service_metadata_proxy`` mode):

* ``X-Instance-ID`` — the instance's UUID;
* ``X-Instance-ID-Signature`` — HMAC-SHA256 of that UUID keyed with
  ``[metadata] metadata_proxy_shared_secret``, proving the proxy sent it;
* ``X-Tenant-ID`` — the instance's project.

As Nova answers: a missing header is 400, a wrong signature 403, and an
unknown instance — or one of another project — 404.  Only ``/`` (the list
of versions) needs none of them.
"""
import hashlib
import hmac
import logging
import posixpath

import webob
import webob.dec

from pocketstack.common import exception
from pocketstack.common import wsgi
from pocketstack.compute.metadata import documents

LOG = logging.getLogger(__name__)

PROXY_HEADERS = ('X-Instance-ID', 'X-Instance-ID-Signature', 'X-Tenant-ID')


class MetadataHandler:

    def __init__(self, service):
        self.api = service.api
        self.conf = service.conf
        self.secret = self.conf.metadata.metadata_proxy_shared_secret.encode('utf-8')
        if not self.secret and self.conf.metadata_listen not in ('127.0.0.1', '::1'):
            # (On loopback, as `pocketstack up` serves it, only this machine can ask.)
            LOG.warning('[metadata] metadata_proxy_shared_secret is not set: anyone who '
                        'can reach the metadata API can read any instance\'s metadata')

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        tokens = [t for t in posixpath.normpath('/' + req.path_info).split('/') if t]
        if not tokens:
            _check_method(req, ('GET', 'HEAD'))
            return _response(documents.listing(documents.EC2_VERSIONS + ['latest']),
                             documents.TEXT)
        metadata = self._metadata(req)
        instance = metadata.instance
        body, content_type = metadata.lookup(tokens)
        if tokens[0] == 'openstack' and tokens[-1] == 'password':
            _check_method(req, ('GET', 'HEAD', 'POST'))
            if req.method == 'POST':
                return self._set_password(req, instance)
        else:
            _check_method(req, ('GET', 'HEAD'))
        return _response(body, content_type)

    def _metadata(self, req):
        """The metadata of the instance the proxy's headers name, once they
        prove it."""
        instance_id, signature, project_id = (req.headers.get(h) for h in PROXY_HEADERS)
        for header, value in zip(PROXY_HEADERS, (instance_id, signature, project_id)):
            if value is None:
                raise exception.BadRequest('%s header is missing from request.' % header)
        # Header values are latin-1 text in WSGI: these are the bytes the proxy sent.
        expected = hmac.new(self.secret, instance_id.encode('latin-1'),
                            hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(expected, signature.encode('latin-1')):
            LOG.warning('X-Instance-ID-Signature %s does not match the signature of '
                        'instance %s (request from %s)', signature, instance_id,
                        req.headers.get('X-Forwarded-For'))
            raise exception.Forbidden('Invalid proxy request signature.')
        instance, key_type, zone = self.api.for_metadata(instance_id)
        if instance['project_id'] != project_id:
            LOG.warning('X-Tenant-ID %s is not the project of instance %s',
                        project_id, instance_id)
            raise exception.NotFound('Instance %s could not be found.' % instance_id)
        address = (req.headers.get('X-Forwarded-For') or '').split(',')[0].strip()
        return documents.InstanceMetadata(instance, key_type=key_type, zone=zone,
                                          address=address,
                                          dhcp_domain=self.conf.api.dhcp_domain)

    def _set_password(self, req, instance):
        """The guest posts its generated password once (``nova get-password``
        reads it back)."""
        if documents.password(instance):
            raise exception.Conflict('The password of instance %s is already set.'
                                     % instance['uuid'])
        if (req.content_length or 0) > documents.PASSWORD_MAX_BYTES \
                or len(req.body) > documents.PASSWORD_MAX_BYTES:
            raise exception.BadRequest('Request is too large.')
        try:
            text = req.body.decode('utf-8')
        except UnicodeDecodeError:
            raise exception.BadRequest('The password must be UTF-8 text.')
        if not self.api.set_system_metadata(instance['uuid'], documents.password_items(text)):
            raise exception.NotFound('Instance %s could not be found.' % instance['uuid'])
        return _response('', documents.TEXT)


def _check_method(req, allowed):
    if req.method not in allowed:
        error = exception.MethodNotAllowed(
            'The method %s is not allowed for this resource.' % req.method)
        error.headers = {'Allow': ', '.join(allowed)}
        raise error


def _response(body, content_type):
    resp = webob.Response(content_type=content_type)
    resp.body = body if isinstance(body, bytes) else body.encode('utf-8')
    return resp
