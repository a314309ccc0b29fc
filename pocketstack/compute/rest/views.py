"""How a server looks in the API, version by version (nova's view builder).

The microversions that change a server's body here (docs/compute-microversions.md):
2.3 more OS-EXT-SRV-ATTR fields (admin) · 2.9 ``locked`` · 2.16 ``host_status``
(admin) · 2.19 ``description`` · 2.26 ``tags`` · 2.47 the flavor embedded ·
2.63 ``trusted_image_certificates`` · 2.71 ``server_groups`` (show, update,
rebuild; added by servers.with_groups, which reads them) · 2.73 ``locked_reason`` · 2.90 ``OS-EXT-SRV-ATTR:hostname`` for
everyone · 2.96 ``pinned_availability_zone`` · 2.98 the image's ``properties`` ·
2.100 ``scheduler_hints``.
A flavor's: 2.55 ``description`` · 2.61 ``extra_specs`` · 2.75 ``swap`` 0, not "".
"""
import hashlib

from pocketstack.common import wsgi
from pocketstack.compute import network
from pocketstack.compute import states
from pocketstack.compute.rest import microversion


def _links(req, collection, item_id):
    base = wsgi.base_url(req)
    bookmark = req.host_url + req.script_name.rsplit('/v2', 1)[0]
    return [{'rel': 'self', 'href': '%s/%s/%s' % (base, collection, item_id)},
            {'rel': 'bookmark', 'href': '%s/%s/%s' % (bookmark, collection, item_id)}]


def basic(req, instance):
    return {'id': instance['uuid'], 'name': instance['display_name'],
            'links': _links(req, 'servers', instance['uuid'])}


def _ms(value):
    """Nova prints these times with microseconds: 2013-09-23T13:53:12.000000."""
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f') if value else None


def host_id(instance):
    if not instance['host']:
        return ''
    return hashlib.sha224((instance['project_id'] + instance['host']).encode()).hexdigest()


def flavor_view(req, flavor, version):
    if version >= (2, 47):
        return {'vcpus': flavor['vcpus'], 'ram': flavor['ram'], 'disk': flavor['disk'],
                'ephemeral': flavor.get('ephemeral', 0), 'swap': flavor.get('swap', 0),
                'original_name': flavor['name'],
                'extra_specs': dict(flavor.get('extra_specs') or {})}
    return {'id': flavor['id'], 'links': [_links(req, 'flavors', flavor['id'])[1]]}


# What an instance keeps of its image (api._image_system_metadata) that is
# not one of the image's properties.
_NOT_IMAGE_PROPERTIES = ('id', 'name', 'size', 'status')


def image_view(req, instance, version=(2, 1)):
    if not instance['image_ref']:
        return ''
    view = {'id': instance['image_ref'],
            'links': [_links(req, 'images', instance['image_ref'])[1]]}
    if version >= (2, 98):
        properties = {k[len('image_'):]: str(v)
                      for k, v in (instance.get('system_metadata') or {}).items()
                      if k.startswith('image_') and k[len('image_'):] not in
                      _NOT_IMAGE_PROPERTIES}
        view['properties'] = dict(properties, base_image_ref=instance['image_ref'])
    return view


def fault_view(fault, is_admin):
    if fault is None:
        return None
    view = {'code': fault['code'], 'created': wsgi.isoformat(fault['created_at']),
            'message': fault['message']}
    if is_admin or fault['code'] != 500:
        view['details'] = fault['details'] or ''
    return view


def detail(req, instance, is_admin, fault=None, host_status=None, show=False, zones=None):
    """``zones``: {host: availability zone} (api.host_zones), for
    ``OS-EXT-AZ:availability_zone`` of a server on a host."""
    version = microversion.api_version(req)
    status = states.status(instance['vm_state'], instance['task_state'])
    server = basic(req, instance)
    server.update({
        'status': status,
        'tenant_id': instance['project_id'],
        'user_id': instance['user_id'],
        'metadata': dict(instance['metadata']),
        'hostId': host_id(instance),
        'image': image_view(req, instance, version),
        'flavor': flavor_view(req, instance['flavor'], version),
        'created': wsgi.isoformat(instance['created_at']),
        'updated': wsgi.isoformat(instance['updated_at'] or instance['created_at']),
        'addresses': addresses(instance),
        'accessIPv4': instance['access_ip_v4'] or '',
        'accessIPv6': instance['access_ip_v6'] or '',
        'OS-DCF:diskConfig': 'MANUAL',
        'OS-EXT-AZ:availability_zone': (zones or {}).get(instance['host']) or
        instance['availability_zone'] or ('nova' if instance['host'] else ''),
        'config_drive': instance['config_drive'],
        'key_name': instance['key_name'],
        'OS-SRV-USG:launched_at': _ms(instance['launched_at']),
        'OS-SRV-USG:terminated_at': _ms(instance['terminated_at']),
        'OS-EXT-STS:task_state': instance['task_state'],
        'OS-EXT-STS:vm_state': instance['vm_state'],
        'OS-EXT-STS:power_state': instance['power_state'],
        'os-extended-volumes:volumes_attached': [],
    })
    groups = security_group_names(instance)
    if groups:
        server['security_groups'] = [{'name': name} for name in groups]
    if status in ('ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING'):
        server['progress'] = instance['progress']
    if is_admin:
        server.update({
            'OS-EXT-SRV-ATTR:host': instance['host'],
            'OS-EXT-SRV-ATTR:hypervisor_hostname': instance['node'],
            'OS-EXT-SRV-ATTR:instance_name': 'instance-%08x' % instance['id'],
        })
        if version >= (2, 3):
            server.update({
                'OS-EXT-SRV-ATTR:reservation_id': instance['reservation_id'],
                'OS-EXT-SRV-ATTR:launch_index': instance['launch_index'],
                'OS-EXT-SRV-ATTR:hostname': instance['hostname'],
                'OS-EXT-SRV-ATTR:kernel_id': '',
                'OS-EXT-SRV-ATTR:ramdisk_id': '',
                'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
                'OS-EXT-SRV-ATTR:user_data': instance['user_data'],
            })
    elif version >= (2, 90):
        server['OS-EXT-SRV-ATTR:hostname'] = instance['hostname']
    if version >= (2, 9):
        server['locked'] = bool(instance['locked'])
    if version >= (2, 16) and host_status is not None:
        server['host_status'] = host_status
    if version >= (2, 19):
        server['description'] = instance['display_description']
    if version >= (2, 26):
        server['tags'] = list(instance['tags'])
    if version >= (2, 63):
        server['trusted_image_certificates'] = None
    if version >= (2, 73):
        server['locked_reason'] = instance['locked_reason']
    if version >= (2, 96):
        server['pinned_availability_zone'] = instance['availability_zone']
    if version >= (2, 100):
        server['scheduler_hints'] = dict(instance.get('scheduler_hints') or {})
    fault = fault_view(fault, is_admin)
    if fault is not None and instance['vm_state'] in (states.ERROR, states.DELETED):
        server['fault'] = fault
    return server


# What a server body shows beside the core attributes, until 2.75 made the
# answers of ``PUT /servers/{id}`` and ``rebuild`` the whole server as ``GET``.
_EXTENDED_PREFIXES = ('OS-EXT-AZ:', 'OS-EXT-STS:', 'OS-SRV-USG:', 'OS-EXT-SRV-ATTR:',
                      'os-extended-volumes:')
_EXTENDED_KEYS = ('config_drive', 'key_name', 'security_groups', 'host_status')


def changed(req, server, instance, rebuild=False):
    """The ``server`` (as :func:`detail` shows it) as an update or a rebuild
    answers: before 2.75 without the extended attributes and with plain
    addresses; a rebuild's keeps ``key_name`` from 2.54 and shows
    ``user_data`` from 2.57 (in place of the admin's
    ``OS-EXT-SRV-ATTR:user_data`` from 2.75)."""
    version = microversion.api_version(req)
    if version < (2, 75):
        kept = ('key_name',) if rebuild and version >= (2, 54) else ()
        server = {key: value for key, value in server.items()
                  if key in kept or (key not in _EXTENDED_KEYS and
                                     not key.startswith(_EXTENDED_PREFIXES))}
        server['addresses'] = {label: [{'version': e['version'], 'addr': e['addr']}
                                       for e in entries]
                               for label, entries in server['addresses'].items()}
    if rebuild and version >= (2, 57):
        server.pop('OS-EXT-SRV-ATTR:user_data', None)
        server['user_data'] = instance['user_data']
    return server


def addresses(instance):
    """``addresses``: {network label: [{version, addr, OS-EXT-IPS:type,
    OS-EXT-IPS-MAC:mac_addr}]} from the server's network info."""
    return {label: [{'version': e['version'], 'addr': e['addr'],
                     'OS-EXT-IPS:type': e['type'], 'OS-EXT-IPS-MAC:mac_addr': e['mac']}
                    for e in entries]
            for label, entries in network.addresses(instance.get('network_info')).items()}


def security_group_names(instance):
    """The groups of a server's ports (as requested at boot and changed by
    add/removeSecurityGroup); servers booted before groups were recorded
    are in 'default'."""
    names = (instance.get('system_metadata') or {}).get('security_groups')
    return ['default'] if names is None else names


def flavor_detail(req, flavor, version=None):
    """A flavor as /flavors/{id} shows it."""
    version = version or microversion.api_version(req)
    view = {'id': flavor['id'], 'name': flavor['name'], 'ram': flavor['ram'],
            'disk': flavor['disk'], 'vcpus': flavor['vcpus'], 'swap': flavor['swap'] or '',
            'OS-FLV-EXT-DATA:ephemeral': flavor['ephemeral'],
            'OS-FLV-DISABLED:disabled': flavor['disabled'],
            'os-flavor-access:is_public': flavor['is_public'],
            'rxtx_factor': flavor['rxtx_factor'],
            'links': _links(req, 'flavors', flavor['id'])}
    if version >= (2, 55):
        view['description'] = flavor['description']
    if version >= (2, 61):
        view['extra_specs'] = dict(flavor['extra_specs'])
    if version >= (2, 75):
        view['swap'] = flavor['swap'] or 0
    if version >= (2, 102):
        del view['rxtx_factor'], view['OS-FLV-DISABLED:disabled']
    return view


def flavor_basic(req, flavor):
    view = {'id': flavor['id'], 'name': flavor['name'],
            'links': _links(req, 'flavors', flavor['id'])}
    if microversion.api_version(req) >= (2, 55):
        view['description'] = flavor['description']
    return view
