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

from pocketstack.common import auth
from pocketstack.common import service

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
credential_opts = [
    # Only the repository so far (`pocketstack-manage credential setup`):
    # the credentials API that would encrypt with it is not served yet.
    cfg.StrOpt('key_repository', default='$state_path/credential-keys',
               help='Directory of the Fernet keys that encrypt credentials.'),
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


class IdentityService(service.Service):

    name = API_NAME
    apis = ((API_NAME, DEFAULT_PORT),)
    options = {'token': token_opts, 'fernet_tokens': fernet_opts,
               'credential': credential_opts, 'identity': identity_opts,
               'bootstrap': bootstrap_opts}

    def __init__(self, conf):
        from pocketstack.identity.core import (application_credential, assignment,
                                               catalog, identity, resource, tokens)
        super().__init__(conf)
        self.resource = resource.ResourceManager(self)
        self.identity = identity.IdentityManager(self)
        self.assignment = assignment.AssignmentManager(self)
        self.catalog = catalog.CatalogManager(self)
        self.app_creds = application_credential.ApplicationCredentialManager(self)
        self.tokens = tokens.TokenManager(self)
        # Whatever Identity changes may end a token's validity (a revocation,
        # a disabled user or project, a removed role): the services of this
        # process must not answer from their cache (common/auth.py).
        self.db.after_write.append(auth.forget_validations)
