"""Host aggregates (Nova's ``AggregateAPI``): named groups of compute hosts
with metadata.  An aggregate whose metadata has ``availability_zone`` puts
its hosts in that zone — for the scheduler's zone filter, the zone list,
os-services and the metadata service (compute/hosts.py) — instead of the
zone the host's service registered with.  A host may be in several
aggregates, but not in two zones."""
from pocketstack.common import exception
from pocketstack.compute import hosts
from pocketstack.compute.db import aggregates as db_aggregates
from pocketstack.compute.db import instances as db_instances

AZ_KEY = db_aggregates.AZ_KEY


class AggregateAPI:

    def __init__(self, service):
        self.db = service.db
        self.hosts = service.hosts

    def list(self):
        return db_aggregates.list_all(self.db)

    def get(self, aggregate_id):
        return db_aggregates.get(self.db, aggregate_id)

    def _check_name(self, name, aggregate_id=None):
        if db_aggregates.name_taken(self.db, name, aggregate_id):
            raise exception.Conflict('Aggregate %s already exists.' % name)

    def _check_zone(self, aggregate, zone):
        """A new zone (None: none) for ``aggregate``: not empty, not the
        internal one, none of its hosts in another aggregate with another
        zone, and, when it changes, none of its hosts holding servers."""
        name = aggregate['name'] if aggregate else ''
        if zone == '':
            raise exception.BadRequest('Aggregate %s does not support empty named '
                                       'availability zone' % name)
        if zone == hosts.INTERNAL_ZONE:
            raise exception.BadRequest(
                'Aggregate %s: the availability zone %s is reserved for internal services.'
                % (name or zone, zone))
        if aggregate is None:
            return
        if zone is not None:
            self._check_hosts_zone(aggregate, aggregate['hosts'], zone, exception.BadRequest,
                                   'update')
        if aggregate['hosts'] and zone != aggregate['availability_zone'] and \
                db_instances.any_on_hosts(self.db, aggregate['hosts']):
            raise exception.BadRequest('Cannot update aggregate %s. Reason: One or more hosts '
                                       'contain instances in this zone.' % aggregate['id'])

    def _check_hosts_zone(self, aggregate, host_names, zone, error, action):
        others = db_aggregates.other_zones(self.db, aggregate['id'], host_names, zone)
        if others:
            raise error('Cannot %s aggregate %s. Reason: One or more hosts already in '
                        'availability zone(s) %s.'
                        % ('add host to' if action == 'add' else action, aggregate['id'],
                           others))

    def _check_host_known(self, host):
        if host not in self.hosts.compute_hosts():
            raise exception.NotFound('Compute host %s could not be found.' % host)

    def create(self, name, zone=None):
        with self.db.writer():
            self._check_name(name)
            self._check_zone(None, zone)
            return db_aggregates.create(self.db, name, zone)

    def update(self, aggregate_id, values):
        with self.db.writer():
            aggregate = db_aggregates.get(self.db, aggregate_id)
            if 'name' in values:
                self._check_name(values['name'], aggregate['id'])
                aggregate = db_aggregates.rename(self.db, aggregate_id, values['name'])
            if 'availability_zone' in values:
                aggregate = self._set_metadata(aggregate,
                                               {AZ_KEY: values['availability_zone']})
            return aggregate

    def delete(self, aggregate_id):
        with self.db.writer():
            aggregate = db_aggregates.get(self.db, aggregate_id)
            if aggregate['hosts']:
                raise exception.BadRequest("Cannot perform action 'delete' on aggregate %s. "
                                           "Reason: Host aggregate is not empty."
                                           % aggregate['id'])
            db_aggregates.delete(self.db, aggregate_id)

    def add_host(self, aggregate_id, host):
        with self.db.writer():
            aggregate = db_aggregates.get(self.db, aggregate_id)
            self._check_host_known(host)
            if host in aggregate['hosts']:
                raise exception.Conflict('Aggregate %s already has host %s.'
                                         % (aggregate['id'], host))
            if aggregate['availability_zone']:
                self._check_hosts_zone(aggregate, [host], aggregate['availability_zone'],
                                       exception.Conflict, 'add')
            return db_aggregates.add_host(self.db, aggregate_id, host)

    def remove_host(self, aggregate_id, host):
        with self.db.writer():
            aggregate = db_aggregates.get(self.db, aggregate_id)
            if host not in aggregate['hosts']:
                self._check_host_known(host)
                raise exception.NotFound('Aggregate %s has no host %s.'
                                         % (aggregate['id'], host))
            return db_aggregates.remove_host(self.db, aggregate_id, host)

    def set_metadata(self, aggregate_id, metadata):
        """Set the given keys; a null value removes its key."""
        with self.db.writer():
            return self._set_metadata(db_aggregates.get(self.db, aggregate_id), metadata)

    def _set_metadata(self, aggregate, metadata):
        if AZ_KEY in metadata:
            self._check_zone(aggregate, metadata[AZ_KEY])
        return db_aggregates.set_metadata(self.db, aggregate['id'], metadata)
