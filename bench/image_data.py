"""Image data: upload and download of a large image through the Image API,
beside a plain copy of the same bytes on the same disk (the physical limit),
and the API worker's resident memory during them (it must stay flat: data is
streamed, never held).

The Image API runs as it does scaled out (``pocketstack-image``, one
worker, noauth pipeline); the client streams from and to files.

    .venv/bin/python bench/image_data.py [--mib 512]
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit('/bench/', 1)[0])

from bench import common  # noqa: E402

BIN = os.path.dirname(sys.executable)
CHUNK = 1 << 20


def start_image_api(tmp, port):
    conf = os.path.join(tmp, 'image.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nstate_path = %s\nimage_workers = 1\nimage_listen_port = %d\n'
                '[paste_deploy]\nflavor = noauth\n' % (os.path.join(tmp, 'state'), port))
    proc = subprocess.Popen([os.path.join(BIN, 'pocketstack-image'), '--config-file', conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            common.Http(port).request('GET', '/versions', expect=200)
            break
        except OSError:
            time.sleep(0.1)
    with open('/proc/%d/task/%d/children' % (proc.pid, proc.pid)) as f:
        worker = int(f.read().split()[0])
    return proc, worker


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mib', type=int, default=512)
    args = parser.parse_args(argv)
    print(common.machine())
    with tempfile.TemporaryDirectory(prefix='bench-image-') as tmp:
        src = os.path.join(tmp, 'disk.img')
        with open(src, 'wb') as f:
            block = os.urandom(CHUNK)
            for _ in range(args.mib):
                f.write(block)
        size = os.path.getsize(src)

        started = time.perf_counter()
        shutil.copyfile(src, os.path.join(tmp, 'copy.img'))
        copy_s = time.perf_counter() - started
        os.remove(os.path.join(tmp, 'copy.img'))

        # What an upload must do besides moving bytes: md5 + sha512 of them.
        started = time.perf_counter()
        md5, sha512 = hashlib.md5(usedforsecurity=False), hashlib.sha512()
        with open(src, 'rb') as f:
            for chunk in iter(lambda: f.read(CHUNK), b''):
                md5.update(chunk)
                sha512.update(chunk)
        hash_s = time.perf_counter() - started

        port = common.server_mod.free_port()
        proc, worker = start_image_api(tmp, port)
        try:
            client = common.Http(port)
            headers = {'X-Auth-Token': 'admin:admin'}
            _, body = client.request('POST', '/v2/images', {
                'name': 'big', 'disk_format': 'raw', 'container_format': 'bare'},
                headers=headers, expect=201)
            image_id = json.loads(body)['id']
            rss_before = common.rss_kib(worker)

            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=600, blocksize=CHUNK)
            with open(src, 'rb') as f:
                started = time.perf_counter()
                conn.request('PUT', '/v2/images/%s/file' % image_id, body=f, headers=dict(
                    headers, **{'Content-Type': 'application/octet-stream',
                                'Content-Length': str(size)}))
                resp = conn.getresponse()
                resp.read()
                upload_s = time.perf_counter() - started
            assert resp.status == 204, resp.status

            out = os.path.join(tmp, 'out.img')
            started = time.perf_counter()
            conn.request('GET', '/v2/images/%s/file' % image_id, headers=headers)
            resp = conn.getresponse()
            with open(out, 'wb') as f:
                while True:
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    f.write(chunk)
            download_s = time.perf_counter() - started
            assert os.path.getsize(out) == size
            peak = common.rss_kib(worker, 'VmHWM')
        finally:
            proc.terminate()
            proc.wait(30)

    mib = size / (1 << 20)
    print('image data: %d MiB, filesystem store, one API worker' % mib)
    for label, seconds in (('upload (PUT /file)', upload_s), ('download (GET /file)', download_s)):
        print('%-22s %6.2f s = %7.1f MiB/s | plain copy %6.2f s = %7.1f MiB/s | ratio %4.1fx'
              % (label, seconds, mib / seconds, copy_s, mib / copy_s, seconds / copy_s))
    print('(hashing the data alone, md5 + sha512 as every upload does: %.2f s = %.1f MiB/s)'
          % (hash_s, mib / hash_s))
    print('API worker RSS: %.1f MiB before, peak %.1f MiB during both transfers (+%.1f MiB for '
          '%d MiB of data)' % (rss_before / 1024, peak / 1024, (peak - rss_before) / 1024, mib))


if __name__ == '__main__':
    main()
