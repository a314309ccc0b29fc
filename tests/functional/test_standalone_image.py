"""The Image API run on its own, the two ways seed 002 shows glance-api run:
its console script (``pocketstack-image``, prefork workers) and a WSGI app
served by a WSGI server (gunicorn)."""
import time

from tests.cloud_process import clean_env, command, free_port, http, serve


def write_conf(tmp_path, port):
    conf_file = tmp_path / 'image.conf'
    conf_file.write_text('[DEFAULT]\nstate_path = %s\nimage_workers = 2\nimage_listen_port = %d\n'
                         '[paste_deploy]\nflavor = noauth\n' % (tmp_path / 'state', port))
    return conf_file


def create_and_upload(base, log):
    """Create, upload, show; a failing step shows the server's log."""
    status, _, image = http('POST', base + '/v2/images',
                            {'name': 'alone', 'disk_format': 'raw', 'container_format': 'bare'},
                            headers={'X-Auth-Token': 'alice:p1'})
    assert status == 201, (image, log.text())
    status, _, body = http('PUT', base + '/v2/images/%s/file' % image['id'], raw=b'x' * 1000,
                           headers={'X-Auth-Token': 'alice:p1',
                                    'Content-Type': 'application/octet-stream'})
    assert status == 204, (body, log.text())
    status, _, shown = http('GET', base + '/v2/images/%s' % image['id'],
                            headers={'X-Auth-Token': 'alice:p1'})
    assert (status, shown['status'], shown['size']) == (200, 'active', 1000), log.text()


def test_image_console_script_forks_workers(tmp_path):
    port = free_port()
    conf_file = write_conf(tmp_path, port)
    proc, log = serve([command('pocketstack-image'), '--config-file', str(conf_file)],
                      clean_env(), lambda l: 'image listening on 127.0.0.1:%d' % port in l)
    try:
        assert log.wait_for(lambda l: 'Starting 2 workers' in l, 10), log.text()
        base = 'http://127.0.0.1:%d' % port
        status, _, body = http('GET', base + '/')
        assert status == 300 and body['versions'][0]['id'] == 'v2.7'
        create_and_upload(base, log)
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
    assert (tmp_path / 'state' / 'image.sqlite').exists()


def test_image_as_a_wsgi_app_under_gunicorn(tmp_path):
    port = free_port()
    conf_file = write_conf(tmp_path, port)
    proc, log = serve([command('gunicorn'), '-w', '2', '-b', '127.0.0.1:%d' % port,
                       'pocketstack.cmd.wsgi_app:init_app("image")'],
                      clean_env(POCKETSTACK_CONFIG_FILES=str(conf_file)),
                      lambda l: 'Booting worker' in l)
    try:
        base = 'http://127.0.0.1:%d' % port
        for _ in range(100):  # the worker boots before it accepts
            try:
                status, _, _ = http('GET', base + '/versions', timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        create_and_upload(base, log)
    finally:
        proc.terminate()
        proc.wait(30)
