"""The skeleton every service shares: its options, its one service object per
ConfigOpts, its database.

Each service subclasses :class:`Service` (IdentityService, ImageService,
ComputeService, NetworkService) and names what differs::

    class ImageService(service.Service):
        name = 'image'                      # image.conf, image.sqlite
        apis = (('image', 9292),)           # image_listen, image_listen_port, image_workers
        options = {None: image_opts, 'glance_store': store_opts}
        authtoken = True                    # [keystone_authtoken]: it checks tokens

        def __init__(self, conf):
            super().__init__(conf)          # conf, db, policy
            ...                             # its managers

Its database lives in ``pocketstack/<service>/db/`` (``models.py``: ``Base``
and ``SCHEMA_HEAD``; ``migrations/``) and its policy defaults are the
``RULES`` of ``pocketstack/<service>/policies.py``, as DESIGN's layout has it.

Every app and filter of one API shares the object (``for_conf``), while two
APIs in one process (tests, the all-in-one) each have their own.  Paste
factories reach it with ``from_paste(global_conf)``.
"""
import importlib
import threading

from pocketstack.common import config
from pocketstack.common import policy as policy_mod

_lock = threading.Lock()


def database(conf, db_package):
    """The Database of ``[database] connection`` (default: ``<service>.sqlite``
    under ``state_path``), migrated from ``<db_package>.migrations``."""
    from pocketstack.common import db
    return db.Database(config.database_url(conf), migrations=db_package + ':migrations',
                       pool_size=conf.database.max_pool_size)


def sync(database_, db_package):
    """Bring ``database_`` to the newest schema of ``<db_package>.models``;
    True when it changed."""
    models = importlib.import_module(db_package + '.models')
    return database_.upgrade(head=models.SCHEMA_HEAD, metadata=models.Base.metadata)


class Service:
    """What every service object has: its configuration, database and policy."""

    name = None         # 'image'
    apis = ()           # ((api name, default port), …)
    options = {}        # {group (None: DEFAULT): [options]}
    authtoken = False   # whether keystonemiddleware's auth_token checks its tokens

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        package = cls.__module__.rpartition('.')[0]     # pocketstack.image
        cls.db_package = package + '.db'
        cls.policies = package + '.policies'

    def __init__(self, conf):
        self.conf = conf
        self.db = database(conf, self.db_package)
        self.policy = policy_mod.Policy(conf, importlib.import_module(self.policies).RULES)
        self.schema_created = False

    @classmethod
    def own_opts(cls):
        """[(group, [options])]: the service's own options, its APIs' among them."""
        api_opts = [opt for api_name, port in cls.apis for opt in config.api_opts(api_name, port)]
        return [(None, api_opts)] + list(cls.options.items())

    @classmethod
    def register_opts(cls, conf):
        """Register the service's own options on ``conf``."""
        for group, group_opts in cls.own_opts():
            conf.register_opts(group_opts, group=group)
        if cls.authtoken:
            from pocketstack.common import auth
            auth.register_authtoken_opts(conf)

    @classmethod
    def list_opts(cls):
        """Every option its config file may set, by group: what the
        ``oslo.config.opts`` entry point ``pocketstack.<service>`` hands
        oslo-config-generator for the sample file."""
        from oslo_policy import opts as policy_opts
        groups = config.list_opts() + cls.own_opts() + policy_opts.list_opts()
        if cls.authtoken:
            from pocketstack.common import auth
            groups += auth.list_authtoken_opts()
        return groups

    @classmethod
    def list_rules(cls):
        """Its policy defaults: the ``oslo.policy.policies`` entry point
        ``pocketstack.<service>`` (oslopolicy-sample-generator, a policy
        file's checks)."""
        return list(policy_mod.BASE_RULES) + list(importlib.import_module(cls.policies).RULES)

    @classmethod
    def new_conf(cls, argv=None, default_config_files=None):
        """The service's parsed ConfigOpts (``argv``: ``--config-file``…)."""
        conf = config.new_conf(cls.name, argv, default_config_files)
        cls.register_opts(conf)
        return conf

    @classmethod
    def for_conf(cls, conf):
        """The object of this ConfigOpts, built on first use; its database is
        migrated then when ``[database] auto_upgrade`` is on, and
        ``schema_created`` says whether that migration made the schema; then
        it starts (:meth:`start`)."""
        attribute = '_pocketstack_%s' % cls.__name__
        with _lock:
            service = getattr(conf, attribute, None)
            if service is None:
                service = cls(conf)
                if conf.database.auto_upgrade:
                    service.schema_created = service.sync_database()
                service.start()
                setattr(conf, attribute, service)
            return service

    def start(self):
        """What the service does once on start, its database ready (the
        Image service recovers the uploads a dead process left)."""

    @classmethod
    def from_paste(cls, global_conf):
        """The object of the ConfigOpts a paste factory was loaded for."""
        return cls.for_conf(config.lookup(global_conf))

    def sync_database(self):
        return sync(self.db, self.db_package)

    @classmethod
    def sync_database_of(cls, conf):
        """Migrate ``conf``'s database without building the service (``db
        sync``, a process's start); True when the schema changed."""
        database_ = database(conf, cls.db_package)
        try:
            return sync(database_, cls.db_package)
        finally:
            database_.dispose()
