"""What depends on the database server: concurrent address allocation and
keyset pages over a sort key that may be NULL, on SQLite, PostgreSQL and
MariaDB."""
import threading

import pytest

from tests.functional.network.conftest import NetworkFixture, fault


@pytest.fixture
def network_on(db_url, tmp_path):
    fixture = NetworkFixture(tmp_path, db_url=db_url)
    yield fixture
    fixture.db.dispose()


def test_concurrent_ports_and_segments(network_on):
    alice = network_on.client()
    net, _sub = network_on.network_with_subnet(alice, '10.70.0.0/28')   # 13 for ports
    results = []

    def create():
        for _ in range(4):
            results.append(alice.post('/ports', {'port': {'network_id': net['id']}}))
            results.append(alice.post('/networks', {'network': {'name': 'n'}}))

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ports = [r.data['port'] for r in results if r.status_int == 201 and 'port' in r.data]
    assert [fault(r) for r in results if r.status_int != 201] == \
        [(409, 'IpAddressGenerationFailure')] * 4
    addresses = [p['fixed_ips'][0]['ip_address'] for p in ports]
    assert len(addresses) == len(set(addresses)) == 12
    networks = network_on.admin.get('/networks').data['networks']
    vnis = [n['provider:segmentation_id'] for n in networks]
    assert len(networks) == 17 and len(set(vnis)) == 17


def test_pages_over_a_nullable_sort_key(network_on):
    alice = network_on.client()
    net = network_on.create(alice, 'networks', name='n')
    made = []
    for i, gateway in enumerate([None, '10.80.1.1', None, '10.80.3.1', None]):
        made.append(network_on.create(alice, 'subnets', network_id=net['id'], ip_version=4,
                                      cidr='10.80.%d.0/24' % i, gateway_ip=gateway,
                                      enable_dhcp=False))
    for direction in ('asc', 'desc'):
        whole = alice.get('/subnets?sort_key=gateway_ip&sort_dir=%s' % direction).data
        expected = [s['id'] for s in whole['subnets']]
        gateways = [s['gateway_ip'] for s in whole['subnets']]
        # NULLs first ascending, last descending, whatever the database
        assert (gateways[:3] if direction == 'asc' else gateways[2:]) == [None] * 3
        seen, marker = [], None
        while True:
            path = '/subnets?sort_key=gateway_ip&sort_dir=%s&limit=2' % direction
            page = alice.get(path + ('&marker=%s' % marker if marker else '')).data
            seen += [s['id'] for s in page['subnets']]
            if not any(link['rel'] == 'next' for link in page.get('subnets_links', [])):
                break
            marker = page['subnets'][-1]['id']
        assert seen == expected
