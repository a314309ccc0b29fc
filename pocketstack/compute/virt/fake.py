"""The fake hypervisor: guests are entries in a dict.

Capacity comes from ``[fake_driver]`` (vcpus, memory_mb, local_gb) and a
spawn takes ``[fake_driver] spawn_time`` seconds.  Failures can be injected
for testing a client's error paths, through the flavor's extra specs or the
server's metadata (metadata wins):

    fake:spawn_fail = true          every spawn fails → rescheduled, then ERROR
    fake:spawn_fail_on_host = HOST  spawns fail on that host only (a reschedule succeeds)
    fake:spawn_time = SECONDS       this server's spawn takes that long (a stall)

Each guest keeps a console log (``fake_console.py``): a boot on spawn, start,
reboot, rescue and unrescue, a shutdown before a soft reboot or a stop.
"""
import datetime
import logging
import threading
import time

from pocketstack.common import qcow2
from pocketstack.common import utils
from pocketstack.compute import exception as compute_exc
from pocketstack.compute import states
from pocketstack.compute import virt
from pocketstack.compute.virt import fake_console

LOG = logging.getLogger(__name__)

# Nova's libvirt driver answers with at most the last 100 KiB of the log.
MAX_CONSOLE_BYTES = 100 * 1024


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

    def _console(self, instance, lines, power_state=None):
        """Append to the guest's console log (made on first use: a guest the
        hypervisor lost with the process takes power changes all the same)."""
        with self._lock:
            guest = self._guests.setdefault(instance['uuid'],
                                            {'power_state': states.NOSTATE, 'console': []})
            console = guest['console']
            console.extend(lines)
            # Only the newest part is kept, as a real console log rotates.
            while len(console) > 1 and sum(len(line) + 1 for line in console) > \
                    MAX_CONSOLE_BYTES:
                del console[:len(console) // 10 or 1]
            if power_state is not None:
                guest['power_state'] = power_state

    def _boot(self, instance, image=None):
        name = fake_console.image_name(instance, image)
        self._console(instance, fake_console.boot(instance, name, utils.utcnow()),
                      states.RUNNING)

    def spawn(self, instance, image, flavor):
        uuid = instance['uuid']
        if str(_setting(instance, flavor, 'spawn_fail')).lower() in ('true', '1', 'yes'):
            raise compute_exc.BuildFailed(uuid=uuid, reason='fake:spawn_fail is set')
        if _setting(instance, flavor, 'spawn_fail_on_host') == self.host:
            raise compute_exc.BuildFailed(uuid=uuid,
                                          reason='fake:spawn_fail_on_host is %s' % self.host)
        delay = _setting(instance, flavor, 'spawn_time')
        time.sleep(float(delay) if delay is not None else self.conf.fake_driver.spawn_time)
        self._boot(instance, image)

    def destroy(self, instance):
        with self._lock:
            self._guests.pop(instance['uuid'], None)

    def power_off(self, instance):
        self._console(instance, fake_console.shutdown(power_off=True), states.SHUTDOWN)

    def power_on(self, instance):
        self._boot(instance)

    def reboot(self, instance, reboot_type):
        if reboot_type != 'HARD':   # a soft reboot asks the guest, which shuts down first
            self._console(instance, fake_console.shutdown(power_off=False))
        self._boot(instance)

    # A paused or suspended guest prints nothing: its memory is frozen or saved.
    def pause(self, instance):
        self._console(instance, [], states.POWER_PAUSED)

    def unpause(self, instance):
        self._console(instance, [], states.RUNNING)

    def suspend(self, instance):
        self._console(instance, [], states.POWER_SUSPENDED)

    def resume(self, instance):
        self._console(instance, [], states.RUNNING)

    def rescue(self, instance, image):
        self._boot(instance, image)

    def unrescue(self, instance):
        self._boot(instance)

    def snapshot(self, instance):
        return iter([qcow2.empty()])

    def get_console_output(self, instance):
        with self._lock:
            guest = self._guests.get(instance['uuid'])
            if guest:
                return '\n'.join(guest['console']) + '\n'
        return _console_of_lost_guest(instance)

    def list_instance_uuids(self):
        with self._lock:
            return list(self._guests)


def _console_of_lost_guest(instance):
    """The log of a server whose guest this process never ran (``up``
    restarted; see ComputeManager._init_instance): its last boot, written
    again from the record, and its stop if it is stopped."""
    power_state = instance.get('power_state') or states.NOSTATE
    if power_state == states.NOSTATE:
        return ''
    when = instance.get('launched_at') or instance.get('created_at') or utils.utcnow()
    if isinstance(when, str):
        when = datetime.datetime.fromisoformat(when.replace('Z', '+00:00'))
    lines = fake_console.boot(instance, fake_console.image_name(instance), when)
    if power_state == states.SHUTDOWN:
        lines += fake_console.shutdown(power_off=True)
    return '\n'.join(lines) + '\n'
