"""What the fake hypervisor's guests print on their serial console.

``openstack console log show`` (``os-getConsoleOutput``) reaches the
compute host that runs the server, whose driver answers with the guest's
console log; ``fake.py`` keeps one per guest, and this module writes the
lines a Linux cloud image prints there: the kernel's boot (the flavor's
CPUs and memory, a virtio NIC per port), systemd setting the hostname,
cloud-init finding its datasource at the metadata service
(169.254.169.254) and listing the addresses Neutron gave, the SSH host key
fingerprints, and the login prompt; a shutdown before a soft reboot or a
stop.

Nothing here is random or timed: the same instance record gives the same
lines (the clock appears only in cloud-init's own "at <date>" lines), so a
log can be written again from the record alone — after ``up`` restarts, the
fake hypervisor has lost its guests but not the servers.
"""
import base64
import hashlib
import ipaddress

CLOUD_INIT = 'Cloud-init v. 24.1.3-0ubuntu1'
METADATA_URL = 'http://169.254.169.254'


def image_name(instance, image=None):
    """The name the guest's OS goes by: the image it boots from."""
    return ((image or {}).get('name') or instance.get('system_metadata', {}).get('image_name')
            or instance.get('image_ref') or 'Linux')


def boot(instance, image, when):
    """The lines of one boot of ``instance`` from ``image`` (a name), at
    ``when`` (a datetime; cloud-init prints it)."""
    flavor = instance.get('flavor') or {}
    hostname = instance.get('hostname') or 'localhost'
    memory_kib = int(flavor.get('memory_mb') or 64) * 1024
    vcpus = int(flavor.get('vcpus') or 1)
    vifs = [vif for vif in instance.get('network_info') or () if vif.get('network')]
    kernel = [
        'Linux version 6.8.0-31-generic (buildd@pocketstack) (gcc 13.2.0) #31-Ubuntu SMP',
        'Command line: BOOT_IMAGE=/vmlinuz root=LABEL=cloudimg-rootfs ro console=tty1 '
        'console=ttyS0',
        'DMI: OpenStack Foundation OpenStack Nova, BIOS 1.16.3-debian-1.16.3-2 04/01/2014',
        'Hypervisor detected: KVM',
        'Memory: %dK/%dK available' % (memory_kib * 9 // 10, memory_kib),
        'smpboot: Allowing %d CPUs, 0 hotplug CPUs' % vcpus,
        'virtio_blk virtio1: [vda] %d 512-byte logical blocks'
        % (max(int(flavor.get('root_gb') or 1), 1) * 2097152),
    ]
    kernel += ['virtio_net virtio%d %s: renamed from eth%d' % (n + 2, _nic(n), n)
               for n in range(len(vifs))]
    kernel += ['EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.',
               'systemd[1]: Hostname set to <%s>.' % hostname]
    lines = ['[%12.6f] %s' % (n * 0.137, line) for n, line in enumerate(kernel)]
    lines += ['', 'Welcome to %s!' % image, '']
    lines += _cloud_init(instance, hostname, vifs, when)
    lines += ['', '%s %s ttyS0' % (image, hostname), '', '%s login:' % hostname]
    return lines


def shutdown(power_off):
    """What a guest asked to stop (ACPI) prints before it goes."""
    return ['[  OK  ] Stopped target cloud-init.target - Cloud-init target.',
            '         Stopping ssh.service - OpenBSD Secure Shell server...',
            '[  OK  ] Reached target shutdown.target - System Shutdown.',
            '[%12.6f] %s' % (61.5, 'reboot: Power down' if power_off
                             else 'reboot: Restarting system')]


def _nic(n):
    return 'ens%d' % (3 + n)


def _cloud_init(instance, hostname, vifs, when):
    at = when.strftime('%a, %d %b %Y %H:%M:%S +0000')
    ci = 'cloud-init[%d]: '
    lines = [ci % 412 + "%s running 'init-local' at %s. Up 3.21 seconds." % (CLOUD_INIT, at)]
    if vifs:
        source = 'DataSourceOpenStackLocal [net,ver=2]'
        lines += [ci % 412 + 'Reading metadata from %s/openstack/latest/meta_data.json'
                  % METADATA_URL,
                  ci % 412 + 'Found instance "%s" (instance-id %s, local-hostname %s)'
                  % (instance.get('display_name') or hostname, instance['uuid'], hostname)]
    else:
        source = 'DataSourceNone'
        lines += [ci % 412 + "WARNING: Calling '%s/openstack' failed: request error "
                  '[Network is unreachable]' % METADATA_URL,
                  ci % 412 + 'WARNING: No active metadata service found; '
                  'instance-id %s unknown to the guest' % instance['uuid']]
    lines.append(ci % 480 + "%s running 'init' at %s. Up 4.02 seconds." % (CLOUD_INIT, at))
    lines += _net_table(vifs)
    if instance.get('key_name'):
        lines.append(ci % 480 + "Authorized keys for user 'ubuntu': key pair %s"
                     % instance['key_name'])
    lines.append('-----BEGIN SSH HOST KEY FINGERPRINTS-----')
    for kind, bits in (('ECDSA', 256), ('ED25519', 256), ('RSA', 3072)):
        # Stable per server, as a guest's host keys are once generated.
        digest = hashlib.sha256(('%s %s' % (instance['uuid'], kind)).encode()).digest()
        lines.append('%d SHA256:%s root@%s (%s)' % (
            bits, base64.b64encode(digest).decode().rstrip('='), hostname, kind))
    lines.append('-----END SSH HOST KEY FINGERPRINTS-----')
    lines.append(ci % 601 + '%s finished at %s. Datasource %s.  Up 9.87 seconds'
                 % (CLOUD_INIT, at, source))
    return lines


def _net_table(vifs):
    """cloud-init's "Net device info": each NIC's addresses and MAC."""
    rows = [('lo', 'True', '127.0.0.1', '255.0.0.0', 'host', '.')]
    routes = []
    for n, vif in enumerate(vifs):
        for subnet in vif['network'].get('subnets') or ():
            for ip in subnet.get('ips') or ():
                mask = (str(ipaddress.ip_network(subnet['cidr']).netmask)
                        if subnet.get('cidr') and ip.get('version', 4) == 4 else '.')
                rows.append((_nic(n), 'True', ip['address'], mask, 'global',
                             vif.get('address') or '.'))
            if subnet.get('gateway') and not routes:
                routes.append((subnet['gateway'], _nic(n)))
    header = ('Device', 'Up', 'Address', 'Mask', 'Scope', 'Hw-Address')
    widths = [max(len(row[i]) for row in [header] + rows) + 2 for i in range(len(header))]
    rule = 'ci-info: +' + '+'.join('-' * w for w in widths) + '+'

    def row(values):
        return 'ci-info: |' + '|'.join(v.center(w) for v, w in zip(values, widths)) + '|'
    lines = ['ci-info: ' + 'Net device info'.center(len(rule) - 9, '+'), rule, row(header),
             rule] + [row(r) for r in rows] + [rule]
    lines += ['ci-info: Route IPv4 info: default via %s dev %s' % (gateway, dev)
              for gateway, dev in routes]
    return lines
