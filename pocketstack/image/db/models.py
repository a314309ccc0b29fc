"""The Image service's tables: images, their custom properties, tags and
members (the projects an image is shared with).

Rows are deleted for real when an image is deleted; the data in the store
is removed at the same time.
"""
import sqlalchemy as sa
from sqlalchemy import orm

from pocketstack.common import utils

SCHEMA_HEAD = '0001'


class Base(orm.DeclarativeBase):
    """The image database's own metadata."""


ID = sa.String(36)
PROJECT = sa.String(255)


class Image(Base):
    __tablename__ = 'images'
    id = sa.Column(ID, primary_key=True)
    name = sa.Column(sa.String(255))
    status = sa.Column(sa.String(30), nullable=False)
    visibility = sa.Column(sa.String(9), nullable=False)
    protected = sa.Column(sa.Boolean, nullable=False, default=False)
    os_hidden = sa.Column(sa.Boolean, nullable=False, default=False)
    owner = sa.Column(PROJECT)
    size = sa.Column(sa.BigInteger)
    virtual_size = sa.Column(sa.BigInteger)
    checksum = sa.Column(sa.String(32))
    os_hash_algo = sa.Column(sa.String(64))
    os_hash_value = sa.Column(sa.String(128))
    min_disk = sa.Column(sa.Integer, nullable=False, default=0)
    min_ram = sa.Column(sa.Integer, nullable=False, default=0)
    disk_format = sa.Column(sa.String(20))
    container_format = sa.Column(sa.String(20))
    location = sa.Column(sa.Text)  # the store's URI of the data; never shown
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)

    properties = orm.relationship('ImageProperty', cascade='all, delete-orphan',
                                  lazy='selectin', passive_deletes=True)
    tags = orm.relationship('ImageTag', cascade='all, delete-orphan',
                            lazy='selectin', passive_deletes=True)

    __table_args__ = (
        sa.Index('ix_images_owner', 'owner'),
        sa.Index('ix_images_visibility', 'visibility'),
        sa.Index('ix_images_created_at', 'created_at', 'id'),
    )


class ImageProperty(Base):
    __tablename__ = 'image_properties'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    image_id = sa.Column(ID, sa.ForeignKey('images.id', ondelete='CASCADE'), nullable=False)
    name = sa.Column(sa.String(255), nullable=False)
    value = sa.Column(sa.Text, nullable=False)
    __table_args__ = (sa.UniqueConstraint('image_id', 'name', name='uq_image_properties'),
                      sa.Index('ix_image_properties_name', 'name'))


class ImageTag(Base):
    __tablename__ = 'image_tags'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    image_id = sa.Column(ID, sa.ForeignKey('images.id', ondelete='CASCADE'), nullable=False)
    value = sa.Column(sa.String(255), nullable=False)
    __table_args__ = (sa.UniqueConstraint('image_id', 'value', name='uq_image_tags'),
                      sa.Index('ix_image_tags_value', 'value'))


class ImageMember(Base):
    __tablename__ = 'image_members'
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    image_id = sa.Column(ID, sa.ForeignKey('images.id', ondelete='CASCADE'), nullable=False)
    member = sa.Column(PROJECT, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default='pending')
    created_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utils.utcnow)
    __table_args__ = (sa.UniqueConstraint('image_id', 'member', name='uq_image_members'),
                      sa.Index('ix_image_members_member', 'member', 'status'))
