"""The Image API's policy defaults (``image:<action>``), Glance's names.

Who may *see* an image (visibility, membership) is decided in
core/images.py, as Glance does; these rules decide what a caller who sees it
may do.  Targets carry ``owner``/``project_id`` (the image's owner) and, for
member changes, ``member_id``.
"""
from oslo_policy import policy

ADMIN_OR_OWNER_MEMBER = 'rule:admin_required or (role:member and project_id:%(owner)s)'
READER = 'rule:admin_required or role:reader'

RULES = [policy.RuleDefault('context_is_admin', 'role:admin')]
RULES += [policy.RuleDefault('image:%s' % name, check) for name, check in (
    ('get_images', READER),
    ('get_image', READER),
    ('download_image', READER),
    ('get_members', READER),
    ('get_member', READER),
    ('add_image', 'rule:admin_required or (role:member and project_id:%(owner)s)'),
    ('modify_image', ADMIN_OR_OWNER_MEMBER),
    ('delete_image', ADMIN_OR_OWNER_MEMBER),
    ('upload_image', ADMIN_OR_OWNER_MEMBER),
    ('import_image', ADMIN_OR_OWNER_MEMBER),
    ('deactivate', ADMIN_OR_OWNER_MEMBER),
    ('reactivate', ADMIN_OR_OWNER_MEMBER),
    ('publicize_image', 'rule:admin_required'),
    ('communitize_image', ADMIN_OR_OWNER_MEMBER),
    ('add_member', ADMIN_OR_OWNER_MEMBER),
    ('delete_member', ADMIN_OR_OWNER_MEMBER),
    ('modify_member', 'rule:admin_required or (role:member and project_id:%(member_id)s)'),
)]
