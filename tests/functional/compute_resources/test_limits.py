"""``openstack limits show --absolute``: the project's quotas and what its
live servers use, with the keys each microversion shows."""

SMALL = {'id': '2', 'name': 'm1.small', 'ram': 2048, 'vcpus': 2, 'disk': 20, 'ephemeral': 0,
         'swap': 0, 'extra_specs': {}}


def test_limits_show_the_quotas_and_the_projects_usage(make_compute):
    compute = make_compute({('quota', 'instances'): 7, ('quota', 'cores'): 30,
                            ('quota', 'ram'): 40960, ('quota', 'key_pairs'): 3,
                            ('quota', 'metadata_items'): 64})
    compute.add_instance('a', flavor=SMALL)
    compute.add_instance('b', flavor=SMALL)
    compute.add_instance('gone', flavor=SMALL, deleted=True)
    compute.add_instance('theirs', project_id='p2', flavor=SMALL)
    resp = compute.client('alice', 'p1', '2.57').get('/limits')
    assert resp.status_int == 200
    assert resp.data == {'limits': {'rate': [], 'absolute': {
        'maxTotalInstances': 7, 'maxTotalCores': 30, 'maxTotalRAMSize': 40960,
        'maxServerMeta': 64, 'maxTotalKeypairs': 3, 'maxServerGroups': 10,
        'maxServerGroupMembers': 10, 'totalInstancesUsed': 2, 'totalCoresUsed': 4,
        'totalRAMUsed': 4096, 'totalServerGroupsUsed': 0}}}


def test_older_versions_show_the_network_image_and_personality_keys(compute):
    absolute = compute.client().get('/limits').data['limits']['absolute']
    assert {k: absolute[k] for k in ('maxTotalFloatingIps', 'maxSecurityGroups',
                                     'maxSecurityGroupRules', 'totalFloatingIpsUsed',
                                     'totalSecurityGroupsUsed', 'maxImageMeta',
                                     'maxPersonality', 'maxPersonalitySize')} == {
        'maxTotalFloatingIps': -1, 'maxSecurityGroups': -1, 'maxSecurityGroupRules': -1,
        'totalFloatingIpsUsed': 0, 'totalSecurityGroupsUsed': 0, 'maxImageMeta': 128,
        'maxPersonality': 5, 'maxPersonalitySize': 10240}
    at_236 = compute.client(version='2.36').get('/limits').data['limits']['absolute']
    assert 'maxTotalFloatingIps' not in at_236 and 'maxImageMeta' in at_236
    at_239 = compute.client(version='2.39').get('/limits').data['limits']['absolute']
    assert 'maxImageMeta' not in at_239 and 'maxPersonality' in at_239
    at_257 = compute.client(version='2.57').get('/limits').data['limits']['absolute']
    assert 'maxPersonality' not in at_257 and 'maxPersonalitySize' not in at_257


def test_only_admins_read_another_projects_limits(compute):
    compute.add_instance('theirs', project_id='p2')
    assert compute.client('alice', 'p1').get('/limits?tenant_id=p2').status_int == 403
    absolute = compute.admin().get('/limits?tenant_id=p2').data['limits']['absolute']
    assert absolute['totalInstancesUsed'] == 1 and absolute['totalRAMUsed'] == 128
    assert compute.admin().get('/limits').data['limits']['absolute'][
        'totalInstancesUsed'] == 0
