"""The Network service's tables.

Neutron's schema, compactly: every top-level resource carries the standard
attributes (description, revision_number, created_at, updated_at) as its own
columns, and tags live in one table keyed by (resource type, id).  Addresses
are rows of ``ipallocations`` with a unique (subnet, address) key: the
database, not the code, guarantees that no address is handed out twice.
Segmentation ids come from ``segment_allocations`` rows, one per id in the
configured ranges, claimed with a conditional UPDATE (race-free).
"""
import sqlalchemy as sa
from sqlalchemy import orm

from pocketstack.common import utils

SCHEMA_HEAD = '0002'


class Base(orm.DeclarativeBase):
    """The network database's own metadata."""


UUID = sa.String(36)
NAME = sa.String(255)
PROJECT = sa.String(255)
IP = sa.String(64)
CIDR = sa.String(64)


class StandardAttributes:
    """Neutron's standard attributes, shown on every top-level resource."""
    description = sa.Column(NAME, nullable=False, default='')
    revision_number = sa.Column(sa.BigInteger, nullable=False, default=0)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)

    def bump_revision(self):
        """Every change of a resource gives it a new revision_number (If-Match)."""
        self.revision_number = (self.revision_number or 0) + 1
        self.updated_at = utils.utcnow()


class Network(StandardAttributes, Base):
    __tablename__ = 'networks'
    id = sa.Column(UUID, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    name = sa.Column(NAME, nullable=False, default='')
    status = sa.Column(sa.String(16), nullable=False, default='ACTIVE')
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    shared = sa.Column(sa.Boolean, nullable=False, default=False)
    external = sa.Column(sa.Boolean, nullable=False, default=False)    # router:external
    is_default = sa.Column(sa.Boolean, nullable=False, default=False)  # default external net
    mtu = sa.Column(sa.Integer, nullable=False)
    port_security_enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    availability_zone_hints = sa.Column(sa.JSON, nullable=False, default=list)
    dns_domain = sa.Column(NAME, nullable=False, default='')
    segments = orm.relationship('NetworkSegment', cascade='all, delete-orphan', lazy='selectin',
                                passive_deletes=True, order_by='NetworkSegment.segment_index')
    # Loaded when used (most reads of a network need its segment, not its subnets).
    subnets = orm.relationship('Subnet', lazy='select', viewonly=True,
                               order_by='Subnet.created_at')


class NetworkSegment(Base):
    """A network's L2 segment: provider:network_type/physical_network/segmentation_id."""
    __tablename__ = 'networksegments'
    id = sa.Column(UUID, primary_key=True)
    network_id = sa.Column(UUID, sa.ForeignKey('networks.id', ondelete='CASCADE'),
                           nullable=False, index=True)
    network_type = sa.Column(sa.String(32), nullable=False)
    physical_network = sa.Column(sa.String(64))
    segmentation_id = sa.Column(sa.Integer)
    segment_index = sa.Column(sa.Integer, nullable=False, default=0)


class SegmentAllocation(Base):
    """One segmentation id of a configured range (vlan per physical network, vxlan)."""
    __tablename__ = 'segment_allocations'
    network_type = sa.Column(sa.String(32), primary_key=True)
    physical_network = sa.Column(sa.String(64), primary_key=True)   # '' for tunnels
    segmentation_id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    allocated = sa.Column(sa.Boolean, nullable=False, default=False)
    __table_args__ = (sa.Index('ix_segment_allocations_free', 'network_type',
                               'physical_network', 'allocated'),)


class Subnet(StandardAttributes, Base):
    __tablename__ = 'subnets'
    id = sa.Column(UUID, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    network_id = sa.Column(UUID, sa.ForeignKey('networks.id'), nullable=False, index=True)
    name = sa.Column(NAME, nullable=False, default='')
    ip_version = sa.Column(sa.Integer, nullable=False)
    cidr = sa.Column(CIDR, nullable=False)
    gateway_ip = sa.Column(IP)
    enable_dhcp = sa.Column(sa.Boolean, nullable=False, default=True)
    ipv6_ra_mode = sa.Column(sa.String(16))
    ipv6_address_mode = sa.Column(sa.String(16))
    subnetpool_id = sa.Column(UUID)
    segment_id = sa.Column(UUID)
    dns_nameservers = sa.Column(sa.JSON, nullable=False, default=list)   # ordered
    host_routes = sa.Column(sa.JSON, nullable=False, default=list)       # [{destination, nexthop}]
    service_types = sa.Column(sa.JSON, nullable=False, default=list)
    dns_publish_fixed_ip = sa.Column(sa.Boolean, nullable=False, default=False)
    allocation_pools = orm.relationship('AllocationPool', cascade='all, delete-orphan',
                                        lazy='selectin', passive_deletes=True,
                                        order_by='AllocationPool.id')


class AllocationPool(Base):
    __tablename__ = 'ipallocationpools'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    subnet_id = sa.Column(UUID, sa.ForeignKey('subnets.id', ondelete='CASCADE'),
                          nullable=False, index=True)
    first_ip = sa.Column(IP, nullable=False)
    last_ip = sa.Column(IP, nullable=False)


class Port(StandardAttributes, Base):
    __tablename__ = 'ports'
    id = sa.Column(UUID, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    network_id = sa.Column(UUID, sa.ForeignKey('networks.id'), nullable=False, index=True)
    name = sa.Column(NAME, nullable=False, default='')
    mac_address = sa.Column(sa.String(32), nullable=False)
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    status = sa.Column(sa.String(16), nullable=False, default='DOWN')
    device_id = sa.Column(NAME, nullable=False, default='', index=True)
    device_owner = sa.Column(NAME, nullable=False, default='')
    port_security_enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    dns_name = sa.Column(NAME, nullable=False, default='')
    propagate_uplink_status = sa.Column(sa.Boolean, nullable=False, default=False)
    # binding:* (ML2 port binding; one binding per port here)
    binding_host_id = sa.Column(NAME, nullable=False, default='')
    binding_vif_type = sa.Column(sa.String(64), nullable=False, default='unbound')
    binding_vif_details = sa.Column(sa.JSON, nullable=False, default=dict)
    binding_vnic_type = sa.Column(sa.String(64), nullable=False, default='normal')
    binding_profile = sa.Column(sa.JSON, nullable=False, default=dict)
    fixed_ips = orm.relationship('IPAllocation', cascade='all, delete-orphan', lazy='selectin',
                                 passive_deletes=True, order_by='IPAllocation.id')
    security_group_bindings = orm.relationship('SecurityGroupPortBinding',
                                               cascade='all, delete-orphan', lazy='selectin',
                                               passive_deletes=True)
    allowed_address_pairs = orm.relationship('AllowedAddressPair', cascade='all, delete-orphan',
                                             lazy='selectin', passive_deletes=True,
                                             order_by='AllowedAddressPair.id')
    extra_dhcp_opts = sa.Column(sa.JSON, nullable=False, default=list)
    __table_args__ = (sa.UniqueConstraint('network_id', 'mac_address',
                                          name='uq_ports_network_id_mac_address'),)


class IPAllocation(Base):
    """An address of a port.  Unique per subnet: concurrent creates cannot share one."""
    __tablename__ = 'ipallocations'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    port_id = sa.Column(UUID, sa.ForeignKey('ports.id', ondelete='CASCADE'),
                        nullable=False, index=True)
    ip_address = sa.Column(IP, nullable=False)
    subnet_id = sa.Column(UUID, sa.ForeignKey('subnets.id'), nullable=False)
    network_id = sa.Column(UUID, nullable=False)
    __table_args__ = (sa.UniqueConstraint('subnet_id', 'ip_address',
                                          name='uq_ipallocations_subnet_ip'),)


class AllowedAddressPair(Base):
    __tablename__ = 'allowedaddresspairs'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    port_id = sa.Column(UUID, sa.ForeignKey('ports.id', ondelete='CASCADE'), nullable=False)
    mac_address = sa.Column(sa.String(32), nullable=False)
    ip_address = sa.Column(CIDR, nullable=False)
    __table_args__ = (sa.UniqueConstraint('port_id', 'mac_address', 'ip_address',
                                          name='uq_allowedaddresspairs'),)


class SecurityGroup(StandardAttributes, Base):
    __tablename__ = 'securitygroups'
    id = sa.Column(UUID, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    name = sa.Column(NAME, nullable=False, default='')
    stateful = sa.Column(sa.Boolean, nullable=False, default=True)
    rules = orm.relationship('SecurityGroupRule', cascade='all, delete-orphan', lazy='selectin',
                             passive_deletes=True, order_by='SecurityGroupRule.created_at',
                             foreign_keys='SecurityGroupRule.security_group_id')


class DefaultSecurityGroup(Base):
    """The one ``default`` group of a project; the primary key makes its
    creation on first use race-free."""
    __tablename__ = 'default_security_group'
    project_id = sa.Column(PROJECT, primary_key=True)
    security_group_id = sa.Column(UUID, sa.ForeignKey('securitygroups.id', ondelete='CASCADE'),
                                  nullable=False)


class SecurityGroupRule(StandardAttributes, Base):
    __tablename__ = 'securitygrouprules'
    id = sa.Column(UUID, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    security_group_id = sa.Column(UUID, sa.ForeignKey('securitygroups.id', ondelete='CASCADE'),
                                  nullable=False, index=True)
    remote_group_id = sa.Column(UUID, sa.ForeignKey('securitygroups.id', ondelete='CASCADE'))
    remote_address_group_id = sa.Column(UUID)
    direction = sa.Column(sa.String(16), nullable=False)
    ethertype = sa.Column(sa.String(8), nullable=False)
    protocol = sa.Column(sa.String(40))
    port_range_min = sa.Column(sa.Integer)
    port_range_max = sa.Column(sa.Integer)
    remote_ip_prefix = sa.Column(CIDR)


class SecurityGroupPortBinding(Base):
    __tablename__ = 'securitygroupportbindings'
    port_id = sa.Column(UUID, sa.ForeignKey('ports.id', ondelete='CASCADE'), primary_key=True)
    security_group_id = sa.Column(UUID, sa.ForeignKey('securitygroups.id'), primary_key=True)


class Router(StandardAttributes, Base):
    __tablename__ = 'routers'
    id = sa.Column(UUID, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    name = sa.Column(NAME, nullable=False, default='')
    status = sa.Column(sa.String(16), nullable=False, default='ACTIVE')
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    gw_port_id = sa.Column(UUID, sa.ForeignKey('ports.id'))
    enable_snat = sa.Column(sa.Boolean, nullable=False, default=True)
    distributed = sa.Column(sa.Boolean, nullable=False, default=False)
    ha = sa.Column(sa.Boolean, nullable=False, default=False)
    availability_zone_hints = sa.Column(sa.JSON, nullable=False, default=list)
    gw_port = orm.relationship('Port', lazy='selectin', foreign_keys=[gw_port_id])
    attached_ports = orm.relationship('RouterPort', cascade='all, delete-orphan',
                                      lazy='selectin', passive_deletes=True)
    routes = orm.relationship('RouterRoute', cascade='all, delete-orphan', lazy='selectin',
                              passive_deletes=True, order_by='RouterRoute.id')


class RouterPort(Base):
    """A port of a router: its gateway or an interface on a tenant subnet."""
    __tablename__ = 'routerports'
    router_id = sa.Column(UUID, sa.ForeignKey('routers.id', ondelete='CASCADE'),
                          primary_key=True)
    port_id = sa.Column(UUID, sa.ForeignKey('ports.id', ondelete='CASCADE'), primary_key=True)
    port_type = sa.Column(NAME, nullable=False)   # the port's device_owner
    port = orm.relationship('Port', lazy='selectin')


class RouterRoute(Base):
    __tablename__ = 'routerroutes'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    router_id = sa.Column(UUID, sa.ForeignKey('routers.id', ondelete='CASCADE'), nullable=False)
    destination = sa.Column(CIDR, nullable=False)
    nexthop = sa.Column(IP, nullable=False)


class FloatingIP(StandardAttributes, Base):
    __tablename__ = 'floatingips'
    id = sa.Column(UUID, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    floating_ip_address = sa.Column(IP, nullable=False)
    floating_network_id = sa.Column(UUID, sa.ForeignKey('networks.id'), nullable=False)
    # the port on the external network that holds the address
    floating_port_id = sa.Column(UUID, sa.ForeignKey('ports.id', ondelete='CASCADE'),
                                 nullable=False)
    fixed_port_id = sa.Column(UUID, sa.ForeignKey('ports.id'), index=True)   # "port_id"
    fixed_ip_address = sa.Column(IP)
    router_id = sa.Column(UUID, sa.ForeignKey('routers.id'))
    status = sa.Column(sa.String(16), nullable=False, default='DOWN')
    dns_name = sa.Column(NAME, nullable=False, default='')
    dns_domain = sa.Column(NAME, nullable=False, default='')
    __table_args__ = (sa.UniqueConstraint('floating_network_id', 'fixed_port_id',
                                          'fixed_ip_address', name='uq_floatingips_fixed'),)


class Tag(Base):
    """A tag on any taggable resource (networks, subnets, ports, routers, …)."""
    __tablename__ = 'tags'
    resource_type = sa.Column(sa.String(64), primary_key=True)   # 'networks', 'ports', …
    resource_id = sa.Column(UUID, primary_key=True)
    tag = sa.Column(sa.String(255), primary_key=True)
    __table_args__ = (sa.Index('ix_tags_tag', 'tag'),)


class Quota(Base):
    """A project's limit for one resource, overriding the configured default."""
    __tablename__ = 'quotas'
    project_id = sa.Column(PROJECT, primary_key=True)
    resource = sa.Column(sa.String(255), primary_key=True)
    limit = sa.Column(sa.Integer, nullable=False)


class Agent(Base):
    """An agent and its last state report (``/v2.0/agents``): one row per
    (agent type, host), refreshed by its heartbeats."""
    __tablename__ = 'agents'
    id = sa.Column(UUID, primary_key=True)
    agent_type = sa.Column(NAME, nullable=False)
    binary = sa.Column(NAME, nullable=False)
    topic = sa.Column(NAME, nullable=False)
    host = sa.Column(NAME, nullable=False)
    availability_zone = sa.Column(NAME)
    admin_state_up = sa.Column(sa.Boolean, nullable=False, default=True)
    description = sa.Column(NAME)
    configurations = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    started_at = sa.Column(sa.DateTime, nullable=False)
    heartbeat_timestamp = sa.Column(sa.DateTime, nullable=False)
    __table_args__ = (sa.UniqueConstraint('agent_type', 'host', name='uniq_agents0agent_type0host'),)
