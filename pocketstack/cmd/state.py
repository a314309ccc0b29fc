"""What ``pocketstack up`` keeps in its state directory for the other
commands (``up --detach``, ``down``, ``status``) and for a second ``up``:

    up.lock   held (flock) by the running ``up`` for its whole life, so a
              second ``up`` on the directory refuses instead of rewriting
              the first one's catalog and clouds.yaml; the kernel drops it
              when the process dies, however it dies.  It holds the pid.
    up.json   the running cloud: pid, endpoints and files, written once every
              API answers (``ready``) and removed on a clean stop.
    up.log    the output of a detached ``up``.
"""
import fcntl
import json
import os
import tempfile

LOCK_FILE = 'up.lock'
RUN_FILE = 'up.json'
LOG_FILE = 'up.log'


class InUse(Exception):
    """Another ``up`` holds the state directory."""

    def __init__(self, state_dir, pid):
        self.state_dir, self.pid = state_dir, pid
        super().__init__('the state directory %s is in use by pocketstack up%s; stop it '
                         'first (pocketstack down --state-dir %s) or choose another '
                         '--state-dir' % (state_dir, ' (pid %s)' % pid if pid else '',
                                          state_dir))


def lock(state_dir):
    """Take the state directory for this process (InUse when another holds
    it); the open file must stay referenced for as long as the lock should."""
    os.makedirs(state_dir, exist_ok=True)
    handle = open(os.path.join(state_dir, LOCK_FILE), 'a+')
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise InUse(state_dir, holder(state_dir))
    handle.truncate(0)
    handle.write('%d\n' % os.getpid())
    handle.flush()
    return handle


def holder(state_dir):
    """The pid of the live ``up`` holding the state directory, or None."""
    path = os.path.join(state_dir, LOCK_FILE)
    if not os.path.exists(path):
        return None
    with open(path, 'a+') as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def write_run(state_dir, info):
    """Atomically: ``status`` never reads half a file."""
    fd, tmp = tempfile.mkstemp(dir=state_dir, prefix='.up-', suffix='.json')
    with os.fdopen(fd, 'w') as f:
        json.dump(info, f, indent=2, sort_keys=True)
    os.replace(tmp, os.path.join(state_dir, RUN_FILE))


def read_run(state_dir):
    """The running cloud's ``up.json``, or None."""
    try:
        with open(os.path.join(state_dir, RUN_FILE)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def remove_run(state_dir):
    try:
        os.unlink(os.path.join(state_dir, RUN_FILE))
    except FileNotFoundError:
        pass
