"""Valid bodies (as the api-refs' samples have them) for the routes whose
actions check their bodies by hand: strategies.py mutates them one field at a
time, so that random input reaches past the first check into the deeper
code (a valid server create with one hostile field, a port with a bad
fixed_ips entry…).  Each entry: (api, method, path) -> [body(ids)…], where
``ids`` holds one seeded id of each kind (see test_no_5xx._seed)."""

SAMPLES = {
    ('compute', 'POST', '/servers'): [lambda i: {'server': {
        'name': 's', 'imageRef': i['image'], 'flavorRef': '1', 'networks': 'none',
        'metadata': {'k': 'v'}, 'min_count': 1, 'max_count': 1, 'key_name': None,
        'availability_zone': 'nova', 'block_device_mapping_v2': [{
            'boot_index': 0, 'uuid': i['image'], 'source_type': 'image',
            'destination_type': 'local'}]}}],
    ('compute', 'POST', '/servers/{server_id}/action'): [
        lambda i: {'reboot': {'type': 'HARD'}}, lambda i: {'resize': {'flavorRef': '2'}},
        lambda i: {'createImage': {'name': 'snap', 'metadata': {'a': 'b'}}},
        lambda i: {'createBackup': {'name': 'b', 'backup_type': 'daily', 'rotation': 1}},
        lambda i: {'rebuild': {'imageRef': i['image'], 'name': 'r'}},
        lambda i: {'addSecurityGroup': {'name': 'default'}},
        lambda i: {'os-getConsoleOutput': {'length': 10}},
        lambda i: {'rescue': {'adminPass': 'pw'}}, lambda i: {'os-stop': None},
        lambda i: {'lock': {'locked_reason': 'x'}}, lambda i: {'unshelve': None},
        lambda i: {'migrate': {'host': 'compute1'}}],
    ('compute', 'POST', '/flavors'): [lambda i: {'flavor': {
        'name': 'f', 'ram': 64, 'vcpus': 1, 'disk': 1, 'id': 'fz', 'swap': 0,
        'OS-FLV-EXT-DATA:ephemeral': 0, 'rxtx_factor': 1.0, 'os-flavor-access:is_public': True}}],
    ('compute', 'POST', '/os-keypairs'): [lambda i: {'keypair': {'name': 'k', 'type': 'ssh'}}],
    ('compute', 'POST', '/os-aggregates'): [lambda i: {'aggregate': {
        'name': 'a', 'availability_zone': 'z'}}],
    ('compute', 'POST', '/os-aggregates/{aggregate_id}/action'): [
        lambda i: {'add_host': {'host': 'compute1'}},
        lambda i: {'set_metadata': {'metadata': {'k': 'v'}}}],
    ('compute', 'POST', '/os-server-groups'): [lambda i: {'server_group': {
        'name': 'g', 'policies': ['anti-affinity']}}],
    ('compute', 'PUT', '/os-quota-sets/{project_id}'): [lambda i: {'quota_set': {
        'instances': 20, 'cores': 40, 'ram': 51200, 'force': True}}],
    ('compute', 'POST', '/servers/{server_id}/os-interface'): [lambda i: {
        'interfaceAttachment': {'net_id': i['network']}}],
    ('compute', 'PUT', '/os-services/{service_id}'): [lambda i: {'status': 'disabled',
                                                                 'forced_down': True}],
    ('identity', 'POST', '/auth/tokens'): [lambda i: {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'admin', 'domain': {'id': 'default'}, 'password': 'secret'}}},
        'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}}],
    ('identity', 'POST', '/users'): [lambda i: {'user': {
        'name': 'u', 'password': 'p', 'domain_id': 'default', 'enabled': True,
        'default_project_id': i['project'], 'options': {'ignore_lockout_failure_attempts': True}}}],
    ('identity', 'POST', '/projects'): [lambda i: {'project': {
        'name': 'p', 'domain_id': 'default', 'parent_id': i['project'], 'tags': ['t']}}],
    ('identity', 'POST', '/users/{user_id}/application_credentials'): [lambda i: {
        'application_credential': {'name': 'ac', 'roles': [{'name': 'member'}],
                                   'expires_at': '2030-01-01T00:00:00Z'}}],
    ('image', 'POST', '/images'): [lambda i: {
        'name': 'i', 'disk_format': 'qcow2', 'container_format': 'bare', 'visibility': 'shared',
        'min_disk': 1, 'min_ram': 64, 'tags': ['t'], 'protected': False, 'x_custom': 'v'}],
    ('image', 'PATCH', '/images/{image_id}'): [lambda i: [
        {'op': 'replace', 'path': '/name', 'value': 'n'},
        {'op': 'add', 'path': '/x_custom', 'value': 'v'}]],
    ('image', 'POST', '/images/{image_id}/members'): [lambda i: {'member': i['project']}],
    ('image', 'POST', '/images/{image_id}/import'): [lambda i: {'method': {
        'name': 'web-download', 'uri': 'http://127.0.0.1:9/x.img'}}],
    ('network', 'POST', '/networks'): [lambda i: {'network': {
        'name': 'n', 'admin_state_up': True, 'shared': False, 'mtu': 1450,
        'provider:network_type': 'vxlan', 'port_security_enabled': True}}],
    ('network', 'POST', '/subnets'): [lambda i: {'subnet': {
        'network_id': i['network'], 'cidr': '10.98.0.0/24', 'ip_version': 4,
        'gateway_ip': '10.98.0.1', 'allocation_pools': [{'start': '10.98.0.10',
                                                          'end': '10.98.0.20'}],
        'dns_nameservers': ['8.8.8.8'], 'host_routes': [{'destination': '10.0.0.0/8',
                                                          'nexthop': '10.98.0.1'}]}}],
    ('network', 'POST', '/ports'): [lambda i: {'port': {
        'network_id': i['network'], 'fixed_ips': [{'subnet_id': i['subnet'],
                                                   'ip_address': '10.99.0.50'}],
        'security_groups': [], 'allowed_address_pairs': [{'ip_address': '10.99.0.60'}],
        'binding:host_id': 'compute1', 'device_owner': 'compute:nova'}}],
    ('network', 'POST', '/routers'): [lambda i: {'router': {
        'name': 'r', 'external_gateway_info': {'network_id': i['network']}}}],
    ('network', 'PUT', '/routers/{id}/add_router_interface'): [lambda i: {
        'subnet_id': i['subnet']}],
    ('network', 'POST', '/security-group-rules'): [lambda i: {'security_group_rule': {
        'security_group_id': i['security_group'], 'direction': 'ingress',
        'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22,
        'remote_ip_prefix': '0.0.0.0/0', 'ethertype': 'IPv4'}}],
    ('network', 'POST', '/floatingips'): [lambda i: {'floatingip': {
        'floating_network_id': i['network'], 'port_id': i['port']}}],
    ('network', 'PUT', '/quotas/{project_id}'): [lambda i: {'quota': {'network': 10,
                                                                      'port': 100}}],
}
