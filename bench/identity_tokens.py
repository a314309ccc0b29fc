"""Identity: issuing and validating tokens, beside a hello-world app.

The Identity API is built and served exactly as ``pocketstack up`` serves it:
its paste pipeline loaded from the packaged files, SQLite under a temporary
state directory, bootstrapped like ``up`` (demo user, service users, every
service's endpoints in the catalog), on a cheroot ``ThreadedServer`` with the
default thread count.  The baseline is a bare WSGI app on an identical server
in the same process, measured the same way in the same run: the ratio is what
pocketstack costs beyond serving HTTP at all.

Clients use keep-alive connections (one per client thread).  Password tokens
hash at up's bcrypt cost (4; at Keystone's default, 12, bcrypt alone is about
0.23 s of CPU per token); the ``token`` method (rescoping an existing token)
skips bcrypt and so shows the framework's own cost.  Clients and servers share
one process, hence one GIL: concurrency 8 is not expected to scale beyond one
CPU's worth of Python.

    .venv/bin/python bench/identity_tokens.py [--requests N] [--seconds S]
"""
import argparse
import sys
import tempfile

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402

CONCURRENCY = 8


def start_identity(state):
    """(conf, server) — the Identity API served and bootstrapped as ``up`` does."""
    from pocketstack.cmd import allinone, registry
    from pocketstack.common import wsgi

    conf = allinone.new_conf(registry.get('identity'), state)
    server = common.serve('identity', wsgi.load_app(conf, 'identity'))
    try:
        # up's own bootstrap: demo user, service users, and every API in the
        # catalog, so token bodies are up's (nothing listens on the others:
        # issuing and validating tokens never calls them).
        urls = {api.name: 'http://127.0.0.1:%d' % api.port
                for service in registry.SERVICES for api in service.apis}
        urls['identity'] = 'http://127.0.0.1:%d' % server.port
        allinone._bootstrap(conf, urls)
    except BaseException:
        server.stop()
        raise
    return conf, server


def password_auth(user, password, project):
    return {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': user, 'domain': {'name': 'Default'}, 'password': password}}},
        'scope': {'project': {'name': project, 'domain': {'name': 'Default'}}}}}


def token_auth(token, project):
    return {'auth': {'identity': {'methods': ['token'], 'token': {'id': token}},
                     'scope': {'project': {'name': project, 'domain': {'name': 'Default'}}}}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=200,
                        help='sequential requests per case (password issue: a tenth)')
    parser.add_argument('--seconds', type=float, default=3.0,
                        help='duration of each throughput measurement')
    args = parser.parse_args(argv)

    from pocketstack.common import log
    log.setup()
    conf, server = start_identity(tempfile.mkdtemp(prefix='bench-identity-'))
    try:
        hello = common.serve('hello', common.hello_app)
        try:
            return run(args, conf, server, hello)
        finally:
            hello.stop()
    finally:
        server.stop()


def run(args, conf, server, hello):
    port = server.port

    def issue(client, body):
        resp, _ = client.request('POST', '/v3/auth/tokens', body, expect=201)
        return resp.getheader('X-Subject-Token')

    admin_password = password_auth('admin', conf.bootstrap.admin_password, 'admin')
    admin_token = issue(common.Http(port), admin_password)
    demo_token = issue(common.Http(port),
                       password_auth('demo', conf.bootstrap.demo_password, 'demo'))

    def issuer(body):
        def make():
            client = common.Http(port)
            return lambda: issue(client, body)
        return make

    def validator():
        # What a service's auth_token does: its own token validates the user's.
        client = common.Http(port)
        headers = {'X-Auth-Token': admin_token, 'X-Subject-Token': demo_token}
        return lambda: client.request('GET', '/v3/auth/tokens', headers=headers, expect=200)

    def hello_call():
        client = common.Http(hello.port)
        return lambda: client.request('GET', '/', expect=200)

    print(common.machine())
    print('identity: bcrypt cost %d as up sets it, SQLite, bootstrapped as up does;'
          % conf.identity.password_hash_rounds)
    print('  both servers cheroot with %d threads; %d sequential requests per case (password: '
          '%d); throughput over %.0f s at concurrency %d, clients in the same process (one GIL)'
          % (server.server.requests.min, args.requests, max(args.requests // 10, 10),
             args.seconds, CONCURRENCY))
    baseline = common.measure_sequential(hello_call(), args.requests)
    baseline_rate = common.measure_throughput(hello_call, CONCURRENCY, args.seconds)
    cases = [
        ('token issue (password)', issuer(admin_password), max(args.requests // 10, 10)),
        ('token issue (token, no bcrypt)', issuer(token_auth(admin_token, 'admin')),
         args.requests),
        ('token validate', validator, args.requests),
    ]
    results = {}
    for label, make, n in cases:
        latencies = common.measure_sequential(make(), n)
        rate = common.measure_throughput(make, CONCURRENCY, args.seconds)
        print(common.latency_row(label, latencies, baseline), flush=True)
        print(common.throughput_row(label, rate, baseline_rate, CONCURRENCY), flush=True)
        results[label] = {'p50_ms': common.percentile(latencies, 50) * 1000,
                          'p99_ms': common.percentile(latencies, 99) * 1000,
                          'rps_c%d' % CONCURRENCY: rate}
    return results


if __name__ == '__main__':
    main()
