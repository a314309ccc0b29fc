"""Compute's own errors; they keep their HTTP status when they cross RPC
(common/rpc.py lets this module's classes be rebuilt on the caller's side)."""
from pocketstack.common import exception


class NoValidHost(exception.PocketstackError):
    code = 500
    message = 'No valid host was found. %(reason)s'


class MaxRetriesExceeded(NoValidHost):
    """A build failed on every host it was tried on (or there was none left to try)."""
    message = 'Exceeded maximum number of retries. %(reason)s'


def retries_exhausted(uuid):
    return MaxRetriesExceeded(reason='Exhausted all hosts available for retrying build '
                                     'failures for instance %s.' % uuid)


class InstanceInvalidState(exception.Conflict):
    message = ('Cannot \'%(action)s\' instance %(uuid)s while it is in %(attr)s %(state)s')


class InstanceNotFound(exception.NotFound):
    message = 'Instance %(uuid)s could not be found.'


class InstanceNotReady(exception.Conflict):
    """The action needs the instance's host, and it has none (never scheduled,
    or shelved offloaded)."""
    message = 'Instance %(uuid)s is not ready'


class InstanceIsLocked(exception.Conflict):
    message = 'Instance %(uuid)s is locked'


class BuildFailed(exception.PocketstackError):
    """The hypervisor could not spawn the instance on this host (may be retried elsewhere)."""
    message = 'Build of instance %(uuid)s failed: %(reason)s'


class OperationInterrupted(exception.PocketstackError):
    """An operation that can no longer end by itself: the process carrying
    it stopped (a compute host restarted, a conductor died before a host
    took a build)."""
    code = 500
    message = '%(operation)s of instance %(uuid)s was interrupted: %(reason)s'


class QuotaExceeded(exception.Forbidden):
    message = 'Quota exceeded for %(resources)s: Requested %(req)s, but already used %(used)s ' \
              'of %(allowed)s %(resources)s'


class MarkerNotFound(exception.BadRequest):
    message = 'Marker %(marker)s could not be found.'


class FlavorNotFound(exception.NotFound):
    message = 'Flavor %(id)s could not be found.'


class AggregateNotFound(exception.NotFound):
    message = 'Aggregate %(id)s could not be found.'
