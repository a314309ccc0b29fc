"""Neutron's faults.  The API renders each as
``{"NeutronError": {"type": <class name>, "message": ..., "detail": ""}}``
with the class's HTTP status, so clients that switch on ``type``
(openstacksdk, Nova) see the names they know."""
from pocketstack.common import exception as common


class NeutronException(common.PocketstackError):
    pass


class BadRequest(common.BadRequest):
    message = 'Bad %(resource)s request: %(msg)s.'


class InvalidInput(common.BadRequest):
    message = 'Invalid input for operation: %(error_message)s.'


class InvalidAllocationPool(common.BadRequest):
    message = 'The allocation pool %(pool)s is not valid.'


class InvalidIpForSubnet(common.BadRequest):
    message = 'IP address %(ip_address)s is not a valid IP for the specified subnet.'


class InvalidIpForNetwork(common.BadRequest):
    message = 'IP address %(ip_address)s is not a valid IP for any of the subnets on the ' \
              'specified network.'


class NotAuthorized(common.Forbidden):
    message = 'Not authorized.'


class PolicyNotAuthorized(common.Forbidden):
    message = 'rule:%(action)s is disallowed by policy'


class NotFound(common.NotFound):
    pass


class NetworkNotFound(common.NotFound):
    message = 'Network %(net_id)s could not be found.'


class SubnetNotFound(common.NotFound):
    message = 'Subnet %(subnet_id)s could not be found.'


class PortNotFound(common.NotFound):
    message = 'Port %(port_id)s could not be found.'


class RouterNotFound(common.NotFound):
    message = 'Router %(router_id)s could not be found.'


class FloatingIPNotFound(common.NotFound):
    message = 'Floating IP %(floatingip_id)s could not be found'


class SecurityGroupNotFound(common.NotFound):
    message = 'Security group %(id)s does not exist'


class SecurityGroupRuleNotFound(common.NotFound):
    message = 'Security group rule %(id)s does not exist'


class Conflict(common.Conflict):
    pass


class NetworkInUse(common.Conflict):
    message = 'Unable to complete operation on network %(net_id)s. There are one or more ' \
              'ports still in use on the network.'


class SubnetInUse(common.Conflict):
    message = 'Unable to complete operation on subnet %(subnet_id)s: %(reason)s.'


class PortInUse(common.Conflict):
    message = 'Unable to complete operation on port %(port_id)s for network %(net_id)s. ' \
              'Port already has an attached device %(device_id)s.'


class IpAddressInUse(common.Conflict):
    message = 'Unable to complete operation for network %(net_id)s. The IP address ' \
              '%(ip_address)s is in use.'


class IpAddressGenerationFailure(common.Conflict):
    message = 'No more IP addresses available on network %(net_id)s.'


class MacAddressInUse(common.Conflict):
    message = 'Unable to complete operation for network %(net_id)s. The mac address ' \
              '%(mac)s is in use.'


class NoNetworkAvailable(common.ServiceUnavailable):
    message = 'Unable to create the network. No tenant network is available for allocation.'


class OverQuota(common.Conflict):
    message = 'Quota exceeded for resources: %(overs)s.'


class RevisionNumberConstraintFailed(common.PocketstackError):
    """If-Match named a revision_number the resource no longer has."""
    code = 412
    title = 'Precondition Failed'
    message = 'Constrained to %(constraint)s, but current revision is %(current)s'
