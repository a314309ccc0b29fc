"""The Identity service object: configuration, database, policy and managers.

One instance per running identity API (built on first use by the paste
factories, shared by the v3 and v2.0 apps of that API).  Controllers reach
the managers through it, and managers reach each other through it:

    service.resource     domains and projects            core/resource.py
    service.identity     users, groups, passwords        core/identity.py
    service.assignment   roles, implied roles, grants    core/assignment.py
    service.catalog      regions, services, endpoints    core/catalog.py
    service.app_creds    application credentials         core/application_credential.py
    service.tokens       issue, validate, revoke tokens  core/tokens.py
"""
from oslo_config import cfg

from pocketstack.common import config
from pocketstack.common import policy as policy_mod
from pocketstack.common import service as common_service
from pocketstack.identity import db as identity_db

API_NAME = 'identity'
DEFAULT_PORT = 5000

token_opts = [
    cfg.IntOpt('expiration', default=3600, min=1,
               help='Seconds a token stays valid.'),
    cfg.BoolOpt('cache_on_issue', default=True,
                help='Unused; accepted for compatibility with keystone.conf.'),
]
fernet_opts = [
    cfg.StrOpt('key_repository', default='$state_path/fernet-keys',
               help='Directory of Fernet keys (0 is staged, the highest is primary).'),
    cfg.IntOpt('max_active_keys', default=3, min=1,
               help='Keys kept by a rotation: primary, staged and secondaries.'),
]
identity_opts = [
    cfg.IntOpt('password_hash_rounds', default=12, min=4, max=31,
               help='bcrypt cost factor for passwords and application credential secrets.'),
    cfg.StrOpt('default_domain_id', default='default',
               help='Domain used when a v2.0 request or a client names none.'),
]
bootstrap_opts = [
    cfg.StrOpt('admin_password', default='secret', secret=True,
               help='Password of the admin user created by bootstrap.'),
    cfg.StrOpt('demo_password', default='demopass', secret=True,
               help='Password of the demo user (member of project demo) bootstrap creates.'),
    cfg.StrOpt('service_password', default='servicepass', secret=True,
               help='Password of the service users (nova, glance, …) bootstrap creates.'),
    cfg.StrOpt('public_endpoint',
               help='Base URL clients use to reach this API (default: from the request).'),
]


def register_opts(conf):
    config.register_api_opts(conf, API_NAME, DEFAULT_PORT)
    conf.register_opts(token_opts, group='token')
    conf.register_opts(fernet_opts, group='fernet_tokens')
    conf.register_opts(identity_opts, group='identity')
    conf.register_opts(bootstrap_opts, group='bootstrap')


def new_conf(argv=None, default_config_files=None):
    conf = config.new_conf(API_NAME, argv, default_config_files)
    register_opts(conf)
    return conf


class IdentityService:

    def __init__(self, conf):
        from pocketstack.identity import policies
        from pocketstack.identity.core import (application_credential, assignment,
                                               catalog, identity, resource, tokens)
        self.conf = conf
        self.db = identity_db.database(conf)
        self.policy = policy_mod.Policy(conf, policies.RULES)
        self.resource = resource.ResourceManager(self)
        self.identity = identity.IdentityManager(self)
        self.assignment = assignment.AssignmentManager(self)
        self.catalog = catalog.CatalogManager(self)
        self.app_creds = application_credential.ApplicationCredentialManager(self)
        self.tokens = tokens.TokenManager(self)

    def sync_database(self):
        return identity_db.sync(self.db)


def for_conf(conf):
    """The IdentityService of a ConfigOpts (shared by every app of that API)."""
    return common_service.instance_for(conf, IdentityService)
