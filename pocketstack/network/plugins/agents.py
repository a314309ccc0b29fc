"""The agent service plugin: ``/v2.0/agents`` (admin only, by policy) —
list and show the agents' last state reports (``alive`` while the last is
younger than ``agent_down_time``), change ``admin_state_up`` and
``description``, delete one (its next report brings it back).
"""
import datetime

import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.network import exception
from pocketstack.network.db import models
from pocketstack.network.db import query
from pocketstack.network.plugins import Plugin


def _time(value):
    return value.strftime('%Y-%m-%d %H:%M:%S') if value else None


class AgentsPlugin(Plugin):

    supported_resources = ('agents',)
    supported_extension_aliases = ('agent',)

    def _view(self, row, now):
        down = datetime.timedelta(seconds=self.conf.agent.agent_down_time)
        return {'id': row.id, 'agent_type': row.agent_type, 'binary': row.binary,
                'topic': row.topic, 'host': row.host,
                'availability_zone': row.availability_zone,
                'admin_state_up': row.admin_state_up, 'description': row.description,
                'configurations': dict(row.configurations or {}),
                'created_at': _time(row.created_at), 'started_at': _time(row.started_at),
                'heartbeat_timestamp': _time(row.heartbeat_timestamp),
                'alive': now - row.heartbeat_timestamp <= down, 'resources_synced': None}

    def _row(self, session, id):
        row = session.get(models.Agent, id)
        if row is None:
            raise exception.AgentNotFound(id=id)
        return row

    def get_agents(self, context, filters=None, fields=None, sorts=None, limit=None,
                   marker=None, page_reverse=False):
        filters = dict(filters or {})
        alive = filters.pop('alive', None)
        now = utils.utcnow()
        with self.db.reader() as session:
            marker_row = self._row(session, marker) if marker else None
            rows = query.page(session, sa.select(models.Agent), models.Agent, filters, sorts,
                              limit, marker_row, page_reverse)
            views = [self._view(r, now) for r in rows]
        if alive is not None:
            views = [v for v in views if v['alive'] in alive]
        return views

    def get_agent(self, context, id, fields=None):
        with self.db.reader() as session:
            return self._view(self._row(session, id), utils.utcnow())

    def update_agent(self, context, id, agent):
        with self.db.writer() as session:
            row = self._row(session, id)
            for attr in ('admin_state_up', 'description'):
                if attr in agent:
                    setattr(row, attr, agent[attr])
            session.flush()
            return self._view(row, utils.utcnow())

    def delete_agent(self, context, id):
        with self.db.writer() as session:
            session.delete(self._row(session, id))
