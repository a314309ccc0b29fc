"""clouds.yaml and openrc: how the `openstack` CLI, openstacksdk and `nova`
find this cloud.

``pocketstack up`` writes ``<state-dir>/clouds.yaml`` with two clouds and
merges the same two entries into the user's ``~/.config/openstack/clouds.yaml``
(unless ``--no-clouds-merge``), leaving every other cloud there as it was; and
DevStack-style ``openrc`` (admin) and ``demo-openrc`` beside it, for the
clients that read ``OS_*`` variables (``source $STATE/openrc; nova list``).
"""
import os
import shlex
import tempfile

ADMIN_CLOUD = 'pocketstack'
DEMO_CLOUD = 'pocketstack-demo'


def user_clouds_file():
    config_home = os.environ.get('XDG_CONFIG_HOME') or os.path.join(
        os.path.expanduser('~'), '.config')
    return os.path.join(config_home, 'openstack', 'clouds.yaml')


def entries(auth_url, credentials, region):
    """The clouds.yaml entries for the credentials bootstrap returned."""
    clouds = {}
    for cloud, who in ((ADMIN_CLOUD, 'admin'), (DEMO_CLOUD, 'demo')):
        if who not in credentials:
            continue
        clouds[cloud] = {
            'auth': dict(credentials[who], auth_url=auth_url),
            'region_name': region,
            'interface': 'public',
            'identity_api_version': 3,
        }
    return clouds


def write_openrc(path, cloud):
    """An openrc exporting one clouds.yaml entry as OS_* variables."""
    auth = cloud['auth']
    variables = [
        ('OS_AUTH_URL', auth['auth_url']), ('OS_IDENTITY_API_VERSION', '3'),
        ('OS_AUTH_TYPE', 'password'), ('OS_USERNAME', auth['username']),
        ('OS_PASSWORD', auth['password']), ('OS_PROJECT_NAME', auth['project_name']),
        ('OS_USER_DOMAIN_NAME', auth['user_domain_name']),
        ('OS_PROJECT_DOMAIN_NAME', auth['project_domain_name']),
        ('OS_REGION_NAME', cloud['region_name']), ('OS_INTERFACE', cloud['interface'])]
    lines = ['# pocketstack: source this file to use the cloud with OS_* variables.',
             'unset OS_CLOUD']
    lines += ['export %s=%s' % (name, shlex.quote(str(value))) for name, value in variables]
    _write_private(path, '\n'.join(lines) + '\n', prefix='.openrc-')


def write(path, clouds):
    """Write a clouds.yaml holding exactly ``clouds``."""
    _write_yaml(path, {'clouds': clouds})


def merge(path, clouds):
    """Add or replace ``clouds`` in the file at ``path``, keeping the others."""
    import yaml
    try:
        with open(path) as f:
            data = yaml.safe_load(f) or {}
    except FileNotFoundError:
        data = {}
    except yaml.YAMLError as e:
        raise ValueError('%s is not valid YAML: %s' % (path, e))
    if not isinstance(data, dict) or not isinstance(data.get('clouds') or {}, dict):
        raise ValueError('%s is not a clouds.yaml file (no "clouds" mapping)' % path)
    data['clouds'] = dict(data.get('clouds') or {}, **clouds)
    _write_yaml(path, data)


def _write_yaml(path, data):
    import yaml
    _write_private(path, yaml.safe_dump(data, default_flow_style=False, sort_keys=False),
                   prefix='.clouds-')


def _write_private(path, text, prefix):
    """Atomically: a reader (or a crash) never sees half a file.  Mode 0600,
    as the file holds passwords."""
    path = os.path.realpath(path)  # a symlinked clouds.yaml stays a symlink
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=prefix)
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
