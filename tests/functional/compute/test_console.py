"""What ``openstack console log show`` shows (``os-getConsoleOutput``): the
fake hypervisor's guests print a Linux boot with the server's name, hostname
and addresses, cloud-init reaching the metadata service, a login prompt;
``length`` keeps the last lines; a server whose guest was lost with its host's
process (a restart) still has a log, written again from its record."""
import pytest

from tests.functional.compute.test_networking import make_network


@pytest.fixture
def cloud(make_cloud):
    return make_cloud(network=True)


def console(client, server_id, length=None):
    resp = client.post('/servers/%s/action' % server_id,
                       {'os-getConsoleOutput': {'length': length}})
    assert resp.status_int == 200, resp.body
    return resp.data['output']


@pytest.fixture
def server(cloud, alice):
    net = make_network(cloud, 'n1', '10.1.0.0/24')
    server = cloud.boot_active(alice, name='web-1', networks=[{'uuid': net['id']}])
    (address,) = server['addresses']['n1']
    return server['id'], address['addr'], address['OS-EXT-IPS-MAC:mac_addr']


def test_the_log_shows_the_boot_of_this_server(cloud, alice, server):
    server_id, ip, mac = server
    output = console(alice, server_id)
    lines = output.splitlines()
    assert lines[0].startswith('[    0.000000] Linux version')
    assert 'Hostname set to <web-1>.' in output
    assert 'Found instance "web-1" (instance-id %s, local-hostname web-1)' % server_id in output
    assert 'http://169.254.169.254/openstack/latest/meta_data.json' in output
    (nic,) = [line for line in lines if ' %s ' % ip in line]
    assert nic.startswith('ci-info: |  ens3  | True |') and mac in nic
    assert '255.255.255.0' in nic
    assert 'default via 10.1.0.1 dev ens3' in output
    assert lines[-1] == 'web-1 login:'
    # The same guest keeps the same host keys.
    assert [line for line in lines if 'root@web-1' in line] == [
        line for line in console(alice, server_id).splitlines() if 'root@web-1' in line]


def test_length_keeps_the_last_lines(cloud, alice, server):
    server_id, _, _ = server
    lines = console(alice, server_id).splitlines()
    assert len(lines) > 20
    assert console(alice, server_id, 5).splitlines() == lines[-5:]
    assert console(alice, server_id, 1) == 'web-1 login:\n'
    assert console(alice, server_id, 0) == ''
    assert console(alice, server_id, -1).splitlines() == lines


def test_a_server_without_networks_finds_no_metadata_service(cloud, alice):
    server_id = cloud.boot_active(alice, name='lonely')['id']
    output = console(alice, server_id)
    assert 'No active metadata service found' in output
    assert 'Datasource DataSourceNone.' in output
    assert 'ens3' not in output and output.endswith('lonely login:\n')


def test_stop_and_start_are_in_the_log(cloud, alice, server):
    server_id, ip, _ = server
    alice.post('/servers/%s/action' % server_id, {'os-stop': None})
    cloud.wait_for_status(alice, server_id, 'SHUTOFF')
    assert console(alice, server_id, 1).endswith('reboot: Power down\n')
    alice.post('/servers/%s/action' % server_id, {'os-start': None})
    cloud.wait_for_status(alice, server_id, 'ACTIVE')
    output = console(alice, server_id)
    assert output.count('Linux version') == 2 and output.endswith('web-1 login:\n')


def test_after_a_restart_the_log_is_written_again_from_the_record(cloud, alice, server):
    server_id, ip, _ = server
    before = console(alice, server_id)
    cloud.restart('compute')
    cloud.wait_for_status(alice, server_id, 'ACTIVE')
    after = console(alice, server_id)
    # The clock in cloud-init's lines is the launch time now, not the spawn's.
    assert _without_dates(after) == _without_dates(before)
    assert ' %s ' % ip in after and after.endswith('web-1 login:\n')


def _without_dates(output):
    return [line for line in output.splitlines() if 'Cloud-init v.' not in line]
