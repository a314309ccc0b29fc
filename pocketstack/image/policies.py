"""The Image API's policy defaults: Glance's secure-RBAC rules, under
Glance's names (``get_image``, ``add_member``…, no prefix), so a policy file
written for Glance works here.

Who may *see* an image (visibility, membership) is decided in
core/images.py, as Glance does; these rules decide what a caller who sees it
may do.  Targets carry ``project_id`` and ``owner`` (the image's owner),
``visibility`` and, for member calls, ``member_id``.
"""
from oslo_policy import policy

ADMIN = 'rule:context_is_admin'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
PROJECT_READER = 'role:reader and project_id:%(project_id)s'
ADMIN_OR_PROJECT_MEMBER = '%s or (%s)' % (ADMIN, PROJECT_MEMBER)
ADMIN_OR_PROJECT_READER = '%s or (%s)' % (ADMIN, PROJECT_READER)
_SEEN = ("project_id:%(project_id)s or project_id:%(member_id)s or "
         "'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s")

RULES = [
    policy.RuleDefault('default', ''),
    policy.RuleDefault('context_is_admin', 'role:admin'),
    policy.RuleDefault('service_api', 'role:service or role:admin'),
]
RULES += [policy.RuleDefault(name, check) for name, check in (
    ('get_images', ADMIN_OR_PROJECT_READER),
    ('get_image', '%s or (role:reader and (%s))' % (ADMIN, _SEEN)),
    # Downloading is a member's, not a reader's, as in Glance.
    ('download_image', '%s or (role:member and (%s))' % (ADMIN, _SEEN)),
    ('add_image', '%s or (%s and project_id:%%(owner)s)' % (ADMIN, PROJECT_MEMBER)),
    ('modify_image', ADMIN_OR_PROJECT_MEMBER),
    ('delete_image', ADMIN_OR_PROJECT_MEMBER),
    ('upload_image', ADMIN_OR_PROJECT_MEMBER),
    ('publicize_image', ADMIN),
    ('communitize_image', ADMIN_OR_PROJECT_MEMBER),
    ('copy_image', ADMIN),
    ('deactivate', ADMIN_OR_PROJECT_MEMBER),
    ('reactivate', ADMIN_OR_PROJECT_MEMBER),
    ('add_member', ADMIN_OR_PROJECT_MEMBER),
    ('delete_member', ADMIN_OR_PROJECT_MEMBER),
    ('get_member', '%s or role:reader and (project_id:%%(project_id)s or '
                   'project_id:%%(member_id)s)' % ADMIN),
    ('get_members', '%s or role:reader and (project_id:%%(project_id)s or '
                    'project_id:%%(member_id)s)' % ADMIN),
    ('modify_member', '%s or (role:member and project_id:%%(member_id)s)' % ADMIN),
)]
