"""Policy enforcement with oslo.policy: defaults in code, a policy file may override.

Each service lists its rules as ``RuleDefault``/``DocumentedRuleDefault`` next
to its API and enforces them by name at the door of every API method, as
Keystone does: ``policy.authorize(ctx, 'identity:create_user', target)``.
"""
import re
import time

from oslo_policy import policy as oslo_policy

from pocketstack.common import exception

_TARGET_KEY = re.compile(r'%\(([^)]+)\)s')

# Rules shared by every service.  Admin is the ``admin`` role on any scope (the
# classic OpenStack behaviour with enforce_scope off); roles are expanded
# through implied roles when tokens are issued, so an admin is also a member
# and a reader.
BASE_RULES = [
    oslo_policy.RuleDefault('admin_required', 'role:admin'),
    oslo_policy.RuleDefault('service_role', 'role:service'),
    oslo_policy.RuleDefault('service_or_admin', 'rule:admin_required or rule:service_role'),
    oslo_policy.RuleDefault('owner', 'project_id:%(project_id)s'),
    oslo_policy.RuleDefault('admin_or_owner', 'rule:admin_required or rule:owner'),
    oslo_policy.RuleDefault('project_member', 'role:member and project_id:%(project_id)s'),
    oslo_policy.RuleDefault('project_reader', 'role:reader and project_id:%(project_id)s'),
    oslo_policy.RuleDefault('system_reader', 'role:reader and system_scope:all'),
    oslo_policy.RuleDefault('admin_or_reader_owner',
                            'rule:admin_required or rule:project_reader'),
    oslo_policy.RuleDefault('admin_or_member_owner',
                            'rule:admin_required or rule:project_member'),
]


class _Enforcer(oslo_policy.Enforcer):
    """oslo.policy's enforcer, looking at the policy file at most once a
    second.  Its ``load_rules`` runs before every check: it searches the
    config directories for the file and walks every registered rule, ~0.3 ms
    each time, and a Network list checks each field of each item — that was
    most of a port's create.  A changed policy file still takes effect
    within a second, without a restart, as upstream's does."""

    RELOAD_INTERVAL_S = 1.0
    _next_load = 0.0

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or now >= self._next_load:
            super().load_rules(force_reload)
            self._next_load = now + self.RELOAD_INTERVAL_S

    def register_default(self, default):
        super().register_default(default)
        self._next_load = 0.0   # a new default joins the rules at the next check


class Policy:
    """One service's enforcer."""

    def __init__(self, conf, rules):
        # oslo.policy registers its [oslo_policy] options (policy_file, …)
        # on this service's own ConfigOpts.
        self.enforcer = _Enforcer(conf, use_conf=True)
        self.enforcer.register_defaults(BASE_RULES)
        self.enforcer.register_defaults(rules)

    def authorize(self, context, action, target=None):
        """Raise PolicyNotAuthorized (403) unless ``context`` may do ``action``."""
        if target is None:
            target = {'project_id': context.project_id, 'user_id': context.user_id}
        allowed = self.enforcer.enforce(action, target, context.to_policy_values(),
                                        do_raise=False)
        if not allowed:
            raise exception.PolicyNotAuthorized(action=action)

    def check(self, context, action, target=None):
        """Like authorize, but answers True/False."""
        try:
            self.authorize(context, action, target)
        except exception.PolicyNotAuthorized:
            return False
        return True

    def has_rule(self, action):
        """Whether a rule of that name is registered (in code or the file)."""
        self.enforcer.load_rules()   # cheap: at most once a second (_Enforcer)
        return action in self.enforcer.rules

    def target_keys(self, action):
        """The target keys ``action``'s rule reads, through the rules it
        refers to: answers for targets that agree on them are the same, so
        a list may ask once per distinct tuple instead of once per item."""
        self.enforcer.load_rules()
        keys, seen, pending = set(), set(), [self.enforcer.rules.get(action)]
        while pending:
            check = pending.pop()
            if check is None or id(check) in seen:
                continue
            seen.add(id(check))
            pending.extend(getattr(check, 'rules', ()))
            pending.append(getattr(check, 'rule', None))
            if isinstance(check, oslo_policy.RuleCheck):
                pending.append(self.enforcer.rules.get(check.match))
            elif isinstance(check, oslo_policy.Check):
                keys.update(_TARGET_KEY.findall(check.match))
                if getattr(check, 'attribute', None):      # network's FieldCheck
                    keys.add(check.attribute)
        return tuple(sorted(keys))
