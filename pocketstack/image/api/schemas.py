"""JSON schemas: the ones ``/v2/schemas/*`` publishes (glanceclient builds its
models from them) and the ones requests are validated with."""
import copy

from pocketstack.image.core import images

UUID_PATTERN = ('^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}'
                '-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$')
INT32 = {'type': 'integer', 'minimum': 0, 'maximum': 2 ** 31 - 1}


def _nullable(kind, **extra):
    return dict({'type': [kind, 'null']}, **extra)


IMAGE_PROPERTIES = {
    'id': {'type': 'string', 'pattern': UUID_PATTERN,
           'description': 'An identifier for the image'},
    'name': _nullable('string', maxLength=255,
                      description='Descriptive name for the image'),
    'status': {'type': 'string', 'readOnly': True, 'enum': list(images.STATUSES),
               'description': 'Status of the image'},
    'visibility': {'type': 'string', 'enum': list(images.VISIBILITIES),
                   'description': 'Scope of image accessibility'},
    'protected': {'type': 'boolean',
                  'description': 'If true, image will not be deletable.'},
    'os_hidden': {'type': 'boolean',
                  'description': 'If true, image will not appear in default image list '
                                 'response.'},
    'checksum': _nullable('string', readOnly=True, maxLength=32,
                          description='md5 hash of image contents.'),
    'os_hash_algo': _nullable('string', readOnly=True, maxLength=64,
                              description='Algorithm to calculate the os_hash_value'),
    'os_hash_value': _nullable('string', readOnly=True, maxLength=128,
                               description='Hexdigest of the image contents using the '
                                           'algorithm specified by the os_hash_algo'),
    'owner': _nullable('string', maxLength=255, description='Owner of the image'),
    'size': _nullable('integer', readOnly=True,
                      description='Size of image file in bytes'),
    'virtual_size': _nullable('integer', readOnly=True,
                              description='Virtual size of image in bytes'),
    'container_format': _nullable('string', enum=list(images.CONTAINER_FORMATS) + [None],
                                  description='Format of the container'),
    'disk_format': _nullable('string', enum=list(images.DISK_FORMATS) + [None],
                             description='Format of the disk'),
    'created_at': {'type': 'string', 'readOnly': True,
                   'description': 'Date and time of image registration'},
    'updated_at': {'type': 'string', 'readOnly': True,
                   'description': 'Date and time of the last image modification'},
    'tags': {'type': 'array', 'items': {'type': 'string', 'maxLength': 255},
             'description': 'List of strings related to the image'},
    'direct_url': {'type': 'string', 'readOnly': True,
                   'description': 'URL to access the image file kept in external store'},
    'min_ram': dict(INT32, description='Amount of ram (in MB) required to boot image.'),
    'min_disk': dict(INT32, description='Amount of disk space (in GB) required to boot '
                                        'image.'),
    'self': {'type': 'string', 'readOnly': True,
             'description': 'An image self url'},
    'file': {'type': 'string', 'readOnly': True,
             'description': 'An image file url'},
    'stores': {'type': 'string', 'readOnly': True,
               'description': 'Store in which image data resides.'},
    'schema': {'type': 'string', 'readOnly': True,
               'description': 'An image schema url'},
}

IMAGE = {
    'name': 'image',
    'properties': IMAGE_PROPERTIES,
    'additionalProperties': {'type': 'string'},
    'links': [{'href': '{self}', 'rel': 'self'},
              {'href': '{file}', 'rel': 'enclosure'},
              {'href': '{schema}', 'rel': 'describedby'}],
}

IMAGES = {
    'name': 'images',
    'properties': {'images': {'type': 'array', 'items': IMAGE},
                   'schema': {'type': 'string'},
                   'first': {'type': 'string'},
                   'next': {'type': 'string'}},
    'links': [{'href': '{first}', 'rel': 'first'},
              {'href': '{next}', 'rel': 'next'},
              {'href': '{schema}', 'rel': 'describedby'}],
}

MEMBER = {
    'name': 'member',
    'properties': {
        'created_at': {'type': 'string', 'description': 'Date and time of image member '
                                                        'creation'},
        'image_id': {'type': 'string', 'pattern': UUID_PATTERN,
                     'description': 'An identifier for the image'},
        'member_id': {'type': 'string', 'description': 'An identifier for the image member '
                                                       '(tenantId)'},
        'status': {'type': 'string', 'enum': list(images.MEMBER_STATUSES),
                   'description': 'The status of this image member'},
        'updated_at': {'type': 'string', 'description': 'Date and time of last modification '
                                                        'of image member'},
        'schema': {'type': 'string', 'readOnly': True},
    },
}

MEMBERS = {
    'name': 'members',
    'properties': {'members': {'type': 'array', 'items': MEMBER},
                   'schema': {'type': 'string'}},
    'links': [{'href': '{schema}', 'rel': 'describedby'}],
}

PUBLISHED = {'image': IMAGE, 'images': IMAGES, 'member': MEMBER, 'members': MEMBERS}

# -- request schemas -----------------------------------------------------------

# What a client may set: the writable core attributes plus string-valued
# custom properties (read-only and reserved names are refused before this).
_WRITABLE = ('id', 'name', 'visibility', 'protected', 'os_hidden', 'owner', 'min_ram',
             'min_disk', 'container_format', 'disk_format', 'tags')
IMAGE_WRITE = {
    'type': 'object',
    'properties': {name: {k: v for k, v in IMAGE_PROPERTIES[name].items()
                          if k != 'description'} for name in _WRITABLE},
    'additionalProperties': {'type': 'string', 'maxLength': 65535},
    'propertyNames': {'maxLength': 255},  # the api-ref's limit on custom property keys
}
IMAGE_WRITE['properties']['tags'] = copy.deepcopy(IMAGE_PROPERTIES['tags'])
IMAGE_WRITE['properties']['tags']['items']['minLength'] = 1

MEMBER_CREATE = {
    'type': 'object',
    'properties': {'member': {'type': 'string', 'minLength': 1, 'maxLength': 255}},
    'required': ['member'],
}

MEMBER_UPDATE = {
    'type': 'object',
    'properties': {'status': {'type': 'string', 'enum': list(images.MEMBER_STATUSES)}},
    'required': ['status'],
}

IMPORT = {
    'type': 'object',
    'properties': {
        'method': {'type': 'object',
                   'properties': {'name': {'type': 'string'}, 'uri': {'type': 'string'}},
                   'required': ['name']},
        'stores': {'type': 'array', 'items': {'type': 'string'}},
        'all_stores': {'type': 'boolean'},
        'all_stores_must_succeed': {'type': 'boolean'},
    },
    'required': ['method'],
}
