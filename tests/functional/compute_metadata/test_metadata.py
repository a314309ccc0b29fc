"""The metadata API (port 8775) as a guest reads it through Neutron's
metadata proxy: the OpenStack documents, the EC2 tree, the proxy's signed
headers and the password a guest posts."""
import base64
import json

import pytest

from pocketstack.compute.db import models
from pocketstack.compute.metadata import documents
from tests.functional.compute_metadata.conftest import sign

EC2_VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10', '2007-12-15',
                '2008-02-01', '2008-09-01', '2009-04-04', 'latest']
OPENSTACK_VERSIONS = ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30',
                      '2016-10-06', '2017-02-22', '2018-08-27', '2020-10-14', '2025-04-04',
                      'latest']
KEY = ('mykey', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOBbf5ZpZq1ZpZq1ZpZq1ZpZq1ZpZq1ZpZq1 me',
       'ssh')


def meta_data(metadata, instance, version='latest'):
    resp = metadata.get('/openstack/%s/meta_data.json' % version, instance)
    assert resp.status_int == 200, resp.body
    assert resp.content_type == 'application/json'
    return json.loads(resp.body)


def test_version_lists(metadata):
    instance = metadata.add_instance()
    # The EC2 versions need no headers: the proxy's health check asks for them.
    resp = metadata.get('/')
    assert resp.status_int == 200 and resp.content_type == 'text/plain'
    assert resp.text.split('\n') == EC2_VERSIONS
    assert metadata.text('/openstack', instance).split('\n') == OPENSTACK_VERSIONS
    assert metadata.text('/openstack/', instance).split('\n') == OPENSTACK_VERSIONS
    assert metadata.text('/ec2', instance).split('\n') == EC2_VERSIONS


def test_openstack_version_dated_in_the_future_is_not_listed():
    assert documents.visible_openstack_versions('2024-01-01')[-3:] == [
        '2018-08-27', '2020-10-14', 'latest']


def test_meta_data_json(metadata):
    metadata.add_compute_service('compute1', 'az1')
    instance = metadata.add_instance('web1', key=KEY, metadata={'role': 'web', 'tier': '1'},
                                     launch_index=2)
    doc = meta_data(metadata, instance)
    seed = base64.b64decode(doc.pop('random_seed'))
    assert len(seed) == 512
    assert doc == {
        'uuid': instance['uuid'], 'name': 'web1', 'hostname': 'web1.novalocal',
        'launch_index': 2, 'availability_zone': 'az1', 'project_id': 'p1',
        'meta': {'role': 'web', 'tier': '1'},
        'public_keys': {'mykey': KEY[1]},
        'keys': [{'name': 'mykey', 'type': 'ssh', 'data': KEY[1]}],
        'devices': [], 'dedicated_cpus': []}
    # A new seed for every read.
    assert base64.b64decode(meta_data(metadata, instance)['random_seed']) != seed


def test_meta_data_without_key_or_metadata_and_older_versions(metadata):
    instance = metadata.add_instance('bare', availability_zone='zone-b')
    doc = meta_data(metadata, instance)
    assert 'meta' not in doc and 'public_keys' not in doc and 'keys' not in doc
    assert doc['availability_zone'] == 'zone-b'  # the zone the server was booted into
    # Each version has the fields that existed then.
    assert set(meta_data(metadata, instance, '2012-08-10')) == {
        'uuid', 'name', 'hostname', 'launch_index', 'availability_zone'}
    assert set(meta_data(metadata, instance, '2015-10-15')) == {
        'uuid', 'name', 'hostname', 'launch_index', 'availability_zone', 'random_seed',
        'project_id'}
    assert metadata.text('/openstack/2012-08-10', instance) == 'meta_data.json'
    assert metadata.text('/openstack/2013-10-17', instance).split('\n') == [
        'meta_data.json', 'password', 'vendor_data.json']


def test_dhcp_domain_is_configurable(make_metadata):
    metadata = make_metadata({('api', 'dhcp_domain'): ''})
    instance = metadata.add_instance('plain')
    assert meta_data(metadata, instance)['hostname'] == 'plain'
    assert metadata.text('/latest/meta-data/hostname', instance) == 'plain'


def test_user_data_vendor_and_network_data(metadata):
    script = b'#!/bin/sh\necho hello \xe2\x9c\x93\n'
    instance = metadata.add_instance('with-data', user_data=script)
    assert metadata.text('/openstack/latest', instance).split('\n') == [
        'meta_data.json', 'user_data', 'password', 'vendor_data.json', 'network_data.json',
        'vendor_data2.json']
    resp = metadata.get('/openstack/latest/user_data', instance)
    assert resp.status_int == 200 and resp.body == script
    assert metadata.get('/latest/user-data', instance).body == script
    assert json.loads(metadata.text('/openstack/latest/vendor_data.json', instance)) == {}
    assert json.loads(metadata.text('/openstack/latest/vendor_data2.json', instance)) == {
        'static': {}}
    # No network interfaces yet: Nova's empty document.
    assert json.loads(metadata.text('/openstack/latest/network_data.json', instance)) == {}

    bare = metadata.add_instance('without-data')
    assert 'user_data' not in metadata.text('/openstack/latest', bare).split('\n')
    assert metadata.get('/openstack/latest/user_data', bare).status_int == 404
    assert metadata.text('/latest', bare) == 'meta-data/'
    assert metadata.get('/latest/user-data', bare).status_int == 404


def test_ec2_meta_data_tree(metadata):
    metadata.add_compute_service('compute2', 'az2')
    instance = metadata.add_instance('ec2vm', key=KEY, user_data=b'x', host='compute2',
                                     flavor={'name': 'm1.small', 'ephemeral': 10})
    assert metadata.text('/latest', instance).split('\n') == ['meta-data/', 'user-data']
    assert metadata.text('/latest/meta-data/', instance).split('\n') == [
        'ami-id', 'ami-launch-index', 'ami-manifest-path', 'block-device-mapping/',
        'hostname', 'instance-action', 'instance-id', 'instance-type', 'local-hostname',
        'local-ipv4', 'placement/', 'public-hostname', 'public-ipv4', 'public-keys/',
        'reservation-id', 'security-groups']

    def value(name):
        return metadata.text('/latest/meta-data/' + name, instance)
    assert value('instance-id') == 'i-%08x' % instance['id']
    assert value('instance-type') == 'm1.small'
    assert value('ami-id') == 'ami-' + instance['image_ref'].replace('-', '')[:8]
    assert value('ami-launch-index') == '0'
    assert value('hostname') == value('local-hostname') == 'ec2vm.novalocal'
    assert value('reservation-id') == instance['reservation_id']
    assert value('local-ipv4') == '10.0.0.5'  # the guest's address, as the proxy forwarded it
    assert value('security-groups') == 'default'
    assert value('instance-action') == 'none'
    assert value('placement/') == 'availability-zone'
    assert value('placement/availability-zone') == 'az2'
    assert value('public-keys/') == '0=mykey'
    assert value('public-keys/0/') == 'openssh-key'
    assert value('public-keys/0/openssh-key') == KEY[1]
    assert value('block-device-mapping/').split('\n') == ['ami', 'ephemeral0', 'root']
    assert value('block-device-mapping/ami') == 'vda'
    assert value('block-device-mapping/root') == '/dev/vda'
    assert value('block-device-mapping/ephemeral0') == '/dev/vdb'
    # The same tree under /ec2 (the config drive's layout), and by version.
    assert metadata.text('/ec2/latest/meta-data/instance-type', instance) == 'm1.small'
    assert metadata.text('/2009-04-04/meta-data/instance-id', instance) == value('instance-id')
    assert metadata.text('/1.0/meta-data/', instance).split('\n') == [
        'ami-id', 'ami-launch-index', 'ami-manifest-path', 'hostname', 'instance-id',
        'local-ipv4', 'public-keys/', 'reservation-id', 'security-groups']
    assert metadata.get('/1.0/meta-data/instance-type', instance).status_int == 404


@pytest.mark.parametrize('path', [
    '/latest/meta-data/nothing', '/latest/meta-data/instance-id/more', '/1999-01-01/meta-data/',
    '/openstack/latest/nothing.json', '/openstack/2099-01-01/meta_data.json',
    '/openstack/latest/meta_data.json/more', '/openstack/2012-08-10/password',
    '/openstack/2013-04-04/network_data.json'])
def test_unknown_paths_are_404(metadata, path):
    instance = metadata.add_instance()
    assert metadata.get(path, instance).status_int == 404


def test_proxy_headers_are_required_and_checked(metadata):
    instance = metadata.add_instance()
    path = '/openstack/latest/meta_data.json'
    for header in ('X-Instance-ID', 'X-Instance-ID-Signature', 'X-Tenant-ID'):
        resp = metadata.get(path, instance, headers={header: None})
        assert resp.status_int == 400, header
        assert resp.json['badRequest']['message'] == (
            '%s header is missing from request.' % header)

    for signature in ('0' * 64, sign(instance['uuid'], 'another-secret'), ''):
        resp = metadata.get(path, instance, headers={'X-Instance-ID-Signature': signature})
        assert resp.status_int == 403
        assert resp.json['forbidden']['message'] == 'Invalid proxy request signature.'

    # A signature proves the instance id, not the project: another project's
    # view of the instance does not exist.
    assert metadata.get(path, instance, headers={'X-Tenant-ID': 'p2'}).status_int == 404

    unknown = dict(instance, uuid='0c4cb6e5-7e29-4d39-9bfe-d05e3a3c5b29')
    assert metadata.get(path, unknown).status_int == 404


def test_deleted_instance_has_no_metadata(metadata):
    instance = metadata.add_instance()
    assert metadata.get('/latest/meta-data/', instance).status_int == 200
    with metadata.service.db.writer() as session:
        session.get(models.Instance, instance['id']).deleted = instance['id']
    assert metadata.get('/latest/meta-data/', instance).status_int == 404


def test_guest_posts_its_password_once(metadata):
    instance = metadata.add_instance()
    path = '/openstack/latest/password'
    assert metadata.text(path, instance) == ''
    assert metadata.request('POST', path, instance, body=b'x' * 1021).status_int == 400

    resp = metadata.request('POST', path, instance, body=b'p' * 300 + b'-secret')
    assert resp.status_int == 200
    assert metadata.text(path, instance) == 'p' * 300 + '-secret'
    assert metadata.text('/openstack/2013-04-04/password', instance) == 'p' * 300 + '-secret'
    resp = metadata.request('POST', path, instance, body=b'another')
    assert resp.status_int == 409
    assert metadata.text(path, instance) == 'p' * 300 + '-secret'


def test_methods(metadata):
    instance = metadata.add_instance()
    resp = metadata.request('PUT', '/latest/meta-data/hostname', instance, body=b'x')
    assert resp.status_int == 405 and resp.headers['Allow'] == 'GET, HEAD'
    resp = metadata.request('DELETE', '/openstack/latest/password', instance)
    assert resp.status_int == 405 and resp.headers['Allow'] == 'GET, HEAD, POST'
    resp = metadata.request('HEAD', '/latest/meta-data/hostname', instance)
    assert resp.status_int == 200 and resp.body == b''
