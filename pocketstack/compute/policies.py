"""The Compute API's policy defaults, with Nova's rule names.

Who may see a server (its project, or an admin) is checked in api.py; these
rules gate what the caller may do."""
from oslo_policy import policy

PROJECT_MEMBER_OR_ADMIN = 'rule:admin_required or (role:member and project_id:%(project_id)s)'
PROJECT_READER_OR_ADMIN = 'rule:admin_required or (role:reader and project_id:%(project_id)s)'
ADMIN = 'rule:admin_required'

RULES = [policy.RuleDefault('os_compute_api:%s' % name, check) for name, check in (
    ('servers:index', PROJECT_READER_OR_ADMIN),
    ('servers:detail', PROJECT_READER_OR_ADMIN),
    ('servers:show', PROJECT_READER_OR_ADMIN),
    ('servers:create', PROJECT_MEMBER_OR_ADMIN),
    ('servers:update', PROJECT_MEMBER_OR_ADMIN),
    ('servers:delete', PROJECT_MEMBER_OR_ADMIN),
    ('servers:action', PROJECT_MEMBER_OR_ADMIN),
    ('servers:index:get_all_tenants', ADMIN),
    ('servers:detail:get_all_tenants', ADMIN),
    ('servers:allow_all_filters', ADMIN),
    ('os-extended-server-attributes', ADMIN),
    ('servers:show:host_status', ADMIN),
    ('os-flavor-manage:create', ADMIN),
    ('os-flavor-manage:update', ADMIN),
    ('os-flavor-manage:delete', ADMIN),
    ('os-flavor-extra-specs:create', ADMIN),
    ('os-flavor-extra-specs:update', ADMIN),
    ('os-flavor-extra-specs:delete', ADMIN),
    ('os-flavor-access:add_tenant_access', ADMIN),
    ('os-flavor-access:remove_tenant_access', ADMIN),
    ('os-flavor-access', ADMIN),
    ('os-hypervisors:list', ADMIN),
    ('os-services:list', ADMIN),
    ('os-services:update', ADMIN),
    ('os-services:delete', ADMIN),
    ('os-availability-zone:detail', ADMIN),
    ('os-instance-actions:events', ADMIN),
    ('os-instance-actions:events:details', ADMIN),
    ('limits:other_project', ADMIN),
    ('servers:create:forced_host', ADMIN),
    ('os-shelve:unshelve_to_host', ADMIN),
    ('os-keypairs:other_user', ADMIN),
    ('os-attach-interfaces:list', PROJECT_READER_OR_ADMIN),
    ('os-attach-interfaces:show', PROJECT_READER_OR_ADMIN),
    ('os-attach-interfaces:create', PROJECT_MEMBER_OR_ADMIN),
    ('os-attach-interfaces:delete', PROJECT_MEMBER_OR_ADMIN),
    ('os-security-groups:list', PROJECT_READER_OR_ADMIN),
    ('os-security-groups:add', PROJECT_MEMBER_OR_ADMIN),
    ('os-security-groups:remove', PROJECT_MEMBER_OR_ADMIN),
    ('os-server-external-events:create', ADMIN),
    ('os-aggregates:index', ADMIN),
    ('os-aggregates:create', ADMIN),
    ('os-aggregates:show', ADMIN),
    ('os-aggregates:update', ADMIN),
    ('os-aggregates:delete', ADMIN),
    ('os-aggregates:add_host', ADMIN),
    ('os-aggregates:remove_host', ADMIN),
    ('os-aggregates:set_metadata', ADMIN),
)]
