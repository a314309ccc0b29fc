"""Compute's own errors; they keep their HTTP status when they cross RPC
(common/rpc.py lets this module's classes be rebuilt on the caller's side)."""
from pocketstack.common import exception


class NoValidHost(exception.PocketstackError):
    code = 500
    message = 'No valid host was found. %(reason)s'


class InstanceInvalidState(exception.Conflict):
    message = ('Cannot \'%(action)s\' instance %(uuid)s while it is in %(attr)s %(state)s')


class InstanceNotFound(exception.NotFound):
    message = 'Instance %(uuid)s could not be found.'


class InstanceIsLocked(exception.Conflict):
    message = 'Instance %(uuid)s is locked'


class BuildFailed(exception.PocketstackError):
    """The hypervisor could not spawn the instance on this host (may be retried elsewhere)."""
    message = 'Build of instance %(uuid)s failed: %(reason)s'


class QuotaExceeded(exception.Forbidden):
    message = 'Quota exceeded for %(resources)s: Requested %(req)s, but already used %(used)s ' \
              'of %(allowed)s %(resources)s'
