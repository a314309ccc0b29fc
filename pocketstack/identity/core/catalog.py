"""The service catalog: regions, services and their endpoints.

Every token response carries the catalog, so building it is one query.
Endpoint URLs may hold ``$(project_id)s`` (or Keystone's older
``$(tenant_id)s``, and ``%(...)s`` spellings): they are filled in with the
token's project, and an endpoint whose URL needs a value the token does not
have is left out, as Keystone leaves it out.
"""
import re

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.identity.core import resource
from pocketstack.identity.db import models

INTERFACES = ('public', 'internal', 'admin')
REGION_FIELDS = ('description', 'parent_region_id')
SERVICE_FIELDS = ('type', 'name', 'description', 'enabled')
ENDPOINT_FIELDS = ('service_id', 'interface', 'url', 'region_id', 'region', 'enabled')

_URL_VARIABLE = re.compile(r'[$%]\((\w+)\)s')


def format_url(url, values):
    """``url`` with its ``$(name)s`` variables filled in; None when one has no value."""
    missing = []

    def value(match):
        found = values.get(match.group(1))
        if found is None:
            missing.append(match.group(1))
            return ''
        return found
    formatted = _URL_VARIABLE.sub(value, url)
    return None if missing else formatted


def _region_ref(row):
    ref = dict(row.extra or {})
    ref.update(id=row.id, description=row.description or '',
               parent_region_id=row.parent_region_id)
    return ref


def _service_ref(row):
    ref = dict(row.extra or {})
    ref.update(id=row.id, type=row.type, name=row.name, description=row.description,
               enabled=bool(row.enabled))
    return ref


def _endpoint_ref(row):
    ref = dict(row.extra or {})
    ref.update(id=row.id, service_id=row.service_id, interface=row.interface, url=row.url,
               region_id=row.region_id, region=row.region_id, enabled=bool(row.enabled))
    return ref


class CatalogManager:

    def __init__(self, service):
        self.service = service

    # -- the catalog in tokens -------------------------------------------------------

    def _rows(self, session):
        """(service, endpoint or None) of every enabled service, enabled endpoints only."""
        s, e = models.Service, models.Endpoint
        return session.execute(
            sa.select(s.id, s.type, s.name, e.id.label('endpoint_id'), e.interface, e.url,
                      e.region_id)
            .outerjoin(e, sa.and_(e.service_id == s.id, e.enabled == sa.true()))
            .where(s.enabled == sa.true())
            .order_by(s.type, s.id, e.region_id, e.interface, e.id))

    def v3_catalog(self, project_id=None, user_id=None):
        """[{endpoints: [{id, interface, region, region_id, url}], id, type, name}]."""
        values = {'project_id': project_id, 'tenant_id': project_id, 'user_id': user_id}
        services = {}
        with self.service.db.reader() as session:
            for row in self._rows(session):
                entry = services.get(row.id)
                if entry is None:
                    entry = services[row.id] = {'endpoints': [], 'id': row.id,
                                                'type': row.type, 'name': row.name or ''}
                if row.endpoint_id is None:
                    continue
                url = format_url(row.url, values)
                if url is not None:
                    entry['endpoints'].append({'id': row.endpoint_id,
                                               'interface': row.interface,
                                               'region': row.region_id,
                                               'region_id': row.region_id, 'url': url})
        return list(services.values())

    def v2_catalog(self, project_id=None, user_id=None):
        """The v2.0 shape: one endpoint entry per region holding the
        publicURL, internalURL and adminURL."""
        catalog = []
        for service in self.v3_catalog(project_id, user_id):
            by_region = {}
            for endpoint in service['endpoints']:
                entry = by_region.setdefault(endpoint['region_id'], {
                    'id': endpoint['id'], 'region': endpoint['region_id']})
                if endpoint['interface'] == 'public':
                    entry['id'] = endpoint['id']
                entry['%sURL' % endpoint['interface']] = endpoint['url']
            catalog.append({'endpoints': list(by_region.values()), 'endpoints_links': [],
                            'type': service['type'], 'name': service['name']})
        return catalog

    # -- regions --------------------------------------------------------------------

    def _region_row(self, session, region_id):
        row = session.get(models.Region, region_id) if region_id else None
        if row is None:
            raise resource.not_found('region', region_id)
        return row

    def _check_parent(self, session, region_id, parent_id):
        if parent_id is None:
            return
        if session.get(models.Region, parent_id) is None:
            raise exception.ValidationError('Parent region %s not found.' % parent_id)
        # Walk up from the new parent: meeting the region itself is a cycle.
        seen = set()
        while parent_id and parent_id not in seen:
            if parent_id == region_id:
                raise exception.ValidationError(
                    'Circular reference: region %s cannot be its own ancestor.' % region_id)
            seen.add(parent_id)
            parent_id = session.scalar(sa.select(models.Region.parent_region_id).where(
                models.Region.id == parent_id))

    def get_region(self, region_id):
        with self.service.db.reader() as session:
            return _region_ref(self._region_row(session, region_id))

    def list_regions(self):
        with self.service.db.reader() as session:
            return [_region_ref(r) for r in session.scalars(
                sa.select(models.Region).order_by(models.Region.id))]

    def create_region(self, values):
        region_id = values.get('id') or utils.new_id()
        duplicate = resource.duplicate('region', 'Duplicate ID, %s.' % region_id)
        with self.service.db.writer() as session:
            if session.get(models.Region, region_id) is not None:
                raise duplicate
            self._check_parent(session, region_id, values.get('parent_region_id'))
            row = models.Region(id=region_id, description=values.get('description') or '',
                                parent_region_id=values.get('parent_region_id'),
                                extra=resource.merge_extra({}, values, REGION_FIELDS))
            session.add(row)
            try:
                session.flush()
            except sa_exc.IntegrityError:
                raise duplicate
            return _region_ref(row)

    def update_region(self, region_id, values):
        with self.service.db.writer() as session:
            row = self._region_row(session, region_id)
            if 'parent_region_id' in values:
                self._check_parent(session, region_id, values['parent_region_id'])
                row.parent_region_id = values['parent_region_id']
            if 'description' in values:
                row.description = values['description'] or ''
            row.extra = resource.merge_extra(row.extra, values, REGION_FIELDS)
            session.flush()
            return _region_ref(row)

    def delete_region(self, region_id):
        with self.service.db.writer() as session:
            row = self._region_row(session, region_id)
            if session.scalars(sa.select(models.Region.id).where(
                    models.Region.parent_region_id == region_id).limit(1)).first():
                raise exception.Conflict('Region %s has child regions; delete them first.'
                                         % region_id)
            if session.scalars(sa.select(models.Endpoint.id).where(
                    models.Endpoint.region_id == region_id).limit(1)).first():
                raise exception.Conflict('Region %s has endpoints; delete them first.'
                                         % region_id)
            session.delete(row)

    # -- services -------------------------------------------------------------------

    def _service_row(self, session, service_id):
        row = session.get(models.Service, service_id) if service_id else None
        if row is None:
            raise resource.not_found('service', service_id)
        return row

    def get_service(self, service_id):
        with self.service.db.reader() as session:
            return _service_ref(self._service_row(session, service_id))

    def list_services(self):
        with self.service.db.reader() as session:
            return [_service_ref(r) for r in session.scalars(
                sa.select(models.Service).order_by(models.Service.type, models.Service.id))]

    def create_service(self, values):
        with self.service.db.writer() as session:
            row = models.Service(id=utils.new_id(), type=values['type'], name=values.get('name'),
                                 description=values.get('description'),
                                 enabled=values.get('enabled', True),
                                 extra=resource.merge_extra({}, values, SERVICE_FIELDS))
            session.add(row)
            session.flush()
            return _service_ref(row)

    def update_service(self, service_id, values):
        with self.service.db.writer() as session:
            row = self._service_row(session, service_id)
            for attr in SERVICE_FIELDS:
                if attr in values:
                    setattr(row, attr, values[attr])
            row.extra = resource.merge_extra(row.extra, values, SERVICE_FIELDS)
            session.flush()
            return _service_ref(row)

    def delete_service(self, service_id):
        """Delete a service and its endpoints."""
        with self.service.db.writer() as session:
            row = self._service_row(session, service_id)
            session.execute(sa.delete(models.Endpoint).where(
                models.Endpoint.service_id == service_id))
            session.delete(row)

    # -- endpoints ------------------------------------------------------------------

    def _endpoint_row(self, session, endpoint_id):
        row = session.get(models.Endpoint, endpoint_id) if endpoint_id else None
        if row is None:
            raise resource.not_found('endpoint', endpoint_id)
        return row

    @staticmethod
    def _check_endpoint(session, values):
        """Known interface, existing service and region (400 otherwise)."""
        for attr in ('service_id', 'interface', 'url', 'enabled'):
            if attr in values and values[attr] is None:
                raise exception.ValidationError(
                    'Invalid input for field %s: None is not allowed.' % attr)
        if 'interface' in values and values['interface'] not in INTERFACES:
            raise exception.ValidationError(
                'Invalid input for field interface: %r is not one of %s.'
                % (values['interface'], ', '.join(INTERFACES)))
        if 'service_id' in values and session.get(models.Service, values['service_id']) is None:
            raise exception.ValidationError('Service %s not found.' % values['service_id'])
        region_id = values.get('region_id')
        if region_id is not None and session.get(models.Region, region_id) is None:
            raise exception.ValidationError('Region %s not found.' % region_id)

    @staticmethod
    def _region_of(values):
        """``region_id``, or the legacy ``region`` that older clients send."""
        values = dict(values)
        legacy = values.pop('region', None)
        if values.get('region_id') is None and legacy is not None:
            values['region_id'] = legacy
        return values

    def get_endpoint(self, endpoint_id):
        with self.service.db.reader() as session:
            return _endpoint_ref(self._endpoint_row(session, endpoint_id))

    def list_endpoints(self):
        with self.service.db.reader() as session:
            return [_endpoint_ref(r) for r in session.scalars(
                sa.select(models.Endpoint).order_by(models.Endpoint.service_id,
                                                    models.Endpoint.interface,
                                                    models.Endpoint.id))]

    def create_endpoint(self, values):
        values = self._region_of(values)
        for attr in ('service_id', 'interface', 'url'):
            if not values.get(attr):
                raise exception.ValidationError(
                    'Invalid input for field/attribute endpoint: %r is a required property'
                    % attr)
        with self.service.db.writer() as session:
            self._check_endpoint(session, values)
            row = models.Endpoint(id=utils.new_id(), service_id=values['service_id'],
                                  interface=values['interface'], url=values['url'],
                                  region_id=values.get('region_id'),
                                  enabled=values.get('enabled', True),
                                  extra=resource.merge_extra({}, values, ENDPOINT_FIELDS))
            session.add(row)
            session.flush()
            return _endpoint_ref(row)

    def update_endpoint(self, endpoint_id, values):
        values = self._region_of(values)
        with self.service.db.writer() as session:
            row = self._endpoint_row(session, endpoint_id)
            self._check_endpoint(session, values)
            for attr in ('service_id', 'interface', 'url', 'region_id', 'enabled'):
                if attr in values:
                    setattr(row, attr, values[attr])
            row.extra = resource.merge_extra(row.extra, values, ENDPOINT_FIELDS)
            session.flush()
            return _endpoint_ref(row)

    def delete_endpoint(self, endpoint_id):
        with self.service.db.writer() as session:
            session.delete(self._endpoint_row(session, endpoint_id))
