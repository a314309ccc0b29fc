"""The compute API (Nova's ``nova/compute/api.py``): the rules of every
server operation, checked where the request arrives, before anything is sent
to another process.  Its reads and writes are compute/db/'s functions; where
a check and the write it guards must not be split by another request, they
run in one ``self.db.writer()`` transaction.

A boot is validated here (flavor, image through the Image service, key pair,
zone, quotas), its instances written as ``building/scheduling``, its action
recorded, and then ``build_instances`` is *cast* to the conductor — the API
answers 202 without waiting (seed 004).  Other operations check the
instance's state (409 otherwise: :meth:`API._check_state`, the one guard),
set the task state and cast to the host.
"""
import base64
import binascii
import ipaddress
import logging

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.compute import actions
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import network as network_mod
from pocketstack.compute import states
from pocketstack.compute.db import instances as db_instances

LOG = logging.getLogger(__name__)

# action: (the vm_states it is allowed from, the task state it sets)
POWER_ACTIONS = {
    'stop': ([states.ACTIVE, states.ERROR], states.POWERING_OFF),
    'start': ([states.STOPPED], states.POWERING_ON),
    'pause': ([states.ACTIVE], states.PAUSING),
    'unpause': ([states.PAUSED], states.UNPAUSING),
    'suspend': ([states.ACTIVE], states.SUSPENDING),
    'resume': ([states.SUSPENDED], states.RESUMING),
    'unrescue': ([states.RESCUED], states.UNRESCUING),
}
_UNSET = object()
# Where ports may be attached and detached (Nova's os-interface), and where
# metadata and tags may change.
CHANGEABLE_VM_STATES = [states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED]


def image_summary(image):
    """What a request spec carries of an image."""
    return {k: image.get(k) for k in ('id', 'name', 'min_ram', 'min_disk', 'disk_format',
                                      'container_format', 'size', 'status')}


# An image's own fields in the Image API; every other key is a property.
_IMAGE_FIELDS = frozenset((
    'id', 'name', 'status', 'visibility', 'protected', 'checksum', 'os_hash_algo',
    'os_hash_value', 'owner', 'size', 'virtual_size', 'min_ram', 'min_disk', 'disk_format',
    'container_format', 'created_at', 'updated_at', 'tags', 'self', 'file', 'schema',
    'direct_url', 'locations', 'os_hidden', 'stores'))


def _image_system_metadata(image):
    """The image as the instance keeps it (``image_<key>``): its summary,
    which snapshots copy their formats from, and its properties (as Nova's
    system metadata, strings), which 2.98 shows in the server's image."""
    kept = {'image_%s' % k: v for k, v in image_summary(image).items() if v is not None}
    kept.update({'image_%s' % k: v if isinstance(v, str) else str(v)
                 for k, v in image.items()
                 if k not in _IMAGE_FIELDS and not k.startswith('os_glance') and v is not None})
    return kept


def _group_hint(hints):
    """The server group a boot names (``os:scheduler_hints: {"group": id}``)."""
    group = (hints or {}).get('group')
    if isinstance(group, list):
        if len(group) != 1:
            raise exception.BadRequest('Only one server group may be given.')
        group = group[0]
    if group is not None and (not isinstance(group, str) or not group):
        raise exception.BadRequest('Invalid server group: %r' % (group,))
    return group


def _hint_lists(hints):
    """Scheduler hints as Nova's request spec keeps them: each value a list."""
    return {k: v if isinstance(v, list) else [v] for k, v in (hints or {}).items()}


class API:

    def __init__(self, service):
        self.service = service
        self.conf = service.conf
        self.db = service.db
        self.images = service.images
        self.network = service.network
        self.flavors = service.flavors
        self.hosts = service.hosts
        self.quotas = service.quotas
        self.server_groups = service.server_groups
        self.actions = service.actions
        self.migrations = service.migrations
        self.compute_task = service.compute_task_rpcapi
        self.compute = service.compute_rpcapi

    # -- reading -------------------------------------------------------------------

    def get(self, context, uuid, read_deleted=False):
        """The instance, if ``context`` may see it (another project's is 404)."""
        try:
            instance = db_instances.get(self.db, uuid, read_deleted=read_deleted)
        except compute_exc.InstanceNotFound:
            raise exception.NotFound('Instance %s could not be found.' % uuid)
        if instance['project_id'] != context.project_id and not context.is_admin_role:
            raise exception.NotFound('Instance %s could not be found.' % uuid)
        return instance

    def list(self, context, filters, sort_keys, limit, marker=None, all_tenants=False,
             matches=None):
        """One page of the instances ``context`` may see (db/instances.page):
        a member's own project's; an admin's own project's, or those of
        ``filters['project_id']`` or of every project with ``all_tenants``.
        Deleted servers are listed to admins who ask (``filters['deleted']``)
        and to anyone asking what changed (``changes-since`` / ``-before``)."""
        filters = dict(filters)
        project = filters.pop('project_id', None)
        if not context.is_admin_role or (project is None and not all_tenants):
            project = context.project_id
        filters['project_id'] = project
        if filters.get('deleted') is None and filters.get('changes-since') is None \
                and filters.get('changes-before') is None:
            filters['deleted'] = False
        try:
            return db_instances.page(self.db, filters, sort_keys, limit, marker, matches)
        except compute_exc.MarkerNotFound:
            raise exception.BadRequest('marker [%s] not found' % marker)

    def external_event(self, context, event):
        """An event another service reports about a server (NotFound when
        there is no such server).  The Network service's ``network-changed``
        and ``network-vif-deleted`` refresh its cached network info."""
        instance = self.get(context, event['server_uuid'])
        LOG.info('External event %s (%s, tag %s) for instance %s', event['name'],
                 event.get('status'), event.get('tag'), instance['uuid'])
        if event['name'] in ('network-changed', 'network-vif-deleted'):
            self.refreshed(context, instance, always=True)

    def refreshed(self, context, instance, always=False):
        """The instance with its network info as the Network service has it
        now (ports, addresses, floating IPs made there directly), the cache
        updated; the cached one if the Network service cannot answer.  Only
        servers with ports are asked about, unless ``always``."""
        if not (instance['network_info'] or always) or not self.network.configured():
            return instance
        try:
            network_info = self.network.refresh(context, instance)
        except Exception as e:  # noqa: BLE001 - a show must not fail on the Network service
            LOG.warning('Could not refresh the network info of instance %s: %s',
                        instance['uuid'], getattr(e, 'message', e))
            return instance
        if network_info != instance['network_info']:
            db_instances.update(self.db, instance['uuid'], network_info=network_info)
        return dict(instance, network_info=network_info)

    def faults(self, uuids):
        """The latest fault of each instance that has one."""
        return db_instances.latest_faults(self.db, uuids)

    def host_statuses(self):
        """{host: UP / DOWN / MAINTENANCE} for the 2.16 ``host_status``."""
        return self.hosts.statuses()

    def compute_hosts(self):
        """{host: its compute service, with its ``zone`` and whether it is ``up``}."""
        return self.hosts.compute_hosts()

    # -- boot ------------------------------------------------------------------------

    def create(self, context, name, image_ref, flavor_ref, min_count=1, max_count=1,
               key_name=None, user_data=None, metadata=None, availability_zone=None,
               description=None, hostname=None, tags=(), access_ip_v4=None,
               access_ip_v6=None, config_drive=None, requested_host=None,
               requested_networks=None, security_groups=None, scheduler_hints=None):
        """Validate a boot, write its instances and cast it to the conductor;
        returns (instances, reservation_id).  An admin may name the host, as
        ``requested_host`` (2.74) or ``availability_zone`` ``zone:host``.

        ``requested_networks``: None (not given, before 2.37), 'none', 'auto'
        or a list of {'uuid', 'port', 'fixed_ip', 'tag'}; ``security_groups``
        the names (or ids) of the groups its new ports get (default 'default')."""
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
        self._check_metadata_quota(context.project_id, metadata)
        zone, _, forced_host = (availability_zone or self.conf.default_schedule_zone
                                or '').partition(':')
        if zone and zone not in self.availability_zones():
            raise exception.BadRequest('The requested availability zone is not available')
        host = requested_host or forced_host
        if host:
            self._check_requested_host(context, host, 'servers:create:forced_host')
        network_request = self.network_request(context, requested_networks, max_count)
        groups = self._security_groups(context, security_groups or ['default'],
                                       bool(network_request))
        system_metadata = dict(_image_system_metadata(image), network_request=network_request,
                               security_groups=[g['name'] for g in groups],
                               security_group_ids=[g['id'] for g in groups if g.get('id')])

        group_uuid = _group_hint(scheduler_hints)
        reservation_id = 'r-' + utils.new_id()[:8]
        now = utils.utcnow()
        with self.db.writer():
            count = self.quotas.boot_count(context.project_id, flavor, min_count, max_count)
            rows = []
            for index in range(count):
                display_name = name if count == 1 else '%s-%d' % (name, index + 1)
                rows.append({
                    'uuid': utils.new_id(dashes=True), 'user_id': context.user_id,
                    'project_id': context.project_id, 'display_name': display_name,
                    'display_description': description,
                    'hostname': hostname or _hostname(display_name),
                    'image_ref': image['id'], 'flavor': flavor,
                    'vm_state': states.BUILDING, 'task_state': states.SCHEDULING,
                    'power_state': states.NOSTATE, 'availability_zone': zone or None,
                    'key_name': key_name, 'key_data': key_data, 'user_data': user_data,
                    'config_drive': 'True' if config_drive else '',
                    'access_ip_v4': access_ip_v4, 'access_ip_v6': access_ip_v6,
                    'reservation_id': reservation_id, 'launch_index': index,
                    'system_metadata': system_metadata,
                    'scheduler_hints': _hint_lists(scheduler_hints),
                    'created_at': now, 'updated_at': now})
            created = db_instances.create(self.db, context, rows, metadata, tags, now)
            group = None
            if group_uuid:
                group = self.server_groups.add_members(context, group_uuid,
                                                       [i['uuid'] for i in created])
        request_spec = {'flavor': flavor, 'image': image_summary(image),
                        'availability_zone': zone or None, 'num_instances': len(created),
                        'project_id': context.project_id, 'force_host': host or None,
                        'instance_group': group}
        LOG.info('Casting build_instances for %s to the conductor',
                 ', '.join(i['uuid'] for i in created))
        self.compute_task.build_instances(context, [i['uuid'] for i in created], request_spec)
        return created, reservation_id

    # -- networks ----------------------------------------------------------------------

    def network_request(self, context, requested, max_count=1):
        """Check the ``networks`` of a boot against the Network service (400
        for what is not there, 409 for a port in use or a choice to make);
        what the compute host is to allocate: [{'network_id', 'fixed_ip',
        'tag'} or {'port_id', 'network_id', 'tag'}]."""
        if requested == 'none' or (requested in (None, 'auto')
                                   and not self.network.configured()):
            # Without a Network service a server has no networks to get.
            return []
        if requested in (None, 'auto'):
            network = self._auto_network(context, requested == 'auto')
            return [{'network_id': network['id']}] if network else []
        result = []
        for entry in requested:
            port_id, network_id = entry.get('port'), entry.get('uuid')
            tag = entry.get('tag')
            if port_id:
                if max_count > 1:
                    raise exception.BadRequest(
                        'Unable to launch multiple instances with a single configured port '
                        'ID. Please launch your instance one by one with different ports.')
                if port_id in [r.get('port_id') for r in result]:
                    raise exception.BadRequest('Port %s is requested more than once.'
                                               % port_id)
                port = self._network_call(self.network.get_port, context, port_id,
                                          bad_request=True)
                if port.get('device_id'):
                    raise exception.Conflict('Port %s is still in use.' % port_id)
                result.append({'port_id': port_id, 'network_id': port['network_id'],
                               'tag': tag})
                continue
            if not network_id:
                raise exception.BadRequest('Bad networks format: network uuid is not in '
                                           'proper format (%s)' % network_id)
            fixed_ip = entry.get('fixed_ip')
            if fixed_ip is not None:
                try:
                    ipaddress.ip_address(fixed_ip)
                except ValueError:
                    raise exception.BadRequest('Invalid fixed IP address (%s)' % fixed_ip)
                if max_count > 1:
                    raise exception.BadRequest('max_count cannot be greater than 1 if an '
                                               'fixed_ip is specified.')
            if not self.network.configured():
                raise exception.BadRequest('Network %s could not be found.' % network_id)
            network = self._network_call(self.network.get_network, context, network_id,
                                         bad_request=True)
            if not network.get('subnets'):
                raise exception.BadRequest('Network %s requires a subnet in order to boot '
                                           'instances on.' % network_id)
            result.append({'network_id': network_id, 'fixed_ip': fixed_ip, 'tag': tag})
        return result

    def _auto_network(self, context, auto):
        """The network a boot that names none gets.  ``auto`` (2.37): the
        project's single network, else the single shared one, else 400.  Not
        given (before 2.37): the one network the project may use, or none."""
        own, shared = self._network_call(self.network.available_networks, context,
                                         context.project_id)
        choices = (own or shared) if auto else own + shared
        if len(choices) > 1:
            raise exception.Conflict('Multiple possible networks found, use a Network ID to '
                                     'be more specific.')
        if not choices and auto:
            raise exception.BadRequest('Unable to automatically allocate a network for '
                                       'project %s' % context.project_id)
        return choices[0] if choices else None

    def _security_groups(self, context, names, needed):
        """[{'name', 'id'}] of the groups named; unknown → 400.  Only looked
        up when there are ports to put in them."""
        if not needed:
            return [{'name': n} for n in dict.fromkeys(names)]
        groups = []
        for name in dict.fromkeys(names):
            group = self._network_call(self.network.security_group, context, name)
            if group is None:
                raise exception.BadRequest('Security group %s not found.' % name)
            groups.append({'name': name, 'id': group['id']})
        return groups

    @staticmethod
    def _network_call(method, context, *args, bad_request=False):
        """Call the Network service; its NotFound is the request's fault (400)
        when ``bad_request``; other refusals keep their status."""
        try:
            return method(context, *args)
        except exception.NotFound as e:
            if bad_request:
                raise exception.BadRequest(e.message)
            raise

    def _key_data(self, context, key_name):
        try:
            return self.service.keypairs.get(context.user_id, key_name)['public_key']
        except exception.NotFound:
            raise exception.BadRequest('Invalid key_name provided.')

    def _check_requested_host(self, context, host, rule):
        self.service.policy.authorize(context, 'os_compute_api:%s' % rule, {})
        if host not in self.hosts.compute_hosts():
            raise exception.BadRequest('Compute host %s could not be found.' % host)

    def _check_metadata_quota(self, project_id, metadata):
        self.quotas.check_count(project_id, 'metadata_items', len(metadata),
                                'Quota exceeded for metadata_items: maximum {limit}.')

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

    def host_zones(self):
        """{compute host: its availability zone}."""
        return self.hosts.zones()

    def availability_zones(self):
        return set(self.host_zones().values())

    # -- state changes -----------------------------------------------------------------

    def _act(self, context, uuid, action, vm_states, task_state, task_states=(None,),
             needs_host=True):
        """Check the lock, the state and the host, record the action, set the
        task state; the instance as it was (Nova's ``check_instance_lock``,
        ``check_instance_state`` and ``check_instance_host``)."""
        instance = self._actionable(context, uuid, action, vm_states, task_states, needs_host)
        if not db_instances.update(self.db, uuid, expected_task_state=list(task_states),
                                   task_state=task_state):
            raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='task_state',
                                                   state='changed')
        self.actions.start(context, uuid, action)
        return instance

    def _actionable(self, context, uuid, action, vm_states, task_states=(None,),
                    needs_host=True):
        """The instance, if ``action`` may run on it now (_check_state)."""
        instance = self.get(context, uuid)
        self._check_state(context, instance, action, vm_states, task_states, needs_host)
        return instance

    @staticmethod
    def _check_state(context, instance, action, vm_states, task_states=(None,),
                     needs_host=False, check_lock=True):
        """409 unless ``action`` may run on the instance now: not locked
        (unless for an admin; with ``check_lock``), in one of ``vm_states``
        and of ``task_states`` (None: any), on a host when it ``needs_host``."""
        uuid = instance['uuid']
        if check_lock and instance['locked'] and not context.is_admin_role:
            raise compute_exc.InstanceIsLocked(uuid=uuid)
        if instance['vm_state'] not in vm_states:
            raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='vm_state',
                                                   state=instance['vm_state'])
        if task_states is not None and instance['task_state'] not in task_states:
            raise compute_exc.InstanceInvalidState(action=action, uuid=uuid, attr='task_state',
                                                   state=instance['task_state'])
        if needs_host and not instance['host']:
            raise compute_exc.InstanceNotReady(uuid=uuid)

    @staticmethod
    def _check_lock(context, instance):
        if instance['locked'] and not context.is_admin_role:
            raise compute_exc.InstanceIsLocked(uuid=instance['uuid'])

    # -- metadata and tags (checked and changed with the instance's row locked) ----------

    def update_metadata(self, context, uuid, changes, replace=False, remove=None):
        """Merge ``changes`` into the server's metadata (all of it replaced
        with ``replace``; ``remove``: the key to drop, 404 if there is none),
        while it is changeable and idle and the project's metadata_items quota
        allows; the metadata afterwards."""
        action = 'delete metadata' if remove is not None else 'update metadata'
        with self.db.writer():
            instance = db_instances.get(self.db, uuid, lock=True)
            self._check_state(context, instance, action, CHANGEABLE_VM_STATES)
            wanted = {} if replace else dict(instance['metadata'])
            wanted.update(changes)
            if remove is not None:
                if remove not in wanted:
                    raise exception.NotFound('Metadata item was not found')
                del wanted[remove]
            self._check_metadata_quota(instance['project_id'], wanted)
            db_instances.set_metadata(self.db, uuid, wanted)
            return wanted

    def _tags_changeable(self, context, uuid, action):
        """The instance, its row locked, if its tags may change now (any task,
        locked or not: Nova checks only the vm_state)."""
        instance = db_instances.get(self.db, uuid, lock=True)
        self._check_state(context, instance, action, CHANGEABLE_VM_STATES, task_states=None,
                          check_lock=False)
        return instance

    def set_tags(self, context, uuid, tags):
        with self.db.writer():
            self._tags_changeable(context, uuid, 'update tags')
            db_instances.set_tags(self.db, uuid, set(tags))

    def add_tag(self, context, uuid, tag, max_tags):
        """Add one tag; False when the server had it already.  400 past ``max_tags``."""
        with self.db.writer():
            instance = self._tags_changeable(context, uuid, 'update tag')
            if tag in instance['tags']:
                return False
            if len(instance['tags']) >= max_tags:
                raise exception.BadRequest('The number of tags exceeded the per-server '
                                           'limit %d' % max_tags)
            return db_instances.add_tag(self.db, uuid, tag)

    def remove_tag(self, context, uuid, tag=None):
        """Drop one tag (404 if the server has none such), or every tag."""
        with self.db.writer():
            instance = self._tags_changeable(context, uuid,
                                             'delete tag' if tag is not None else 'delete tags')
            if tag is not None and tag not in instance['tags']:
                raise exception.NotFound("Server %s has no tag '%s'" % (uuid, tag))
            db_instances.set_tags(self.db, uuid, set(instance['tags']) - {tag}
                                  if tag is not None else set())

    def update(self, context, uuid, **values):
        """Change what ``PUT /servers/{id}`` may change (name, description,
        access IPs, hostname, from 2.104 the pinned zone); the instance as it
        is now."""
        instance = self.get(context, uuid)
        if 'availability_zone' in values:
            self._check_pin(instance, values['availability_zone'])
        if values:
            db_instances.update(self.db, uuid, **values)
        return self.get(context, uuid)

    def _check_pin(self, instance, zone):
        """2.104: a server is unpinned (None), or pinned to the zone it is in,
        and never moved from one pin to another without unpinning first."""
        pinned = instance['availability_zone']
        if zone is None or zone == pinned:
            return
        if pinned is not None:
            raise exception.Conflict('Server %s is pinned to availability zone %s: unpin it '
                                     'before pinning it to %s.' % (instance['uuid'], pinned, zone))
        current = self.host_zones().get(instance['host'])
        if zone != current:
            raise exception.Conflict('Server %s is in availability zone %s, not %s: it can '
                                     'only be pinned to the zone it is in.'
                                     % (instance['uuid'], current, zone))

    def delete(self, context, uuid):
        """Delete on the host, or here when no host holds the instance (never
        scheduled, shelved offloaded) or its host is down (Nova's local delete)."""
        instance = self.get(context, uuid)
        self._check_lock(context, instance)
        self.actions.start(context, uuid, 'delete')
        if instance['vm_state'] in (states.SHELVED, states.SHELVED_OFFLOADED):
            self._delete_shelved_image(context, instance)
        if instance['host'] is None and db_instances.destroy(self.db, uuid, unplaced_only=True):
            self._release_network(context, instance)
            return
        instance = self.get(context, uuid)  # a conductor may have placed it meanwhile
        if self.host_statuses().get(instance['host']) == 'DOWN':
            LOG.warning('Host %s of instance %s is down: deleting it locally',
                        instance['host'], uuid)
            db_instances.destroy(self.db, uuid)
            self._release_network(context, instance)
            return
        db_instances.update(self.db, uuid, task_state=states.DELETING)
        self.compute.terminate_instance(context, uuid, instance['host'])

    def _release_network(self, context, instance):
        if instance['network_info']:
            self.network.release(context, instance['network_info'], instance['uuid'])

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

    def rescue(self, context, uuid, rescue_image_ref=None):
        """Boot the server from a rescue image (its own image by default)
        with its disk attached; RESCUE until unrescued."""
        instance = self.get(context, uuid)
        image_ref = rescue_image_ref or instance['image_ref']
        try:
            image = self.images.get(context, image_ref)
        except exception.NotFound:
            raise exception.BadRequest('Image %s could not be found.' % image_ref)
        instance = self._act(context, uuid, 'rescue',
                             [states.ACTIVE, states.STOPPED, states.ERROR], states.RESCUING)
        self.compute.power_action(context, uuid, instance['host'], 'rescue',
                                  image=image_summary(image))

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
        self.actions.start(context, uuid, 'lock')
        db_instances.update(self.db, uuid, locked=True, locked_reason=reason,
                            locked_by='owner' if instance['project_id'] == context.project_id
                            else 'admin')

    def unlock(self, context, uuid):
        instance = self.get(context, uuid)
        if instance['locked'] and instance['locked_by'] == 'admin' and not context.is_admin_role:
            raise exception.Forbidden('Instance %s was locked by an admin.' % uuid)
        self.actions.start(context, uuid, 'unlock')
        db_instances.update(self.db, uuid, locked=False, locked_reason=None, locked_by=None)

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
            db_instances.update(self.db, uuid, expected_task_state=task_state, task_state=None)
            raise

    def snapshot(self, context, uuid, name, metadata=None):
        instance, image = self._act_with_image(
            context, uuid, 'createImage',
            [states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED],
            states.IMAGE_SNAPSHOT, name, metadata)
        self.compute.snapshot_instance(context, uuid, instance['host'], image['id'])
        return image

    def backup(self, context, uuid, name, backup_type, rotation, metadata=None):
        """createBackup: a snapshot marked as a ``backup_type`` backup; the
        host then keeps the newest ``rotation`` of that type, as Nova does."""
        properties = dict(metadata or {}, image_type='backup', backup_type=backup_type)
        instance, image = self._act_with_image(
            context, uuid, 'createBackup',
            [states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED],
            states.IMAGE_BACKUP, name, properties)
        self.compute.backup_instance(context, uuid, instance['host'], image['id'],
                                     backup_type, rotation)
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

    def unshelve(self, context, uuid, availability_zone=_UNSET, host=None):
        """Schedule the shelved server again: in the zone it is pinned to, or
        in ``availability_zone`` (2.77; the server is pinned to it from now
        on; None unpins it, 2.91), or on ``host`` (2.91, admins), which must
        be in the zone the server is (or is being) pinned to (400).  A zone or
        host is only for a shelved offloaded server (409 otherwise)."""
        instance = self.get(context, uuid)
        new_zone = availability_zone is not _UNSET
        if (new_zone or host) and instance['vm_state'] == states.SHELVED:
            raise exception.Conflict(
                'The unshelve action on instance %s with an availability zone or a host '
                'is only allowed when it is shelved offloaded; it is %s.'
                % (uuid, instance['vm_state']))
        if new_zone and availability_zone and \
                availability_zone not in self.availability_zones():
            raise exception.BadRequest('The requested availability zone is not available')
        zone = availability_zone if new_zone else instance['availability_zone']
        if host:
            self._check_requested_host(context, host, 'os-shelve:unshelve_to_host')
            if zone and self.host_zones().get(host) != zone:
                raise exception.BadRequest('Host %s is not in availability zone %s.'
                                           % (host, zone))
        instance = self._act(context, uuid, 'unshelve',
                             [states.SHELVED, states.SHELVED_OFFLOADED], states.UNSHELVING,
                             needs_host=False)
        if new_zone:
            db_instances.update(self.db, uuid, availability_zone=availability_zone)
        self.compute_task.unshelve_instance(context, uuid, {
            'flavor': instance['flavor'], 'availability_zone': zone,
            'image': {'id': instance['system_metadata'].get('shelved_image_id')},
            'force_host': host, 'instance_uuid': uuid,
            'instance_group': self._group_spec(uuid)})

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
        db_instances.update(self.db, uuid, image_ref=image['id'],
                            system_metadata=system_metadata, **values)
        if metadata is not None:
            db_instances.set_metadata(self.db, uuid, metadata)
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
        self.quotas.check_resize(instance, new_flavor)
        self._act(context, uuid, 'resize', [states.ACTIVE, states.STOPPED], states.RESIZE_PREP)
        try:
            # Checked again where the new flavor starts counting, so that
            # concurrent upsizes in the project cannot both pass.
            with self.db.writer():
                self.quotas.check_resize(instance, new_flavor)
                db_instances.update(self.db, uuid, new_flavor=new_flavor)
        except compute_exc.QuotaExceeded:
            db_instances.update(self.db, uuid, expected_task_state=states.RESIZE_PREP,
                                task_state=None)
            raise
        self.migrations.start(context, instance, 'resize', new_flavor)
        self.compute_task.resize_instance(context, uuid, {
            'flavor': new_flavor, 'availability_zone': instance['availability_zone'],
            'instance_uuid': uuid, 'instance_group': self._group_spec(uuid)}, new_flavor)

    def migrate(self, context, uuid, host=None):
        """Cold migration: a resize to the same flavor on another host (the
        scheduler's choice, or ``host``), then VERIFY_RESIZE until confirmed
        or reverted, as Nova does it."""
        instance = self.get(context, uuid)
        if host is not None:
            self._check_requested_host(context, host, 'os-migrate-server:migrate:host')
            if host == instance['host']:
                raise exception.BadRequest('The target host can\'t be the same one.')
        self._act(context, uuid, 'migrate', [states.ACTIVE, states.STOPPED],
                  states.RESIZE_PREP)
        db_instances.update(self.db, uuid, new_flavor=instance['flavor'])
        self.migrations.start(context, instance, 'migration', instance['flavor'])
        self.compute_task.resize_instance(context, uuid, {
            'flavor': instance['flavor'], 'availability_zone': instance['availability_zone'],
            'instance_uuid': uuid, 'instance_group': self._group_spec(uuid),
            'force_host': host}, instance['flavor'])

    def server_groups_of(self, uuid):
        return self.server_groups.groups_of([uuid])[uuid]

    def _group_spec(self, uuid):
        """The server group a move must respect, or None."""
        return self.server_groups.spec_of(uuid)

    def confirm_resize(self, context, uuid):
        instance = self._act(context, uuid, 'confirmResize', [states.RESIZED],
                             states.RESIZE_CONFIRMING)
        self.migrations.update(uuid, 'confirming')
        self.compute.confirm_resize(context, uuid,
                                    instance['system_metadata']['resize_source_host'])

    def revert_resize(self, context, uuid):
        instance = self._act(context, uuid, 'revertResize', [states.RESIZED],
                             states.RESIZE_REVERTING)
        self.migrations.update(uuid, 'reverting')
        self.compute.revert_resize(context, uuid, instance['host'])

    # -- interfaces (os-interface) -------------------------------------------------------

    def interfaces(self, context, uuid):
        """The ports of the server, as the Network service has them."""
        instance = self.get(context, uuid)
        if not self.network.configured():
            return []
        return self.network.ports_of(context, uuid, token=network_mod.token_for(context, instance))

    def interface(self, context, uuid, port_id):
        instance = self.get(context, uuid)
        try:
            port = self.network.get_port(context, port_id,
                                         token=network_mod.token_for(context, instance))
        except exception.NotFound:
            port = None
        if port is None or port.get('device_id') != uuid:
            raise exception.NotFound('Instance %s does not have a port with id %s'
                                     % (uuid, port_id))
        return port

    def _interface_change(self, context, uuid, action):
        """The server, if ports may be attached or detached now (running,
        stopped, paused or suspended, no task, not locked)."""
        instance = self._actionable(context, uuid, action, CHANGEABLE_VM_STATES)
        if not self.network.configured():
            raise exception.BadRequest('There is no Network service to attach ports from.')
        return instance

    def attach_interface(self, context, uuid, network_id=None, port_id=None, fixed_ip=None):
        """Give the server a port: the one named, or a new one on the network
        named (or on the one network it may use), bound to its host; the port."""
        instance = self._interface_change(context, uuid, 'attach_interface')
        if port_id:
            port = self.network.get_port(context, port_id)
            if port.get('device_id'):
                raise exception.Conflict('Port %s is still in use.' % port_id)
            request = {'port_id': port_id}
        else:
            if network_id:
                self.network.get_network(context, network_id)
            else:
                network = self._auto_network(context, False)
                if network is None:
                    raise exception.BadRequest('No network is available to attach to.')
                network_id = network['id']
            if fixed_ip is not None:
                try:
                    ipaddress.ip_address(fixed_ip)
                except ValueError:
                    raise exception.BadRequest('Invalid fixed IP address (%s)' % fixed_ip)
            request = {'network_id': network_id, 'fixed_ip': fixed_ip}
        self.actions.start(context, uuid, 'attach_interface')
        with actions.event(self.db, context, uuid, 'api_attach_interface', instance['host']):
            (vif,) = self.network.allocate(
                context, instance, [request], instance['host'],
                instance['system_metadata'].get('security_group_ids'))
            with self.db.writer():
                current = db_instances.get(self.db, uuid, lock=True)['network_info'] or []
                db_instances.update(self.db, uuid, network_info=[
                    v for v in current if v['id'] != vif['id']] + [vif])
        return self.network.get_port(context, vif['id'])

    def detach_interface(self, context, uuid, port_id):
        """Take a port from the server: deleted if it was made for it, unbound
        and kept if it was given."""
        instance = self._interface_change(context, uuid, 'detach_interface')
        vifs = [v for v in instance['network_info'] or () if v['id'] == port_id]
        if not vifs:
            raise exception.NotFound('Port %s is not attached' % port_id)
        self.actions.start(context, uuid, 'detach_interface')
        with actions.event(self.db, context, uuid, 'api_detach_interface', instance['host']):
            self.network.release(context, vifs)
            with self.db.writer():
                current = db_instances.get(self.db, uuid, lock=True)['network_info'] or []
                db_instances.update(self.db, uuid, network_info=[
                    v for v in current if v['id'] != port_id])

    # -- security groups -------------------------------------------------------------------

    def security_groups(self, context, uuid):
        """The security groups of the server's ports (Neutron's dicts)."""
        instance = self.get(context, uuid)
        if not self.network.configured():
            return []
        token = network_mod.token_for(context, instance)
        ports = self.network.ports_of(context, uuid, token=token)
        ids = sorted({g for p in ports for g in p.get('security_groups') or ()})
        if not ids:
            return []
        return self.network.list(context, 'security-groups', token=token, id=ids)

    def add_security_group(self, context, uuid, name):
        self._change_security_group(context, uuid, name, add=True)

    def remove_security_group(self, context, uuid, name):
        self._change_security_group(context, uuid, name, add=False)

    def _change_security_group(self, context, uuid, name, add):
        """Put every port of the server in the group, or take them all out."""
        instance = self.get(context, uuid)
        if not self.network.configured():
            raise exception.NotFound('Security group %s not found.' % name)
        group = self.network.security_group(context, name)
        if group is None:
            raise exception.NotFound('Security group %s not found.' % name)
        ports = self.network.ports_of(context, uuid,
                                      token=network_mod.token_for(context, instance))
        if not ports:
            raise exception.NotFound('instance_id %s could not be found as device id on any '
                                     'ports' % uuid)
        member = [p for p in ports if group['id'] in (p.get('security_groups') or ())]
        if add and len(member) == len(ports):
            raise exception.BadRequest('Security group %s is already associated with the '
                                       'instance %s' % (group['id'], uuid))
        if not add and not member:
            raise exception.BadRequest('Security group %s not associated with the instance %s'
                                       % (group['id'], uuid))
        if add and any(p.get('port_security_enabled') is False for p in ports):
            raise exception.BadRequest('Network requires port_security_enabled and subnet '
                                       'associated in order to apply security groups.')
        self.actions.start(context, uuid, 'addSecurityGroup' if add else 'removeSecurityGroup')
        for port in ports:
            groups = list(port.get('security_groups') or ())
            if add and group['id'] not in groups:
                groups.append(group['id'])
            elif not add and group['id'] in groups:
                groups.remove(group['id'])
            else:
                continue
            self.network.update_port(context, port['id'], {'security_groups': groups},
                                     token=network_mod.token_for(context, instance))
        system_metadata = dict(instance['system_metadata'])
        names = [n for n in system_metadata.get('security_groups') or []
                 if n not in (group['name'], group['id'])]
        ids = [i for i in system_metadata.get('security_group_ids') or [] if i != group['id']]
        if add:
            names.append(group['name'])
            ids.append(group['id'])
        db_instances.update(self.db, uuid, system_metadata=dict(
            system_metadata, security_groups=names, security_group_ids=ids))

    def console_output(self, context, uuid, length=None):
        instance = self.get(context, uuid)
        if not instance['host']:
            raise compute_exc.InstanceNotReady(uuid=uuid)
        return self.compute.get_console_output(context, uuid, instance['host'], length)

    # -- what other APIs read of instances ---------------------------------------------

    def launched_within(self, start, stop, project_id=None, limit=None, marker=None):
        """Instances that ran between ``start`` and ``stop``, deleted ones too,
        oldest first (os-simple-tenant-usage)."""
        return db_instances.launched_within(self.db, start, stop, project_id, limit, marker)

    def for_metadata(self, uuid):
        """(the instance, its key pair's type, its zone) for the metadata API;
        InstanceNotFound when there is none."""
        instance = db_instances.get(self.db, uuid)
        key_type = 'ssh'
        if instance['key_name']:
            keypair = self.service.keypairs.find(instance['user_id'], instance['key_name'])
            if keypair is not None and keypair['public_key'] == instance['key_data']:
                key_type = keypair['type']
        zone = instance['availability_zone']
        if not zone and instance['host']:
            zone = self.hosts.zone_of(instance['host'])
        return instance, key_type, zone

    def set_system_metadata(self, uuid, items):
        """Add ``items`` to the instance's system metadata (the metadata API
        keeps the password a guest posts there); False once it is deleted."""
        with self.db.writer():
            instance = db_instances.get(self.db, uuid, lock=True)
            return db_instances.update(self.db, uuid, system_metadata=dict(
                instance['system_metadata'] or {}, **items))


def _hostname(display_name):
    """A DNS-safe hostname from a display name, as Nova sanitizes it."""
    name = ''.join(c if c.isalnum() or c == '-' else '-' for c in display_name.lower())
    return name.strip('-')[:63] or 'server'
