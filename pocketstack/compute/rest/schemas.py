"""Request body schemas of the Compute API, by microversion.

Each version's schema is built once and kept: ``wsgi.check_schema`` caches
its validator by the schema object."""
import copy
import functools

NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?! )[\S ]*(?<! )$'}  # no leading/trailing blanks, no control characters
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255}
METADATA = {'type': 'object', 'maxProperties': 128,
            'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string',
                                                                'maxLength': 255}},
            'additionalProperties': False}
UUID_OR_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}

_NETWORK = {'type': 'object', 'properties': {
    'uuid': {'type': 'string'}, 'port': {'type': ['string', 'null']},
    'fixed_ip': {'type': 'string'}, 'tag': {'type': 'string'}},
    'additionalProperties': False}
SECURITY_GROUP_ACTION = {
    'type': 'object', 'properties': {'name': {'type': 'string', 'minLength': 1,
                                              'pattern': r'\S'}},
    'required': ['name'], 'additionalProperties': False}
_BDM = {'type': 'object', 'properties': {
    'source_type': {'enum': ['image', 'volume', 'snapshot', 'blank']},
    'destination_type': {'enum': ['local', 'volume']},
    'uuid': {'type': 'string'}, 'boot_index': {'type': ['integer', 'string', 'null']},
    'volume_size': {'type': ['integer', 'string']},
    'delete_on_termination': {'type': ['boolean', 'string']},
    'device_name': {'type': 'string'}, 'guest_format': {'type': 'string'},
    'disk_bus': {'type': 'string'}, 'device_type': {'type': 'string'},
    'tag': {'type': 'string'}, 'volume_type': {'type': ['string', 'null']}},
    'additionalProperties': False}

_SERVER_CREATE = {
    'type': 'object',
    'properties': {
        'server': {
            'type': 'object',
            'properties': {
                'name': NAME,
                'imageRef': {'type': 'string'},
                'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
                'adminPass': {'type': 'string'},
                'metadata': METADATA,
                'networks': {'type': 'array', 'items': _NETWORK},
                'OS-DCF:diskConfig': {'enum': ['AUTO', 'MANUAL']},
                'accessIPv4': {'type': 'string', 'format': 'ipv4'},
                'accessIPv6': {'type': 'string', 'format': 'ipv6'},
                'key_name': UUID_OR_NAME,
                'user_data': {'type': 'string', 'maxLength': 65535},
                'availability_zone': UUID_OR_NAME,
                'min_count': {'type': ['integer', 'string'], 'minimum': 1},
                'max_count': {'type': ['integer', 'string'], 'minimum': 1},
                'return_reservation_id': {'type': 'boolean'},
                'config_drive': {'type': ['boolean', 'string']},
                'security_groups': {'type': 'array', 'items': {
                    'type': 'object', 'properties': {'name': {'type': 'string'}}}},
                'block_device_mapping_v2': {'type': 'array', 'items': _BDM},
                'personality': {'type': 'array'},
                'scheduler_hints': {'type': 'object'},
            },
            'required': ['name', 'flavorRef'],
            'additionalProperties': False,
        },
        'os:scheduler_hints': {'type': 'object'},
        'OS-SCH-HNT:scheduler_hints': {'type': 'object'},
    },
    'required': ['server'],
    'additionalProperties': False,
}


@functools.lru_cache(maxsize=None)
def server_create(version):
    schema = copy.deepcopy(_SERVER_CREATE)
    props = schema['properties']['server']['properties']
    for key in ('min_count', 'max_count'):
        props[key] = {'type': 'integer', 'minimum': 1}
    if version >= (2, 19):
        props['description'] = DESCRIPTION
    if version >= (2, 37):
        # "Get me a network": networks required, and 'none' / 'auto' allowed.
        props['networks'] = {'oneOf': [props['networks'], {'enum': ['none', 'auto']}]}
        schema['properties']['server']['required'].append('networks')
    if version >= (2, 52):
        props['tags'] = {'type': 'array', 'maxItems': 50,
                         'items': {'type': 'string', 'minLength': 1, 'maxLength': 60,
                                   'pattern': '^[^,/]*$'}}
    if version >= (2, 57):
        props.pop('personality')
    if version >= (2, 63):
        props['trusted_image_certificates'] = {'type': ['array', 'null']}
    if version >= (2, 74):
        props['host'] = {'type': 'string'}
        props['hypervisor_hostname'] = {'type': 'string'}
    if version >= (2, 90):
        props['hostname'] = {'type': 'string', 'minLength': 1, 'maxLength': 255}
    return schema


@functools.lru_cache(maxsize=None)
def server_update(version):
    props = {'name': NAME, 'accessIPv4': {'type': 'string', 'format': 'ipv4'},
             'accessIPv6': {'type': 'string', 'format': 'ipv6'},
             'OS-DCF:diskConfig': {'enum': ['AUTO', 'MANUAL']}}
    if version >= (2, 19):
        props['description'] = DESCRIPTION
    if version >= (2, 90):
        props['hostname'] = {'type': 'string', 'minLength': 1, 'maxLength': 255}
    if version >= (2, 104):
        props['pinned_availability_zone'] = {'oneOf': [NAME, {'type': 'null'}]}
    return {'type': 'object',
            'properties': {'server': {'type': 'object', 'properties': props,
                                      'additionalProperties': False}},
            'required': ['server'], 'additionalProperties': False}


# -- server actions ----------------------------------------------------------------

REBOOT = {'type': 'object',
          'properties': {'type': {'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']}},
          'required': ['type'], 'additionalProperties': False}
LOCK = {'type': ['object', 'null'],
        'properties': {'locked_reason': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
        'additionalProperties': False}
UNSHELVE = {'type': ['object', 'null'], 'properties': {'availability_zone': NAME},
            'additionalProperties': False}
# 2.91: an admin may name the host; a null zone unpins the server.
UNSHELVE_V291 = {'type': ['object', 'null'],
                 'properties': {'availability_zone': {'type': ['string', 'null'],
                                                      'minLength': 1, 'maxLength': 255},
                                'host': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
                 'additionalProperties': False}
CREATE_IMAGE = {'type': 'object', 'properties': {'name': NAME, 'metadata': METADATA},
                'required': ['name'], 'additionalProperties': False}
CREATE_BACKUP = {'type': 'object', 'properties': {
    'name': NAME, 'metadata': METADATA, 'backup_type': {'type': 'string'},
    'rotation': {'type': ['integer', 'string'], 'pattern': '^[0-9]+$', 'minimum': 0}},
    'required': ['name', 'backup_type', 'rotation'], 'additionalProperties': False}
RESIZE = {'type': 'object',
          'properties': {'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
                         'OS-DCF:diskConfig': {'enum': ['AUTO', 'MANUAL']}},
          'required': ['flavorRef'], 'additionalProperties': False}
NULL = {'type': 'null'}
RESCUE = {'type': ['object', 'null'],
          'properties': {'adminPass': {'type': 'string'},
                         'rescue_image_ref': {'type': 'string', 'format': 'uuid'}},
          'additionalProperties': False}
MIGRATE = {'type': ['object', 'null'],
           'properties': {'host': {'type': ['string', 'null'], 'minLength': 1,
                                   'maxLength': 255}},
           'additionalProperties': False}
CONSOLE_OUTPUT = {'type': ['object', 'null'],
                  'properties': {'length': {'type': ['integer', 'string', 'null'],
                                            'pattern': '^-?[0-9]+$', 'minimum': -1}},
                  'additionalProperties': False}


@functools.lru_cache(maxsize=None)
def rebuild(version):
    props = {'imageRef': {'type': 'string', 'minLength': 1}, 'name': NAME,
             'adminPass': {'type': 'string'}, 'metadata': METADATA,
             'preserve_ephemeral': {'type': 'boolean'},
             'OS-DCF:diskConfig': {'enum': ['AUTO', 'MANUAL']},
             'accessIPv4': {'type': 'string', 'format': 'ipv4'},
             'accessIPv6': {'type': 'string', 'format': 'ipv6'},
             'personality': {'type': 'array'}}
    if version >= (2, 19):
        props['description'] = DESCRIPTION
    if version >= (2, 54):
        props['key_name'] = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}
    if version >= (2, 57):
        props.pop('personality')
        props['user_data'] = {'type': ['string', 'null'], 'maxLength': 65535}
    if version >= (2, 63):
        props['trusted_image_certificates'] = {'type': ['array', 'null']}
    if version >= (2, 90):
        props['hostname'] = {'type': 'string', 'minLength': 1, 'maxLength': 255}
    return {'type': 'object', 'properties': {'rebuild': {
        'type': 'object', 'properties': props, 'required': ['imageRef'],
        'additionalProperties': False}}, 'required': ['rebuild']}
