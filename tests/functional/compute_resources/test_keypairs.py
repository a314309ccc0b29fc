"""Key pairs as ``openstack keypair create [--public-key]/list/show/delete``
use them: a user's own, imported or (before 2.92) generated."""
import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519


def public_key(comment='me@laptop'):
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    text = key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()
    return '%s %s' % (text, comment)


def md5_fingerprint(key):
    digest = hashlib.md5(base64.b64decode(key.split()[1])).hexdigest()
    return ':'.join(digest[i:i + 2] for i in range(0, 32, 2))


def test_import_returns_201_with_the_fingerprint_and_is_listed(compute):
    alice = compute.client('alice', 'p1', '2.2')
    key = public_key()
    resp = alice.post('/os-keypairs', {'keypair': {'name': 'laptop', 'public_key': key}})
    assert resp.status_int == 201, resp.body
    assert resp.data == {'keypair': {'name': 'laptop', 'public_key': key, 'type': 'ssh',
                                     'fingerprint': md5_fingerprint(key),
                                     'user_id': 'alice'}}
    listed = alice.get('/os-keypairs').data
    assert listed == {'keypairs': [{'keypair': {'name': 'laptop', 'public_key': key,
                                                'fingerprint': md5_fingerprint(key),
                                                'type': 'ssh'}}]}
    shown = alice.get('/os-keypairs/laptop').data['keypair']
    assert shown['user_id'] == 'alice' and shown['public_key'] == key
    assert shown['deleted'] is False and shown['created_at']


def test_before_2_2_import_answers_200_without_a_type(compute):
    resp = compute.client().post('/os-keypairs', {'keypair': {'name': 'k',
                                                              'public_key': public_key()}})
    assert resp.status_int == 200
    assert 'type' not in resp.data['keypair']
    assert 'type' not in compute.client().get('/os-keypairs').data['keypairs'][0]['keypair']
    typed = compute.client(version='2.1').post('/os-keypairs', {'keypair': {
        'name': 'k2', 'public_key': public_key(), 'type': 'ssh'}})
    assert typed.status_int == 400


def test_without_a_public_key_one_is_generated_before_2_92(compute):
    from cryptography.hazmat.primitives import serialization as ser
    alice = compute.client('alice', 'p1', '2.91')
    resp = alice.post('/os-keypairs', {'keypair': {'name': 'gen'}})
    assert resp.status_int == 201, resp.body
    created = resp.data['keypair']
    private = ser.load_pem_private_key(created['private_key'].encode(), password=None)
    derived = private.public_key().public_bytes(ser.Encoding.OpenSSH,
                                                ser.PublicFormat.OpenSSH).decode()
    assert created['public_key'].split()[:2] == derived.split()
    assert created['fingerprint'] == md5_fingerprint(created['public_key'])
    # The private key is never shown again.
    assert 'private_key' not in alice.get('/os-keypairs/gen').data['keypair']
    required = alice.at('2.92').post('/os-keypairs', {'keypair': {'name': 'gen2'}})
    assert required.status_int == 400
    assert 'public_key' in required.data['badRequest']['message']


def test_an_x509_key_pair_is_generated_and_imported(compute):
    from cryptography import x509
    alice = compute.client('alice', 'p1', '2.2')
    created = alice.post('/os-keypairs', {'keypair': {'name': 'win', 'type': 'x509'}})
    assert created.status_int == 201, created.body
    cert = x509.load_pem_x509_certificate(created.data['keypair']['public_key'].encode())
    from cryptography.hazmat.primitives import hashes
    assert created.data['keypair']['fingerprint'] == ':'.join(
        '%02x' % b for b in cert.fingerprint(hashes.SHA1()))
    imported = alice.post('/os-keypairs', {'keypair': {
        'name': 'win2', 'type': 'x509', 'public_key': created.data['keypair']['public_key']}})
    assert imported.status_int == 201
    assert imported.data['keypair']['type'] == 'x509'
    assert alice.post('/os-keypairs', {'keypair': {'name': 'win3', 'type': 'x509',
                                                   'public_key': public_key()}}).status_int == 400


@pytest.mark.parametrize('keypair', [
    {'name': 'k', 'public_key': 'ssh-rsa not-base64!'},
    {'name': 'k', 'public_key': 'not a key at all'},
    {'name': 'k', 'public_key': ''},
    {'name': 'bad/name', 'public_key': None},
    {'name': ' padded', 'public_key': None},
    {'name': '', 'public_key': None},
    {'name': 'me@host', 'public_key': None},      # '@' is allowed from 2.92
    {'name': 'k', 'public_key': None, 'type': 'pgp'},
    {'name': 'k', 'public_key': None, 'colour': 'red'},
])
def test_invalid_key_pairs_are_400(compute, keypair):
    keypair = dict(keypair)
    if keypair['public_key'] is None:
        keypair['public_key'] = public_key()
    resp = compute.client(version='2.91').post('/os-keypairs', {'keypair': keypair})
    assert resp.status_int == 400, resp.body
    assert compute.client().get('/os-keypairs').data == {'keypairs': []}


def test_names_with_at_and_dots_are_allowed_from_2_92(compute):
    resp = compute.client(version='2.92').post('/os-keypairs', {'keypair': {
        'name': 'me@host.example', 'public_key': public_key()}})
    assert resp.status_int == 201


def test_a_duplicate_name_is_409_but_other_users_have_their_own(compute):
    alice = compute.client('alice', 'p1', '2.2')
    alice.post('/os-keypairs', {'keypair': {'name': 'k', 'public_key': public_key()}})
    again = alice.post('/os-keypairs', {'keypair': {'name': 'k', 'public_key': public_key()}})
    assert again.status_int == 409
    assert "Key pair 'k' already exists." == again.data['conflictingRequest']['message']
    # Key pairs belong to the user, even within the same project.
    carol = compute.client('carol', 'p1', '2.2')
    assert carol.post('/os-keypairs', {'keypair': {'name': 'k',
                                                   'public_key': public_key()}}).status_int == 201
    assert carol.get('/os-keypairs').data['keypairs'][0]['keypair']['public_key'] != \
        alice.get('/os-keypairs').data['keypairs'][0]['keypair']['public_key']


def test_the_key_pairs_quota_is_403(make_compute):
    compute = make_compute({('quota', 'key_pairs'): 2})
    alice = compute.client('alice', 'p1', '2.2')
    for name in ('a', 'b'):
        assert alice.post('/os-keypairs', {'keypair': {
            'name': name, 'public_key': public_key()}}).status_int == 201
    resp = alice.post('/os-keypairs', {'keypair': {'name': 'c', 'public_key': public_key()}})
    assert resp.status_int == 403
    assert 'key pairs' in resp.data['forbidden']['message']
    assert compute.client('bob', 'p1', '2.2').post('/os-keypairs', {'keypair': {
        'name': 'c', 'public_key': public_key()}}).status_int == 201


def test_delete_answers_202_before_2_2_and_204_from_it(compute):
    alice = compute.client('alice', 'p1')
    for name in ('a', 'b'):
        alice.post('/os-keypairs', {'keypair': {'name': name, 'public_key': public_key()}})
    assert alice.delete('/os-keypairs/a').status_int == 202
    assert alice.at('2.2').delete('/os-keypairs/b').status_int == 204
    assert alice.get('/os-keypairs').data == {'keypairs': []}
    assert alice.get('/os-keypairs/a').status_int == 404
    assert alice.delete('/os-keypairs/a').status_int == 404


def test_another_users_key_pair_is_404_and_only_admins_name_users(compute):
    alice = compute.client('alice', 'p1', '2.10')
    alice.post('/os-keypairs', {'keypair': {'name': 'k', 'public_key': public_key()}})
    bob = compute.client('bob', 'p1', '2.10')
    assert bob.get('/os-keypairs/k').status_int == 404
    assert bob.delete('/os-keypairs/k').status_int == 404
    assert bob.get('/os-keypairs?user_id=alice').status_int == 403
    assert bob.post('/os-keypairs', {'keypair': {'name': 'x', 'user_id': 'alice',
                                                 'public_key': public_key()}}).status_int == 403
    admin = compute.admin('2.10')
    assert [k['keypair']['name'] for k in
            admin.get('/os-keypairs?user_id=alice').data['keypairs']] == ['k']
    assert admin.get('/os-keypairs/k?user_id=alice').data['keypair']['user_id'] == 'alice'
    created = admin.post('/os-keypairs', {'keypair': {'name': 'given', 'user_id': 'alice',
                                                      'public_key': public_key()}})
    assert created.status_int == 201 and created.data['keypair']['user_id'] == 'alice'
    assert admin.delete('/os-keypairs/k?user_id=alice').status_int == 204
    assert [k['keypair']['name'] for k in alice.get('/os-keypairs').data['keypairs']] == [
        'given']


def test_lists_are_paged_by_name_from_2_35(compute):
    alice = compute.client('alice', 'p1', '2.35')
    for name in ('c', 'a', 'b'):
        alice.post('/os-keypairs', {'keypair': {'name': name, 'public_key': public_key()}})
    first = alice.get('/os-keypairs?limit=2').data
    assert [k['keypair']['name'] for k in first['keypairs']] == ['a', 'b']
    (link,) = first['keypairs_links']
    assert link['rel'] == 'next'
    assert link['href'].startswith('http://127.0.0.1:8774/v2.1/os-keypairs?')
    assert 'marker=b' in link['href'] and 'limit=2' in link['href']
    rest = alice.get(link['href'][len('http://127.0.0.1:8774/v2.1'):]).data
    assert [k['keypair']['name'] for k in rest['keypairs']] == ['c']
    assert 'keypairs_links' not in rest
    assert alice.get('/os-keypairs?marker=zzz').status_int == 400
    assert alice.get('/os-keypairs?limit=-1').status_int == 400
    # Before 2.35 the parameters do nothing.
    assert len(alice.at('2.34').get('/os-keypairs?limit=1').data['keypairs']) == 3
