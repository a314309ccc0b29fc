"""Where image bytes live: the store driver interface (glance_store's role).

A driver is chosen by ``[glance_store] default_store`` among the entry points
of ``pocketstack.image.stores``.  The contract every driver keeps:

* ``add`` consumes an iterator of chunks and makes the data visible only
  once all of it is written (an atomic rename for files); if the iterator
  raises — broken connection, size cap, checksum — nothing is left behind;
* ``get`` streams, never reading a whole image into memory;
* ``delete`` of missing data is not an error;
* ``discard_partial`` removes what an ``add`` a crash cut short left, if
  the driver can leave anything.

Hashing and size limits are not the driver's business: core/data.py wraps
the chunks before they reach it.
"""
import abc

NAMESPACE = 'pocketstack.image.stores'
CHUNK_SIZE = 64 * 1024


class Store(abc.ABC):
    """One place image data can be kept."""

    name = None

    @abc.abstractmethod
    def add(self, image_id, chunks):
        """Write ``chunks`` as the data of ``image_id``; return its location URI."""

    @abc.abstractmethod
    def get(self, location, offset=0, length=None):
        """Iterate over the bytes at ``location`` from ``offset``, ``length`` of them
        (all when None)."""

    @abc.abstractmethod
    def delete(self, location):
        """Remove the data at ``location``, if it is still there."""

    def discard_partial(self, image_id):
        """Remove whatever an ``add`` of ``image_id`` that a crash cut short
        left behind (the image is not active: its data is not wanted)."""

    def info(self):
        """This store as ``GET /v2/info/stores`` lists it."""
        return {'id': self.name, 'description': self.__doc__.strip().splitlines()[0]}


def load(conf):
    from stevedore import driver
    manager = driver.DriverManager(NAMESPACE, conf.glance_store.default_store,
                                   invoke_on_load=True, invoke_args=(conf,))
    return manager.driver
