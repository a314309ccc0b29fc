"""The Network API's policy defaults, with Neutron's rule names.

Who may *see* a resource (own project, shared and external networks…) is
the plugins' scoping; these rules decide what a caller who sees it may do
with it, and which attributes only an admin may set or see
(``create_network:provider:network_type``, ``get_port:binding:host_id``…).
Targets carry the resource's ``project_id``.
"""
from oslo_policy import policy

from pocketstack.network.api import attributes

ADMIN = 'rule:context_is_admin'
ADMIN_OR_OWNER = 'rule:context_is_admin or project_id:%(project_id)s'

RULES = [policy.RuleDefault('context_is_admin', 'role:admin'),
         policy.RuleDefault('admin_only', ADMIN)]

# Owner or admin may create, change and delete each resource.
for _member in ('network', 'subnet', 'port', 'router', 'floatingip', 'security_group',
                'security_group_rule'):
    RULES += [policy.RuleDefault('%s_%s' % (verb, _member), ADMIN_OR_OWNER)
              for verb in ('create', 'update', 'delete')]
    RULES.append(policy.RuleDefault('update_%s:tags' % _member, ADMIN_OR_OWNER))

RULES += [policy.RuleDefault('%s_router_interface' % verb, ADMIN_OR_OWNER)
          for verb in ('add', 'remove')]
RULES += [policy.RuleDefault('%s_extraroutes' % verb, ADMIN_OR_OWNER)
          for verb in ('add', 'remove')]

# The admin's alone: set or see the attributes the attribute map marks so
# (create_network:provider:network_type, get_port:binding:host_id…).
for _resource in attributes.RESOURCES.values():
    for _name, _attr in _resource.attributes.items():
        _verbs = (('create', 'update') if _attr.admin_set else ()) + \
            (('get',) if _attr.admin_show else ())
        RULES += [policy.RuleDefault('%s_%s:%s' % (verb, _resource.member, _name), ADMIN)
                  for verb in _verbs]

RULES += [
    policy.RuleDefault('get_network_ip_availability', ADMIN),
    policy.RuleDefault('get_agent', ADMIN),
    policy.RuleDefault('update_agent', ADMIN),
    policy.RuleDefault('delete_agent', ADMIN),
    policy.RuleDefault('get_quotas', ADMIN),
    policy.RuleDefault('get_quota', ADMIN_OR_OWNER),
    policy.RuleDefault('update_quota', ADMIN),
    policy.RuleDefault('delete_quota', ADMIN),
]
