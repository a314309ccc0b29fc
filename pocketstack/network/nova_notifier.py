"""Tells Compute when a server's network changes, as Neutron's nova
notifier does: ``POST /os-server-external-events`` on the Compute API
(``network-changed`` when a floating IP of one of its ports comes or goes,
``network-vif-deleted`` when one of its ports is deleted here), so the
addresses Compute shows for the server follow at once.

Events are sent only once the change has committed (a rolled-back change
tells nobody), from a background thread (a slow or absent Compute never
holds up a Network API request), as the service user.  A cloud without a
Compute endpoint (``[nova] endpoint_override`` or the catalog) sends nothing.
"""
import logging
import queue
import threading

from sqlalchemy import event

from pocketstack.common import context as ctx_mod
from pocketstack.common import exception
from pocketstack.common import service_client

LOG = logging.getLogger(__name__)

PENDING = 'pocketstack.nova_events'   # session.info key: events of this transaction


class NovaNotifier:

    def __init__(self, conf):
        self.client = service_client.ServiceClient(conf, 'compute', 'nova')
        self.client.service_name = 'Compute'
        self._queue = queue.Queue()
        self._thread = None
        self._lock = threading.Lock()

    def port_changed(self, session, port, name='network-changed'):
        """Queue ``name`` for the server owning ``port`` (a port row), to be
        sent when ``session``'s transaction commits."""
        if not port.device_id or not port.device_owner.startswith('compute:'):
            return
        pending = session.info.get(PENDING)
        if pending is None:
            pending = session.info[PENDING] = []
            event.listen(session, 'after_commit', self._committed)
        item = {'name': name, 'server_uuid': port.device_id, 'tag': port.id}
        if item not in pending:
            pending.append(item)

    def _committed(self, session):
        events = session.info.pop(PENDING, None)
        if events:
            self._queue.put(events)
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._send_forever,
                                                    name='nova-notifier', daemon=True)
                    self._thread.start()

    def _send_forever(self):
        while True:
            self.send(self._queue.get())

    def send(self, events):
        try:
            if not self.client.configured():
                return
            self.client.request(ctx_mod.admin_context(), 'POST', '/os-server-external-events',
                                body={'events': events}, token=service_client.ADMIN)
        except exception.NotFound:
            LOG.debug('Compute knows none of the servers of %s', events)
        except Exception as e:  # noqa: BLE001 - a notification is never worth a failure
            LOG.warning('Could not tell Compute about %s: %s', events,
                        getattr(e, 'message', e))
