"""nova-compute: one ComputeManager per host, the RPC server of
``compute.<host>``, driving that host's hypervisor.

It reports the host's capacity (a ``compute_nodes`` row) and a heartbeat
(``services.last_seen_up``) every ``report_interval`` seconds; the scheduler
only places servers on hosts whose heartbeat is recent.

Every operation runs inside an instance-action event (``compute_<method>``),
so ``openstack server event list`` shows which host did what and how it
ended; one that fails has its task state undone and its fault recorded
(Nova's ``reverts_task_state`` and ``wrap_instance_fault``).  State changes
name the task state they expect, so an operation that lost a race (the
server was deleted meanwhile) stops instead of resurrecting it.
"""
import contextlib
import logging
import threading

import sqlalchemy as sa

from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import instances
from pocketstack.compute import migrations
from pocketstack.compute import server_groups
from pocketstack.compute import states
from pocketstack.compute import virt
from pocketstack.compute.db import models

LOG = logging.getLogger(__name__)

# The service's binary as Nova names it: clients look hosts up by it
# (`openstack compute service set HOST nova-compute`).
BINARY = 'nova-compute'


class ComputeManager:

    def __init__(self, service, host):
        self.service = service
        self.conf = service.conf
        self.db = service.db
        self.host = host
        self.driver = virt.load(self.conf, host)
        self.images = service.images
        self.network = service.network
        self.conductor = service.conductor_rpcapi
        self.compute_rpcapi = service.compute_rpcapi
        self._stop = threading.Event()
        self._reporter = None

    # -- the host's place in the cloud ---------------------------------------------

    def start(self):
        """Register the host and its hypervisor, then heartbeat in a thread."""
        self.report()
        self._reporter = threading.Thread(target=self._report_loop, daemon=True,
                                          name='heartbeat-%s' % self.host)
        self._reporter.start()

    def stop(self):
        self._stop.set()

    def _report_loop(self):
        while not self._stop.wait(self.conf.report_interval):
            try:
                self.report()
            except Exception:  # noqa: BLE001 - a missed heartbeat is logged, not fatal
                LOG.exception('Could not report the state of host %s', self.host)

    def report(self):
        resources = self.driver.get_available_resource()
        now = utils.utcnow()
        with self.db.writer() as session:
            svc = session.scalar(sa.select(models.Service).where(
                models.Service.host == self.host, models.Service.binary == BINARY))
            if svc is None:
                svc = models.Service(uuid=utils.new_id(dashes=True), host=self.host,
                                     binary=BINARY, topic='compute',
                                     availability_zone=self.conf.default_availability_zone)
                session.add(svc)
            svc.last_seen_up = now
            svc.updated_at = now
            svc.report_count = (svc.report_count or 0) + 1
            node = session.scalar(sa.select(models.ComputeNode).where(
                models.ComputeNode.hypervisor_hostname == resources['hypervisor_hostname']))
            if node is None:
                node = models.ComputeNode(uuid=utils.new_id(dashes=True), host=self.host,
                                          hypervisor_hostname=resources['hypervisor_hostname'])
                session.add(node)
            node.vcpus = resources['vcpus']
            node.memory_mb = resources['memory_mb']
            node.local_gb = resources['local_gb']
            node.hypervisor_type = resources['hypervisor_type']
            node.cpu_allocation_ratio = self.conf.cpu_allocation_ratio
            node.ram_allocation_ratio = self.conf.ram_allocation_ratio
            node.disk_allocation_ratio = self.conf.disk_allocation_ratio
            node.updated_at = now

    # -- building ------------------------------------------------------------------

    def build_and_run_instance(self, context, instance_uuid, request_spec, excluded_hosts,
                               attempt):
        """Seed 004's last hop: the driver spawns the guest.  A failure here is
        rescheduled on another host while attempts remain."""
        try:
            with instances.event(self.db, context, instance_uuid,
                                 'compute_build_and_run_instance', self.host):
                self._build(context, instance_uuid, request_spec)
        except compute_exc.InstanceNotFound:
            instances.release_allocations(self.db, instance_uuid)
        except Exception as e:  # noqa: BLE001 - any failure ends in reschedule or ERROR
            self._build_failed(context, instance_uuid, request_spec, excluded_hosts, attempt, e)

    def _build(self, context, uuid, request_spec):
        """Networking (ports created or bound here, before the guest
        exists), then the spawn.  A failure gives the ports back: those made
        for the server are deleted, those it was given unbound."""
        if not instances.update(self.db, uuid, expected_task_state=states.SCHEDULING,
                                task_state=states.NETWORKING):
            raise compute_exc.InstanceNotFound(uuid=uuid)  # deleted meanwhile
        instance = instances.get(self.db, uuid)
        network_info = self._allocate_network(context, instance)
        try:
            for expected, task in ((states.NETWORKING, states.BLOCK_DEVICE_MAPPING),
                                   (states.BLOCK_DEVICE_MAPPING, states.SPAWNING)):
                if not instances.update(self.db, uuid, expected_task_state=expected,
                                        task_state=task):
                    raise compute_exc.InstanceNotFound(uuid=uuid)
            instance = dict(instance, network_info=network_info)
            self.driver.spawn(instance, request_spec.get('image') or {}, instance['flavor'])
            if not instances.update(self.db, uuid, expected_task_state=states.SPAWNING,
                                    vm_state=states.ACTIVE, task_state=None,
                                    power_state=states.RUNNING, launched_at=utils.utcnow()):
                self.driver.destroy(instance)
                raise compute_exc.InstanceNotFound(uuid=uuid)
        except BaseException:
            if network_info:
                self.network.release(context, network_info)
                instances.update(self.db, uuid, network_info=[])
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
        if not instances.update(self.db, instance['uuid'], expected_task_state=states.NETWORKING,
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
        instances.release_allocations(self.db, uuid)
        try:
            self.driver.destroy(instances.get(self.db, uuid))
        except compute_exc.InstanceNotFound:
            return
        retry = isinstance(error, compute_exc.BuildFailed) and \
            attempt < self.conf.scheduler.max_attempts
        if retry and instances.update(self.db, uuid, vm_state=states.BUILDING,
                                      task_state=states.SCHEDULING, host=None, node=None):
            LOG.warning('Build of %s failed on %s (%s); rescheduling', uuid, self.host,
                        getattr(error, 'message', error))
            self.conductor.build_instances(context, [uuid], request_spec,
                                           excluded_hosts=excluded_hosts, attempt=attempt + 1)
            return
        if isinstance(error, compute_exc.BuildFailed) and attempt > 1:
            error = compute_exc.retries_exhausted(uuid)
        LOG.error('Build of %s failed on %s: %s', uuid, self.host,
                  getattr(error, 'message', error))
        instances.fail(self.db, uuid, error, host=self.host, vm_state=states.ERROR,
                       task_state=None, power_state=states.NOSTATE)

    @contextlib.contextmanager
    def _operation(self, context, uuid, method):
        """Run one operation on an instance as the event ``compute_<method>``.
        Failures end here: the RPC message was a cast, nobody waits for it."""
        try:
            with instances.event(self.db, context, uuid, 'compute_%s' % method, self.host):
                yield
        except compute_exc.InstanceNotFound:
            LOG.info('Instance %s was deleted during %s', uuid, method)
        except Exception as e:  # noqa: BLE001 - recorded on the instance, as Nova does
            LOG.exception('%s of instance %s failed on %s', method, uuid, self.host)
            instances.fail(self.db, uuid, e, host=self.host, task_state=None)

    def terminate_instance(self, context, instance_uuid):
        with self._operation(context, instance_uuid, 'terminate_instance'):
            instance = instances.get(self.db, instance_uuid)
            self.driver.destroy(instance)
            if instance['network_info']:
                self.network.release(context, instance['network_info'], instance_uuid)
            mark_deleted(self.db, instance_uuid)

    # -- power ---------------------------------------------------------------------

    def _power(self, context, uuid, method, expected_task, driver_call, vm_state, power_state,
               **kwargs):
        with self._operation(context, uuid, method):
            instance = instances.get(self.db, uuid)
            driver_call(instance, **kwargs)
            instances.update(self.db, uuid, expected_task_state=expected_task, task_state=None,
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
            instance = instances.get(self.db, instance_uuid)
            instances.update(self.db, instance_uuid, expected_task_state=states.IMAGE_SNAPSHOT,
                             task_state=states.IMAGE_UPLOADING)
            self._upload_snapshot(context, instance, image_id)
            instances.update(self.db, instance_uuid, expected_task_state=states.IMAGE_UPLOADING,
                             task_state=None)

    def backup_instance(self, context, instance_uuid, image_id, backup_type, rotation):
        """A snapshot as a backup, then the oldest backups of its type beyond
        ``rotation`` deleted (0 keeps none, not even this one).  The new one
        counts first: created_at has one-second steps, so ties are likely."""
        with self._operation(context, instance_uuid, 'backup_instance'):
            instance = instances.get(self.db, instance_uuid)
            instances.update(self.db, instance_uuid, expected_task_state=states.IMAGE_BACKUP,
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
            instances.update(self.db, instance_uuid, expected_task_state=states.IMAGE_UPLOADING,
                             task_state=None)

    def shelve_instance(self, context, instance_uuid, image_id):
        """Snapshot to the Image service as ``<name>-shelved``, power off, then
        offload at once (``shelved_offload_time = 0``, Nova's default)."""
        with self._operation(context, instance_uuid, 'shelve_instance'):
            instance = instances.get(self.db, instance_uuid)
            instances.update(self.db, instance_uuid, expected_task_state=states.SHELVING,
                             task_state=states.SHELVING_IMAGE_UPLOADING)
            self._upload_snapshot(context, instance, image_id)
            self.driver.power_off(instance)
            system_metadata = dict(instance['system_metadata'], shelved_image_id=image_id,
                                   shelved_host=self.host,
                                   shelved_at=utils.utcnow().isoformat())
            instances.update(self.db, instance_uuid, vm_state=states.SHELVED,
                             task_state=states.SHELVING_OFFLOADING, power_state=states.SHUTDOWN,
                             system_metadata=system_metadata)
            self.shelve_offload_instance(context, instance_uuid)

    def shelve_offload_instance(self, context, instance_uuid):
        with self._operation(context, instance_uuid, 'shelve_offload_instance'):
            instance = instances.get(self.db, instance_uuid)
            self.driver.destroy(instance)
            instances.release_allocations(self.db, instance_uuid)
            self._bind_ports(context, instance, '')
            instances.update(self.db, instance_uuid, vm_state=states.SHELVED_OFFLOADED,
                             task_state=None, power_state=states.SHUTDOWN, host=None, node=None)

    def unshelve_instance(self, context, instance_uuid, node):
        """Spawn the shelved server from its snapshot here; if that fails it
        stays shelved offloaded, with nothing held on this host."""
        with self._operation(context, instance_uuid, 'unshelve_instance'):
            instance = instances.get(self.db, instance_uuid)
            image_id = instance['system_metadata'].get('shelved_image_id')
            instances.update(self.db, instance_uuid, host=self.host, node=node,
                             task_state=states.SPAWNING)
            try:
                image = self.images.get(context, image_id) if image_id else {}
                self._bind_ports(context, instance, self.host)
                self.driver.spawn(instance, image, instance['flavor'])
            except Exception:
                self.driver.destroy(instance)
                instances.release_allocations(self.db, instance_uuid)
                instances.update(self.db, instance_uuid, host=None, node=None)
                self._bind_ports(context, instance, '')
                raise
            system_metadata = {k: v for k, v in instance['system_metadata'].items()
                               if not k.startswith('shelved_')}
            instances.update(self.db, instance_uuid, vm_state=states.ACTIVE, task_state=None,
                             power_state=states.RUNNING, system_metadata=system_metadata)
            if image_id:
                # As Nova: the shelve snapshot has served its purpose.
                self.images.delete(context, image_id)

    def rebuild_instance(self, context, instance_uuid, image_ref):
        """Respawn from the new image; a stopped server stays stopped, and one
        whose respawn fails goes to ERROR (its old guest is gone)."""
        with self._operation(context, instance_uuid, 'rebuild_instance'):
            instance = instances.get(self.db, instance_uuid)
            image = self.images.get(context, image_ref)
            self.driver.destroy(instance)
            instances.update(self.db, instance_uuid, task_state=states.REBUILD_SPAWNING)
            try:
                self.driver.spawn(instance, image, instance['flavor'])
            except Exception:
                instances.update(self.db, instance_uuid, vm_state=states.ERROR,
                                 power_state=states.NOSTATE)
                raise
            stopped = instance['vm_state'] == states.STOPPED
            if stopped:
                self.driver.power_off(instance)
            instances.update(self.db, instance_uuid,
                             vm_state=states.STOPPED if stopped else states.ACTIVE,
                             power_state=states.SHUTDOWN if stopped else states.RUNNING,
                             task_state=None, launched_at=utils.utcnow())

    # -- resize (prep on the destination, resize on the source, finish on the destination)

    def prep_resize(self, context, instance_uuid, node, new_flavor):
        with self._operation(context, instance_uuid, 'prep_resize'):
            instance = instances.get(self.db, instance_uuid)
            instances.update(self.db, instance_uuid, task_state=states.RESIZE_MIGRATING,
                             new_flavor=new_flavor)
            self.compute_rpcapi.resize_instance(context, instance_uuid, instance['host'],
                                                self.host, node)

    def resize_instance(self, context, instance_uuid, dest_host, dest_node):
        with self._operation(context, instance_uuid, 'resize_instance'), \
                migrations.step(self.db, instance_uuid, 'migrating'):
            instance = instances.get(self.db, instance_uuid)
            self.driver.power_off(instance)
            instances.update(self.db, instance_uuid, task_state=states.RESIZE_FINISH)
            self.compute_rpcapi.finish_resize(context, instance_uuid, dest_host, self.host)

    def finish_resize(self, context, instance_uuid, source_host):
        """Start the guest with the new flavor here (powered off again if the
        server was stopped); the source keeps its guest until confirm or revert."""
        with self._operation(context, instance_uuid, 'finish_resize'), \
                migrations.step(self.db, instance_uuid, 'post-migrating', 'finished'):
            instance = instances.get(self.db, instance_uuid)
            resized = dict(instance, flavor=instance['new_flavor'])
            try:
                self._bind_ports(context, instance, self.host)
                self.driver.spawn(resized, {}, instance['new_flavor'])
            except Exception:
                instances.update(self.db, instance_uuid, vm_state=states.ERROR)
                raise
            stopped = instance['vm_state'] == states.STOPPED
            if stopped:
                self.driver.power_off(resized)
            instances.update(
                self.db, instance_uuid, vm_state=states.RESIZED, task_state=None,
                power_state=states.SHUTDOWN if stopped else states.RUNNING,
                host=self.host, node=self.host,
                old_flavor=instance['flavor'], flavor=instance['new_flavor'], new_flavor=None,
                system_metadata=dict(instance['system_metadata'], resize_source_host=source_host,
                                     resize_old_vm_state=instance['vm_state']))

    def confirm_resize(self, context, instance_uuid):
        """On the source: forget the old guest and its claim; the destination's
        claim becomes the instance's."""
        with self._operation(context, instance_uuid, 'confirm_resize'), \
                migrations.step(self.db, instance_uuid, 'confirming', 'confirmed'):
            instance = instances.get(self.db, instance_uuid)
            self.driver.destroy(instance)
            with self.db.writer() as session:
                session.execute(sa.delete(models.Allocation)
                                .where(models.Allocation.consumer_id == instance_uuid))
                session.execute(sa.update(models.Allocation)
                                .where(models.Allocation.consumer_id == 'resize-' + instance_uuid)
                                .values(consumer_id=instance_uuid))
            instances.update(self.db, instance_uuid, vm_state=_vm_state_before_resize(instance),
                             task_state=None, old_flavor=None,
                             system_metadata=_without_resize_keys(instance))

    def revert_resize(self, context, instance_uuid):
        """On the destination: drop the new guest and its claim, then the
        source restarts the old one."""
        with self._operation(context, instance_uuid, 'revert_resize'), \
                migrations.step(self.db, instance_uuid, 'reverting'):
            instance = instances.get(self.db, instance_uuid)
            self.driver.destroy(instance)
            instances.release_allocations(self.db, 'resize-' + instance_uuid)
            self.compute_rpcapi.finish_revert_resize(
                context, instance_uuid, instance['system_metadata']['resize_source_host'])

    def finish_revert_resize(self, context, instance_uuid):
        with self._operation(context, instance_uuid, 'finish_revert_resize'), \
                migrations.step(self.db, instance_uuid, 'reverting', 'reverted'):
            instance = instances.get(self.db, instance_uuid)
            vm_state = _vm_state_before_resize(instance)
            self._bind_ports(context, instance, self.host)
            if vm_state == states.ACTIVE:
                self.driver.power_on(dict(instance, flavor=instance['old_flavor']))
            instances.update(self.db, instance_uuid, vm_state=vm_state, task_state=None,
                             power_state=states.RUNNING if vm_state == states.ACTIVE
                             else states.SHUTDOWN,
                             host=self.host, node=self.host,
                             flavor=instance['old_flavor'], old_flavor=None,
                             system_metadata=_without_resize_keys(instance))

    # -- console -------------------------------------------------------------------

    def get_console_output(self, context, instance_uuid, length=None):
        text = self.driver.get_console_output(instances.get(self.db, instance_uuid))
        if length is not None:
            text = '\n'.join(text.splitlines()[-length:]) + '\n' if length else ''
        return text


def _vm_state_before_resize(instance):
    return instance['system_metadata'].get('resize_old_vm_state') or states.ACTIVE


def _without_resize_keys(instance):
    return {k: v for k, v in instance['system_metadata'].items() if not k.startswith('resize_')}


def mark_deleted(db, uuid, unplaced_only=False):
    """Soft-delete an instance (Nova's ``deleted = id``) and release its
    claims; True if it was deleted now.  ``unplaced_only``: only while no
    host holds it (the API deleting a server that is still being scheduled)."""
    now = utils.utcnow()
    with db.writer() as session:
        row = session.scalar(sa.select(models.Instance).where(models.Instance.uuid == uuid)
                             .with_for_update())
        if row is None or row.deleted or (unplaced_only and row.host is not None):
            return False
        row.deleted = row.id
        row.vm_state = states.DELETED
        row.task_state = None
        row.power_state = states.NOSTATE
        row.deleted_at = row.terminated_at = row.updated_at = now
        session.execute(sa.delete(models.Allocation).where(
            models.Allocation.consumer_id.in_([uuid, 'resize-' + uuid])))
        server_groups.leave(session, uuid)
        return True
