"""The Compute service's tables.

Nova splits these over an API database and per-cell databases; pocketstack
has one database and no cells.  Instances are soft-deleted (``deleted`` holds
the row id, as Nova does) so ``changes-since`` lists can show deletions.
Resource claims are rows of ``allocations`` (placement's model): a host's
usage is the sum of its allocations, and a claim is inserted only while the
host's row is locked, so concurrent boots never overcommit.
"""
import sqlalchemy as sa
from sqlalchemy import orm

from pocketstack.common import utils

SCHEMA_HEAD = '0004'


class Base(orm.DeclarativeBase):
    """The compute database's own metadata."""


UUID = sa.String(36)
NAME = sa.String(255)


class Service(Base):
    """A compute, conductor or scheduler process (``os-services``)."""
    __tablename__ = 'services'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    host = sa.Column(NAME, nullable=False)
    binary = sa.Column(NAME, nullable=False)
    topic = sa.Column(NAME)
    availability_zone = sa.Column(NAME)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(NAME)
    forced_down = sa.Column(sa.Boolean, nullable=False, default=False)
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    last_seen_up = sa.Column(sa.DateTime)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime)
    __table_args__ = (sa.UniqueConstraint('host', 'binary', name='uq_services_host_binary'),)


class ComputeNode(Base):
    """A hypervisor: its capacity and allocation ratios, reported by its host."""
    __tablename__ = 'compute_nodes'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    host = sa.Column(NAME, nullable=False)
    hypervisor_hostname = sa.Column(NAME, nullable=False, unique=True)
    hypervisor_type = sa.Column(NAME, nullable=False)
    hypervisor_version = sa.Column(sa.Integer, nullable=False, default=1000)
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    local_gb = sa.Column(sa.Integer, nullable=False)
    cpu_allocation_ratio = sa.Column(sa.Float, nullable=False, default=4.0)
    ram_allocation_ratio = sa.Column(sa.Float, nullable=False, default=1.0)
    disk_allocation_ratio = sa.Column(sa.Float, nullable=False, default=1.0)
    host_ip = sa.Column(sa.String(64))
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime)


class Allocation(Base):
    """Resources a consumer (an instance, or a migration during a resize)
    holds on a compute node."""
    __tablename__ = 'allocations'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    consumer_id = sa.Column(sa.String(64), nullable=False)  # instance uuid, or resize-<uuid>
    node_id = sa.Column(sa.Integer, sa.ForeignKey('compute_nodes.id'), nullable=False)
    vcpus = sa.Column(sa.Integer, nullable=False)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    disk_gb = sa.Column(sa.Integer, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    __table_args__ = (sa.Index('ix_allocations_node', 'node_id'),
                      sa.Index('ix_allocations_consumer', 'consumer_id'))


class Flavor(Base):
    __tablename__ = 'flavors'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    flavorid = sa.Column(NAME, nullable=False, unique=True)
    name = sa.Column(NAME, nullable=False, unique=True)
    memory_mb = sa.Column(sa.Integer, nullable=False)
    vcpus = sa.Column(sa.Integer, nullable=False)
    root_gb = sa.Column(sa.Integer, nullable=False, default=0)
    ephemeral_gb = sa.Column(sa.Integer, nullable=False, default=0)
    swap = sa.Column(sa.Integer, nullable=False, default=0)
    rxtx_factor = sa.Column(sa.Float, nullable=False, default=1.0)
    is_public = sa.Column(sa.Boolean, nullable=False, default=True)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    description = sa.Column(sa.Text)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime)
    extra_specs = orm.relationship('FlavorExtraSpec', cascade='all, delete-orphan',
                                   lazy='selectin', passive_deletes=True)
    projects = orm.relationship('FlavorProject', cascade='all, delete-orphan',
                                lazy='selectin', passive_deletes=True)


class FlavorExtraSpec(Base):
    __tablename__ = 'flavor_extra_specs'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    flavor_id = sa.Column(sa.Integer, sa.ForeignKey('flavors.id', ondelete='CASCADE'),
                          nullable=False)
    key = sa.Column(NAME, nullable=False)
    value = sa.Column(NAME, nullable=False)
    __table_args__ = (sa.UniqueConstraint('flavor_id', 'key', name='uq_flavor_extra_specs'),)


class FlavorProject(Base):
    __tablename__ = 'flavor_projects'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    flavor_id = sa.Column(sa.Integer, sa.ForeignKey('flavors.id', ondelete='CASCADE'),
                          nullable=False)
    project_id = sa.Column(NAME, nullable=False)
    __table_args__ = (sa.UniqueConstraint('flavor_id', 'project_id', name='uq_flavor_projects'),)


class KeyPair(Base):
    __tablename__ = 'key_pairs'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    name = sa.Column(NAME, nullable=False)
    user_id = sa.Column(NAME, nullable=False)
    fingerprint = sa.Column(NAME, nullable=False)
    public_key = sa.Column(sa.Text, nullable=False)
    type = sa.Column(sa.String(10), nullable=False, default='ssh')
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    __table_args__ = (sa.UniqueConstraint('user_id', 'name', name='uq_key_pairs'),)


class Instance(Base):
    __tablename__ = 'instances'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    user_id = sa.Column(NAME, nullable=False)
    project_id = sa.Column(NAME, nullable=False)
    display_name = sa.Column(NAME)
    display_description = sa.Column(sa.Text)
    hostname = sa.Column(NAME)
    image_ref = sa.Column(NAME)
    flavor = sa.Column(sa.JSON, nullable=False)       # the flavor as it was at boot
    old_flavor = sa.Column(sa.JSON)                   # during a resize
    new_flavor = sa.Column(sa.JSON)
    vm_state = sa.Column(sa.String(32), nullable=False)
    task_state = sa.Column(sa.String(64))
    power_state = sa.Column(sa.Integer, nullable=False, default=0)
    host = sa.Column(NAME)
    node = sa.Column(NAME)
    availability_zone = sa.Column(NAME)
    key_name = sa.Column(NAME)
    key_data = sa.Column(sa.Text)
    user_data = sa.Column(sa.Text)
    config_drive = sa.Column(sa.String(16), nullable=False, default='')
    locked = sa.Column(sa.Boolean, nullable=False, default=False)
    locked_by = sa.Column(sa.String(16))
    locked_reason = sa.Column(NAME)
    progress = sa.Column(sa.Integer, nullable=False, default=0)
    access_ip_v4 = sa.Column(sa.String(64))
    access_ip_v6 = sa.Column(sa.String(64))
    reservation_id = sa.Column(NAME)
    launch_index = sa.Column(sa.Integer, nullable=False, default=0)
    system_metadata = sa.Column(sa.JSON, nullable=False, default=dict)
    # The ports, addresses and networks the server has (Nova's network info
    # cache): a list of VIFs as the Network service described them.
    network_info = sa.Column(sa.JSON)
    scheduler_hints = sa.Column(sa.JSON)              # as given at boot (os:scheduler_hints)
    launched_at = sa.Column(sa.DateTime)
    terminated_at = sa.Column(sa.DateTime)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime)
    deleted_at = sa.Column(sa.DateTime)
    deleted = sa.Column(sa.Integer, nullable=False, default=0)
    metadata_items = orm.relationship('InstanceMetadata', cascade='all, delete-orphan',
                                      lazy='selectin', passive_deletes=True)
    tags = orm.relationship('InstanceTag', cascade='all, delete-orphan',
                            lazy='selectin', passive_deletes=True)
    __table_args__ = (
        sa.Index('ix_instances_project', 'project_id', 'deleted'),
        sa.Index('ix_instances_host', 'host', 'deleted'),
        sa.Index('ix_instances_created', 'created_at', 'id'),
        sa.Index('ix_instances_updated', 'updated_at'),
    )


class InstanceMetadata(Base):
    __tablename__ = 'instance_metadata'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(UUID, sa.ForeignKey('instances.uuid', ondelete='CASCADE'),
                              nullable=False)
    key = sa.Column(NAME, nullable=False)
    value = sa.Column(NAME, nullable=False)
    __table_args__ = (sa.UniqueConstraint('instance_uuid', 'key', name='uq_instance_metadata'),)


class InstanceTag(Base):
    __tablename__ = 'instance_tags'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(UUID, sa.ForeignKey('instances.uuid', ondelete='CASCADE'),
                              nullable=False)
    tag = sa.Column(sa.String(60), nullable=False)
    __table_args__ = (sa.UniqueConstraint('instance_uuid', 'tag', name='uq_instance_tags'),
                      sa.Index('ix_instance_tags_tag', 'tag'))


class InstanceFault(Base):
    __tablename__ = 'instance_faults'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(UUID, nullable=False, index=True)
    code = sa.Column(sa.Integer, nullable=False)
    message = sa.Column(NAME, nullable=False)
    details = sa.Column(sa.Text)
    host = sa.Column(NAME)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)


class InstanceAction(Base):
    """One API operation on an instance (``os-instance-actions``)."""
    __tablename__ = 'instance_actions'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    instance_uuid = sa.Column(UUID, nullable=False)
    action = sa.Column(NAME, nullable=False)
    request_id = sa.Column(NAME, nullable=False)
    user_id = sa.Column(NAME)
    project_id = sa.Column(NAME)
    message = sa.Column(NAME)
    start_time = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    finish_time = sa.Column(sa.DateTime)
    updated_at = sa.Column(sa.DateTime)
    events = orm.relationship('InstanceActionEvent', cascade='all, delete-orphan',
                              lazy='selectin', passive_deletes=True,
                              order_by='InstanceActionEvent.id')
    __table_args__ = (sa.Index('ix_instance_actions_instance', 'instance_uuid', 'request_id'),)


class InstanceActionEvent(Base):
    """A step of an action, recorded by the process that ran it."""
    __tablename__ = 'instance_actions_events'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    action_id = sa.Column(sa.Integer, sa.ForeignKey('instance_actions.id', ondelete='CASCADE'),
                          nullable=False)
    event = sa.Column(NAME, nullable=False)
    result = sa.Column(NAME)
    traceback = sa.Column(sa.Text)
    host = sa.Column(NAME)
    details = sa.Column(sa.Text)
    start_time = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    finish_time = sa.Column(sa.DateTime)


class Aggregate(Base):
    """A host aggregate (``os-aggregates``); ``availability_zone`` metadata
    places its hosts in that zone."""
    __tablename__ = 'aggregates'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    name = sa.Column(NAME, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime)
    hosts = orm.relationship('AggregateHost', cascade='all, delete-orphan',
                             lazy='selectin', passive_deletes=True)
    metadata_items = orm.relationship('AggregateMetadata', cascade='all, delete-orphan',
                                      lazy='selectin', passive_deletes=True)
    __table_args__ = (sa.UniqueConstraint('name', name='uq_aggregates_name'),)


class AggregateHost(Base):
    __tablename__ = 'aggregate_hosts'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    aggregate_id = sa.Column(sa.Integer, sa.ForeignKey('aggregates.id', ondelete='CASCADE'),
                             nullable=False)
    host = sa.Column(NAME, nullable=False)
    __table_args__ = (sa.UniqueConstraint('aggregate_id', 'host', name='uq_aggregate_hosts'),)


class AggregateMetadata(Base):
    __tablename__ = 'aggregate_metadata'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    aggregate_id = sa.Column(sa.Integer, sa.ForeignKey('aggregates.id', ondelete='CASCADE'),
                             nullable=False)
    key = sa.Column(NAME, nullable=False)
    value = sa.Column(NAME, nullable=False)
    __table_args__ = (sa.UniqueConstraint('aggregate_id', 'key', name='uq_aggregate_metadata'),)


class Quota(Base):
    """A project's own limit of one resource (``os-quota-sets``); resources
    without a row take the default class's limit, or the [quota] option."""
    __tablename__ = 'quotas'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    project_id = sa.Column(NAME, nullable=False)
    resource = sa.Column(NAME, nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)
    __table_args__ = (sa.UniqueConstraint('project_id', 'resource', name='uq_quotas'),)


class QuotaClass(Base):
    """A quota class's limit of one resource (``os-quota-class-sets``); as in
    Nova only the ``default`` class is used: it overrides the [quota] options."""
    __tablename__ = 'quota_classes'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    class_name = sa.Column(NAME, nullable=False)
    resource = sa.Column(NAME, nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=False)
    __table_args__ = (sa.UniqueConstraint('class_name', 'resource', name='uq_quota_classes'),)


class ServerGroup(Base):
    """A server group (``os-server-groups``): its members are placed by its
    policy — affinity, anti-affinity or their soft forms."""
    __tablename__ = 'server_groups'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    name = sa.Column(NAME, nullable=False)
    project_id = sa.Column(NAME, nullable=False, index=True)
    user_id = sa.Column(NAME, nullable=False)
    policy = sa.Column(NAME, nullable=False)
    rules = sa.Column(sa.JSON, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    members = orm.relationship('ServerGroupMember', cascade='all, delete-orphan',
                               lazy='selectin', passive_deletes=True,
                               order_by='ServerGroupMember.id')


class ServerGroupMember(Base):
    __tablename__ = 'server_group_members'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    group_id = sa.Column(sa.Integer, sa.ForeignKey('server_groups.id', ondelete='CASCADE'),
                         nullable=False)
    instance_uuid = sa.Column(UUID, nullable=False, index=True)
    __table_args__ = (sa.UniqueConstraint('group_id', 'instance_uuid',
                                          name='uq_server_group_members'),)


class Migration(Base):
    """One move of a server (``os-migrations``): a resize or a cold
    migration, from ``pre-migrating`` to ``confirmed``, ``reverted`` or
    ``error``."""
    __tablename__ = 'migrations'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    instance_uuid = sa.Column(UUID, nullable=False, index=True)
    project_id = sa.Column(NAME)
    user_id = sa.Column(NAME)
    migration_type = sa.Column(sa.String(16), nullable=False)   # resize, migration
    status = sa.Column(sa.String(32), nullable=False)
    source_compute = sa.Column(NAME)
    source_node = sa.Column(NAME)
    dest_compute = sa.Column(NAME)
    dest_node = sa.Column(NAME)
    dest_host = sa.Column(NAME)
    old_flavor_id = sa.Column(NAME)
    new_flavor_id = sa.Column(NAME)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime)
