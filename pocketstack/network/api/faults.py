"""Neutron's fault body: ``{"NeutronError": {"type", "message", "detail"}}``.

``type`` is the Neutron exception's name (``NetworkNotFound``,
``IpAddressGenerationFailure``…) for the faults of network/exception.py,
which clients such as openstacksdk and Nova switch on; any other error is
named after its HTTP status as webob names it (``HTTPBadRequest``), as
Neutron's API does for the errors it raises itself.
"""
import webob.exc

from pocketstack.common import exception as common_exception
from pocketstack.common import wsgi
from pocketstack.network import exception


def fault_type(error):
    cls = type(error)
    if cls.__module__ == exception.__name__:
        return cls.__name__
    if isinstance(error, common_exception.PolicyNotAuthorized):
        return 'PolicyNotAuthorized'   # the policy engine's own 403
    return webob.exc.status_map.get(error.code, webob.exc.HTTPInternalServerError).__name__


class NeutronFaultRenderer(wsgi.FaultRenderer):

    def body(self, error):
        return {'NeutronError': {'type': fault_type(error), 'message': error.message,
                                 'detail': ''}}


RENDERER = NeutronFaultRenderer()
