"""The Network API's policy defaults: Neutron's secure-RBAC rules, under
Neutron's names, for the resources served here.

The API layer (api/controller.py) enforces them as Neutron's base
controller does: ``create_<member>`` / ``update_<member>`` /
``delete_<member>`` (and router actions) before a write, then
``<action>:<attribute>`` for each attribute the request gives that has a
rule (``create_network:shared``, ``create_port:fixed_ips:ip_address``…);
``get_<member>`` for each item read — a list leaves out what it refuses, a
show answers 404 — and ``get_<member>:<attribute>`` for each attribute
shown.  Targets are the resource's attributes plus, as Neutron's owner
checks fetch them, its network's ``network:project_id``, ``shared`` and
``router:external`` (subnets, ports) and its group's
``security_group:project_id`` (rules).  The plugins' scoping still decides
what exists for the caller at all.
"""
import re

from oslo_policy import policy

ADMIN = 'rule:admin_only'
SERVICE = 'rule:service_api'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
ADMIN_OR_PROJECT_MEMBER = '(%s) or (%s)' % (ADMIN, PROJECT_MEMBER)
ADMIN_OR_PROJECT_READER = '(%s) or (%s)' % (ADMIN, PROJECT_READER)
ADMIN_OR_SERVICE = '(%s) or (%s)' % (ADMIN, SERVICE)
NET_OWNER_MEMBER = 'role:member and rule:network_owner'
NET_OWNER_READER = 'role:reader and rule:network_owner'
ADMIN_OR_SERVICE_OR_NET_OWNER_MEMBER = '%s or %s' % (ADMIN_OR_SERVICE, NET_OWNER_MEMBER)


@policy.register('field')
class FieldCheck(policy.Check):
    """``field:<collection>:<attribute>=<value>`` — true when the target's
    attribute equals the value (``True``/``False`` as booleans), or matches
    the regular expression after ``~`` (Neutron's check of that name)."""

    def __init__(self, kind, match):
        super().__init__(kind, match)
        _collection, _, spec = match.partition(':')
        self.attribute, _, value = spec.partition('=')
        if value.startswith('~'):
            pattern = re.compile(value[1:])
            self.test = lambda actual: isinstance(actual, str) and bool(pattern.match(actual))
        else:
            wanted = {'True': True, 'False': False}.get(value, value)
            self.test = lambda actual: actual == wanted

    def __call__(self, target, creds, enforcer, current_rule=None):
        actual = target.get(self.attribute)
        return actual is not None and self.test(actual)


def _rules(check_str, *names):
    return [policy.RuleDefault(name, check_str) for name in names]


# ``owner`` and ``admin_or_owner`` come from common/policy.py's shared rules.
RULES = [
    policy.RuleDefault('context_is_admin', 'role:admin'),
    policy.RuleDefault('context_is_advsvc', 'role:advsvc'),
    policy.RuleDefault('service_api', 'role:service'),
    policy.RuleDefault('network_owner', 'project_id:%(network:project_id)s'),
    policy.RuleDefault('admin_or_network_owner',
                       'rule:context_is_admin or project_id:%(network:project_id)s'),
    policy.RuleDefault('sg_owner', 'project_id:%(security_group:project_id)s'),
    policy.RuleDefault('admin_only', 'rule:context_is_admin'),
    policy.RuleDefault('regular_user', ''),
    policy.RuleDefault('default', 'rule:admin_or_owner'),
    policy.RuleDefault('shared', 'field:networks:shared=True'),
    policy.RuleDefault('external', 'field:networks:router:external=True'),
    policy.RuleDefault('external_network', 'field:subnets:router:external=True'),
    policy.RuleDefault('shared_security_group', 'field:security_groups:shared=True'),
    policy.RuleDefault('network_device', 'field:port:device_owner=~^network:'),
    policy.RuleDefault('compute_device', 'field:port:device_owner=~^compute:'),
    policy.RuleDefault('baremetal_device', 'field:port:device_owner=~^baremetal:'),
    policy.RuleDefault('manila_device', 'field:port:device_owner=~^manila:'),
]

# -- networks ------------------------------------------------------------------
NETWORK_READER = '%s or %s or rule:shared or rule:external or rule:context_is_advsvc' % (
    ADMIN_OR_PROJECT_READER, SERVICE)
RULES += _rules(ADMIN_OR_PROJECT_MEMBER, 'create_network', 'update_network', 'delete_network',
                'create_network:port_security_enabled', 'update_network:port_security_enabled',
                'create_network:tags', 'update_network:tags', 'delete_network:tags')
RULES += _rules(NETWORK_READER, 'get_network')
RULES += _rules('%s or rule:shared or rule:external or rule:context_is_advsvc'
                % ADMIN_OR_PROJECT_READER, 'get_network:tags')
_PROVIDER = ('provider:network_type', 'provider:physical_network', 'provider:segmentation_id',
             'segments')
RULES += _rules(ADMIN, *['%s_network:%s' % (verb, name) for verb in ('create', 'update', 'get')
                         for name in _PROVIDER])
RULES += _rules(ADMIN, *['%s_network:%s' % (verb, name) for verb in ('create', 'update')
                         for name in ('shared', 'router:external', 'is_default')])

# -- subnets -------------------------------------------------------------------
SUBNET_MEMBER = '%s or %s or (%s)' % (PROJECT_MEMBER, ADMIN, NET_OWNER_MEMBER)
RULES += _rules('(%s) or (%s)' % (ADMIN, NET_OWNER_MEMBER), 'create_subnet')
RULES += _rules(SUBNET_MEMBER, 'update_subnet', 'delete_subnet',
                'create_subnet:tags', 'update_subnet:tags', 'delete_subnet:tags')
_SUBNET_READER = '%s or rule:shared or rule:external_network or (%s) or (%s)' % (
    PROJECT_READER, ADMIN, NET_OWNER_READER)
RULES += _rules('%s or %s' % (_SUBNET_READER, SERVICE), 'get_subnet')
RULES += _rules(_SUBNET_READER, 'get_subnet:tags')
RULES += _rules(ADMIN, 'create_subnet:segment_id', 'update_subnet:segment_id',
                'get_subnet:segment_id', 'create_subnet:service_types',
                'update_subnet:service_types')

# -- ports ---------------------------------------------------------------------
RULES += _rules('%s or rule:shared' % ADMIN_OR_SERVICE_OR_NET_OWNER_MEMBER,
                'create_port', 'create_port:fixed_ips', 'create_port:fixed_ips:subnet_id',
                'update_port:fixed_ips:subnet_id')
RULES += _rules(ADMIN_OR_SERVICE_OR_NET_OWNER_MEMBER,
                'create_port:mac_address', 'create_port:fixed_ips:ip_address',
                'create_port:port_security_enabled', 'update_port:fixed_ips',
                'update_port:fixed_ips:ip_address', 'update_port:port_security_enabled',
                *['%s_port:allowed_address_pairs%s' % (verb, sub)
                  for verb in ('create', 'update')
                  for sub in ('', ':mac_address', ':ip_address')])
RULES += _rules('not rule:network_device or %s' % ADMIN_OR_SERVICE_OR_NET_OWNER_MEMBER,
                'create_port:device_owner', 'update_port:device_owner')
RULES += _rules('%s or %s' % (ADMIN_OR_PROJECT_MEMBER, SERVICE),
                'create_port:device_id', 'update_port:device_id',
                'create_port:binding:vnic_type', 'update_port:binding:vnic_type')
# Neutron gives binding:profile to the service role alone; Nova here binds
# ports with an admin token, so an admin keeps it too.
RULES += _rules(ADMIN_OR_SERVICE, *['%s_port:%s' % (verb, name)
                                    for verb in ('create', 'update')
                                    for name in ('binding:host_id', 'binding:profile')])
RULES += _rules(ADMIN_OR_SERVICE, *['get_port:%s' % name for name in (
    'binding:vif_type', 'binding:vif_details', 'binding:host_id', 'binding:profile')])
RULES += _rules('%s or %s' % (ADMIN_OR_SERVICE, 'role:manager and rule:network_owner'),
                'update_port:mac_address')
RULES += _rules('%s or %s or %s' % (ADMIN_OR_SERVICE, NET_OWNER_READER, PROJECT_READER),
                'get_port')
RULES += _rules('rule:context_is_advsvc or %s or (%s) or %s' % (
    ADMIN, NET_OWNER_READER, PROJECT_READER), 'get_port:tags')
RULES += _rules('%s or %s' % (ADMIN_OR_SERVICE, PROJECT_MEMBER), 'update_port')
RULES += _rules('%s or rule:context_is_advsvc' % ADMIN_OR_PROJECT_MEMBER,
                'create_port:tags', 'update_port:tags')
RULES += _rules('rule:context_is_advsvc or %s or %s or (%s)' % (
    PROJECT_MEMBER, ADMIN, NET_OWNER_MEMBER), 'delete_port:tags')
# A project may not delete the port of a server (or bare-metal node, share)
# on its own: that is the service's to do.
RULES += _rules('%s or (not rule:compute_device and not rule:baremetal_device and '
                'not rule:manila_device and (%s or %s))'
                % (ADMIN_OR_SERVICE, NET_OWNER_MEMBER, PROJECT_MEMBER), 'delete_port')

# -- routers, floating IPs -----------------------------------------------------
RULES += _rules(ADMIN_OR_PROJECT_MEMBER, *[
    '%s_router%s' % (verb, sub) for verb in ('create', 'update')
    for sub in ('', ':external_gateway_info', ':external_gateway_info:network_id', ':tags')])
RULES += _rules(ADMIN_OR_PROJECT_MEMBER, 'delete_router', 'delete_router:tags',
                'add_router_interface', 'remove_router_interface',
                'add_extraroutes', 'remove_extraroutes')
RULES += _rules(ADMIN_OR_PROJECT_READER, 'get_router', 'get_router:tags')
RULES += _rules(ADMIN, *['%s_router:%s' % (verb, name) for verb in ('create', 'update', 'get')
                         for name in ('distributed', 'ha')])
RULES += _rules(ADMIN, *['%s_router:external_gateway_info:%s' % (verb, name)
                         for verb in ('create', 'update')
                         for name in ('enable_snat', 'external_fixed_ips')])
RULES += _rules(ADMIN_OR_PROJECT_MEMBER, *[
    '%s_floatingip%s' % (verb, sub) for verb in ('create', 'update', 'delete')
    for sub in ('', ':tags')])
RULES += _rules(ADMIN_OR_PROJECT_MEMBER, 'create_floatingip:router_id',
                'update_floatingip:router_id')
RULES += _rules('(%s) or (role:manager and project_id:%%(project_id)s)' % ADMIN,
                'create_floatingip:floating_ip_address')
RULES += _rules(ADMIN_OR_PROJECT_READER, 'get_floatingip', 'get_floatingip:tags',
                'get_floatingip_pool')

# -- security groups and their rules -------------------------------------------
RULES += _rules(ADMIN_OR_PROJECT_MEMBER, *[
    '%s_security_group%s' % (verb, sub) for verb in ('create', 'update', 'delete')
    for sub in ('', ':tags')])
RULES += _rules('%s or rule:shared_security_group' % ADMIN_OR_PROJECT_READER,
                'get_security_group', 'get_security_group:tags')
RULES += _rules('(%s) or (role:member and rule:sg_owner)' % ADMIN,
                'create_security_group_rule', 'delete_security_group_rule')
RULES += _rules('(%s) or (role:reader and rule:sg_owner)' % ADMIN, 'get_security_group_rule')

# -- the admin's views: agents, IP availability, quotas ------------------------
RULES += _rules(ADMIN, 'get_agent', 'update_agent', 'delete_agent',
                'update_quota', 'delete_quota')
RULES += _rules(ADMIN_OR_SERVICE, 'get_network_ip_availability')
RULES += _rules('(%s) or (role:manager and project_id:%%(project_id)s)' % ADMIN, 'get_quota')
