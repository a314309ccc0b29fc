"""Configuration with oslo.config: one ConfigOpts object per service.

OpenStack services each own a global ``cfg.CONF``.  pocketstack can run every
service in one process, so each service gets its *own* ConfigOpts instead;
its options, groups and ``--config-file`` handling are oslo.config's as usual.

Paste factories find their service's configuration through a small registry:
the loader passes a key in the paste ``global_conf`` (``conf_key``), and
:func:`lookup` turns it back into the ConfigOpts.
"""
import os
import socket
from importlib import resources

from oslo_config import cfg

DEFAULT_STATE_PATH = os.path.join(os.path.expanduser('~'), '.local', 'share', 'pocketstack')

common_opts = [
    # sample_default: a sample file generated here must not name this machine.
    cfg.StrOpt('state_path', default=DEFAULT_STATE_PATH,
               sample_default='~/.local/share/pocketstack',
               help='Directory holding databases, keys and uploaded data.'),
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<the machine\'s name>',
               help='Name of this host, as reported to other services.'),
    cfg.StrOpt('region_name', default='RegionOne',
               help='Region this deployment registers its endpoints in.'),
]

database_opts = [
    cfg.StrOpt('connection', secret=True,
               help='SQLAlchemy URL of this service\'s own database. Default: '
                    'a SQLite file <service>.sqlite under state_path.'),
    cfg.BoolOpt('auto_upgrade', default=True,
                help='Apply pending schema migrations when the service starts.'),
    cfg.IntOpt('max_pool_size', default=10,
               help='Connections kept open per process (server databases).'),
]

paste_opts = [
    cfg.StrOpt('config_file',
               help='Paste deploy file of this service\'s API. Default: the '
                    '<service>-api-paste.ini shipped in pocketstack/etc.'),
    cfg.StrOpt('flavor',
               help='Deployment flavor: selects the pipeline "<name>-<flavor>".'),
]

_REGISTRY = {}


def packaged_file(name):
    """Path of a file shipped in pocketstack/etc."""
    return str(resources.files('pocketstack').joinpath('etc', name))


def new_conf(service, argv=None, default_config_files=None):
    """Build and parse the ConfigOpts of one service.

    ``argv`` are command-line arguments (``--config-file`` and friends); when
    none names a config file, the packaged ``<service>.conf`` is read.
    """
    conf = cfg.ConfigOpts()
    conf.register_opts(common_opts)
    conf.register_opts(database_opts, group='database')
    conf.register_opts(paste_opts, group='paste_deploy')
    if default_config_files is None:
        default_config_files = [packaged_file('%s.conf' % service)]
    conf(argv if argv is not None else [], project='pocketstack',
         prog='pocketstack-%s' % service,
         default_config_files=default_config_files,
         validate_default_values=True)
    conf.service_name = service
    return conf


def api_opts(api_name, port, workers=None):
    """``<api>_listen``, ``<api>_listen_port``, ``<api>_workers`` as nova-api has them."""
    return [
        cfg.HostAddressOpt('%s_listen' % api_name, default='127.0.0.1',
                           help='Address the %s API listens on.' % api_name),
        cfg.PortOpt('%s_listen_port' % api_name, default=port,
                    help='Port the %s API listens on.' % api_name),
        cfg.IntOpt('%s_workers' % api_name, default=workers, min=1,
                   help='Worker processes for the %s API when run on its own '
                        '(default: the number of CPUs).' % api_name),
    ]


def list_opts():
    """The options every service has, as oslo-config-generator lists them."""
    return [(None, common_opts), ('database', database_opts), ('paste_deploy', paste_opts)]


def database_url(conf):
    if conf.database.connection:
        return conf.database.connection
    return 'sqlite:///' + os.path.join(conf.state_path, '%s.sqlite' % conf.service_name)


def paste_file(conf):
    return conf.paste_deploy.config_file or packaged_file(
        '%s-api-paste.ini' % conf.service_name)


def remember(conf):
    """Register a ConfigOpts for paste factories; returns its key."""
    key = '%s-%x' % (conf.service_name, id(conf))
    _REGISTRY[key] = conf
    return key


def lookup(global_conf):
    """The ConfigOpts a paste factory was loaded for."""
    return _REGISTRY[global_conf['conf_key']]
