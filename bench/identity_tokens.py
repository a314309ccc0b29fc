"""Identity: issuing and validating tokens, beside a hello-world app.

The Identity API is loaded from its paste file and served by the same
cheroot thread pool ``pocketstack up`` uses; the baseline is a bare WSGI app
on an identical server in the same process.  Password tokens are dominated
by bcrypt at its default cost (12) — deliberately slow; the ``token`` method
(rescoping an existing token) shows the framework's own cost.

    .venv/bin/python bench/identity_tokens.py [--requests N] [--seconds S]
"""
import argparse
import sys
import tempfile

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=200)
    parser.add_argument('--seconds', type=float, default=3.0)
    args = parser.parse_args(argv)

    from pocketstack.common import log, wsgi
    from pocketstack.identity import service as identity_service
    from pocketstack.identity.core import bootstrap
    log.setup()
    state = tempfile.mkdtemp(prefix='bench-identity-')
    conf = identity_service.new_conf([])
    conf.set_override('state_path', state)
    app = wsgi.load_app(conf, 'identity')
    server = common.serve('identity', app)
    hello = common.serve('hello', common.hello_app)
    bootstrap.bootstrap(identity_service.for_conf(conf), 'http://127.0.0.1:%d' % server.port, {})

    password_auth = {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
        'name': 'admin', 'domain': {'name': 'Default'},
        'password': conf.bootstrap.admin_password}}},
        'scope': {'project': {'name': 'admin', 'domain': {'name': 'Default'}}}}}

    def issue(client, body):
        resp, _ = client.request('POST', '/v3/auth/tokens', body, expect=201)
        return resp.getheader('X-Subject-Token')

    admin_token = issue(common.Http(server.port), password_auth)
    token_auth = {'auth': {'identity': {'methods': ['token'], 'token': {'id': admin_token}},
                           'scope': {'project': {'name': 'admin',
                                                 'domain': {'name': 'Default'}}}}}

    def issuer(body):
        def make():
            client = common.Http(server.port)
            return lambda: issue(client, body)
        return make

    def validator():
        client = common.Http(server.port)
        headers = {'X-Auth-Token': admin_token, 'X-Subject-Token': admin_token}
        return lambda: client.request('GET', '/v3/auth/tokens', headers=headers, expect=200)

    def hello_call():
        client = common.Http(hello.port)
        return lambda: client.request('GET', '/', expect=200)

    print(common.machine())
    print('identity: bcrypt cost %d (the default), SQLite, %d sequential requests, '
          'throughput over %.0f s' % (conf.identity.password_hash_rounds, args.requests,
                                      args.seconds))
    baseline = common.measure_sequential(hello_call(), args.requests)
    baseline_rate = common.measure_throughput(hello_call, 8, args.seconds)
    cases = [('token issue (password)', issuer(password_auth), max(args.requests // 10, 10)),
             ('token issue (token, no bcrypt)', issuer(token_auth), args.requests),
             ('token validate', validator, args.requests)]
    results = {}
    for label, make, n in cases:
        latencies = common.measure_sequential(make(), n)
        rate = common.measure_throughput(make, 8, args.seconds)
        print(common.latency_row(label, latencies, baseline))
        print(common.throughput_row(label, rate, baseline_rate, 8))
        results[label] = {'p50_ms': common.percentile(latencies, 50) * 1000,
                          'p99_ms': common.percentile(latencies, 99) * 1000, 'rps_c8': rate}
    server.stop()
    hello.stop()
    return results


if __name__ == '__main__':
    main()
