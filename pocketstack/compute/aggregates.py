"""Host aggregates (Nova's ``AggregateAPI``): named groups of compute hosts
with metadata.  An aggregate whose metadata has ``availability_zone`` puts
its hosts in that zone — for the scheduler's zone filter, the zone list,
os-services and the metadata service — instead of the zone the host's
service registered with (``default_availability_zone``).  A host may be in
several aggregates, but not in two zones."""
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.compute import manager
from pocketstack.compute.db import models

AZ_KEY = 'availability_zone'
INTERNAL_ZONE = 'internal'


def aggregate_zones(session):
    """{host: zone} of the hosts in an aggregate with an availability zone."""
    rows = session.execute(
        sa.select(models.AggregateHost.host, models.AggregateMetadata.value)
        .join(models.AggregateMetadata,
              models.AggregateMetadata.aggregate_id == models.AggregateHost.aggregate_id)
        .where(models.AggregateMetadata.key == AZ_KEY))
    return dict(rows.all())


def service_zone(service, zones, default_zone):
    """The zone of a service row: its aggregates' zone, else the one it
    registered with, else the default; services other than compute hosts
    are ``internal``."""
    if service.binary != manager.BINARY:
        return INTERNAL_ZONE
    return zones.get(service.host) or service.availability_zone or default_zone


def host_zone(session, host, default_zone):
    """The zone of one compute host."""
    svc = session.scalar(sa.select(models.Service).where(
        models.Service.host == host, models.Service.binary == manager.BINARY))
    if svc is None:
        return default_zone
    return service_zone(svc, aggregate_zones(session), default_zone)


class AggregateNotFound(exception.NotFound):
    message = 'Aggregate %(id)s could not be found.'


class AggregateAPI:

    def __init__(self, service):
        self.conf = service.conf
        self.db = service.db

    @staticmethod
    def _view(aggregate):
        metadata = {m.key: m.value for m in aggregate.metadata_items}
        return {'id': aggregate.id, 'uuid': aggregate.uuid, 'name': aggregate.name,
                'availability_zone': metadata.get(AZ_KEY),
                'hosts': sorted(h.host for h in aggregate.hosts), 'metadata': metadata,
                'created_at': aggregate.created_at, 'updated_at': aggregate.updated_at}

    @staticmethod
    def _get(session, aggregate_id):
        aggregate = session.get(models.Aggregate, int(aggregate_id))
        if aggregate is None:
            raise AggregateNotFound(id=aggregate_id)
        return aggregate

    def list(self):
        with self.db.reader() as session:
            return [self._view(a) for a in session.scalars(
                sa.select(models.Aggregate).order_by(models.Aggregate.id))]

    def get(self, aggregate_id):
        with self.db.reader() as session:
            return self._view(self._get(session, aggregate_id))

    @staticmethod
    def _check_name(session, name, aggregate_id=None):
        clash = session.scalar(sa.select(models.Aggregate.id).where(
            models.Aggregate.name == name, models.Aggregate.id != (aggregate_id or 0)))
        if clash is not None:
            raise exception.Conflict('Aggregate %s already exists.' % name)

    def _check_zone(self, session, aggregate, zone):
        """A new zone (None: none) for ``aggregate``: not empty, not the
        internal one, none of its hosts in another aggregate with another
        zone, and, when it changes, none of its hosts holding servers."""
        if zone == '':
            raise exception.BadRequest('Aggregate %s does not support empty named '
                                       'availability zone' % (aggregate.name if aggregate
                                                              else ''))
        if zone == INTERNAL_ZONE:
            raise exception.BadRequest(
                'Aggregate %s: the availability zone %s is reserved for internal services.'
                % (aggregate.name if aggregate else zone, zone))
        if aggregate is None:
            return
        hosts = [h.host for h in aggregate.hosts]
        if zone is not None:
            self._check_hosts_zone(session, aggregate, hosts, zone, exception.BadRequest,
                                   'update')
        current = {m.key: m.value for m in aggregate.metadata_items}.get(AZ_KEY)
        if hosts and zone != current and session.scalar(
                sa.select(models.Instance.id).where(models.Instance.host.in_(hosts),
                                                    models.Instance.deleted == 0).limit(1)):
            raise exception.BadRequest('Cannot update aggregate %s. Reason: One or more hosts '
                                       'contain instances in this zone.' % aggregate.id)

    @staticmethod
    def _check_hosts_zone(session, aggregate, hosts, zone, error, action):
        others = session.execute(
            sa.select(models.AggregateHost.host, models.AggregateMetadata.value)
            .join(models.AggregateMetadata,
                  models.AggregateMetadata.aggregate_id == models.AggregateHost.aggregate_id)
            .where(models.AggregateMetadata.key == AZ_KEY,
                   models.AggregateHost.host.in_(hosts),
                   models.AggregateHost.aggregate_id != aggregate.id,
                   models.AggregateMetadata.value != zone)).all()
        if others:
            raise error('Cannot %s aggregate %s. Reason: One or more hosts already in '
                        'availability zone(s) %s.'
                        % ('add host to' if action == 'add' else action, aggregate.id,
                           sorted({z for _, z in others})))

    def create(self, name, zone=None):
        with self.db.writer() as session:
            self._check_name(session, name)
            self._check_zone(session, None, zone)
            aggregate = models.Aggregate(uuid=utils.new_id(dashes=True), name=name)
            if zone:
                aggregate.metadata_items.append(models.AggregateMetadata(key=AZ_KEY,
                                                                         value=zone))
            session.add(aggregate)
            session.flush()
            return self._view(aggregate)

    def update(self, aggregate_id, values):
        with self.db.writer() as session:
            aggregate = self._get(session, aggregate_id)
            if 'name' in values:
                self._check_name(session, values['name'], aggregate.id)
                aggregate.name = values['name']
            if 'availability_zone' in values:
                self._set_metadata(session, aggregate,
                                   {AZ_KEY: values['availability_zone']})
            aggregate.updated_at = utils.utcnow()
            session.flush()
            return self._view(aggregate)

    def delete(self, aggregate_id):
        with self.db.writer() as session:
            aggregate = self._get(session, aggregate_id)
            if aggregate.hosts:
                raise exception.BadRequest("Cannot perform action 'delete' on aggregate %s. "
                                           "Reason: Host aggregate is not empty."
                                           % aggregate.id)
            session.delete(aggregate)

    def add_host(self, aggregate_id, host):
        with self.db.writer() as session:
            aggregate = self._get(session, aggregate_id)
            known = session.scalar(sa.select(models.Service.id).where(
                models.Service.host == host, models.Service.binary == manager.BINARY))
            if known is None:
                raise exception.NotFound('Compute host %s could not be found.' % host)
            if host in {h.host for h in aggregate.hosts}:
                raise exception.Conflict('Aggregate %s already has host %s.'
                                         % (aggregate.id, host))
            zone = {m.key: m.value for m in aggregate.metadata_items}.get(AZ_KEY)
            if zone:
                self._check_hosts_zone(session, aggregate, [host], zone, exception.Conflict,
                                       'add')
            aggregate.hosts.append(models.AggregateHost(host=host))
            session.flush()
            return self._view(aggregate)

    def remove_host(self, aggregate_id, host):
        with self.db.writer() as session:
            aggregate = self._get(session, aggregate_id)
            member = next((h for h in aggregate.hosts if h.host == host), None)
            if member is None:
                known = session.scalar(sa.select(models.Service.id).where(
                    models.Service.host == host, models.Service.binary == manager.BINARY))
                if known is None:
                    raise exception.NotFound('Compute host %s could not be found.' % host)
                raise exception.NotFound('Aggregate %s has no host %s.' % (aggregate.id, host))
            aggregate.hosts.remove(member)
            session.flush()
            return self._view(aggregate)

    def set_metadata(self, aggregate_id, metadata):
        """Set the given keys; a null value removes its key."""
        with self.db.writer() as session:
            aggregate = self._get(session, aggregate_id)
            self._set_metadata(session, aggregate, metadata)
            aggregate.updated_at = utils.utcnow()
            session.flush()
            return self._view(aggregate)

    def _set_metadata(self, session, aggregate, metadata):
        if AZ_KEY in metadata:
            self._check_zone(session, aggregate, metadata[AZ_KEY])
        items = {m.key: m for m in aggregate.metadata_items}
        for key, value in metadata.items():
            if value is None:
                if key in items:
                    aggregate.metadata_items.remove(items.pop(key))
            elif key in items:
                items[key].value = value
            else:
                items[key] = models.AggregateMetadata(key=key, value=value)
                aggregate.metadata_items.append(items[key])
