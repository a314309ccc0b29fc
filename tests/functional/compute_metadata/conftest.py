"""The metadata API in-process, as Neutron's metadata proxy calls it.

``metadata.add_instance(...)`` writes an instance row straight into the
compute database (the metadata API only reads what the other compute
processes wrote); ``metadata.get(path, instance)`` sends the proxy's headers
for it, signed with the configured shared secret.
"""
import base64
import hashlib
import hmac
import uuid

import pytest
import webob

from pocketstack.common import wsgi
from pocketstack.compute import service as compute_service
from pocketstack.compute.db import models
from tests.conftest import make_conf

SECRET = 'proxy-secret'


def sign(instance_id, secret=SECRET):
    return hmac.new(secret.encode(), instance_id.encode(), hashlib.sha256).hexdigest()


class MetadataApi:

    def __init__(self, conf):
        self.conf = conf
        self.app = wsgi.load_app(conf, 'metadata')
        self.service = compute_service.ComputeService.for_conf(conf)

    def add_instance(self, name='web1', project_id='p1', key=None, user_data=None,
                     metadata=None, flavor=None, host='compute1', **columns):
        """An ACTIVE instance row; ``key`` is (name, public key, type) of a
        key pair the user owns; returns the instance as stored."""
        flavor = dict({'id': '1', 'name': 'm1.tiny', 'ram': 512, 'vcpus': 1, 'disk': 1,
                       'ephemeral': 0, 'swap': 0}, **(flavor or {}))
        with self.service.db.writer() as session:
            if key:
                session.add(models.KeyPair(name=key[0], user_id='alice', fingerprint='fp',
                                           public_key=key[1], type=key[2]))
            row = models.Instance(
                uuid=str(uuid.uuid4()), user_id='alice', project_id=project_id,
                display_name=name, hostname=name, image_ref=str(uuid.uuid4()),
                flavor=flavor, vm_state='active', power_state=1, host=host, node=host,
                key_name=key and key[0], key_data=key and key[1],
                user_data=base64.b64encode(user_data).decode() if user_data else None,
                reservation_id='r-%s' % uuid.uuid4().hex[:8], **columns)
            row.metadata_items = [models.InstanceMetadata(key=k, value=v)
                                  for k, v in (metadata or {}).items()]
            session.add(row)
            session.flush()
            return {c.name: getattr(row, c.name) for c in models.Instance.__table__.columns}

    def add_compute_service(self, host, zone):
        with self.service.db.writer() as session:
            session.add(models.Service(uuid=str(uuid.uuid4()), host=host,
                                       binary='nova-compute', topic='compute',
                                       availability_zone=zone))

    def request(self, method, path, instance=None, headers=None, body=None):
        """The proxy's request for ``instance`` (its signed headers), with
        ``headers`` added (a None value leaves that header out)."""
        req = webob.Request.blank('http://169.254.169.254' + path, method=method)
        if instance is not None:
            req.headers.update({'X-Instance-ID': instance['uuid'],
                                'X-Instance-ID-Signature': sign(instance['uuid']),
                                'X-Tenant-ID': instance['project_id'],
                                'X-Forwarded-For': '10.0.0.5'})
        for name, value in (headers or {}).items():
            if value is None:
                req.headers.pop(name, None)
            else:
                req.headers[name] = value
        if body is not None:
            req.body = body
        return req.get_response(self.app)

    def get(self, path, instance=None, headers=None):
        return self.request('GET', path, instance, headers)

    def text(self, path, instance):
        """The body of a GET that must succeed."""
        resp = self.get(path, instance)
        assert resp.status_int == 200, (path, resp.status, resp.body)
        return resp.text


@pytest.fixture
def make_metadata(tmp_path):
    """``make_metadata(overrides={(group, option): value})``: a metadata API
    on this test's compute database, signed with SECRET."""
    apis = []

    def make(overrides=None):
        conf = make_conf('compute', tmp_path, overrides={
            ('metadata', 'metadata_proxy_shared_secret'): SECRET})
        for (group, name), value in (overrides or {}).items():
            conf.set_override(name, value, group=group)
        apis.append(MetadataApi(conf))
        return apis[-1]
    yield make
    for api in apis:
        api.service.db.dispose()


@pytest.fixture
def metadata(make_metadata):
    return make_metadata()
