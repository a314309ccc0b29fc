"""Hypervisor drivers: what a compute host asks of its hypervisor.

A driver is chosen by ``compute_driver`` among the entry points of
``pocketstack.compute.drivers`` (``fake`` today).  The compute manager calls
it; it never touches the database or the bus.
"""
import abc

NAMESPACE = 'pocketstack.compute.drivers'


class ComputeDriver(abc.ABC):

    def __init__(self, conf, host):
        self.conf = conf
        self.host = host

    @abc.abstractmethod
    def get_available_resource(self):
        """{'vcpus', 'memory_mb', 'local_gb', 'hypervisor_type', 'hypervisor_hostname'}."""

    @abc.abstractmethod
    def spawn(self, instance, image, flavor):
        """Create and start the guest; raise BuildFailed if it cannot be built here."""

    @abc.abstractmethod
    def destroy(self, instance):
        """Stop and remove the guest (gone already is fine)."""

    @abc.abstractmethod
    def power_off(self, instance):
        """Stop the guest."""

    @abc.abstractmethod
    def power_on(self, instance):
        """Start the guest."""

    @abc.abstractmethod
    def reboot(self, instance, reboot_type):
        """SOFT or HARD."""

    @abc.abstractmethod
    def pause(self, instance):
        """Freeze the guest in memory."""

    @abc.abstractmethod
    def unpause(self, instance):
        """Undo pause."""

    @abc.abstractmethod
    def suspend(self, instance):
        """Save the guest's memory to disk and stop it."""

    @abc.abstractmethod
    def resume(self, instance):
        """Undo suspend."""

    @abc.abstractmethod
    def rescue(self, instance, image):
        """Boot the guest from ``image`` with its own disk attached."""

    @abc.abstractmethod
    def unrescue(self, instance):
        """Boot the guest from its own disk again."""

    @abc.abstractmethod
    def snapshot(self, instance):
        """The guest's root disk as an iterator of chunks."""

    @abc.abstractmethod
    def get_console_output(self, instance):
        """The guest's console log as text."""

    @abc.abstractmethod
    def list_instance_uuids(self):
        """The instances whose guests this hypervisor holds."""


def load(conf, host):
    from stevedore import driver
    return driver.DriverManager(NAMESPACE, conf.compute_driver, invoke_on_load=True,
                                invoke_args=(conf, host)).driver
