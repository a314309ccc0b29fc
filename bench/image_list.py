"""Image lists: ``GET /v2/images?limit=100`` with 1,000 images, beside a
hello-world app served the same way in the same run.

    .venv/bin/python bench/image_list.py [--images 1000] [--requests 200]
"""
import argparse
import sys
import tempfile

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--images', type=int, default=1000)
    parser.add_argument('--requests', type=int, default=200)
    args = parser.parse_args(argv)

    from pocketstack.common import context, log, wsgi
    from pocketstack.image import service as image_service
    log.setup()
    conf = image_service.ImageService.new_conf([])
    conf.set_override('state_path', tempfile.mkdtemp(prefix='bench-image-list-'))
    conf.set_override('flavor', 'noauth', group='paste_deploy')
    app = wsgi.load_app(conf, 'image')
    service = image_service.ImageService.for_conf(conf)
    admin = context.admin_context()
    admin.project_id = 'admin'
    for n in range(args.images):
        service.images.create(admin, {'name': 'image-%04d' % n, 'disk_format': 'raw',
                                      'container_format': 'bare', 'visibility': 'public',
                                      'tags': ['bench'], 'properties': {'os_distro': 'cirros'}})
    server = common.serve('image', app)
    hello = common.serve('hello', common.hello_app)

    def lister(path):
        client = common.Http(server.port)
        return lambda: client.request('GET', path, headers={'X-Auth-Token': 'demo:demo'},
                                      expect=200)

    hello_client = common.Http(hello.port)
    print(common.machine())
    print('image list: %d public images, SQLite, seen by a non-admin project' % args.images)
    baseline = common.measure_sequential(lambda: hello_client.request('GET', '/'),
                                         args.requests)
    for label, path in (('GET /v2/images?limit=100', '/v2/images?limit=100'),
                        ('… &os_distro=cirros&sort=name:asc',
                         '/v2/images?limit=100&os_distro=cirros&sort=name:asc')):
        latencies = common.measure_sequential(lister(path), args.requests)
        print(common.latency_row(label, latencies, baseline))
    server.stop()
    hello.stop()


if __name__ == '__main__':
    main()
