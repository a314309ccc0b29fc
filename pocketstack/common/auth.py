"""How a service knows who is calling: keystonemiddleware's ``auth_token``.

Every API but Identity's runs ``authtoken`` in its paste pipeline, as the seeds
show for nova-api and glance-api: the filter validates the caller's token with
the Identity API (as the service's own user, e.g. ``glance``), caches the
answer, and hands the user, project and roles on as ``X-*`` headers for the
context filter.  Options live in ``[keystone_authtoken]`` of the service's
ConfigOpts, exactly as in ``glance-api.conf``.

The cache and revocation: auth_token keeps a validated token for
``token_cache_time`` seconds (300) without asking Identity again, so a
revoked token would still work that long.  Unless memcached is configured,
the services of one process share :data:`VALIDATIONS` (handed to auth_token
through its ``cache`` option, the environ key of a shared cache), and the
Identity service of the same process empties it on every change it commits
(:func:`forget_validations`): in ``pocketstack up`` a revocation, a disabled
user or project, a removed role take effect on the very next request.  A
service in a process of its own keeps its answers up to ``token_cache_time``,
as with Keystone; lower it in ``[keystone_authtoken]`` for a tighter bound.
"""
import threading
import time

from pocketstack.common import config

AUTHTOKEN_GROUP = 'keystone_authtoken'
ENV_CACHE = 'pocketstack.token_cache'
MAX_CACHED = 10000


class ValidationCache:
    """auth_token's token cache (the get/set of a memcache client), which
    :meth:`forget_all` empties at once.

    A validation that began before a forget_all must not store its answer
    after it: a miss remembers the generation it saw, and a set from that
    thread stores only if no forget_all came in between."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}          # key -> (value, expires at, monotonic)
        self._generation = 0
        self._misses = threading.local()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            generation = self._generation
        if entry is not None and entry[1] > time.monotonic():
            return entry[0]
        self._pending()[key] = generation
        return None

    def set(self, key, value, time=0, **kwargs):   # noqa: A002 - memcache's signature
        seen = self._pending().pop(key, None)
        expires = _now() + (time if time > 0 else 300)
        with self._lock:
            if seen != self._generation:
                return      # revoked meanwhile (or never looked up): do not keep it
            if len(self._entries) >= MAX_CACHED:
                self._entries = {k: e for k, e in self._entries.items() if e[1] > _now()}
                if len(self._entries) >= MAX_CACHED:
                    self._entries.clear()
            self._entries[key] = (value, expires)

    def delete(self, key, time=0):   # noqa: A002
        with self._lock:
            self._entries.pop(key, None)

    def forget_all(self):
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def _pending(self):
        pending = getattr(self._misses, 'keys', None)
        if pending is None:
            pending = self._misses.keys = {}
        return pending


def _now():
    return time.monotonic()


VALIDATIONS = ValidationCache()


def forget_validations():
    """Every service of this process asks Identity again on its next request."""
    VALIDATIONS.forget_all()


def list_authtoken_opts():
    """auth_token's options and its password plugin's, by group."""
    from keystoneauth1 import loading
    from keystonemiddleware import opts as ksm_opts
    return list(ksm_opts.list_auth_token_opts()) + [
        (AUTHTOKEN_GROUP, loading.get_auth_plugin_conf_options('password'))]


def register_authtoken_opts(conf):
    """Register auth_token's options (and the password plugin's) up front, so
    they can be set before the filter is built."""
    for group, opts in list_authtoken_opts():
        conf.register_opts(opts, group=group)
    conf.set_default('cache', ENV_CACHE, group=AUTHTOKEN_GROUP)


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
        protocol = auth_token.AuthProtocol(app, dict(local_conf, oslo_config_config=conf))
        options = conf[AUTHTOKEN_GROUP]
        if options.memcached_servers or options.cache != ENV_CACHE:
            return protocol     # the operator chose the cache

        def with_shared_cache(environ, start_response):
            environ[ENV_CACHE] = VALIDATIONS
            return protocol(environ, start_response)
        return with_shared_cache
    return filter_
