"""Security groups and rules: the default group, rule validation, duplicates."""
from tests.functional.network.conftest import fault


def test_default_group_made_on_first_use(network):
    alice = network.client()
    groups = alice.get('/security-groups').data['security_groups']
    [default] = groups
    assert default['name'] == 'default'
    rules = default['security_group_rules']
    assert sorted((r['direction'], r['ethertype'], r['remote_group_id'] is not None)
                  for r in rules) == [('egress', 'IPv4', False), ('egress', 'IPv6', False),
                                      ('ingress', 'IPv4', True), ('ingress', 'IPv6', True)]
    # listing again does not make another
    assert len(alice.get('/security-groups').data['security_groups']) == 1
    resp = alice.post('/security-groups', {'security_group': {'name': 'default'}})
    assert resp.status_int == 409


def test_group_and_rules(network):
    alice = network.client()
    sg = network.create(alice, 'security-groups', name='sg1', description='web')
    assert len(sg['security_group_rules']) == 2   # egress IPv4 and IPv6
    rule = network.create(alice, 'security-group-rules', security_group_id=sg['id'],
                          direction='ingress', protocol='tcp', port_range_min=22,
                          port_range_max=22, remote_ip_prefix='0.0.0.0/0')
    assert rule['ethertype'] == 'IPv4' and rule['protocol'] == 'tcp'
    dup = alice.post('/security-group-rules', {'security_group_rule': {
        'security_group_id': sg['id'], 'direction': 'ingress', 'protocol': '6',
        'port_range_min': 22, 'port_range_max': 22}})
    assert fault(dup) == (409, 'SecurityGroupRuleExists')

    def bad(**attrs):
        return alice.post('/security-group-rules', {'security_group_rule': dict(
            {'security_group_id': sg['id'], 'direction': 'ingress'}, **attrs)})

    assert fault(bad(protocol='tcp', port_range_min=30, port_range_max=20))[0] == 400
    assert fault(bad(protocol='banana'))[0] == 400
    assert fault(bad(port_range_min=22, port_range_max=22))[0] == 400
    assert fault(bad(direction='sideways'))[0] == 400
    assert fault(bad(ethertype='IPv6', remote_ip_prefix='10.0.0.0/8'))[0] == 400
    assert fault(bad(protocol='icmp', port_range_min=300))[0] == 400
    shown = alice.get('/security-groups/%s' % sg['id']).data['security_group']
    assert len(shown['security_group_rules']) == 3
    assert alice.delete('/security-group-rules/%s' % rule['id']).status_int == 204
    assert alice.put('/security-group-rules/%s' % rule['id'], {}).status_int == 405


def test_groups_on_ports(network):
    alice, bob = network.client('alice', 'p1'), network.client('bob', 'p2')
    net, _sub = network.network_with_subnet(alice)
    sg = network.create(alice, 'security-groups', name='sg1')
    port = network.create(alice, 'ports', network_id=net['id'], security_groups=[sg['id']])
    assert port['security_groups'] == [sg['id']]
    network.create(alice, 'ports', network_id=net['id'])   # in the default group
    found = alice.get('/ports?security_groups=%s' % sg['id']).data['ports']
    assert [p['id'] for p in found] == [port['id']]
    assert fault(alice.delete('/security-groups/%s' % sg['id'])) == (409, 'SecurityGroupInUse')
    bob_sg = network.create(bob, 'security-groups', name='theirs')
    resp = alice.put('/ports/%s' % port['id'], {'port': {'security_groups': [bob_sg['id']]}})
    assert resp.status_int == 404
    resp = alice.put('/ports/%s' % port['id'], {'port': {'security_groups': []}})
    assert resp.data['port']['security_groups'] == []
    assert alice.delete('/security-groups/%s' % sg['id']).status_int == 204
    assert fault(bob.get('/security-groups/%s' % sg['id'])) == (404, 'SecurityGroupNotFound')


def test_port_security_disabled(network):
    alice = network.client()
    net, _sub = network.network_with_subnet(alice)
    port = network.create(alice, 'ports', network_id=net['id'], port_security_enabled=False)
    assert port['security_groups'] == [] and port['port_security_enabled'] is False
    resp = alice.put('/ports/%s' % port['id'], {'port': {
        'allowed_address_pairs': [{'ip_address': '10.1.0.200'}]}})
    assert resp.status_int == 409
