"""The Network service tells Compute about servers' network changes
(``POST /os-server-external-events``), once they commit.  Compute is played
here by a recorder of what it is told, served over HTTP."""
import http.server
import json
import threading
import time

import pytest

from tests.functional.network.conftest import NetworkFixture


class Recorder(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        Recorder.received.append((self.path, self.headers['X-Auth-Token'], body))
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def compute():
    Recorder.received = []
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield 'http://127.0.0.1:%d/v2.1' % server.server_address[1]
    server.shutdown()


def _events(count, timeout=10):
    deadline = time.monotonic() + timeout
    while len(Recorder.received) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return [event for _, _, body in Recorder.received for event in body['events']]


def test_floating_ip_and_port_changes_reach_compute(tmp_path, compute):
    network = NetworkFixture(tmp_path, overrides={('nova', 'endpoint_override'): compute})
    try:
        admin, alice = network.admin, network.client()
        public = network.create(admin, 'networks', name='public', **{'router:external': True})
        network.create(admin, 'subnets', network_id=public['id'], cidr='172.24.4.0/24',
                       ip_version=4)
        net, sub = network.network_with_subnet(alice)
        router = network.create(alice, 'routers', name='r',
                                external_gateway_info={'network_id': public['id']})
        alice.put('/routers/%s/add_router_interface' % router['id'], {'subnet_id': sub['id']})
        vm_port = network.create(alice, 'ports', network_id=net['id'], device_id='server-1',
                                 device_owner='compute:nova')
        other = network.create(alice, 'ports', network_id=net['id'])   # no server's
        assert _events(0, timeout=0.2) == []

        fip = network.create(alice, 'floatingips', floating_network_id=public['id'])
        # a refused association changes nothing and tells nobody
        resp = alice.put('/floatingips/%s' % fip['id'], {'floatingip': {
            'port_id': vm_port['id'], 'fixed_ip_address': '10.9.9.9'}})
        assert resp.status_int == 400
        alice.put('/floatingips/%s' % fip['id'], {'floatingip': {'port_id': vm_port['id']}})
        assert _events(1) == [{'name': 'network-changed', 'server_uuid': 'server-1',
                               'tag': vm_port['id']}]
        path, token, _ = Recorder.received[0]
        assert path == '/v2.1/os-server-external-events' and token == 'admin:admin'

        alice.put('/floatingips/%s' % fip['id'], {'floatingip': {'port_id': other['id']}})
        admin.delete('/ports/%s' % vm_port['id'])    # a server's port: compute's to delete
        events = _events(3)
        assert events[1:] == [
            {'name': 'network-changed', 'server_uuid': 'server-1', 'tag': vm_port['id']},
            {'name': 'network-vif-deleted', 'server_uuid': 'server-1', 'tag': vm_port['id']}]
    finally:
        network.db.dispose()
