"""qcow2 disks as pocketstack meets them: the Image service reads an
upload's virtual size from its header (image/core/data.py), and an empty
disk made in memory is the data of the default image ``up`` registers
(image/default_image.py) and of the fake hypervisor's snapshots
(compute/virt/fake.py) — 256 KiB on disk, 1 GiB virtual."""
import struct

MAGIC = b'QFI\xfb'
CLUSTER_BITS = 16
CLUSTER = 1 << CLUSTER_BITS
VIRTUAL_SIZE = 1 << 30


def empty(virtual_size=VIRTUAL_SIZE):
    """An empty qcow2 (version 2) disk: header, refcount table and block, L1 table."""
    l2_coverage = CLUSTER * (CLUSTER // 8)
    l1_size = -(-virtual_size // l2_coverage)
    header = struct.pack('>4sIQIIQIIQQIIQ', MAGIC, 2, 0, 0, CLUSTER_BITS, virtual_size,
                         0, l1_size, 3 * CLUSTER, CLUSTER, 1, 0, 0)
    refcount_table = struct.pack('>Q', 2 * CLUSTER)
    refcount_block = struct.pack('>4H', 1, 1, 1, 1)  # clusters 0-3 are in use
    clusters = [header, refcount_table, refcount_block, b'']
    return b''.join(c.ljust(CLUSTER, b'\0') for c in clusters)


def virtual_size(head):
    """The virtual size a qcow2 header (its first 32 bytes or more) gives;
    None when ``head`` is not a qcow2 header."""
    if len(head) < 32 or head[:4] != MAGIC:
        return None
    return struct.unpack('>Q', head[24:32])[0]
