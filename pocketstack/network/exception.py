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


class AgentNotFound(common.NotFound):
    message = 'Agent %(id)s could not be found.'


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


# -- security groups ---------------------------------------------------------

class SecurityGroupInUse(common.Conflict):
    message = 'Security Group %(id)s in use.'


class SecurityGroupCannotRemoveDefault(common.Conflict):
    message = 'Insufficient rights for removing default security group.'


class SecurityGroupCannotUpdateDefault(common.Conflict):
    message = 'Updating default security group not allowed.'


class SecurityGroupDefaultAlreadyExists(common.Conflict):
    message = 'Default security group already exists.'


class SecurityGroupRuleExists(common.Conflict):
    message = 'Security group rule already exists. Rule id is %(rule_id)s.'


class SecurityGroupRuleInvalidProtocol(common.BadRequest):
    message = 'Security group rule protocol %(protocol)s not supported. Only protocol ' \
              'values %(values)s and integer representations [0 to 255] are supported.'


class SecurityGroupRuleInvalidDirection(common.BadRequest):
    message = "Invalid input for direction: '%(direction)s' is not in ['ingress', 'egress']."


class SecurityGroupRuleInvalidEtherType(common.BadRequest):
    message = 'Security group rule for ethertype %(ethertype)s not supported. ' \
              'Allowed values are IPv4, IPv6.'


class SecurityGroupRuleParameterConflict(common.BadRequest):
    message = 'Conflicting value ethertype %(ethertype)s for CIDR %(cidr)s'


class SecurityGroupRemoteGroupAndRemoteIpPrefix(common.BadRequest):
    message = 'Only remote_ip_prefix or remote_group_id may be provided.'


class SecurityGroupProtocolRequiredWithPorts(common.BadRequest):
    message = 'Must also specify protocol if port range is given.'


class SecurityGroupInvalidProtocolForPortRange(common.BadRequest):
    message = 'Invalid protocol %(protocol)s for port range, only supported for TCP, UDP, ' \
              'UDPLITE, SCTP and DCCP.'


class SecurityGroupInvalidPortRange(common.BadRequest):
    message = 'For TCP/UDP protocols, port_range_min must be <= port_range_max'


class SecurityGroupInvalidPortValue(common.BadRequest):
    message = 'Invalid value for port %(port)s'


class SecurityGroupInvalidIcmpValue(common.BadRequest):
    message = 'Invalid value for ICMP %(field)s (%(attr)s) %(value)s. It must be 0 to 255.'


class SecurityGroupMissingIcmpType(common.BadRequest):
    message = 'ICMP code (port-range-max) %(value)s is provided but ICMP type ' \
              '(port-range-min) is missing.'


class SecurityGroupEthertypeConflictWithProtocol(common.BadRequest):
    message = 'Invalid ethertype %(ethertype)s for protocol %(protocol)s.'


# -- routers and floating IPs ------------------------------------------------

class RouterInUse(common.Conflict):
    message = 'Router %(router_id)s %(reason)s'


class RouterInterfaceNotFound(common.NotFound):
    message = 'Router %(router_id)s does not have an interface with id %(port_id)s'


class RouterInterfaceNotFoundForSubnet(common.NotFound):
    message = 'Router %(router_id)s has no interface on subnet %(subnet_id)s'


class RouterInterfaceInUseByFloatingIP(common.Conflict):
    message = 'Router interface for subnet %(subnet_id)s on router %(router_id)s cannot be ' \
              'deleted, as it is required by one or more floating IPs.'


class RouterInterfaceInUseByRoute(common.Conflict):
    message = 'Router interface for subnet %(subnet_id)s on router %(router_id)s cannot be ' \
              'deleted, as it is required by one or more routes.'


class RouterExternalGatewayInUseByFloatingIp(common.Conflict):
    message = 'Gateway cannot be updated for router %(router_id)s, since a gateway to ' \
              'external network %(net_id)s is required by one or more floating IPs.'


class InvalidRoutes(common.BadRequest):
    message = 'Invalid format for routes: %(routes)s, %(reason)s'


class ExternalGatewayForFloatingIPNotFound(common.NotFound):
    message = 'External network %(external_network_id)s is not reachable from subnet ' \
              '%(subnet_id)s.  Therefore, cannot associate Port %(port_id)s with a ' \
              'Floating IP.'


class FloatingIPPortAlreadyAssociated(common.Conflict):
    message = 'Cannot associate floating IP %(floating_ip_address)s (%(fip_id)s) with port ' \
              '%(port_id)s using fixed IP %(fixed_ip)s, as that fixed IP already has a ' \
              'floating IP on external network %(net_id)s.'


# -- tags ----------------------------------------------------------------------

class TagNotFound(common.NotFound):
    message = 'Tag %(tag)s could not be found for %(resource)s %(resource_id)s.'


# -- ML2: segments, subnets, ports ---------------------------------------------

class FlatNetworkInUse(common.Conflict):
    message = 'Unable to create the flat network. Physical network %(physical_network)s is ' \
              'in use.'


class VlanIdInUse(common.Conflict):
    message = 'Unable to create the network. The VLAN %(vlan_id)s on physical network ' \
              '%(physical_network)s is in use.'


class TunnelIdInUse(common.Conflict):
    message = 'Unable to create the network. The tunnel ID %(tunnel_id)s is in use.'


class InvalidSharedSetting(common.Conflict):
    message = 'Unable to reconfigure sharing settings for network %(network)s. Multiple ' \
              'tenants are using it.'


class OutOfBoundsAllocationPool(common.BadRequest):
    message = 'The allocation pool %(pool)s spans beyond the subnet cidr %(subnet_cidr)s.'


class OverlappingAllocationPools(common.Conflict):
    message = 'Found overlapping allocation pools: %(pool_1)s %(pool_2)s for subnet ' \
              '%(subnet_cidr)s.'


class GatewayConflictWithAllocationPools(common.Conflict):
    message = 'Gateway ip %(ip_address)s conflicts with allocation pool %(pool)s.'


class MacAddressGenerationFailure(common.ServiceUnavailable):
    message = 'Unable to generate unique mac on network %(net_id)s.'


class PortBound(common.Conflict):
    message = 'Unable to complete operation on port %(port_id)s, port is already bound, ' \
              'port type: %(vif_type)s.'


class L3PortInUse(common.Conflict):
    message = 'Port %(port_id)s has owner %(device_owner)s and therefore cannot be deleted ' \
              'directly via the port API.'


class PortSecurityAndIPRequiredForSecurityGroups(common.BadRequest):
    message = 'Port security must be enabled and port must have an IP address in order to ' \
              'use security groups.'


class PortSecurityPortHasSecurityGroup(common.Conflict):
    message = 'Port has security group associated. Cannot disable port security or ip ' \
              'address until security group is removed.'


class AddressPairAndPortSecurityRequired(common.Conflict):
    message = 'Port Security must be enabled in order to have allowed address pairs on a ' \
              'port.'


class DuplicateAddressPairInRequest(common.BadRequest):
    message = 'Request contains duplicate address pair: mac_address %(mac_address)s ' \
              'ip_address %(ip_address)s.'


_NOT_FOUND = {
    'network': (NetworkNotFound, 'net_id'), 'subnet': (SubnetNotFound, 'subnet_id'),
    'port': (PortNotFound, 'port_id'), 'router': (RouterNotFound, 'router_id'),
    'floatingip': (FloatingIPNotFound, 'floatingip_id'),
    'security_group': (SecurityGroupNotFound, 'id'),
    'security_group_rule': (SecurityGroupRuleNotFound, 'id'),
    'agent': (AgentNotFound, 'id'), 'network_ip_availability': (NetworkNotFound, 'net_id'),
}


def not_found(member, id):
    """The 404 of a ``member`` (``'port'``…) of that id."""
    fault, key = _NOT_FOUND[member]
    return fault(**{key: id})
