"""Compute: booting servers through API → conductor → scheduler → compute,
and listing them, each beside a hello-world app served the same way.

Everything runs in this process as in ``pocketstack up`` (the in-process
bus, two fake hosts, SQLite, the Network API for ports) with the noauth
pipelines; the hosts are made large and the quotas unlimited so that
capacity is not what is measured.  ``--transport-url rabbit://…`` runs the
same services over RabbitMQ instead.  After the sequential boots, the
compute hosts' conductor calls of a boot are timed at both ends (the RPC
hop's cost beyond the SQL the conductor runs), once with ACTIVE polled as
tightly as the boots above and once with a client that polls every 50 ms.

    .venv/bin/python bench/compute.py [--boots 20] [--concurrent 200] [--servers 1000]
                                      [--transport-url rabbit://guest:guest@127.0.0.1:5672/]
"""
import argparse
import datetime
import functools
import json
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402

HEADERS = {'X-Auth-Token': 'admin:admin', 'OpenStack-API-Version': 'compute 2.96'}


def start_network(state):
    """The Network API (noauth) with one network whose /20 subnet holds every port."""
    from pocketstack.common import wsgi
    from pocketstack.network import service as network_service
    conf = network_service.NetworkService.new_conf([])
    conf.set_override('state_path', state)
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('quota_port', -1, group='quotas')
    server = common.serve('network', wsgi.load_app(conf, 'neutron'))
    client = common.Http(server.port)
    headers = {'X-Auth-Token': 'admin:admin'}
    _, body = client.request('POST', '/v2.0/networks', {'network': {'name': 'bench'}},
                             headers=headers, expect=201)
    network_id = json.loads(body)['network']['id']
    client.request('POST', '/v2.0/subnets', {'subnet': {
        'network_id': network_id, 'cidr': '10.64.0.0/20', 'ip_version': 4}},
        headers=headers, expect=201)
    return server, network_id


def start_cloud(state, transport_url, started):
    """The cloud (conf, image, API port, network id); what it starts goes on
    ``started`` as it starts, so that a failure half-way stops it all."""
    from pocketstack.common import wsgi
    from pocketstack.compute import processes
    from pocketstack.compute import service as compute_service
    from pocketstack.image import default_image
    from pocketstack.image import service as image_service

    image_conf = image_service.ImageService.new_conf([])
    image_conf.set_override('state_path', state)
    image_conf.set_override('flavor', 'noauth', group='paste_deploy')
    image_server = common.serve('image', wsgi.load_app(image_conf, 'image'))
    started.append(image_server)
    image = default_image.register(image_service.ImageService.for_conf(image_conf), 'admin',
                                   'cirros')

    network_server, network_id = start_network(state)
    started.append(network_server)
    conf = compute_service.ComputeService.new_conf([])
    for name, value, group in (
            ('state_path', state, None), ('auth_strategy', 'noauth2', None),
            ('transport_url', transport_url or 'memory:///bench-%s' % uuid.uuid4().hex,
             None),
            ('endpoint_override', 'http://127.0.0.1:%d' % image_server.port, 'glance'),
            ('endpoint_override', 'http://127.0.0.1:%d' % network_server.port, 'neutron'),
            ('vcpus', 256, 'fake_driver'), ('memory_mb', 262144, 'fake_driver'),
            ('local_gb', 10000, 'fake_driver'), ('instances', -1, 'quota'),
            ('cores', -1, 'quota'), ('ram', -1, 'quota')):
        conf.set_override(name, value, group=group)
    service = compute_service.ComputeService.for_conf(conf)
    service.flavors.ensure_defaults()
    api_server = common.serve('osapi_compute', wsgi.load_app(conf, 'osapi_compute'))
    started.append(api_server)
    # RPC services first in the list: they stop before the APIs they call.
    started[:0] = processes.all_in_one(conf)
    return conf, image, api_server.port, network_id


def boot(client, image_id, name, networks='none'):
    _, body = client.request('POST', '/v2.1/servers', {'server': {
        'name': name, 'imageRef': image_id, 'flavorRef': '42', 'networks': networks}},
        headers=HEADERS, expect=202)
    return json.loads(body)['server']['id']


def wait_active(client, server_id, deadline_s=120, poll_s=0.002):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        _, body = client.request('GET', '/v2.1/servers/%s' % server_id, headers=HEADERS,
                                 expect=200)
        status = json.loads(body)['server']['status']
        if status == 'ACTIVE':
            return
        if status == 'ERROR':
            raise RuntimeError('server %s went to ERROR' % server_id)
        time.sleep(poll_s)
    raise RuntimeError('server %s not ACTIVE in %d s' % (server_id, deadline_s))


def conductor_breakdown(client, image_id, boots, poll_s):
    """(RPC calls per boot, ms per boot at the caller, ms in the conductor's
    methods) for compute hosts' conductor calls over ``boots`` boots
    without a port, ACTIVE polled every ``poll_s``: the difference is what
    the hop through the conductor costs beyond the SQL a host once ran itself."""
    from pocketstack.compute.conductor import manager, rpcapi
    caller, served = [], []

    def timed(function, into):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into.append(time.perf_counter() - start)
        return wrapper
    methods = [m for m, f in vars(manager.ConductorManager).items()
               if callable(f) and not m.startswith('_')]
    saved = {m: getattr(manager.ConductorManager, m) for m in methods}
    saved_call = rpcapi.ConductorAPI._call
    rpcapi.ConductorAPI._call = timed(saved_call, caller)
    for m in methods:
        setattr(manager.ConductorManager, m, timed(saved[m], served))
    try:
        for _ in range(boots):
            wait_active(client, boot(client, image_id, 'breakdown'), poll_s=poll_s)
    finally:
        rpcapi.ConductorAPI._call = saved_call
        for m, function in saved.items():
            setattr(manager.ConductorManager, m, function)
    return len(caller) / boots, sum(caller) * 1000 / boots, sum(served) * 1000 / boots


def insert_servers(conf, count, project='lister'):
    """Instance rows written directly (a list benchmark should not wait for boots)."""
    from pocketstack.common import utils
    from pocketstack.compute import service as compute_service
    from pocketstack.compute.db import models
    service = compute_service.ComputeService.for_conf(conf)
    flavor = service.flavors.get(_admin(), '42')
    now = utils.utcnow()
    with service.db.writer() as session:
        for n in range(count):
            session.add(models.Instance(
                uuid=str(uuid.uuid4()), user_id=project, project_id=project,
                display_name='s-%04d' % n, hostname='s-%04d' % n, image_ref='', flavor=flavor,
                vm_state='active', power_state=1, host='compute1', node='compute1',
                availability_zone='nova', system_metadata={},
                created_at=now - datetime.timedelta(seconds=n), updated_at=now))


def _admin():
    from pocketstack.common import context
    return context.admin_context()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--boots', type=int, default=20)
    parser.add_argument('--concurrent', type=int, default=200)
    parser.add_argument('--servers', type=int, default=1000)
    parser.add_argument('--seconds', type=float, default=3.0)
    parser.add_argument('--transport-url', help='the message bus (default: in memory)')
    args = parser.parse_args(argv)
    from pocketstack.common import log
    log.setup()
    state = tempfile.mkdtemp(prefix='bench-compute-')
    running = []
    try:
        conf, image, port, network_id = start_cloud(state, args.transport_url, running)
        hello = common.serve('hello', common.hello_app)
        running.append(hello)
        print(common.machine())
        bus = 'RabbitMQ' if (args.transport_url or '').startswith('rabbit') else \
            'in-process bus'
        print('compute: all-in-one (%s, 2 fake hosts, SQLite), m1.nano' % bus)
        client = common.Http(port)
        hello_client = common.Http(hello.port)
        baseline = common.measure_sequential(lambda: hello_client.request('GET', '/'), 200)

        # Boots with a port and without, alternating, so both see the same machine.
        timings = {'none': [], 'network': []}
        for n in range(args.boots + 2):
            for kind, networks in (('none', 'none'), ('network', [{'uuid': network_id}])):
                start = time.perf_counter()
                wait_active(client, boot(client, image['id'], 'seq', networks))
                if n >= 2:   # the first two of each warm up
                    timings[kind].append(time.perf_counter() - start)
        for kind, label in (('none', 'boot to ACTIVE, no network'),
                            ('network', 'boot to ACTIVE, with a port')):
            print('%-34s p50 %s  p95 %s  (POST /servers until GET shows ACTIVE)' % (
                label, common.ms(common.percentile(timings[kind], 50)),
                common.ms(common.percentile(timings[kind], 95))))
        print('with a port / no network, p50: %.2fx' % (
            common.percentile(timings['network'], 50) / common.percentile(timings['none'], 50)))
        boot_ms = common.percentile(timings['none'], 50) * 1000
        for poll_s, who in ((0.002, 'polled every 2 ms'), (0.05, 'polled every 50 ms')):
            calls, at_caller, in_conductor = conductor_breakdown(client, image['id'],
                                                                 args.boots, poll_s)
            print('conductor calls per boot, %-17s %.1f calls: %.2f ms at the host, %.2f ms '
                  'in the conductor = %.2f ms of RPC (%.1f%% of the boot p50)' % (
                      who, calls, at_caller, in_conductor, at_caller - in_conductor,
                      100 * (at_caller - in_conductor) / boot_ms))

        ids, lock = [], threading.Lock()
        started = time.perf_counter()

        def booter(count):
            c = common.Http(port)
            for _ in range(count):
                server_id = boot(c, image['id'], 'burst')
                with lock:
                    ids.append(server_id)
        threads = [threading.Thread(target=booter, args=(args.concurrent // 20,))
                   for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        accepted = time.perf_counter() - started
        for server_id in ids:
            wait_active(client, server_id, deadline_s=600)
        total = time.perf_counter() - started
        print('%-34s %d accepted in %.2f s, all ACTIVE after %.2f s = %.1f boots/s' % (
            '%d concurrent boots (20 clients)' % len(ids), len(ids), accepted, total,
            len(ids) / total))

        insert_servers(conf, args.servers)
        lister_headers = {'X-Auth-Token': 'lister:lister',
                          'OpenStack-API-Version': 'compute 2.96'}
        detail = common.measure_sequential(lambda: client.request(
            'GET', '/v2.1/servers/detail?limit=1000', headers=lister_headers, expect=200), 20,
            warmup=2)
        print(common.latency_row('GET /servers/detail, %d servers' % args.servers, detail,
                                 baseline))

        insert_servers(conf, 10, project='small')
        small_headers = {'X-Auth-Token': 'small:small', 'OpenStack-API-Version': 'compute 2.96'}

        def lister():
            c = common.Http(port)
            return lambda: c.request('GET', '/v2.1/servers', headers=small_headers, expect=200)

        def hello_call():
            c = common.Http(hello.port)
            return lambda: c.request('GET', '/', expect=200)
        rate = common.measure_throughput(lister, 8, args.seconds)
        hello_rate = common.measure_throughput(hello_call, 8, args.seconds)
        print(common.throughput_row('GET /servers, 10 servers', rate, hello_rate, 8))
    finally:
        for work in running:
            work.stop()


if __name__ == '__main__':
    main()
