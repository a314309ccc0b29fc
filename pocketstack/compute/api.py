"""The compute API (Nova's ``nova/compute/api.py``): the rules of every
server operation, checked where the request arrives, before anything is sent
to another process.

A boot is validated here (flavor, image through the Image service, key pair,
zone, quotas), its instances written as ``building/scheduling``, its action
recorded, and then ``build_instances`` is *cast* to the conductor — the API
answers 202 without waiting (seed 004).  Other operations check the
instance's state (409 otherwise), set the task state and cast to the host.
"""
import base64
import binascii
import logging
import uuid as uuid_mod

import sqlalchemy as sa

from pocketstack.common import db as common_db
from pocketstack.common import exception
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import instances
from pocketstack.compute import manager
from pocketstack.compute import states
from pocketstack.compute.db import models
from pocketstack.compute.scheduler import manager as scheduler_manager

LOG = logging.getLogger(__name__)

# action: (the vm_states it is allowed from, the task state it sets)
POWER_ACTIONS = {
    'stop': ([states.ACTIVE, states.ERROR], states.POWERING_OFF),
    'start': ([states.STOPPED], states.POWERING_ON),
    'pause': ([states.ACTIVE], states.PAUSING),
    'unpause': ([states.PAUSED], states.UNPAUSING),
    'suspend': ([states.ACTIVE], states.SUSPENDING),
    'resume': ([states.SUSPENDED], states.RESUMING),
}
_UNSET = object()


def image_summary(image):
    """What a request spec carries of an image."""
    return {k: image.get(k) for k in ('id', 'name', 'min_ram', 'min_disk', 'disk_format',
                                      'container_format', 'size', 'status')}


def _image_system_metadata(image):
    """The image's summary as the instance keeps it (``image_<key>``), which
    snapshots copy their formats from."""
    return {'image_%s' % k: v for k, v in image_summary(image).items() if v is not None}


class API:

    def __init__(self, service):
        self.service = service
        self.conf = service.conf
        self.db = service.db
        self.images = service.images
        self.flavors = service.flavors
        self.conductor = service.conductor_rpcapi
        self.compute = service.compute_rpcapi

    # -- reading -------------------------------------------------------------------

    def get(self, context, uuid, read_deleted=False):
        """The instance, if ``context`` may see it (another project's is 404)."""
        try:
            instance = instances.get(self.db, uuid, read_deleted=read_deleted)
        except compute_exc.InstanceNotFound:
            raise exception.NotFound('Instance %s could not be found.' % uuid)
        if instance['project_id'] != context.project_id and not context.is_admin_role:
            raise exception.NotFound('Instance %s could not be found.' % uuid)
        return instance

    def list(self, context, filters, sort_keys, limit, marker, all_tenants=False,
             deleted=False):
        """One page of instances ``context`` may see, filtered and sorted.
        ``filters`` holds ``project_id``, ``changes-since`` / ``changes-before``
        (times) and tests on the instance dicts (name is a regular expression,
        as in Nova), so they behave alike on every database."""
        query = sa.select(models.Instance)
        project = filters.pop('project_id', None)
        if not context.is_admin_role:
            project = context.project_id
        elif project is None and not all_tenants:
            project = context.project_id
        if project is not None:
            query = query.where(models.Instance.project_id == project)
        changes_since = filters.pop('changes-since', None)
        changes_before = filters.pop('changes-before', None)
        if changes_since is not None:
            query = query.where(models.Instance.updated_at >= changes_since)
        if changes_before is not None:
            query = query.where(models.Instance.updated_at <= changes_before)
        if changes_since is None and changes_before is None and not deleted:
            # Deleted servers are listed to admins who ask, and to anyone
            # asking what changed.
            query = query.where(models.Instance.deleted == 0)
        with self.db.reader() as session:
            found = [instances.to_dict(r) for r in session.scalars(query)]
        found = [i for i in found if all(test(i) for test in filters.values())]
        for key, direction in reversed(sort_keys):
            found.sort(key=lambda i, k=key: (i[k] is not None, i[k] if i[k] is not None else ''),
                       reverse=direction == 'desc')
        if marker is not None:
            positions = [n for n, i in enumerate(found) if i['uuid'] == marker]
            if not positions:
                raise exception.BadRequest('marker [%s] not found' % marker)
            found = found[positions[0] + 1:]
        return found[:limit]

    def faults(self, uuids):
        """The latest fault of each instance that has one."""
        with self.db.reader() as session:
            rows = session.scalars(sa.select(models.InstanceFault).where(
                models.InstanceFault.instance_uuid.in_(list(uuids)))
                .order_by(models.InstanceFault.id)).all()
        return {r.instance_uuid: r for r in rows}

    def host_statuses(self):
        """{host: UP / DOWN / MAINTENANCE} for the 2.16 ``host_status``."""
        with self.db.reader() as session:
            services = session.scalars(sa.select(models.Service).where(
                models.Service.binary == manager.BINARY)).all()
        return {s.host: 'MAINTENANCE' if s.disabled else
                'UP' if scheduler_manager.service_is_up(self.conf, s) else 'DOWN'
                for s in services}

    # -- boot ------------------------------------------------------------------------

    def create(self, context, name, image_ref, flavor_ref, min_count=1, max_count=1,
               key_name=None, user_data=None, metadata=None, availability_zone=None,
               description=None, hostname=None, tags=(), access_ip_v4=None,
               access_ip_v6=None, config_drive=None, requested_host=None):
        """Validate a boot, write its instances and cast it to the conductor;
        returns (instances, reservation_id).  An admin may name the host, as
        ``requested_host`` (2.74) or ``availability_zone`` ``zone:host``."""
        try:
            flavor = self.flavors.get(context, flavor_ref)
        except exception.NotFound:
            raise exception.BadRequest('Flavor %s could not be found.' % flavor_ref)
        image = self._bootable_image(context, image_ref, flavor)
        key_data = self._key_data(context, key_name) if key_name else None
        if user_data is not None:
            try:
                base64.b64decode(user_data, validate=True)
            except (binascii.Error, ValueError):
                raise exception.BadRequest('User data needs to be valid base 64.')
        metadata = metadata or {}
        if len(metadata) > self.conf.quota.metadata_items >= 0:
            raise exception.Forbidden('Quota exceeded for metadata_items: maximum %d.'
                                      % self.conf.quota.metadata_items)
        zone, _, forced_host = (availability_zone or self.conf.default_schedule_zone
                                or '').partition(':')
        if zone and zone not in self.availability_zones():
            raise exception.BadRequest('The requested availability zone is not available')
        host = requested_host or forced_host
        if host:
            self._check_requested_host(context, host, 'servers:create:forced_host')

        reservation_id = 'r-' + common_db.new_id()[:8]
        now = common_db.utcnow()
        rows = []
        with self.db.writer() as session:
            count = self._check_quota(session, context, flavor, min_count, max_count)
            for index in range(count):
                display_name = name if count == 1 else '%s-%d' % (name, index + 1)
                row = models.Instance(
                    uuid=str(uuid_mod.uuid4()), user_id=context.user_id,
                    project_id=context.project_id, display_name=display_name,
                    display_description=description, hostname=hostname or _hostname(display_name),
                    image_ref=image['id'], flavor=flavor,
                    vm_state=states.BUILDING, task_state=states.SCHEDULING,
                    power_state=states.NOSTATE, availability_zone=zone or None,
                    key_name=key_name, key_data=key_data, user_data=user_data,
                    config_drive='True' if config_drive else '', access_ip_v4=access_ip_v4,
                    access_ip_v6=access_ip_v6, reservation_id=reservation_id,
                    launch_index=index, system_metadata=_image_system_metadata(image),
                    created_at=now, updated_at=now)
                row.metadata_items = [models.InstanceMetadata(key=k, value=v)
                                      for k, v in metadata.items()]
                row.tags = [models.InstanceTag(tag=t) for t in sorted(set(tags))]
                session.add(row)
                session.add(models.InstanceAction(
                    instance_uuid=row.uuid, action='create', request_id=context.request_id,
                    user_id=context.user_id, project_id=context.project_id, start_time=now))
                rows.append(row)
            session.flush()
            created = [instances.to_dict(r) for r in rows]
        request_spec = {'flavor': flavor, 'image': image_summary(image),
                        'availability_zone': zone or None, 'num_instances': len(created),
                        'project_id': context.project_id, 'force_host': host or None}
        LOG.info('Casting build_instances for %s to the conductor',
                 ', '.join(i['uuid'] for i in created))
        self.conductor.build_instances(context, [i['uuid'] for i in created], request_spec)
        return created, reservation_id

    def _key_data(self, context, key_name):
        try:
            return self.service.keypairs.get(context.user_id, key_name)['public_key']
        except exception.NotFound:
            raise exception.BadRequest('Invalid key_name provided.')

    def _check_requested_host(self, context, host, rule):
        self.service.policy.authorize(context, 'os_compute_api:%s' % rule, {})
        if host not in self.host_statuses():
            raise exception.BadRequest('Compute host %s could not be found.' % host)

    def _bootable_image(self, context, image_ref, flavor):
        if not image_ref:
            raise exception.BadRequest('Missing imageRef attribute')
        try:
            image = self.images.get(context, image_ref)
        except exception.NotFound:
            raise exception.BadRequest('Image %s could not be found.' % image_ref)
        if image.get('status') != 'active':
            raise exception.BadRequest('Image %s is not active.' % image_ref)
        if flavor['ram'] < (image.get('min_ram') or 0):
            raise exception.BadRequest('Flavor\'s memory is too small for requested image.')
        if flavor['disk'] and flavor['disk'] < (image.get('min_disk') or 0):
            raise exception.BadRequest('Flavor\'s disk is too small for requested image.')
        return image

    def _check_quota(self, session, context, flavor, min_count, max_count):
        """How many of ``max_count`` instances fit the project's quotas (at least
        ``min_count``, else 403 naming the exceeded resource)."""
        usage = project_usage(session, context.project_id)
        per_instance = {'instances': 1, 'cores': flavor['vcpus'], 'ram': flavor['ram']}
        count = max_count
        for resource, each in per_instance.items():
            limit = getattr(self.conf.quota, resource)
            if limit < 0 or each == 0:
                continue
            fits = (limit - usage[resource]) // each
            if fits < min_count:
                raise compute_exc.QuotaExceeded(resources=resource, req=each * min_count,
                                                used=usage[resource], allowed=limit)
            count = min(count, fits)
        return count

    def usage(self, context, project_id=None):
        """What a project's servers use (for limits)."""
        with self.db.reader() as session:
            return project_usage(session, project_id or context.project_id)

    def availability_zones(self):
        with self.db.reader() as session:
            zones = session.scalars(sa.select(models.Service.availability_zone).where(
                models.Service.binary == manager.BINARY).distinct()).all()
        return {z or self.conf.default_availability_zone for z in zones}

    # -- state changes -----------------------------------------------------------------

    def _act(self, context, uuid, action, vm_states, task_state, task_states=(None,),
             needs_host=True):
        """Check the lock, the state and the host, record the action, set the
        task state; the instance as it was (Nova's ``check_instance_lock``,
        ``check_instance_state`` and ``check_instance_host``)."""
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        if instance['vm_state'] not in vm_states:
            raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='vm_state',
                                                   state=instance['vm_state'])
        if instance['task_state'] not in task_states:
            raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='task_state',
                                                   state=instance['task_state'])
        if needs_host and not instance['host']:
            raise compute_exc.InstanceNotReady(uuid=uuid)
        if not instances.update(self.db, uuid, expected_task_state=list(task_states),
                                task_state=task_state):
            raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='task_state',
                                                   state='changed')
        instances.start_action(self.db, context, uuid, action)
        return instance

    @staticmethod
    def _check_lock(context, instance):
        if instance['locked'] and not context.is_admin_role:
            raise compute_exc.InstanceIsLocked(uuid=instance['uuid'])

    def update(self, context, uuid, **values):
        """Change what ``PUT /servers/{id}`` may change (name, description,
        access IPs, hostname); the instance as it is now."""
        self.get(context, uuid)
        if values:
            instances.update(self.db, uuid, **values)
        return self.get(context, uuid)

    def delete(self, context, uuid):
        """Delete on the host, or here when no host holds the instance (never
        scheduled, shelved offloaded) or its host is down (Nova's local delete)."""
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        instances.start_action(self.db, context, uuid, 'delete')
        if instance['vm_state'] in (states.SHELVED, states.SHELVED_OFFLOADED):
            self._delete_shelved_image(context, instance)
        if instance['host'] is None and manager.mark_deleted(self.db, uuid, unplaced_only=True):
            return
        instance = self.get(context, uuid)  # a conductor may have placed it meanwhile
        if self.host_statuses().get(instance['host']) == 'DOWN':
            LOG.warning('Host %s of instance %s is down: deleting it locally',
                        instance['host'], uuid)
            manager.mark_deleted(self.db, uuid)
            return
        instances.update(self.db, uuid, task_state=states.DELETING)
        self.compute.terminate_instance(context, uuid, instance['host'])

    def force_delete(self, context, uuid):
        """``forceDelete`` ends a *soft*-deleted server early.  Deletes here are
        never soft (Nova's default ``reclaim_instance_interval = 0``), so, as
        in a default Nova, every server is in a state that refuses it."""
        instance = self.get(context, uuid)
        raise compute_exc.InstanceInvalidState(action='forceDelete', uuid=uuid, attr='vm_state',
                                               state=instance['vm_state'])

    def _delete_shelved_image(self, context, instance):
        """The snapshot a shelve made has no use once the server is gone."""
        image_id = instance['system_metadata'].get('shelved_image_id')
        if not image_id:
            return
        try:
            self.images.delete(context, image_id)
        except exception.PocketstackError as e:
            LOG.warning('Could not delete image %s of shelved instance %s: %s', image_id,
                        instance['uuid'], e.message)

    def power_action(self, context, uuid, action):
        """stop, start, pause, unpause, suspend or resume."""
        vm_states, task_state = POWER_ACTIONS[action]
        instance = self._act(context, uuid, action, vm_states, task_state)
        self.compute.power_action(context, uuid, instance['host'], action)

    def reboot(self, context, uuid, reboot_type):
        """A SOFT reboot needs a running, idle server; a HARD one also revives
        stopped, paused, suspended or failed servers, and may interrupt a
        reboot or power change that hangs."""
        if reboot_type == 'SOFT':
            instance = self._act(context, uuid, 'reboot', [states.ACTIVE], states.REBOOTING)
        else:
            instance = self._act(
                context, uuid, 'reboot', [states.ACTIVE, states.STOPPED, states.PAUSED,
                                          states.SUSPENDED, states.ERROR],
                states.REBOOTING_HARD,
                task_states=(None, states.REBOOTING, states.REBOOTING_HARD, states.PAUSING,
                             states.UNPAUSING, states.SUSPENDING, states.RESUMING))
        self.compute.power_action(context, uuid, instance['host'], 'reboot',
                                  reboot_type=reboot_type)

    def lock(self, context, uuid, reason=None):
        instance = self.get(context, uuid)
        instances.start_action(self.db, context, uuid, 'lock')
        instances.update(self.db, uuid, locked=True, locked_reason=reason,
                         locked_by='owner' if instance['project_id'] == context.project_id
                         else 'admin')

    def unlock(self, context, uuid):
        instance = self.get(context, uuid)
        if instance['locked'] and instance['locked_by'] == 'admin' and not context.is_admin_role:
            raise exception.Forbidden('Instance %s was locked by an admin.' % uuid)
        instances.start_action(self.db, context, uuid, 'unlock')
        instances.update(self.db, uuid, locked=False, locked_reason=None, locked_by=None)

    def _snapshot_record(self, context, instance, name, extra_properties=None):
        """Create the queued image a snapshot fills (as Nova, before casting)."""
        base = {k[len('image_'):]: v for k, v in instance['system_metadata'].items()
                if k.startswith('image_') and k[len('image_'):] in ('disk_format',
                                                                    'container_format')}
        body = dict({'name': name, 'disk_format': base.get('disk_format') or 'qcow2',
                     'container_format': base.get('container_format') or 'bare',
                     'image_type': 'snapshot', 'instance_uuid': instance['uuid'],
                     'base_image_ref': instance['image_ref'] or ''}, **(extra_properties or {}))
        return self.images.create(context, body)

    def _act_with_image(self, context, uuid, action, vm_states, task_state, name, properties):
        """An action that fills a new image: the image record is created
        before casting, and the task state undone if that fails."""
        instance = self._act(context, uuid, action, vm_states, task_state)
        try:
            return instance, self._snapshot_record(context, instance, name, properties)
        except Exception:
            instances.update(self.db, uuid, expected_task_state=task_state, task_state=None)
            raise

    def snapshot(self, context, uuid, name, metadata=None):
        instance, image = self._act_with_image(
            context, uuid, 'createImage',
            [states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED],
            states.IMAGE_SNAPSHOT, name, metadata)
        self.compute.snapshot_instance(context, uuid, instance['host'], image['id'])
        return image

    def shelve(self, context, uuid):
        """Seed 004's ``nova shelve``: snapshot to ``<name>-shelved``, then
        the host shelves and offloads."""
        instance = self.get(context, uuid)
        instance, image = self._act_with_image(
            context, uuid, 'shelve',
            [states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED],
            states.SHELVING, '%s-shelved' % instance['display_name'], None)
        self.compute.shelve_instance(context, uuid, instance['host'], image['id'])

    def shelve_offload(self, context, uuid):
        instance = self._act(context, uuid, 'shelveOffload', [states.SHELVED],
                             states.SHELVING_OFFLOADING)
        self.compute.shelve_offload_instance(context, uuid, instance['host'])

    def unshelve(self, context, uuid, availability_zone=None, host=None):
        """Schedule the shelved server again: in its zone, or in
        ``availability_zone`` (2.77), or on ``host`` (2.91, admins)."""
        if availability_zone and availability_zone not in self.availability_zones():
            raise exception.BadRequest('The requested availability zone is not available')
        if host:
            self._check_requested_host(context, host, 'os-shelve:unshelve_to_host')
        instance = self._act(context, uuid, 'unshelve',
                             [states.SHELVED, states.SHELVED_OFFLOADED], states.UNSHELVING,
                             needs_host=False)
        self.conductor.unshelve_instance(context, uuid, {
            'flavor': instance['flavor'],
            'availability_zone': availability_zone or instance['availability_zone'],
            'image': {'id': instance['system_metadata'].get('shelved_image_id')},
            'force_host': host})

    def rebuild(self, context, uuid, image_ref, metadata=None, key_name=_UNSET, **values):
        """Respawn the server from ``image_ref`` on its host; ``values`` are
        columns to change with it (name, description, access IPs, user data,
        hostname)."""
        instance = self.get(context, uuid)
        image = self._bootable_image(context, image_ref, instance['flavor'])
        if key_name is not _UNSET:
            values.update(key_name=key_name,
                          key_data=self._key_data(context, key_name) if key_name else None)
        self._act(context, uuid, 'rebuild', [states.ACTIVE, states.STOPPED, states.ERROR],
                  states.REBUILDING)
        system_metadata = {k: v for k, v in instance['system_metadata'].items()
                           if not k.startswith('image_')}
        system_metadata.update(_image_system_metadata(image))
        instances.update(self.db, uuid, image_ref=image['id'], system_metadata=system_metadata,
                         **values)
        if metadata is not None:
            instances.replace_metadata(self.db, uuid, metadata)
        self.compute.rebuild_instance(context, uuid, instance['host'], image['id'])
        return self.get(context, uuid)

    def resize(self, context, uuid, flavor_ref):
        instance = self.get(context, uuid)
        try:
            new_flavor = self.flavors.get(context, flavor_ref)
        except exception.NotFound:
            raise exception.BadRequest('Unable to find flavor %s' % flavor_ref)
        if new_flavor['id'] == instance['flavor']['id']:
            raise exception.BadRequest('When resizing, instances must change flavor!')
        if new_flavor['disk'] < instance['flavor']['disk']:
            raise exception.BadRequest('Resize error: Unable to resize disk down.')
        self._act(context, uuid, 'resize', [states.ACTIVE, states.STOPPED], states.RESIZE_PREP)
        self.conductor.resize_instance(context, uuid, {
            'flavor': new_flavor, 'availability_zone': instance['availability_zone']},
            new_flavor)

    def confirm_resize(self, context, uuid):
        instance = self._act(context, uuid, 'confirmResize', [states.RESIZED],
                             states.RESIZE_CONFIRMING)
        self.compute.confirm_resize(context, uuid,
                                    instance['system_metadata']['resize_source_host'])

    def revert_resize(self, context, uuid):
        instance = self._act(context, uuid, 'revertResize', [states.RESIZED],
                             states.RESIZE_REVERTING)
        self.compute.revert_resize(context, uuid, instance['host'])

    def console_output(self, context, uuid, length=None):
        instance = self.get(context, uuid)
        if not instance['host']:
            raise compute_exc.InstanceNotReady(uuid=uuid)
        return self.compute.get_console_output(context, uuid, instance['host'], length)


def project_usage(session, project_id):
    """Servers, vCPUs and RAM a project's live instances hold."""
    flavors = session.execute(sa.select(models.Instance.flavor).where(
        models.Instance.project_id == project_id,
        models.Instance.deleted == 0)).scalars().all()
    return {'instances': len(flavors), 'cores': sum(f['vcpus'] for f in flavors),
            'ram': sum(f['ram'] for f in flavors)}


def _hostname(display_name):
    """A DNS-safe hostname from a display name, as Nova sanitizes it."""
    name = ''.join(c if c.isalnum() or c == '-' else '-' for c in display_name.lower())
    return name.strip('-')[:63] or 'server'
