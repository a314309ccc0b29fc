"""The compute processes scaled out, one per command, as Nova deploys them
(seed 001's SERVICE_MANAGERS and nova-api):

    pocketstack-conductor   [--config-file FILE]… [--host NAME] [--debug]
    pocketstack-scheduler   [--config-file FILE]… [--host NAME] [--debug]
    pocketstack-compute     [--config-file FILE]… [--host NAME] [--debug]
    pocketstack-compute-api [--config-file FILE]… [--debug]

They share one compute database (``[database] connection``) and one message
bus (``transport_url = rabbit://…``).  The conductor migrates the schema
when it starts; the others do so only with ``[database] auto_upgrade`` (the
default) — on a new database start the conductor first, or run ``pocketstack
db sync``, so that processes started at once do not race to create it.

Each RPC service serves its topic (``conductor``, ``scheduler``,
``compute.<host>``) until SIGTERM or SIGINT, then stops and exits 0.
``--host`` names the process (default: ``host`` of the config, the machine's
name); several compute hosts on one machine each need their own.

``pocketstack-compute-api`` serves every API of ``enabled_apis``:
osapi_compute (8774) and metadata (8775) by default, each a prefork parent
in a child process of its own (seed 003: ``osapi_compute listening on …``,
``metadata listening on …``).  ``enabled_apis = metadata`` in a config file
of its own runs the metadata API alone, as nova-api-metadata does.
"""
import argparse
import logging
import signal
import sys
import threading

LOG = logging.getLogger(__name__)


def run_rpc_service(kind, argv=None):
    """Serve one of compute/processes.py's RPC services (``kind``: conductor,
    scheduler or compute) until a stop signal; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--debug', action='store_true')
    pre.add_argument('--host', help='name of this %s (default: [DEFAULT] host)' % kind)
    args, rest = pre.parse_known_args(argv)

    from pocketstack.cmd import registry
    from pocketstack.common import log
    from pocketstack.common import rpc
    from pocketstack.compute import processes

    service = registry.get('compute')
    conf = service.new_conf(rest)
    log.setup(debug=args.debug)
    if kind == 'conductor':
        service.sync_database(conf)

    rpc_service = getattr(processes, kind)(conf, args.host or conf.host)
    # Until it serves, a signal ends the process at once (connecting to an
    # unreachable bus retries forever).
    rpc_service.start()
    stopping = threading.Event()

    def on_signal(signum, frame):
        LOG.info('Caught %s, stopping', signal.Signals(signum).name)
        stopping.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stopping.wait()
    rpc_service.stop()
    rpc.transport(conf).cleanup()  # closes the bus connections and their threads
    LOG.info('Stopped')
    return 0


def conductor():
    sys.exit(run_rpc_service('conductor'))


def scheduler():
    sys.exit(run_rpc_service('scheduler'))


def compute():
    sys.exit(run_rpc_service('compute'))


def compute_api():
    from pocketstack.cmd import api_service
    sys.exit(api_service.serve('compute', enabled_apis=lambda conf: conf.enabled_apis))
