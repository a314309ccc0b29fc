"""The Network API run on its own as neutron-server is deployed: its console
script (``pocketstack-network``), prefork workers sharing one socket, on
PostgreSQL and MariaDB — and ports created side by side through different
worker processes never share an address."""
import concurrent.futures

import pytest

from tests import backends
from tests.cloud_process import clean_env, command, free_port, http, serve

TOKEN = {'X-Auth-Token': 'alice:p1'}


@pytest.fixture(params=['postgresql', 'mysql'])
def database_url(request):
    url, drop = backends.fresh_database_url(request.param)
    yield url
    drop()


def test_network_console_script_on_a_database_server(tmp_path, database_url):
    port = free_port()
    conf_file = tmp_path / 'network.conf'
    conf_file.write_text('[DEFAULT]\nstate_path = %s\nnetwork_workers = 3\n'
                         'network_listen_port = %d\nauth_strategy = noauth\n'
                         '[database]\nconnection = %s\n' % (tmp_path / 'state', port,
                                                           database_url))
    proc, log = serve([command('pocketstack-network'), '--config-file', str(conf_file)],
                      clean_env(), lambda l: 'network listening on 127.0.0.1:%d' % port in l)
    try:
        assert log.wait_for(lambda l: 'Starting 3 workers' in l, 10), log.text()
        base = 'http://127.0.0.1:%d' % port
        status, _, body = http('GET', base + '/')
        assert status == 200 and body['versions'][0]['id'] == 'v2.0'
        # The parent reports the agents of its host.
        status, _, body = http('GET', base + '/v2.0/agents',
                               headers={'X-Auth-Token': 'admin:admin'})
        assert status == 200, body
        assert sorted((a['agent_type'], a['alive']) for a in body['agents']) == [
            ('DHCP agent', True), ('L3 agent', True), ('Metadata agent', True)]
        status, _, net = http('POST', base + '/v2.0/networks', {'network': {'name': 'n'}},
                              headers=TOKEN)
        assert status == 201, net
        status, _, sub = http('POST', base + '/v2.0/subnets', {'subnet': {
            'network_id': net['network']['id'], 'cidr': '10.5.0.0/27', 'ip_version': 4}},
            headers=TOKEN)
        assert status == 201, sub

        def create(_):
            return http('POST', base + '/v2.0/ports',
                        {'port': {'network_id': net['network']['id']}}, headers=TOKEN)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(create, range(32)))
        made = [body['port'] for status, _, body in results if status == 201]
        refused = [body['NeutronError']['type'] for status, _, body in results
                   if status != 201]
        # .2-.30 less the DHCP port's address: 28 ports, then the subnet is full
        assert len(made) == 28, (refused, log.text()[-4000:])
        assert refused == ['IpAddressGenerationFailure'] * 4, log.text()[-4000:]
        addresses = [p['fixed_ips'][0]['ip_address'] for p in made]
        assert len(set(addresses)) == 28
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
