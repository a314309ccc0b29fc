"""What a server learns about itself: the documents of one instance, in the
two formats Nova's metadata service serves (both versioned by date).

* OpenStack format, under ``/openstack/<version>/``: ``meta_data.json``,
  ``user_data``, ``password``, ``vendor_data.json``, ``network_data.json``,
  ``vendor_data2.json`` — each appears from the version that introduced it;
* EC2 format (compatible with EC2's 2009-04-04), under ``/<version>/``: the
  ``meta-data/`` tree, one value per path, and ``user-data``.

``latest`` is the newest version of either.  A path names a node of a tree:
a directory is listed one entry per line (sub-directories end with ``/``), a
value is served as it is.
"""
import base64
import datetime
import ipaddress
import json
import os

from pocketstack.common import exception

EC2_VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10',
                '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04']

# OpenStack format versions, named by the release that introduced them.
GRIZZLY = '2013-04-04'      # random_seed, password
HAVANA = '2013-10-17'       # vendor_data.json
LIBERTY = '2015-10-15'      # project_id, network_data.json
NEWTON_ONE = '2016-06-30'   # devices
NEWTON_TWO = '2016-10-06'   # vendor_data2.json
VICTORIA = '2020-10-14'     # dedicated_cpus
OPENSTACK_VERSIONS = ['2012-08-10', GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE, NEWTON_TWO,
                      '2017-02-22', '2018-08-27', VICTORIA, '2025-04-04']

TEXT = 'text/plain'
JSON = 'application/json'
ROOT_DEVICE = '/dev/vda'
PASSWORD_CHUNKS = 4        # the password lives in system_metadata password_0 … password_3
PASSWORD_CHUNK_LENGTH = 255
PASSWORD_MAX_BYTES = PASSWORD_CHUNKS * PASSWORD_CHUNK_LENGTH


class Directory(dict):
    """A tree node listed under a name of its own in its parent's listing
    (EC2 lists ``public-keys/`` as ``0=<key name>``, not ``0/``)."""

    def __init__(self, label, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label = label


def listing(node):
    """A node as the metadata service prints it."""
    if isinstance(node, dict):
        return '\n'.join(node[key].label if isinstance(node[key], Directory)
                         else key + '/' if isinstance(node[key], dict) else key
                         for key in sorted(node))
    if isinstance(node, list):
        return '\n'.join(str(item) for item in node)
    return node if isinstance(node, (bytes, str)) else str(node)


def visible_openstack_versions(today=None):
    """The versions ``/openstack`` lists: not those dated in the future (they
    can still be asked for by name), then ``latest``."""
    today = today or datetime.date.today().isoformat()
    return [v for v in OPENSTACK_VERSIONS if v <= today] + ['latest']


def password(instance):
    """The password the guest posted (``nova get-password``), or ''."""
    system_metadata = instance['system_metadata'] or {}
    return ''.join(system_metadata.get('password_%d' % i) or ''
                   for i in range(PASSWORD_CHUNKS))


def password_items(text):
    """``text`` as the system_metadata items that store it."""
    return {'password_%d' % i: text[i * PASSWORD_CHUNK_LENGTH:(i + 1) * PASSWORD_CHUNK_LENGTH]
            for i in range(PASSWORD_CHUNKS)}


class InstanceMetadata:
    """The documents of one instance.

    ``instance`` is an instance dict (compute/db/instances.py), ``key_type`` the
    type of its key pair, ``zone`` its availability zone, ``address`` the
    guest address the proxy forwarded (X-Forwarded-For) and ``dhcp_domain``
    the domain appended to its hostname.
    """

    def __init__(self, instance, key_type='ssh', zone=None, address=None, dhcp_domain=None):
        self.instance = instance
        self.key_type = key_type
        self.zone = zone
        self.address = address or ''
        self.hostname = '.'.join(filter(None, [instance['hostname'], dhcp_domain]))
        self.user_data = (base64.b64decode(instance['user_data'])
                          if instance['user_data'] is not None else None)

    def lookup(self, tokens):
        """(body, content type) of the node at ``tokens`` (the path's parts
        below ``/``, at least one); NotFound when there is none."""
        if tokens[0] == 'openstack':
            return self._openstack(tokens[1:])
        if tokens[0] == 'ec2':  # the config drive's name of the EC2 tree
            tokens = tokens[1:]
        if not tokens:
            return listing(EC2_VERSIONS + ['latest']), TEXT
        node = self.ec2_tree(tokens[0])
        for token in tokens[1:]:
            if not isinstance(node, dict) or token not in node:
                raise exception.NotFound()
            node = node[token]
        return listing(node), TEXT

    # -- OpenStack format ------------------------------------------------------------

    def _openstack(self, tokens):
        if not tokens:
            return listing(visible_openstack_versions()), TEXT
        version = self._openstack_version(tokens[0])
        files = self.openstack_files(version)
        if len(tokens) == 1:
            return listing(list(files)), TEXT
        if len(tokens) > 2 or tokens[1] not in files:
            raise exception.NotFound()
        return files[tokens[1]]()

    @staticmethod
    def _openstack_version(version):
        version = OPENSTACK_VERSIONS[-1] if version == 'latest' else version
        if version not in OPENSTACK_VERSIONS:
            raise exception.NotFound()
        return version

    def openstack_files(self, version):
        """{file name: function returning (body, content type)} of ``version``,
        in the order Nova lists them."""
        def since(first):
            return OPENSTACK_VERSIONS.index(version) >= OPENSTACK_VERSIONS.index(first)
        files = {'meta_data.json': lambda: (json.dumps(self.meta_data(version)), JSON)}
        if self.user_data is not None:
            files['user_data'] = lambda: (self.user_data, TEXT)
        if since(GRIZZLY):
            files['password'] = lambda: (password(self.instance), TEXT)
        if since(HAVANA):
            files['vendor_data.json'] = lambda: (json.dumps({}), JSON)
        if since(LIBERTY):
            files['network_data.json'] = lambda: (
                json.dumps(network_data(self.instance.get('network_info'))), TEXT)
        if since(NEWTON_TWO):
            files['vendor_data2.json'] = lambda: (json.dumps({'static': {}}), JSON)
        return files

    def meta_data(self, version):
        """``meta_data.json`` as of ``version``."""
        instance = self.instance
        ordered = OPENSTACK_VERSIONS.index(version)
        doc = {'uuid': instance['uuid']}
        if instance['metadata']:
            doc['meta'] = instance['metadata']
        if instance['key_name']:
            doc['public_keys'] = {instance['key_name']: instance['key_data']}
            doc['keys'] = [{'name': instance['key_name'], 'type': self.key_type,
                            'data': instance['key_data']}]
        doc.update(hostname=self.hostname, name=instance['display_name'],
                   launch_index=instance['launch_index'], availability_zone=self.zone)
        if ordered >= OPENSTACK_VERSIONS.index(GRIZZLY):
            # Entropy for a guest that has none of its own at first boot.
            doc['random_seed'] = base64.b64encode(os.urandom(512)).decode()
        if ordered >= OPENSTACK_VERSIONS.index(LIBERTY):
            doc['project_id'] = instance['project_id']
        if ordered >= OPENSTACK_VERSIONS.index(NEWTON_ONE):
            doc['devices'] = []  # tagged devices: none without ports or volumes
        if ordered >= OPENSTACK_VERSIONS.index(VICTORIA):
            doc['dedicated_cpus'] = []  # no CPU pinning on these hypervisors
        return doc

    # -- EC2 format ------------------------------------------------------------------

    def ec2_tree(self, version):
        """``/<version>/``: {'meta-data': {…}, 'user-data': …}."""
        version = EC2_VERSIONS[-1] if version == 'latest' else version
        if version not in EC2_VERSIONS:
            raise exception.NotFound()

        def since(first):
            return EC2_VERSIONS.index(version) >= EC2_VERSIONS.index(first)
        instance = self.instance
        meta = {
            'ami-id': ami_id(instance['image_ref']),
            'ami-launch-index': instance['launch_index'],
            'ami-manifest-path': 'FIXME',  # what Nova serves: there is no S3 manifest
            'instance-id': 'i-%08x' % instance['id'],
            'hostname': self.hostname,
            'local-ipv4': self._address('fixed') or self.address,
            'reservation-id': instance['reservation_id'],
            'security-groups': list((instance['system_metadata'] or {}).get(
                'security_groups') or ['default']),
        }
        if instance['key_name']:
            meta['public-keys'] = {'0': Directory('0=' + instance['key_name'],
                                                  {'openssh-key': instance['key_data']})}
        if since('2007-01-19'):
            meta.update({'local-hostname': self.hostname, 'public-hostname': self.hostname,
                         'public-ipv4': self._address('floating')})
        if since('2007-08-29'):
            meta['instance-type'] = instance['flavor']['name']
        if since('2007-12-15'):
            meta['block-device-mapping'] = self.block_device_mapping()
        if since('2008-02-01'):
            meta['placement'] = {'availability-zone': self.zone}
        if since('2008-09-01'):
            meta['instance-action'] = 'none'
        tree = {'meta-data': meta}
        if self.user_data is not None:
            tree['user-data'] = self.user_data
        return tree

    def _address(self, kind):
        """The server's first IPv4 address of ``kind`` (fixed, floating), or ''."""
        for vif in self.instance.get('network_info') or ():
            for subnet in vif['network']['subnets']:
                for ip in subnet['ips']:
                    if ip['version'] != 4:
                        continue
                    if kind == 'fixed':
                        return ip['address']
                    if ip.get('floating_ips'):
                        return ip['floating_ips'][0]
        return ''

    def block_device_mapping(self):
        """The guest's disks as libvirt names them: the image on vda, then the
        flavor's ephemeral disk and swap."""
        mapping = {'ami': ROOT_DEVICE[len('/dev/'):], 'root': ROOT_DEVICE}
        devices = iter(['/dev/vdb', '/dev/vdc'])
        if self.instance['flavor'].get('ephemeral'):
            mapping['ephemeral0'] = next(devices)
        if self.instance['flavor'].get('swap'):
            mapping['swap'] = next(devices)
        return mapping


def ami_id(image_id):
    """The EC2-style id of an image (``ami-1a2b3c4d``): Nova numbers images in
    a table of its own; the first eight hex digits of the UUID serve here."""
    return 'ami-%s' % (image_id or '').replace('-', '')[:8].rjust(8, '0')


def network_data(network_info):
    """``network_data.json`` (Nova's netutils): a link per port, a network
    per subnet of each (``ipvN_dhcp`` where DHCP serves it, otherwise the
    static address, netmask, routes and DNS), and the DNS servers as
    services.  ``{}`` for a server without ports, as Nova serves it."""
    if not network_info:
        return {}
    links, networks, services = [], [], []
    for vif in network_info:
        link = {'id': vif.get('devname') or ('tap' + vif['id'])[:14], 'vif_id': vif['id'],
                'type': vif.get('type') or 'ovs', 'mtu': vif['network'].get('mtu'),
                'ethernet_mac_address': vif['address']}
        links.append(link)
        for subnet in vif['network']['subnets']:
            if not subnet['ips']:
                continue
            number = len(networks)
            version = subnet['version']
            if subnet.get('dhcp'):
                networks.append({'id': 'network%d' % number, 'type': 'ipv%d_dhcp' % version,
                                 'link': link['id'], 'network_id': vif['network']['id']})
                continue
            cidr = ipaddress.ip_network(subnet['cidr'], strict=False) if subnet.get('cidr') \
                else None
            routes = []
            if subnet.get('gateway'):
                default = '0.0.0.0' if version == 4 else '::'
                routes.append({'network': default, 'netmask': default,
                               'gateway': subnet['gateway']})
            for route in subnet.get('routes') or ():
                net = ipaddress.ip_network(route['cidr'], strict=False)
                routes.append({'network': str(net.network_address),
                               'netmask': str(net.netmask), 'gateway': route['gateway']})
            dns = [{'type': 'dns', 'address': a} for a in subnet.get('dns') or ()]
            networks.append({'id': 'network%d' % number, 'type': 'ipv%d' % version,
                             'link': link['id'], 'ip_address': subnet['ips'][0]['address'],
                             'netmask': str(cidr.netmask) if cidr else None,
                             'routes': routes, 'network_id': vif['network']['id'],
                             'services': dns})
            services += [d for d in dns if d not in services]
    return {'links': links, 'networks': networks, 'services': services}
