"""The Identity service's tables.

Domains, projects, users, groups, roles and role assignments (the
"resource", "identity" and "assignment" backends of Keystone), the service
catalog, application credentials, and token revocation events.
"""
import sqlalchemy as sa
from sqlalchemy import orm

from pocketstack.common import utils

# The newest migration: when the database already stands here, start-up does
# not import Alembic (see common.db.Database.upgrade).
SCHEMA_HEAD = '0001'

# Roles without a domain are global; the column is NOT NULL so that
# (name, domain_id) can be unique on every engine.
GLOBAL_ROLE_DOMAIN = ''


class Base(orm.DeclarativeBase):
    """The identity database's own metadata."""


ID = sa.String(64)
NAME = sa.String(255)


class Domain(Base):
    __tablename__ = 'domain'
    id = sa.Column(ID, primary_key=True)
    name = sa.Column(NAME, nullable=False, unique=True)
    description = sa.Column(sa.Text)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(sa.DateTime, default=utils.utcnow)


class Project(Base):
    __tablename__ = 'project'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name'),)
    id = sa.Column(ID, primary_key=True)
    name = sa.Column(NAME, nullable=False)
    domain_id = sa.Column(ID, sa.ForeignKey('domain.id'), nullable=False, index=True)
    # None for a top-level project; the API shows the domain id there, as Keystone does.
    parent_id = sa.Column(ID, sa.ForeignKey('project.id'), index=True)
    description = sa.Column(sa.Text)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(sa.DateTime, default=utils.utcnow)
    tags = orm.relationship('ProjectTag', cascade='all, delete-orphan', lazy='selectin')


class ProjectTag(Base):
    __tablename__ = 'project_tag'
    project_id = sa.Column(ID, sa.ForeignKey('project.id', ondelete='CASCADE'),
                           primary_key=True)
    name = sa.Column(sa.String(255), primary_key=True)


class User(Base):
    __tablename__ = 'user'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name'),)
    id = sa.Column(ID, primary_key=True)
    name = sa.Column(NAME, nullable=False)
    domain_id = sa.Column(ID, sa.ForeignKey('domain.id'), nullable=False, index=True)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    default_project_id = sa.Column(ID)
    description = sa.Column(sa.Text)
    email = sa.Column(sa.String(255))
    password_hash = sa.Column(sa.String(255))
    password_created_at = sa.Column(sa.DateTime)
    password_expires_at = sa.Column(sa.DateTime)
    options = sa.Column(sa.JSON, nullable=False, default=dict)
    extra = sa.Column(sa.JSON, nullable=False, default=dict)
    created_at = sa.Column(sa.DateTime, default=utils.utcnow)
    last_active_at = sa.Column(sa.Date)


class Group(Base):
    __tablename__ = 'group'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name'),)
    id = sa.Column(ID, primary_key=True)
    name = sa.Column(NAME, nullable=False)
    domain_id = sa.Column(ID, sa.ForeignKey('domain.id'), nullable=False, index=True)
    description = sa.Column(sa.Text)
    extra = sa.Column(sa.JSON, nullable=False, default=dict)


class UserGroupMembership(Base):
    __tablename__ = 'user_group_membership'
    user_id = sa.Column(ID, sa.ForeignKey('user.id', ondelete='CASCADE'), primary_key=True)
    group_id = sa.Column(ID, sa.ForeignKey('group.id', ondelete='CASCADE'),
                         primary_key=True, index=True)


class Role(Base):
    __tablename__ = 'role'
    __table_args__ = (sa.UniqueConstraint('name', 'domain_id'),)
    id = sa.Column(ID, primary_key=True)
    name = sa.Column(NAME, nullable=False)
    # GLOBAL_ROLE_DOMAIN ('') for a global role; the API shows None.
    domain_id = sa.Column(ID, nullable=False, default=GLOBAL_ROLE_DOMAIN)
    description = sa.Column(sa.Text)
    options = sa.Column(sa.JSON, nullable=False, default=dict)
    extra = sa.Column(sa.JSON, nullable=False, default=dict)


class ImpliedRole(Base):
    __tablename__ = 'implied_role'
    prior_role_id = sa.Column(ID, sa.ForeignKey('role.id', ondelete='CASCADE'),
                              primary_key=True)
    implied_role_id = sa.Column(ID, sa.ForeignKey('role.id', ondelete='CASCADE'),
                                primary_key=True)


# Assignment types: who (user or group) holds which role where (project,
# domain or the system).
USER_PROJECT = 'UserProject'
GROUP_PROJECT = 'GroupProject'
USER_DOMAIN = 'UserDomain'
GROUP_DOMAIN = 'GroupDomain'
USER_SYSTEM = 'UserSystem'
GROUP_SYSTEM = 'GroupSystem'
SYSTEM_TARGET = 'system'


class Assignment(Base):
    __tablename__ = 'assignment'
    type = sa.Column(sa.String(16), primary_key=True)
    actor_id = sa.Column(ID, primary_key=True)
    target_id = sa.Column(ID, primary_key=True)
    role_id = sa.Column(ID, sa.ForeignKey('role.id', ondelete='CASCADE'), primary_key=True)
    inherited = sa.Column(sa.Boolean, primary_key=True, default=False)
    __table_args__ = (sa.Index('ix_assignment_actor', 'actor_id'),
                      sa.Index('ix_assignment_target', 'target_id'),
                      sa.Index('ix_assignment_role', 'role_id'))


class Region(Base):
    __tablename__ = 'region'
    id = sa.Column(sa.String(255), primary_key=True)
    description = sa.Column(sa.Text, nullable=False, default='')
    parent_region_id = sa.Column(sa.String(255), sa.ForeignKey('region.id'))
    extra = sa.Column(sa.JSON, nullable=False, default=dict)


class Service(Base):
    __tablename__ = 'service'
    id = sa.Column(ID, primary_key=True)
    type = sa.Column(sa.String(255), nullable=False)
    name = sa.Column(sa.String(255))
    description = sa.Column(sa.Text)
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(sa.JSON, nullable=False, default=dict)


class Endpoint(Base):
    __tablename__ = 'endpoint'
    id = sa.Column(ID, primary_key=True)
    service_id = sa.Column(ID, sa.ForeignKey('service.id', ondelete='CASCADE'),
                           nullable=False, index=True)
    interface = sa.Column(sa.String(8), nullable=False)
    url = sa.Column(sa.Text, nullable=False)
    region_id = sa.Column(sa.String(255), sa.ForeignKey('region.id'))
    enabled = sa.Column(sa.Boolean, nullable=False, default=True)
    extra = sa.Column(sa.JSON, nullable=False, default=dict)


class ApplicationCredential(Base):
    __tablename__ = 'application_credential'
    __table_args__ = (sa.UniqueConstraint('user_id', 'name'),)
    id = sa.Column(ID, primary_key=True)
    name = sa.Column(NAME, nullable=False)
    user_id = sa.Column(ID, sa.ForeignKey('user.id', ondelete='CASCADE'),
                        nullable=False, index=True)
    project_id = sa.Column(ID)
    system = sa.Column(sa.String(16))
    description = sa.Column(sa.Text)
    secret_hash = sa.Column(sa.String(255), nullable=False)
    expires_at = sa.Column(sa.DateTime)
    unrestricted = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at = sa.Column(sa.DateTime, default=utils.utcnow)
    roles = orm.relationship('ApplicationCredentialRole', cascade='all, delete-orphan',
                             lazy='selectin')


class ApplicationCredentialRole(Base):
    __tablename__ = 'application_credential_role'
    application_credential_id = sa.Column(
        ID, sa.ForeignKey('application_credential.id', ondelete='CASCADE'), primary_key=True)
    role_id = sa.Column(ID, sa.ForeignKey('role.id', ondelete='CASCADE'), primary_key=True)


class RevocationEvent(Base):
    """A token matching every non-null column, issued at or before
    ``issued_before``, is revoked (Keystone's revocation events, reduced to
    what we emit).  Times are microseconds since the epoch: a DATETIME column
    loses the fraction on MySQL, and a token issued in the same second as a
    password change must not survive it."""
    __tablename__ = 'revocation_event'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    audit_id = sa.Column(sa.String(32), index=True)
    user_id = sa.Column(ID, index=True)
    project_id = sa.Column(ID, index=True)
    domain_id = sa.Column(ID)
    application_credential_id = sa.Column(ID)
    issued_before = sa.Column(sa.BigInteger, nullable=False)
    revoked_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow, index=True)
