"""Nova's state model: ``vm_state`` (what the instance is), ``task_state``
(what is being done to it), ``power_state`` (what the hypervisor says), and
the API ``status`` derived from the first two."""

# vm_state
ACTIVE, BUILDING, PAUSED, SUSPENDED, STOPPED = 'active', 'building', 'paused', 'suspended', 'stopped'
RESIZED, DELETED, ERROR = 'resized', 'deleted', 'error'
SHELVED, SHELVED_OFFLOADED, RESCUED = 'shelved', 'shelved_offloaded', 'rescued'

# power_state
NOSTATE, RUNNING, POWER_PAUSED, SHUTDOWN, CRASHED, POWER_SUSPENDED = 0, 1, 3, 4, 6, 7

# task_state
SCHEDULING, NETWORKING, BLOCK_DEVICE_MAPPING, SPAWNING = (
    'scheduling', 'networking', 'block_device_mapping', 'spawning')
DELETING, POWERING_OFF, POWERING_ON = 'deleting', 'powering-off', 'powering-on'
REBOOTING, REBOOTING_HARD = 'rebooting', 'rebooting_hard'
PAUSING, UNPAUSING, SUSPENDING, RESUMING = 'pausing', 'unpausing', 'suspending', 'resuming'
IMAGE_SNAPSHOT, IMAGE_BACKUP, IMAGE_UPLOADING = 'image_snapshot', 'image_backup', 'image_uploading'
SHELVING, SHELVING_IMAGE_UPLOADING, SHELVING_OFFLOADING, UNSHELVING = (
    'shelving', 'shelving_image_uploading', 'shelving_offloading', 'unshelving')
RESCUING, UNRESCUING = 'rescuing', 'unrescuing'
REBUILDING, REBUILD_SPAWNING = 'rebuilding', 'rebuild_spawning'
RESIZE_PREP, RESIZE_MIGRATING, RESIZE_FINISH = 'resize_prep', 'resize_migrating', 'resize_finish'
RESIZE_REVERTING, RESIZE_CONFIRMING = 'resize_reverting', 'resize_confirming'

_RESIZING = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_FINISH, 'resize_migrated')
_REBUILDING = (REBUILDING, REBUILD_SPAWNING, 'rebuild_block_device_mapping')

# vm_state → {task_state: status}; None is the status with any other task.
_STATUS = {
    ACTIVE: dict({None: 'ACTIVE', REBOOTING: 'REBOOT', 'reboot_pending': 'REBOOT',
                  'reboot_started': 'REBOOT', REBOOTING_HARD: 'HARD_REBOOT',
                  'reboot_pending_hard': 'HARD_REBOOT', 'reboot_started_hard': 'HARD_REBOOT',
                  'updating_password': 'PASSWORD', 'migrating': 'MIGRATING',
                  RESIZE_REVERTING: 'REVERT_RESIZE'},
                 **{t: 'RESIZE' for t in _RESIZING}, **{t: 'REBUILD' for t in _REBUILDING}),
    BUILDING: {None: 'BUILD'},
    STOPPED: dict({None: 'SHUTOFF'}, **{t: 'RESIZE' for t in _RESIZING},
                  **{t: 'REBUILD' for t in _REBUILDING}),
    RESIZED: {None: 'VERIFY_RESIZE', RESIZE_REVERTING: 'REVERT_RESIZE'},
    PAUSED: {None: 'PAUSED', 'migrating': 'MIGRATING'},
    SUSPENDED: {None: 'SUSPENDED'},
    RESCUED: {None: 'RESCUE'},
    ERROR: dict({None: 'ERROR'}, **{t: 'REBUILD' for t in _REBUILDING}),
    DELETED: {None: 'DELETED'},
    'soft-delete': {None: 'SOFT_DELETED'},
    SHELVED: {None: 'SHELVED'},
    SHELVED_OFFLOADED: {None: 'SHELVED_OFFLOADED'},
}


def status(vm_state, task_state=None):
    by_task = _STATUS.get(vm_state, {None: 'UNKNOWN'})
    return by_task.get(task_state, by_task[None])


def is_status(name):
    """Whether ``name`` is an API status some state shows."""
    return any(name.upper() in by_task.values() for by_task in _STATUS.values())


def task_states_for(statuses):
    """What a filter on API ``statuses`` means, as [(vm_state, task states
    shown as one of them, others)]: ``others`` is None when only those task
    states are, else the task states that are *not* (any other task, or
    none, is)."""
    wanted = {s.upper() for s in statuses}
    result = []
    for vm_state, by_task in _STATUS.items():
        tasks = sorted(t for t, shown in by_task.items() if t is not None and shown in wanted)
        if by_task[None] in wanted:
            result.append((vm_state, tasks, sorted(
                t for t, shown in by_task.items() if t is not None and shown not in wanted)))
        elif tasks:
            result.append((vm_state, tasks, None))
    return result
