"""Port creation as a /16 fills: ``POST /v2.0/ports`` over HTTP, the p50 of
the last thousand creates beside the first thousand (address allocation
must not slow as the subnet fills), and beside a hello-world app served the
same way in the same run.

    .venv/bin/python bench/network.py [--ports 10000] [--window 1000]
"""
import argparse
import json
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--ports', type=int, default=10000)
    parser.add_argument('--window', type=int, default=1000,
                        help='creates compared at the start and at the end')
    args = parser.parse_args(argv)
    window = min(args.window, args.ports // 2)

    from pocketstack.common import log, wsgi
    from pocketstack.network import service as network_service
    log.setup()
    conf = network_service.NetworkService.new_conf([])
    conf.set_override('state_path', tempfile.mkdtemp(prefix='bench-network-'))
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('quota_port', -1, group='quotas')
    app = wsgi.load_app(conf, 'neutron')
    server = common.serve('network', app)
    hello = common.serve('hello', common.hello_app)
    client = common.Http(server.port)
    headers = {'X-Auth-Token': 'demo:demo', 'Content-Type': 'application/json'}

    _, payload = client.request('POST', '/v2.0/networks', {'network': {'name': 'big'}},
                                headers=headers, expect=201)
    network = json.loads(payload)['network']
    client.request('POST', '/v2.0/subnets', {'subnet': {
        'network_id': network['id'], 'cidr': '10.128.0.0/16', 'ip_version': 4}},
        headers=headers, expect=201)
    body = {'port': {'network_id': network['id']}}

    latencies = []
    started = time.perf_counter()
    for _ in range(args.ports):
        start = time.perf_counter()
        client.request('POST', '/v2.0/ports', body, headers=headers, expect=201)
        latencies.append(time.perf_counter() - start)
    total = time.perf_counter() - started
    hello_client = common.Http(hello.port)
    baseline = common.measure_sequential(lambda: hello_client.request('GET', '/'), window)

    print(common.machine())
    print('port create: %d ports in one /16 subnet, SQLite, one client, %.1f s in all'
          % (args.ports, total))
    first, last = latencies[:window], latencies[-window:]
    print(common.latency_row('first %d creates' % window, first, baseline))
    print(common.latency_row('last %d creates' % window, last, baseline))
    print('last/first p50 ratio: %.2fx' % (common.percentile(last, 50)
                                          / common.percentile(first, 50)))
    server.stop()
    hello.stop()


if __name__ == '__main__':
    main()
