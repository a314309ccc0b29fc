"""Logging with oslo.log: every line a request causes names its request id,
user and project (oslo.log reads them from the thread-local request context)."""
import logging

from oslo_config import cfg
from oslo_log import log as oslo_log

_configured = False

QUIET_LOGGERS = ['amqp=WARN', 'amqplib=WARN', 'kombu=WARN', 'urllib3=WARN',
                 'keystonemiddleware=WARN', 'routes.middleware=WARN',
                 'stevedore=WARN', 'oslo_policy=WARN', 'cheroot=WARN',
                 'alembic=WARN', 'sqlalchemy=WARN', 'oslo.messaging=WARN',
                 'oslo_messaging=WARN', 'keystoneauth=WARN', 'gunicorn=WARN',
                 'iso8601=WARN', 'requests=WARN']


def setup(conf=None, debug=False, log_file=None):
    """Configure process-wide logging once (the first service wins)."""
    global _configured
    if _configured:
        return
    conf = conf if conf is not None else cfg.ConfigOpts()
    if not hasattr(conf, 'log_file'):
        oslo_log.register_options(conf)
        conf([], project='pocketstack')
    oslo_log.set_defaults(default_log_levels=QUIET_LOGGERS)
    if debug:
        conf.set_override('debug', True)
    if log_file:
        conf.set_override('log_file', log_file)
    elif not conf.log_file and not conf.log_dir:
        # stdout is the commands' own output (endpoints, credentials); logs go to stderr.
        conf.set_override('use_stderr', True)
    conf.set_override('logging_default_format_string',
                      '%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(message)s')
    conf.set_override('logging_context_format_string',
                      '%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s '
                      '[%(global_request_id)s %(request_id)s %(user_identity)s] %(message)s')
    oslo_log.setup(conf, 'pocketstack')
    _configured = True


def getLogger(name):
    return logging.getLogger(name)
