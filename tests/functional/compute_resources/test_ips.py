"""``/servers/{id}/ips`` of a server without ports: no addresses and no label
(servers with ports: tests/functional/compute/test_networking.py)."""


def test_a_server_without_ports_has_no_addresses(compute):
    server = compute.add_instance('web')
    resp = compute.client().get('/servers/%s/ips' % server)
    assert resp.status_int == 200 and resp.data == {'addresses': {}}
    resp = compute.client().get('/servers/%s/ips/private' % server)
    assert resp.status_int == 404
    assert 'not a member' in resp.data['itemNotFound']['message']


def test_another_projects_server_is_404(compute):
    server = compute.add_instance('web')
    assert compute.client('bob', 'p2').get('/servers/%s/ips' % server).status_int == 404
    assert compute.client().get('/servers/nope/ips').status_int == 404
