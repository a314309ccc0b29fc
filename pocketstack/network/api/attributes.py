"""The attributes of each Network API resource, as Neutron's attribute map
declares them: which a client may give on POST and PUT, which are required,
how a value is checked and converted, and which are the admin's alone.

The controller uses this map to refuse what the api-ref refuses (unknown
attributes, read-only ones, wrong JSON types → 400) before a plugin sees a
request; plugins check what needs the database (addresses, CIDRs, ids).
"""
import dataclasses
import re

from pocketstack.network import exception

UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?'
                     r'[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')
MAX_NAME = 255
MAX_DESCRIPTION = 255


def _invalid(message):
    return exception.InvalidInput(error_message=message)


# -- converters: value from JSON (or a query string) -> stored value ----------

def string(max_len=MAX_NAME, nullable=False):
    def convert(value, name):
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise _invalid("'%s' is not a valid string" % (value,))
        if len(value) > max_len:
            raise _invalid("'%s' exceeds maximum length of %d" % (value, max_len))
        return value
    return convert


def boolean(value, name):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('true', '1', 't', 'yes', 'y', 'on'):
        return True
    if text in ('false', '0', 'f', 'no', 'n', 'off'):
        return False
    raise _invalid("'%s' cannot be converted to boolean" % (value,))


def integer(minimum=None, maximum=None, nullable=False):
    def convert(value, name):
        if value is None and nullable:
            return None
        if isinstance(value, bool):
            raise _invalid("'%s' is not an integer" % (value,))
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise _invalid("'%s' is not an integer" % (value,)) from None
        if minimum is not None and number < minimum:
            raise _invalid("'%s' is too small - must be at least '%d'" % (number, minimum))
        if maximum is not None and number > maximum:
            raise _invalid("'%s' is too large - must be no larger than '%d'"
                           % (number, maximum))
        return number
    convert.numeric = True   # query-string filters are converted too
    return convert


def uuid(nullable=False):
    def convert(value, name):
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not UUID_RE.match(value):
            raise _invalid("'%s' is not a valid UUID" % (value,))
        return value
    return convert


def one_of(*choices, nullable=False):
    def convert(value, name):
        if value is None and nullable:
            return None
        if value not in choices:
            raise _invalid("'%s' is not in %s" % (value, list(choices)))
        return value
    return convert


def list_of(item=None):
    def convert(value, name):
        if not isinstance(value, list):
            raise _invalid("'%s' is not a list" % (value,))
        return [item(v, name) for v in value] if item else value
    return convert


def dict_of(keys=None, nullable=False):
    """An object; ``keys`` (when given) are all it may hold."""
    def convert(value, name):
        if value is None and nullable:
            return None
        if not isinstance(value, dict):
            raise _invalid("'%s' is not a dictionary" % (value,))
        if keys is not None:
            unknown = sorted(set(value) - set(keys))
            if unknown:
                raise _invalid("Unrecognized attribute(s) '%s' in %s"
                               % (', '.join(unknown), name))
        return value
    return convert


def fields_of(nullable=False, **fields):
    """An object whose keys are ``fields`` (name → converter), each optional."""
    check = dict_of(tuple(fields), nullable=nullable)

    def convert(value, name):
        value = check(value, name)
        if value is None:
            return None
        return {key: fields[key](item, key) for key, item in value.items()}
    return convert


def anything(value, name):
    return value


IP_ADDRESS = string(64)
FIXED_IPS = list_of(fields_of(subnet_id=uuid(), ip_address=IP_ADDRESS))
ROUTES = list_of(fields_of(destination=string(64), nexthop=IP_ADDRESS))


NO_DEFAULT = object()


@dataclasses.dataclass(frozen=True)
class Attr:
    convert: object = anything
    post: bool = True         # a client may give it on create
    put: bool = True          # … and change it
    required: bool = False    # create fails without it
    column: bool = True       # may be filtered and sorted on
    # What the plugin assumes when it is not given: a create that gives
    # this value is not checked against ``create_<member>:<attr>`` (Neutron's
    # "explicitly set"), so a member may send shared=false.
    default: object = NO_DEFAULT


def read_only(**kw):
    return Attr(post=False, put=False, **kw)


# What every top-level resource has.
STANDARD = {
    'id': read_only(convert=string()),
    'project_id': Attr(convert=string(), put=False),
    'tenant_id': Attr(convert=string(), put=False),
    'description': Attr(convert=string(MAX_DESCRIPTION)),
    'revision_number': read_only(convert=integer()),
    'created_at': read_only(),
    'updated_at': read_only(),
    'tags': read_only(column=False),
}


@dataclasses.dataclass(frozen=True)
class Resource:
    collection: str            # URL name: 'security-groups'
    member: str                # body key and method stem: 'security_group'
    attributes: dict
    writable: bool = True      # has POST and DELETE
    deletable: bool = False    # has DELETE even when not writable (agents)
    updatable: bool = True     # has PUT
    taggable: bool = True

    @property
    def collection_key(self):
        """The list's body key: 'security_groups'."""
        return self.collection.replace('-', '_')


def _resource(collection, member, attributes, **kw):
    return Resource(collection, member, dict(STANDARD, **attributes), **kw)


NAME = Attr(convert=string())
BOOL = Attr(convert=boolean)

RESOURCES = {r.collection: r for r in (
    _resource('networks', 'network', {
        'name': NAME,
        'admin_state_up': BOOL,
        'status': read_only(),
        'shared': Attr(convert=boolean, default=False),
        'router:external': Attr(convert=boolean, default=False),
        'is_default': Attr(convert=boolean, default=False),
        'mtu': Attr(convert=integer(68, 65535)),
        'port_security_enabled': BOOL,
        'availability_zone_hints': Attr(convert=list_of(string()), put=False, column=False),
        'availability_zones': read_only(column=False),
        'dns_domain': Attr(convert=string()),
        'subnets': read_only(column=False),
        'provider:network_type': Attr(convert=string()),
        'provider:physical_network': Attr(convert=string(nullable=True)),
        'provider:segmentation_id': Attr(convert=integer(0, 16777215, nullable=True)),
        'ipv4_address_scope': read_only(column=False),
        'ipv6_address_scope': read_only(column=False),
        'l2_adjacency': read_only(column=False),
    }),
    _resource('subnets', 'subnet', {
        'name': NAME,
        'network_id': Attr(convert=uuid(), put=False, required=True),
        'ip_version': Attr(convert=integer(), put=False, required=True),
        'cidr': Attr(convert=string(), put=False),
        'prefixlen': Attr(convert=integer(0, 128), put=False, column=False),
        'subnetpool_id': Attr(convert=string(nullable=True), put=False),
        'use_default_subnetpool': Attr(convert=boolean, put=False, column=False),
        'gateway_ip': Attr(convert=string(64, nullable=True)),
        'allocation_pools': Attr(convert=list_of(dict_of(('start', 'end'))), column=False),
        'enable_dhcp': BOOL,
        'dns_nameservers': Attr(convert=list_of(string(64)), column=False),
        'host_routes': Attr(convert=ROUTES, column=False),
        'ipv6_ra_mode': Attr(convert=one_of('slaac', 'dhcpv6-stateful', 'dhcpv6-stateless',
                                            nullable=True), put=False),
        'ipv6_address_mode': Attr(convert=one_of('slaac', 'dhcpv6-stateful',
                                                 'dhcpv6-stateless', nullable=True), put=False),
        'service_types': Attr(convert=list_of(string()), column=False, default=[]),
        'segment_id': Attr(convert=uuid(nullable=True), default=None),
        'dns_publish_fixed_ip': BOOL,
    }),
    _resource('ports', 'port', {
        'name': NAME,
        'network_id': Attr(convert=uuid(), put=False, required=True),
        'admin_state_up': BOOL,
        'status': read_only(),
        'mac_address': Attr(convert=string(32)),
        'fixed_ips': Attr(convert=FIXED_IPS, column=False),
        'device_id': Attr(convert=string(), default=''),
        'device_owner': Attr(convert=string(), default=''),
        'security_groups': Attr(convert=list_of(uuid()), column=False),
        'allowed_address_pairs': Attr(convert=list_of(dict_of(('ip_address', 'mac_address'))),
                                      column=False, default=[]),
        'port_security_enabled': Attr(convert=boolean, default=True),
        'binding:host_id': Attr(convert=string(), default=''),
        'binding:profile': Attr(convert=dict_of(nullable=True), column=False, default={}),
        'binding:vnic_type': Attr(convert=one_of(
            'normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder',
            'smart-nic', 'vdpa', 'remote-managed'), default='normal'),
        'binding:vif_type': read_only(),
        'binding:vif_details': read_only(column=False),
        'dns_name': Attr(convert=string()),
        'dns_assignment': read_only(column=False),
        'extra_dhcp_opts': Attr(convert=list_of(dict_of()), column=False),
        'propagate_uplink_status': BOOL,
        'ip_allocation': read_only(column=False),
    }),
    _resource('routers', 'router', {
        'name': NAME,
        'admin_state_up': BOOL,
        'status': read_only(),
        'external_gateway_info': Attr(convert=fields_of(
            nullable=True, network_id=uuid(), enable_snat=boolean,
            external_fixed_ips=FIXED_IPS), column=False),
        'routes': Attr(convert=ROUTES, post=False, column=False),
        'distributed': Attr(convert=boolean),
        'ha': Attr(convert=boolean),
        'availability_zone_hints': Attr(convert=list_of(string()), put=False, column=False),
        'availability_zones': read_only(column=False),
        'flavor_id': read_only(column=False),
    }),
    _resource('floatingips', 'floatingip', {
        'floating_ip_address': Attr(convert=string(64), put=False),
        'floating_network_id': Attr(convert=uuid(), put=False, required=True),
        'subnet_id': Attr(convert=uuid(nullable=True), put=False, column=False),
        'port_id': Attr(convert=uuid(nullable=True)),
        'fixed_ip_address': Attr(convert=string(64, nullable=True)),
        'router_id': read_only(),
        'status': read_only(),
        'port_details': read_only(column=False),
        'dns_name': Attr(convert=string(), put=False),
        'dns_domain': Attr(convert=string(), put=False),
    }),
    _resource('security-groups', 'security_group', {
        'name': NAME,
        'stateful': BOOL,
        'shared': read_only(column=False),
        'security_group_rules': read_only(column=False),
    }),
    _resource('security-group-rules', 'security_group_rule', {
        'security_group_id': Attr(convert=uuid(), put=False, required=True),
        'direction': Attr(convert=string(16), put=False, required=True),
        'ethertype': Attr(convert=string(8), put=False),
        'protocol': Attr(convert=lambda v, n: None if v is None else str(v), put=False),
        'port_range_min': Attr(convert=integer(nullable=True), put=False),
        'port_range_max': Attr(convert=integer(nullable=True), put=False),
        'remote_ip_prefix': Attr(convert=string(64, nullable=True), put=False),
        'normalized_cidr': read_only(column=False),
        'remote_group_id': Attr(convert=uuid(nullable=True), put=False),
        'remote_address_group_id': Attr(convert=uuid(nullable=True), put=False),
        'belongs_to_default_sg': read_only(column=False),
    }, updatable=False, taggable=False),
    Resource('network-ip-availabilities', 'network_ip_availability', {
        'network_id': Attr(convert=string()),
        'network_name': Attr(convert=string()),
        'project_id': Attr(convert=string()),
        'tenant_id': Attr(convert=string()),
        'ip_version': Attr(convert=integer()),
        'total_ips': read_only(column=False),
        'used_ips': read_only(column=False),
        'subnet_ip_availability': read_only(column=False),
        'ip_availability_details': read_only(column=False),
    }, writable=False, updatable=False, taggable=False),
    Resource('agents', 'agent', {
        'id': read_only(convert=string()),
        'agent_type': read_only(convert=string()),
        'binary': read_only(convert=string()),
        'topic': read_only(convert=string()),
        'host': read_only(convert=string()),
        'availability_zone': read_only(convert=string()),
        'admin_state_up': Attr(convert=boolean, post=False),
        'description': Attr(convert=string(MAX_DESCRIPTION, nullable=True), post=False),
        'alive': read_only(convert=boolean),
        'configurations': read_only(column=False),
        'created_at': read_only(),
        'started_at': read_only(),
        'heartbeat_timestamp': read_only(),
        'resources_synced': read_only(column=False),
    }, writable=False, deletable=True, taggable=False),
)}

# The bodies of member actions (PUT /routers/{id}/<action>).
ACTION_BODIES = {
    'add_router_interface': fields_of(subnet_id=uuid(), port_id=uuid()),
    'remove_router_interface': fields_of(subnet_id=uuid(), port_id=uuid()),
    'add_extraroutes': fields_of(router=fields_of(routes=ROUTES)),
    'remove_extraroutes': fields_of(router=fields_of(routes=ROUTES)),
}

# Query parameters of a list that are not filters.
LIST_PARAMETERS = ('fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse')
TAG_FILTERS = ('tags', 'tags-any', 'not-tags', 'not-tags-any')
# Filters that are not plain attributes but that a plugin understands.
EXTRA_FILTERS = {'ports': ('fixed_ips', 'security_groups')}
