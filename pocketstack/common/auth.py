"""How a service knows who is calling: keystonemiddleware's ``auth_token``.

Every API but Identity's runs ``authtoken`` in its paste pipeline, as the seeds
show for nova-api and glance-api: the filter validates the caller's token with
the Identity API (as the service's own user, e.g. ``glance``), caches the
answer, and hands the user, project and roles on as ``X-*`` headers for the
context filter.  Options live in ``[keystone_authtoken]`` of the service's
ConfigOpts, exactly as in ``glance-api.conf``.
"""
from pocketstack.common import config

AUTHTOKEN_GROUP = 'keystone_authtoken'


def register_authtoken_opts(conf):
    """Register auth_token's options (and the password plugin's) up front, so
    they can be set before the filter is built."""
    from keystoneauth1 import loading
    from keystonemiddleware import opts as ksm_opts
    for group, opts in ksm_opts.list_auth_token_opts():
        conf.register_opts(opts, group=group)
    conf.register_opts(loading.get_auth_plugin_conf_options('password'), group=AUTHTOKEN_GROUP)


def use_identity(conf, identity_url, username, password, project_name='service',
                 domain_name='Default'):
    """Point a service's auth_token at an Identity API as user ``username``
    (what ``pocketstack up`` does for every service it starts)."""
    register_authtoken_opts(conf)
    for name, value in (('www_authenticate_uri', identity_url),
                        ('auth_type', 'password'),
                        ('auth_url', identity_url),
                        ('username', username),
                        ('password', password),
                        ('project_name', project_name),
                        ('user_domain_name', domain_name),
                        ('project_domain_name', domain_name),
                        ('region_name', conf.region_name)):
        conf.set_override(name, value, group=AUTHTOKEN_GROUP)


def authtoken_filter_factory(global_conf, **local_conf):
    """Paste filter: keystonemiddleware's AuthProtocol reading this service's
    own ConfigOpts (not oslo.config's global CONF)."""
    from keystonemiddleware import auth_token
    conf = config.lookup(global_conf)

    def filter_(app):
        return auth_token.AuthProtocol(app, dict(local_conf, oslo_config_config=conf))
    return filter_
