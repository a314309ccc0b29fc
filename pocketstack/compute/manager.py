"""nova-compute: one ComputeManager per host, the RPC server of
``compute.<host>``, driving that host's hypervisor.

A compute host never opens the database (it has no ``[database]`` to open):
everything it reads or saves — its instances, their action events and
faults, claims, moves and its own heartbeat — goes through the conductor
over RPC (conductor/rpcapi.ConductorAPI), as Nova's compute hosts save their
objects through nova-conductor.

It reports the host's capacity (a ``compute_nodes`` row) and a heartbeat
(``services.last_seen_up``) every ``report_interval`` seconds; the scheduler
only places servers on hosts whose heartbeat is recent.

When it starts — after its first heartbeat, before its RPC server consumes
— it looks over the instances the conductor has on this host and puts each
one a crash left mid-operation into a true state (Nova's ``init_host``):
builds go to ERROR with a fault (their claim and ports released), deletes
are finished, power changes done again, resizes this host was the source of
rolled back, and any other task state cleared (:meth:`init_host`).

Every operation runs inside an instance-action event (``compute_<method>``),
so ``openstack server event list`` shows which host did what and how it
ended; one that fails has its task state undone and its fault recorded
(Nova's ``reverts_task_state`` and ``wrap_instance_fault``).  State changes
name the task state they expect, so an operation that lost a race (the
server was deleted meanwhile) stops instead of resurrecting it.
"""
import contextlib
import functools
import logging
import threading

from pocketstack.common import context as ctx_mod
from pocketstack.common import rpc
from pocketstack.common import utils
from pocketstack.compute import events
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import image
from pocketstack.compute import network
from pocketstack.compute import rpcapi
from pocketstack.compute import states
from pocketstack.compute import virt
from pocketstack.compute.conductor import rpcapi as conductor_rpcapi

LOG = logging.getLogger(__name__)

_ANY = object()
WAIT_FOR_CONDUCTOR_S = 10   # how long the first heartbeat waits before saying so


class ComputeManager:
    """RPC API versions (compute/rpcapi.py):

    1.0 - the first versioned API
    """

    target = rpc.Target(version='1.0')

    def __init__(self, conf, host):
        self.conf = conf
        self.host = host
        self.driver = virt.load(conf, host)
        self.images = image.ImageClient(conf)
        self.network = network.NetworkClient(conf)
        self.conductor = conductor_rpcapi.ConductorAPI(conf)
        self.compute_task = conductor_rpcapi.ComputeTaskAPI(conf)
        self.compute_rpcapi = rpcapi.ComputeAPI(conf)
        self._stop = threading.Event()
        self._reporter = None

    # -- the host's place in the cloud ---------------------------------------------

    def start(self):
        """Register the host and its hypervisor (waiting for a conductor to
        answer, as nova-compute does), heartbeat in a thread, and look over
        what an earlier run left (:meth:`init_host`).  The RPC server starts
        consuming only after this returns (processes.RpcService.start)."""
        while not self._stop.is_set():
            try:
                self.report(timeout=WAIT_FOR_CONDUCTOR_S)
                break
            except rpc.MessagingTimeout:
                LOG.warning('Host %s is waiting for a conductor to answer on topic %s',
                            self.host, conductor_rpcapi.TOPIC)
        # Heartbeats go on meanwhile: releasing many ports can take a while.
        self._reporter = threading.Thread(target=self._report_loop, daemon=True,
                                          name='heartbeat-%s' % self.host)
        self._reporter.start()
        if not self._stop.is_set():
            self.init_host()

    def stop(self):
        self._stop.set()

    def _report_loop(self):
        while not self._stop.wait(self.conf.report_interval):
            try:
                self.report()
            except Exception:  # noqa: BLE001 - a missed heartbeat is logged, not fatal
                LOG.exception('Could not report the state of host %s', self.host)

    def report(self, timeout=None):
        ratios = {'%s_allocation_ratio' % r: getattr(self.conf, '%s_allocation_ratio' % r)
                  for r in ('cpu', 'ram', 'disk')}
        self.conductor.host_report(ctx_mod.admin_context(), self.host,
                                   self.conf.default_availability_zone,
                                   self.driver.get_available_resource(), ratios,
                                   timeout=timeout)

    # -- after a restart (Nova's init_host and _init_instance) ------------------------

    def init_host(self):
        """Put each instance of this host that a crash left mid-operation into
        a true state.  No message reaches this host meanwhile, so nothing
        races with it here but the API (a delete, say), which every save
        below expects the state it found and stops on."""
        context = ctx_mod.admin_context()
        instances = self.conductor.instances_on_host(context, self.host)
        for instance in instances:
            if self._stop.is_set():
                return
            try:
                self._init_instance(context, instance)
            except compute_exc.InstanceNotFound:
                pass   # deleted meanwhile
            except Exception:  # noqa: BLE001 - one instance must not keep the host down
                LOG.exception('Could not recover instance %s on %s', instance['uuid'],
                              self.host)
        LOG.info('Host %s looked over its %d instances', self.host, len(instances))

    def _init_instance(self, context, instance):
        """One instance, by what it was doing.  An ACTIVE (or stopped,
        paused…) instance doing nothing stays as it is, although the fake
        hypervisor lost its guest with the process: a real one outlives the
        compute service, and Nova trusts the guest it finds.  The fake driver
        takes power changes on a guest it has no entry for, so such a server
        still stops, starts and deletes, and writes its console log again
        from the record."""
        uuid, task = instance['uuid'], instance['task_state']
        # Power changes are done again, so the vm_state becomes what was asked.
        redo = {
            states.POWERING_OFF: self.stop_instance, states.POWERING_ON: self.start_instance,
            states.REBOOTING: functools.partial(self.reboot_instance, reboot_type='SOFT'),
            states.REBOOTING_HARD: functools.partial(self.reboot_instance, reboot_type='HARD'),
            states.PAUSING: self.pause_instance, states.UNPAUSING: self.unpause_instance,
            states.SUSPENDING: self.suspend_instance, states.RESUMING: self.resume_instance,
            states.UNRESCUING: self.unrescue_instance,
            states.SHELVING_OFFLOADING: self.shelve_offload_instance,
        }
        if task == states.DELETING:
            LOG.info('Instance %s was being deleted; finishing the delete', uuid)
            self.terminate_instance(context, uuid)
        elif instance['vm_state'] == states.BUILDING:
            self._build_interrupted(context, instance)
        elif task in redo:
            LOG.info('Instance %s was %s; doing it again', uuid, task)
            redo[task](context, uuid)
        elif task in (states.RESIZE_PREP, states.RESIZE_MIGRATING, states.RESIZE_FINISH):
            self._resize_interrupted(context, instance)
        elif task in (states.RESIZE_CONFIRMING, states.RESIZE_REVERTING):
            # This host is the destination; the source does the confirm or
            # finishes the revert, and both claims stay until it does.  A
            # message to it may have died with this process (the all-in-one
            # bus), so the server awaits confirmation again; one still
            # queued at the source ends the move as asked.
            LOG.info('Instance %s was %s; it awaits confirmation again', uuid, task)
            if self._save(context, uuid, expected_task_state=task, task_state=None):
                self.conductor.migration_update(context, uuid, 'finished')
        elif task in (states.REBUILDING, states.REBUILD_SPAWNING):
            # Its guest was being replaced: nothing true can be said but ERROR.
            self._interrupted(context, instance, 'Rebuild', vm_state=states.ERROR,
                              power_state=states.NOSTATE)
        elif instance['vm_state'] == states.SHELVED_OFFLOADED and task is not None:
            self._unshelve_interrupted(context, instance)
        elif task is not None:
            # Snapshots, backups, a shelve's upload, a rescue: the server is as
            # it was; the task is dropped (the user may ask again).
            LOG.info('Instance %s was %s; clearing the task', uuid, task)
            self._save(context, uuid, expected_task_state=task, task_state=None)

    def _interrupted(self, context, instance, operation, **values):
        """``values`` saved, with the fault saying this host restarted, if the
        instance still has the task it had when the host looked."""
        error = compute_exc.OperationInterrupted(
            operation=operation, uuid=instance['uuid'],
            reason='compute host %s restarted during the %s' % (self.host,
                                                                operation.lower()))
        LOG.warning('%s; it is now %s', error.message, values.get('vm_state', 'idle'))
        values.update(expected_task_state=instance['task_state'], task_state=None)
        self._fail(context, instance['uuid'], error, **values)

    def _build_interrupted(self, context, instance):
        """ERROR, its claim and its ports given back: the addresses go back
        to the pool and no port keeps pointing at a guest that never was."""
        uuid = instance['uuid']
        self.driver.destroy(instance)
        self.conductor.allocations_release(context, uuid)
        if instance['network_info'] or instance['system_metadata'].get('network_request'):
            # Also by device_id: a port made just before the crash may not be
            # in the saved network info yet.
            self.network.release(context, instance['network_info'], uuid)
            self._save(context, uuid, network_info=[])
        self._interrupted(context, instance, 'Build', vm_state=states.ERROR,
                          power_state=states.NOSTATE, expected_vm_state=states.BUILDING)

    def _resize_interrupted(self, context, instance):
        """A resize this host is the source of, not finished: undone — the
        new flavor's claim released, the ports bound here again, the move's
        record in error, the server as it was before."""
        uuid = instance['uuid']
        LOG.info('Instance %s was resizing (%s); rolling it back', uuid, instance['task_state'])
        self.conductor.allocations_release(context, 'resize-' + uuid)
        self._bind_ports(context, instance, self.host)
        self.conductor.migration_update(context, uuid, 'error')
        running = instance['vm_state'] == states.ACTIVE
        if running:
            self.driver.power_on(instance)   # resize_instance had powered it off
        self._save(context, uuid, expected_task_state=instance['task_state'], task_state=None,
                   new_flavor=None, power_state=states.RUNNING if running else states.SHUTDOWN)

    def _unshelve_interrupted(self, context, instance):
        """An unshelve this host had begun: the server stays shelved
        offloaded with nothing held here, as when the spawn fails."""
        uuid = instance['uuid']
        LOG.info('Instance %s was being unshelved here; it stays shelved offloaded', uuid)
        self.driver.destroy(instance)
        self.conductor.allocations_release(context, uuid)
        self._bind_ports(context, instance, '')
        self._save(context, uuid, expected_task_state=instance['task_state'], task_state=None,
                   host=None, node=None)

    # -- what the conductor keeps for this host -------------------------------------

    def _get(self, context, uuid):
        return self.conductor.instance_get(context, uuid)

    def _save(self, context, uuid, expected_task_state=_ANY, expected_vm_state=_ANY,
              returning=False, **values):
        """Save ``values`` if the instance is still in the expected states;
        whether it was — with ``returning``, the instance as it is now, or None."""
        expected = {k: v for k, v in (('task_state', expected_task_state),
                                      ('vm_state', expected_vm_state)) if v is not _ANY}
        return self.conductor.instance_update(context, uuid, values, expected, returning)

    def _fail(self, context, uuid, error, **values):
        """``values`` and the fault ``error`` leaves, saved together."""
        return self.conductor.instance_fail(context, uuid, events.fault_of(error), self.host,
                                            values)

    def _event(self, context, uuid, name):
        return events.recorded(
            lambda: self.conductor.event_start(context, uuid, name, self.host),
            lambda event_id, trace: self.conductor.event_finish(context, event_id, trace))

    def _migration_step(self, context, uuid, status, done_status=None):
        return events.migration_step(
            lambda now: self.conductor.migration_update(context, uuid, now), status,
            done_status)

    # -- building ------------------------------------------------------------------

    def build_and_run_instance(self, context, instance_uuid, request_spec, excluded_hosts,
                               attempt):
        """Seed 004's last hop: the driver spawns the guest.  A failure here is
        rescheduled on another host while attempts remain."""
        try:
            with self._event(context, instance_uuid, 'compute_build_and_run_instance'):
                self._build(context, instance_uuid, request_spec)
        except compute_exc.InstanceNotFound:
            self.conductor.allocations_release(context, instance_uuid)
        except Exception as e:  # noqa: BLE001 - any failure ends in reschedule or ERROR
            self._build_failed(context, instance_uuid, request_spec, excluded_hosts, attempt, e)

    def _build(self, context, uuid, request_spec):
        """Networking (ports created or bound here, before the guest
        exists), then the spawn.  A failure gives the ports back: those made
        for the server are deleted, those it was given unbound."""
        instance = self._save(context, uuid, expected_task_state=states.SCHEDULING,
                              returning=True, task_state=states.NETWORKING)
        if instance is None:
            raise compute_exc.InstanceNotFound(uuid=uuid)  # deleted meanwhile
        network_info = self._allocate_network(context, instance)
        try:
            for expected, task in ((states.NETWORKING, states.BLOCK_DEVICE_MAPPING),
                                   (states.BLOCK_DEVICE_MAPPING, states.SPAWNING)):
                if not self._save(context, uuid, expected_task_state=expected,
                                  task_state=task):
                    raise compute_exc.InstanceNotFound(uuid=uuid)
            instance = dict(instance, network_info=network_info)
            self.driver.spawn(instance, request_spec.get('image') or {}, instance['flavor'])
            if not self._save(context, uuid, expected_task_state=states.SPAWNING,
                              vm_state=states.ACTIVE, task_state=None,
                              power_state=states.RUNNING, launched_at=utils.utcnow()):
                self.driver.destroy(instance)
                raise compute_exc.InstanceNotFound(uuid=uuid)
        except BaseException:
            if network_info:
                self.network.release(context, network_info)
                self._save(context, uuid, network_info=[])
            raise
        LOG.info('Instance %s spawned on %s', uuid, self.host)

    def _allocate_network(self, context, instance):
        """The ports the boot asked for, made or taken and bound to this
        host; the network info, saved on the instance."""
        requests = instance['system_metadata'].get('network_request') or []
        if not requests:
            return []
        network_info = self.network.allocate(
            context, instance, requests, self.host,
            instance['system_metadata'].get('security_group_ids'))
        if not self._save(context, instance['uuid'], expected_task_state=states.NETWORKING,
                          network_info=network_info):
            self.network.release(context, network_info)
            raise compute_exc.InstanceNotFound(uuid=instance['uuid'])
        LOG.info('Instance %s has ports %s', instance['uuid'],
                 ', '.join(vif['id'] for vif in network_info))
        return network_info

    def _bind_ports(self, context, instance, host):
        """Bind the server's ports to ``host`` ('' unbinds: it has none)."""
        if instance['network_info']:
            self.network.bind_all(context, instance['network_info'], host)

    def _build_failed(self, context, uuid, request_spec, excluded_hosts, attempt, error):
        self.conductor.allocations_release(context, uuid)
        try:
            self.driver.destroy(self._get(context, uuid))
        except compute_exc.InstanceNotFound:
            return
        retry = isinstance(error, compute_exc.BuildFailed) and \
            attempt < self.conf.scheduler.max_attempts
        if retry and self._save(context, uuid, vm_state=states.BUILDING,
                                task_state=states.SCHEDULING, host=None, node=None):
            LOG.warning('Build of %s failed on %s (%s); rescheduling', uuid, self.host,
                        getattr(error, 'message', error))
            self.compute_task.build_instances(context, [uuid], request_spec,
                                              excluded_hosts=excluded_hosts, attempt=attempt + 1)
            return
        if isinstance(error, compute_exc.BuildFailed) and attempt > 1:
            error = compute_exc.retries_exhausted(uuid)
        LOG.error('Build of %s failed on %s: %s', uuid, self.host,
                  getattr(error, 'message', error))
        self._fail(context, uuid, error, vm_state=states.ERROR,
                   task_state=None, power_state=states.NOSTATE)

    @contextlib.contextmanager
    def _operation(self, context, uuid, method):
        """Run one operation on an instance as the event ``compute_<method>``.
        Failures end here: the RPC message was a cast, nobody waits for it."""
        try:
            with self._event(context, uuid, 'compute_%s' % method):
                yield
        except compute_exc.InstanceNotFound:
            LOG.info('Instance %s was deleted during %s', uuid, method)
        except Exception as e:  # noqa: BLE001 - recorded on the instance, as Nova does
            LOG.exception('%s of instance %s failed on %s', method, uuid, self.host)
            self._fail(context, uuid, e, task_state=None)

    def terminate_instance(self, context, instance_uuid):
        with self._operation(context, instance_uuid, 'terminate_instance'):
            instance = self._get(context, instance_uuid)
            self.driver.destroy(instance)
            if instance['network_info']:
                self.network.release(context, instance['network_info'], instance_uuid)
            self.conductor.instance_destroy(context, instance_uuid)

    # -- power ---------------------------------------------------------------------

    def _power(self, context, uuid, method, expected_task, driver_call, vm_state, power_state,
               **kwargs):
        with self._operation(context, uuid, method):
            instance = self._get(context, uuid)
            driver_call(instance, **kwargs)
            self._save(context, uuid, expected_task_state=expected_task, task_state=None,
                       vm_state=vm_state, power_state=power_state)

    def stop_instance(self, context, instance_uuid):
        self._power(context, instance_uuid, 'stop_instance', states.POWERING_OFF,
                    self.driver.power_off, states.STOPPED, states.SHUTDOWN)

    def start_instance(self, context, instance_uuid):
        self._power(context, instance_uuid, 'start_instance', states.POWERING_ON,
                    self.driver.power_on, states.ACTIVE, states.RUNNING)

    def reboot_instance(self, context, instance_uuid, reboot_type='SOFT'):
        expected = states.REBOOTING_HARD if reboot_type == 'HARD' else states.REBOOTING
        self._power(context, instance_uuid, 'reboot_instance', expected, self.driver.reboot,
                    states.ACTIVE, states.RUNNING, reboot_type=reboot_type)

    def pause_instance(self, context, instance_uuid):
        self._power(context, instance_uuid, 'pause_instance', states.PAUSING, self.driver.pause,
                    states.PAUSED, states.POWER_PAUSED)

    def unpause_instance(self, context, instance_uuid):
        self._power(context, instance_uuid, 'unpause_instance', states.UNPAUSING,
                    self.driver.unpause, states.ACTIVE, states.RUNNING)

    def suspend_instance(self, context, instance_uuid):
        self._power(context, instance_uuid, 'suspend_instance', states.SUSPENDING,
                    self.driver.suspend, states.SUSPENDED, states.POWER_SUSPENDED)

    def resume_instance(self, context, instance_uuid):
        self._power(context, instance_uuid, 'resume_instance', states.RESUMING,
                    self.driver.resume, states.ACTIVE, states.RUNNING)

    def rescue_instance(self, context, instance_uuid, image):
        self._power(context, instance_uuid, 'rescue_instance', states.RESCUING,
                    self.driver.rescue, states.RESCUED, states.RUNNING, image=image)

    def unrescue_instance(self, context, instance_uuid):
        self._power(context, instance_uuid, 'unrescue_instance', states.UNRESCUING,
                    self.driver.unrescue, states.ACTIVE, states.RUNNING)

    # -- images --------------------------------------------------------------------

    def _upload_snapshot(self, context, instance, image_id):
        """Fill the image the API created; on failure delete it, as Nova does,
        so no half-made snapshot is left in the Image service."""
        try:
            self.images.upload(context, image_id, self.driver.snapshot(instance))
        except Exception:
            self.images.delete(context, image_id)
            raise

    def snapshot_instance(self, context, instance_uuid, image_id):
        with self._operation(context, instance_uuid, 'snapshot_instance'):
            instance = self._get(context, instance_uuid)
            self._save(context, instance_uuid, expected_task_state=states.IMAGE_SNAPSHOT,
                       task_state=states.IMAGE_UPLOADING)
            self._upload_snapshot(context, instance, image_id)
            self._save(context, instance_uuid, expected_task_state=states.IMAGE_UPLOADING,
                       task_state=None)

    def backup_instance(self, context, instance_uuid, image_id, backup_type, rotation):
        """A snapshot as a backup, then the oldest backups of its type beyond
        ``rotation`` deleted (0 keeps none, not even this one).  The new one
        counts first: created_at has one-second steps, so ties are likely."""
        with self._operation(context, instance_uuid, 'backup_instance'):
            instance = self._get(context, instance_uuid)
            self._save(context, instance_uuid, expected_task_state=states.IMAGE_BACKUP,
                       task_state=states.IMAGE_UPLOADING)
            self._upload_snapshot(context, instance, image_id)
            backups = self.images.list(context, {
                'instance_uuid': instance_uuid, 'image_type': 'backup',
                'backup_type': backup_type, 'sort_key': 'created_at', 'sort_dir': 'desc'})
            # The new one first; the rest stay newest first (the sort is stable).
            backups.sort(key=lambda image: image['id'] != image_id)
            for old in backups[rotation:]:
                LOG.info('Rotating out backup %s of instance %s', old['id'], instance_uuid)
                self.images.delete(context, old['id'])
            self._save(context, instance_uuid, expected_task_state=states.IMAGE_UPLOADING,
                       task_state=None)

    def shelve_instance(self, context, instance_uuid, image_id):
        """Snapshot to the Image service as ``<name>-shelved``, power off, then
        offload at once (``shelved_offload_time = 0``, Nova's default)."""
        with self._operation(context, instance_uuid, 'shelve_instance'):
            instance = self._get(context, instance_uuid)
            self._save(context, instance_uuid, expected_task_state=states.SHELVING,
                       task_state=states.SHELVING_IMAGE_UPLOADING)
            self._upload_snapshot(context, instance, image_id)
            self.driver.power_off(instance)
            system_metadata = dict(instance['system_metadata'], shelved_image_id=image_id,
                                   shelved_host=self.host,
                                   shelved_at=utils.utcnow().isoformat())
            self._save(context, instance_uuid, vm_state=states.SHELVED,
                       task_state=states.SHELVING_OFFLOADING, power_state=states.SHUTDOWN,
                       system_metadata=system_metadata)
            self.shelve_offload_instance(context, instance_uuid)

    def shelve_offload_instance(self, context, instance_uuid):
        with self._operation(context, instance_uuid, 'shelve_offload_instance'):
            instance = self._get(context, instance_uuid)
            self.driver.destroy(instance)
            self.conductor.allocations_release(context, instance_uuid)
            self._bind_ports(context, instance, '')
            self._save(context, instance_uuid, vm_state=states.SHELVED_OFFLOADED,
                       task_state=None, power_state=states.SHUTDOWN, host=None, node=None)

    def unshelve_instance(self, context, instance_uuid, node):
        """Spawn the shelved server from its snapshot here; if that fails it
        stays shelved offloaded, with nothing held on this host."""
        with self._operation(context, instance_uuid, 'unshelve_instance'):
            instance = self._get(context, instance_uuid)
            image_id = instance['system_metadata'].get('shelved_image_id')
            self._save(context, instance_uuid, host=self.host, node=node,
                       task_state=states.SPAWNING)
            try:
                image = self.images.get(context, image_id) if image_id else {}
                self._bind_ports(context, instance, self.host)
                self.driver.spawn(instance, image, instance['flavor'])
            except Exception:
                self.driver.destroy(instance)
                self.conductor.allocations_release(context, instance_uuid)
                self._save(context, instance_uuid, host=None, node=None)
                self._bind_ports(context, instance, '')
                raise
            system_metadata = {k: v for k, v in instance['system_metadata'].items()
                               if not k.startswith('shelved_')}
            self._save(context, instance_uuid, vm_state=states.ACTIVE, task_state=None,
                       power_state=states.RUNNING, system_metadata=system_metadata)
            if image_id:
                # As Nova: the shelve snapshot has served its purpose.
                self.images.delete(context, image_id)

    def rebuild_instance(self, context, instance_uuid, image_ref):
        """Respawn from the new image; a stopped server stays stopped, and one
        whose respawn fails goes to ERROR (its old guest is gone)."""
        with self._operation(context, instance_uuid, 'rebuild_instance'):
            instance = self._get(context, instance_uuid)
            image = self.images.get(context, image_ref)
            self.driver.destroy(instance)
            self._save(context, instance_uuid, task_state=states.REBUILD_SPAWNING)
            try:
                self.driver.spawn(instance, image, instance['flavor'])
            except Exception:
                self._save(context, instance_uuid, vm_state=states.ERROR,
                           power_state=states.NOSTATE)
                raise
            stopped = instance['vm_state'] == states.STOPPED
            if stopped:
                self.driver.power_off(instance)
            self._save(context, instance_uuid,
                       vm_state=states.STOPPED if stopped else states.ACTIVE,
                       power_state=states.SHUTDOWN if stopped else states.RUNNING,
                       task_state=None, launched_at=utils.utcnow())

    # -- resize (prep on the destination, resize on the source, finish on the destination)

    def prep_resize(self, context, instance_uuid, node, new_flavor):
        with self._operation(context, instance_uuid, 'prep_resize'):
            instance = self._get(context, instance_uuid)
            if not self._save(context, instance_uuid, expected_task_state=states.RESIZE_PREP,
                              task_state=states.RESIZE_MIGRATING, new_flavor=new_flavor):
                # The source rolled the resize back (it restarted meanwhile).
                self.conductor.allocations_release(context, 'resize-' + instance_uuid)
                raise compute_exc.InstanceNotFound(uuid=instance_uuid)
            self.compute_rpcapi.resize_instance(context, instance_uuid, instance['host'],
                                                self.host, node)

    def resize_instance(self, context, instance_uuid, dest_host, dest_node):
        with self._operation(context, instance_uuid, 'resize_instance'), \
                self._migration_step(context, instance_uuid, 'migrating'):
            instance = self._get(context, instance_uuid)
            self.driver.power_off(instance)
            self._save(context, instance_uuid, task_state=states.RESIZE_FINISH)
            self.compute_rpcapi.finish_resize(context, instance_uuid, dest_host, self.host)

    def finish_resize(self, context, instance_uuid, source_host):
        """Start the guest with the new flavor here (powered off again if the
        server was stopped); the source keeps its guest until confirm or revert."""
        with self._operation(context, instance_uuid, 'finish_resize'), \
                self._migration_step(context, instance_uuid, 'post-migrating', 'finished'):
            instance = self._get(context, instance_uuid)
            resized = dict(instance, flavor=instance['new_flavor'])
            try:
                self._bind_ports(context, instance, self.host)
                self.driver.spawn(resized, {}, instance['new_flavor'])
            except Exception:
                self._save(context, instance_uuid, vm_state=states.ERROR)
                raise
            stopped = instance['vm_state'] == states.STOPPED
            if stopped:
                self.driver.power_off(resized)
            if not self._save(context, instance_uuid, expected_task_state=states.RESIZE_FINISH,
                              vm_state=states.RESIZED, task_state=None,
                              power_state=states.SHUTDOWN if stopped else states.RUNNING,
                              host=self.host, node=self.host, old_flavor=instance['flavor'],
                              flavor=instance['new_flavor'], new_flavor=None,
                              system_metadata=dict(instance['system_metadata'],
                                                   resize_source_host=source_host,
                                                   resize_old_vm_state=instance['vm_state'])):
                # The source rolled the resize back (it restarted meanwhile).
                self.driver.destroy(resized)
                self._bind_ports(context, instance, source_host)
                raise compute_exc.InstanceNotFound(uuid=instance_uuid)

    def confirm_resize(self, context, instance_uuid):
        """On the source: forget the old guest and its claim; the destination's
        claim becomes the instance's."""
        with self._operation(context, instance_uuid, 'confirm_resize'):
            instance = self._get(context, instance_uuid)
            if _done_already(instance):
                return
            with self._migration_step(context, instance_uuid, 'confirming', 'confirmed'):
                self.driver.destroy(instance)
                self.conductor.allocations_confirm_resize(context, instance_uuid)
                self._save(context, instance_uuid, vm_state=_vm_state_before_resize(instance),
                           task_state=None, old_flavor=None,
                           system_metadata=_without_resize_keys(instance))

    def revert_resize(self, context, instance_uuid):
        """On the destination: drop the new guest, then the source restarts
        the old one and gives back the new flavor's claim (held until then,
        so a revert cut short still leaves a resize that can be confirmed)."""
        with self._operation(context, instance_uuid, 'revert_resize'), \
                self._migration_step(context, instance_uuid, 'reverting'):
            instance = self._get(context, instance_uuid)
            self.driver.destroy(instance)
            self.compute_rpcapi.finish_revert_resize(
                context, instance_uuid, instance['system_metadata']['resize_source_host'])

    def finish_revert_resize(self, context, instance_uuid):
        with self._operation(context, instance_uuid, 'finish_revert_resize'):
            instance = self._get(context, instance_uuid)
            if _done_already(instance):
                return
            with self._migration_step(context, instance_uuid, 'reverting', 'reverted'):
                vm_state = _vm_state_before_resize(instance)
                self._bind_ports(context, instance, self.host)
                if vm_state == states.ACTIVE:
                    self.driver.power_on(dict(instance, flavor=instance['old_flavor']))
                self.conductor.allocations_release(context, 'resize-' + instance_uuid)
                self._save(context, instance_uuid, vm_state=vm_state, task_state=None,
                           power_state=states.RUNNING if vm_state == states.ACTIVE
                           else states.SHUTDOWN,
                           host=self.host, node=self.host,
                           flavor=instance['old_flavor'], old_flavor=None,
                           system_metadata=_without_resize_keys(instance))

    # -- console -------------------------------------------------------------------

    @rpc.expected_exceptions(compute_exc.InstanceNotFound)
    def get_console_output(self, context, instance_uuid, length=None):
        text = self.driver.get_console_output(self._get(context, instance_uuid))
        if length is not None:
            text = '\n'.join(text.splitlines()[-length:]) + '\n' if length else ''
        return text


def _done_already(instance):
    """Whether a confirm or revert finds the resize over: asked twice (the
    user again, after the destination restarted), and the first one ended it."""
    if instance['vm_state'] == states.RESIZED:
        return False
    LOG.info('Instance %s has no resize to end (it is %s)', instance['uuid'],
             instance['vm_state'])
    return True


def _vm_state_before_resize(instance):
    return instance['system_metadata'].get('resize_old_vm_state') or states.ACTIVE


def _without_resize_keys(instance):
    return {k: v for k, v in instance['system_metadata'].items() if not k.startswith('resize_')}
