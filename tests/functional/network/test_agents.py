"""``openstack network agent list/show/set/delete``: /v2.0/agents, the state
reports of the DHCP, L3 and metadata agents the network service runs for
its host — admin only, ``alive`` while reports keep coming."""
import datetime

import sqlalchemy as sa

from pocketstack.network import agents
from pocketstack.network.db import models
from tests.functional.network.conftest import fault


def report(network, host='net1'):
    agents.Reporter(network.conf, host=host).report()


def listed(network, query=''):
    resp = network.admin.get('/agents' + query)
    assert resp.status_int == 200, resp.body
    return resp.data['agents']


def test_a_report_lists_the_hosts_agents_alive(network):
    assert listed(network) == []
    report(network)
    found = {a['agent_type']: a for a in listed(network)}
    assert set(found) == {'DHCP agent', 'L3 agent', 'Metadata agent'}
    dhcp = found['DHCP agent']
    assert (dhcp['binary'], dhcp['topic'], dhcp['host'], dhcp['alive'],
            dhcp['admin_state_up'], dhcp['availability_zone']) == (
        'neutron-dhcp-agent', 'dhcp_agent', 'net1', True, True, 'nova')
    assert found['Metadata agent']['availability_zone'] is None
    # Reports again refresh the same rows; another host adds its own.
    report(network)
    report(network, 'net2')
    assert len(listed(network)) == 6
    assert [a['host'] for a in listed(network, '?agent_type=L3+agent&host=net2')] == ['net2']
    shown = network.admin.get('/agents/%s' % dhcp['id']).data['agent']
    assert shown['id'] == dhcp['id'] and shown['created_at'] == dhcp['created_at']


def test_an_agent_without_reports_goes_dead(network):
    report(network)
    with network.db.writer() as session:
        session.execute(sa.update(models.Agent).values(
            heartbeat_timestamp=datetime.datetime(2020, 1, 1)))
    assert {a['alive'] for a in listed(network)} == {False}
    assert listed(network, '?alive=true') == []
    report(network)
    assert {a['alive'] for a in listed(network, '?alive=true')} == {True}


def test_admin_sets_and_deletes_an_agent(network):
    report(network)
    (l3,) = listed(network, '?agent_type=L3+agent')
    resp = network.admin.put('/agents/%s' % l3['id'], {'agent': {
        'admin_state_up': False, 'description': 'draining'}})
    assert resp.status_int == 200, resp.body
    assert (resp.data['agent']['admin_state_up'], resp.data['agent']['description']) == (
        False, 'draining')
    report(network)   # a report keeps what the admin set
    assert network.admin.get('/agents/%s' % l3['id']).data['agent']['admin_state_up'] is False
    assert fault(network.admin.put('/agents/%s' % l3['id'], {'agent': {'host': 'x'}}))[0] == 400
    assert network.admin.delete('/agents/%s' % l3['id']).status_int == 204
    assert fault(network.admin.get('/agents/%s' % l3['id'])) == (404, 'AgentNotFound')
    assert len(listed(network)) == 2
    report(network)   # it reports again: back, as a new agent
    assert len(listed(network)) == 3


def test_agents_are_the_admins(network):
    report(network)
    (agent, *_) = listed(network)
    alice = network.client()
    # As Neutron: a list leaves out what get_agent refuses; the rest is a 404.
    assert alice.get('/agents').data == {'agents': []}
    assert fault(alice.get('/agents/%s' % agent['id'])) == (404, 'AgentNotFound')
    assert fault(alice.put('/agents/%s' % agent['id'],
                           {'agent': {'admin_state_up': False}})) == (404, 'AgentNotFound')
    assert fault(alice.delete('/agents/%s' % agent['id'])) == (404, 'AgentNotFound')
    assert network.admin.get('/agents/%s' % agent['id']).data['agent']['admin_state_up']
    assert fault(network.admin.post('/agents', {'agent': {}}))[0] == 405
    aliases = [e['alias'] for e in network.admin.get('/extensions').data['extensions']]
    assert 'agent' in aliases
