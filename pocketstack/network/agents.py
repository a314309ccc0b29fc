"""The Network service's agents and their state reports.

In Neutron the DHCP, L3 and metadata agents are processes of their own that
report their state over RPC every ``report_interval`` seconds; an agent is
``alive`` while its last report is younger than ``agent_down_time``.  Here
the network service itself does their part of the work (it makes DHCP
ports, router gateways and interfaces; nothing forwards packets, as the
hypervisors are fake), so the process serving the Network API reports them
for its host: ``up`` and ``pocketstack-network`` run a Reporter, and the
agents go dead when that process stops.
"""
import logging
import socket
import threading
import uuid

import sqlalchemy as sa
from oslo_config import cfg

from pocketstack.common import utils
from pocketstack.network.db import models

LOG = logging.getLogger(__name__)

agent_opts = [
    cfg.IntOpt('report_interval', default=30, min=1,
               help='Seconds between the agents\' state reports.'),
    cfg.IntOpt('agent_down_time', default=75, min=1,
               help='Seconds after its last report an agent is shown dead.'),
]

# (agent_type, binary, topic, availability zone?) as Neutron names them.
AGENTS = (
    ('DHCP agent', 'neutron-dhcp-agent', 'dhcp_agent', True),
    ('L3 agent', 'neutron-l3-agent', 'l3_agent', True),
    ('Metadata agent', 'neutron-metadata-agent', 'N/A', False),
)


def report(db, conf, host, started_at):
    """One state report of every agent of ``host`` (created on the first)."""
    now = utils.utcnow()
    zone = (conf.default_availability_zones or ['nova'])[0]
    with db.writer() as session:
        for agent_type, binary, topic, zoned in AGENTS:
            row = session.scalar(sa.select(models.Agent).where(
                models.Agent.agent_type == agent_type, models.Agent.host == host))
            if row is None:
                row = models.Agent(id=str(uuid.uuid4()), agent_type=agent_type, binary=binary,
                                   topic=topic, host=host, admin_state_up=True,
                                   configurations={}, created_at=now)
                session.add(row)
            row.availability_zone = zone if zoned else None
            row.started_at = started_at
            row.heartbeat_timestamp = now


class Reporter:
    """Reports the agents now and every ``report_interval`` seconds, until
    stopped.  Each report uses an engine of its own, so a process that
    forks workers after starting it shares no database connection."""

    def __init__(self, conf, host=None):
        self.conf = conf
        self.host = host or socket.gethostname()
        self.started_at = utils.utcnow()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name='agent-reporter', daemon=True)

    def report(self):
        from pocketstack.common import service
        database = service.database(self.conf, 'pocketstack.network.db')
        try:
            report(database, self.conf, self.host, self.started_at)
        finally:
            database.dispose()

    def _run(self):
        while not self._stopped.wait(self.conf.agent.report_interval):
            try:
                self.report()
            except Exception:  # noqa: BLE001 - the next report may succeed
                LOG.exception('Agent state report failed')

    def start(self):
        self.report()
        self._thread.start()

    def stop(self):
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(5)


def start(conf):
    """The service's background work for ``up`` and pocketstack-network."""
    reporter = Reporter(conf)
    reporter.start()
    LOG.info('Reporting the DHCP, L3 and metadata agents of host %s', reporter.host)
    return [reporter]
