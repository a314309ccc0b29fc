"""Identity policy defaults (overridable by [oslo_policy] policy_file).

The rule names are Keystone's, so an operator's policy file carries over.
Targets are flat dicts: ``user_id``, ``project_id``, ``domain_id``, ``group_id``,
``token_user_id``.  Admin means the ``admin`` role, as with Keystone's
``enforce_scope = False``.
"""
from oslo_policy import policy

ADMIN = 'rule:admin_required'
ADMIN_OR_SELF = 'rule:admin_required or user_id:%(user_id)s'
ADMIN_OR_PROJECT_READER = 'rule:admin_required or project_id:%(project_id)s'
ADMIN_OR_DOMAIN_READER = ('rule:admin_required or domain_id:%(domain_id)s '
                          'or project_domain_id:%(domain_id)s')
ADMIN_OR_TOKEN_SUBJECT = ('rule:admin_required or rule:service_role '
                          'or user_id:%(token_user_id)s')
ANY_AUTHENTICATED = ''


def _rules(names, check):
    return [policy.RuleDefault('identity:%s' % n, check) for n in names]


RULES = (
    # tokens and /v3/auth/*
    _rules(['validate_token', 'check_token', 'revoke_token'], ADMIN_OR_TOKEN_SUBJECT)
    + _rules(['get_auth_catalog', 'get_auth_projects', 'get_auth_domains',
              'get_auth_system'], ANY_AUTHENTICATED)
    # domains
    + _rules(['get_domain'], ADMIN_OR_DOMAIN_READER)
    + _rules(['list_domains', 'create_domain', 'update_domain', 'delete_domain'], ADMIN)
    # projects
    + _rules(['get_project'], ADMIN_OR_PROJECT_READER)
    + _rules(['list_user_projects'], ADMIN_OR_SELF)
    + _rules(['list_projects', 'create_project', 'update_project', 'delete_project',
              'list_project_tags', 'get_project_tag', 'update_project_tags',
              'create_project_tag', 'delete_project_tags', 'delete_project_tag'], ADMIN)
    # users and groups
    + _rules(['get_user', 'list_groups_for_user'], ADMIN_OR_SELF)
    + _rules(['change_password'], 'user_id:%(user_id)s')
    + _rules(['list_users', 'create_user', 'update_user', 'delete_user',
              'get_group', 'list_groups', 'create_group', 'update_group', 'delete_group',
              'list_users_in_group', 'add_user_to_group', 'check_user_in_group',
              'remove_user_from_group'], ADMIN)
    # roles and assignments
    + _rules(['get_role', 'list_roles', 'create_role', 'update_role', 'delete_role',
              'get_domain_role', 'list_domain_roles', 'create_domain_role',
              'update_domain_role', 'delete_domain_role',
              'get_implied_role', 'list_implied_roles', 'create_implied_role',
              'delete_implied_role', 'list_role_inference_rules', 'check_implied_role',
              'list_role_assignments', 'list_role_assignments_for_tree',
              'create_grant', 'check_grant', 'list_grants', 'revoke_grant',
              'create_system_grant_for_user', 'check_system_grant_for_user',
              'list_system_grants_for_user', 'revoke_system_grant_for_user',
              'create_system_grant_for_group', 'check_system_grant_for_group',
              'list_system_grants_for_group', 'revoke_system_grant_for_group'], ADMIN)
    # catalog
    + _rules(['get_region', 'list_regions'], ANY_AUTHENTICATED)
    + _rules(['create_region', 'update_region', 'delete_region',
              'get_service', 'list_services', 'create_service', 'update_service',
              'delete_service', 'get_endpoint', 'list_endpoints', 'create_endpoint',
              'update_endpoint', 'delete_endpoint'], ADMIN)
    # application credentials: the owner (or an admin) manages them
    + _rules(['get_application_credential', 'list_application_credentials',
              'create_application_credential', 'delete_application_credential'],
             ADMIN_OR_SELF)
)
