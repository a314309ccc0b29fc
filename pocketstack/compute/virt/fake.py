"""The fake hypervisor: guests are entries in a dict.

Capacity comes from ``[fake_driver]`` (vcpus, memory_mb, local_gb) and a
spawn takes ``[fake_driver] spawn_time`` seconds.  Failures can be injected
for testing a client's error paths, through the flavor's extra specs or the
server's metadata (metadata wins):

    fake:spawn_fail = true          every spawn fails → rescheduled, then ERROR
    fake:spawn_fail_on_host = HOST  spawns fail on that host only (a reschedule succeeds)
    fake:spawn_time = SECONDS       this server's spawn takes that long (a stall)
"""
import logging
import threading
import time

from pocketstack.common import qcow2
from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import states
from pocketstack.compute import virt

LOG = logging.getLogger(__name__)


def _setting(instance, flavor, name):
    key = 'fake:' + name
    value = instance['metadata'].get(key)
    return value if value is not None else (flavor.get('extra_specs') or {}).get(key)


class FakeDriver(virt.ComputeDriver):

    def __init__(self, conf, host):
        super().__init__(conf, host)
        self._guests = {}
        self._lock = threading.Lock()

    def get_available_resource(self):
        options = self.conf.fake_driver
        return {'vcpus': options.vcpus, 'memory_mb': options.memory_mb,
                'local_gb': options.local_gb, 'hypervisor_type': 'fake',
                'hypervisor_hostname': self.host}

    def _log(self, uuid, line):
        with self._lock:
            guest = self._guests.setdefault(uuid, {'power_state': states.NOSTATE, 'console': []})
            guest['console'].append('[%s] %s' % (utils.utcnow().isoformat(), line))

    def _set_power(self, instance, power_state, line):
        self._log(instance['uuid'], line)
        self._guests[instance['uuid']]['power_state'] = power_state

    def spawn(self, instance, image, flavor):
        uuid = instance['uuid']
        if str(_setting(instance, flavor, 'spawn_fail')).lower() in ('true', '1', 'yes'):
            raise compute_exc.BuildFailed(uuid=uuid, reason='fake:spawn_fail is set')
        if _setting(instance, flavor, 'spawn_fail_on_host') == self.host:
            raise compute_exc.BuildFailed(uuid=uuid,
                                          reason='fake:spawn_fail_on_host is %s' % self.host)
        delay = _setting(instance, flavor, 'spawn_time')
        time.sleep(float(delay) if delay is not None else self.conf.fake_driver.spawn_time)
        self._log(uuid, 'Booting from image %s on fake hypervisor %s'
                  % (image.get('name') or image.get('id'), self.host))
        self._log(uuid, 'login as \'cirros\' user. default password: \'gocubsgo\'. '
                        'use \'sudo\' for root.')
        self._set_power(instance, states.RUNNING, '%s login:' % (instance.get('hostname')
                                                               or 'fake'))

    def destroy(self, instance):
        with self._lock:
            self._guests.pop(instance['uuid'], None)

    def power_off(self, instance):
        self._set_power(instance, states.SHUTDOWN, 'reboot: Power down')

    def power_on(self, instance):
        self._set_power(instance, states.RUNNING, 'Booting (power on)')

    def reboot(self, instance, reboot_type):
        self._set_power(instance, states.RUNNING, 'Rebooting (%s)' % reboot_type)

    def pause(self, instance):
        self._set_power(instance, states.POWER_PAUSED, 'Paused')

    def unpause(self, instance):
        self._set_power(instance, states.RUNNING, 'Unpaused')

    def suspend(self, instance):
        self._set_power(instance, states.POWER_SUSPENDED, 'Suspended to disk')

    def resume(self, instance):
        self._set_power(instance, states.RUNNING, 'Resumed')

    def rescue(self, instance, image):
        self._set_power(instance, states.RUNNING, 'Rescue: booting from image %s'
                        % (image.get('name') or image.get('id')))

    def unrescue(self, instance):
        self._set_power(instance, states.RUNNING, 'Unrescue: booting from the root disk')

    def snapshot(self, instance):
        self._log(instance['uuid'], 'Snapshot taken')
        return iter([qcow2.empty()])

    def get_console_output(self, instance):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            return '\n'.join(guest['console']) + '\n' if guest else ''

    def list_instance_uuids(self):
        with self._lock:
            return list(self._guests)
