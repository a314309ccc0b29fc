"""``pocketstack up``: every service in one process, on OpenStack's ports.

0. take the state directory (state.py: a second ``up`` on it refuses);
1. build each service's configuration (state directory, listen address, port);
2. load each API's paste app (this migrates its database on first use);
3. bind each API's port (cheroot, a thread pool per API in this process);
4. bootstrap Identity: admin and demo users, projects, roles, the catalog —
   only what is missing, so a restart duplicates nothing; then each
   service's first-start hook (the default image, DevStack's flavors) and
   its RPC services (conductor, scheduler, compute hosts);
5. start serving, write clouds.yaml and openrc; once every API answers and
   every compute host, having put what a crash left into a true state,
   serves: print endpoints, credentials and "ready", and write up.json;
6. run until Ctrl-C or SIGTERM, then stop the servers and exit 0.
"""
import logging
import os
import signal
import socket
import sys
import threading
import time

from pocketstack.cmd import clouds
from pocketstack.cmd import registry
from pocketstack.cmd import state

LOG = logging.getLogger(__name__)

READY_TIMEOUT_S = 30

# up's own passwords are well known (secret, demopass, servicepass) and sit in
# clouds.yaml beside its database, so bcrypt's deliberate slowness protects
# nothing there while it costs ~0.25 s of CPU per password token (every
# `openstack` command) and per user created.  Keystone's lowest cost, as its
# own tests use; a service run alone keeps Keystone's default (12).
UP_PASSWORD_HASH_ROUNDS = 4


def new_conf(service, state_dir, config_file=None, hosts=None):
    """A service's configuration as up runs it: the packaged file, then
    ``config_file`` (``up --config``: one oslo.config file for every service,
    each reading the sections it knows), then ``hosts`` fake compute hosts."""
    from pocketstack.common import config
    argv = []
    if config_file:
        argv = ['--config-file', config.packaged_file('%s.conf' % service.name),
                '--config-file', config_file]
    conf = service.new_conf(argv)
    conf.set_override('state_path', state_dir)
    if hosts and service.name == 'compute':
        conf.set_override('compute_hosts', ['compute%d' % n for n in range(1, hosts + 1)])
    if service.name == 'identity':
        conf.set_default('password_hash_rounds', UP_PASSWORD_HASH_ROUNDS, group='identity')
    if service.name == 'compute':
        # Its one conductor and scheduler restart with it: a build no host
        # took before they started will never be placed.
        conf.set_default('fail_unplaced_builds_on_start', True, group='conductor')
    return conf


class Stopped(Exception):
    """Raised in the main thread by SIGINT/SIGTERM."""


def run(args, started):
    """Run the cloud until stopped; returns the exit status.

    ``args`` has state_dir, bind, ports ({api name: port}), port_offset,
    clouds_merge, config, hosts, services (registry.chosen's answer) and debug;
    ``started`` is time.monotonic() at the top of the command.
    """
    from pocketstack.common import log
    log.setup(debug=args.debug)
    state_dir = os.path.abspath(os.path.expanduser(args.state_dir))
    try:
        held = state.lock(state_dir)
    except state.InUse as e:
        sys.stderr.write('pocketstack: %s\n' % e)
        return 1
    state.remove_run(state_dir)     # what a killed run left
    _catch_stop_signals()
    servers, background = [], []
    try:
        return _run(args, started, state_dir, servers, background)
    except Stopped:
        return 0
    finally:
        state.remove_run(state_dir)
        # A second Ctrl-C while stopping ends the process at once.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # HTTP first (no new requests), then the services' background work
        # (compute's RPC services stop in the order their calls need).
        _stop_together(servers)
        _stop_together(background)
        if servers:
            LOG.info('Stopped')
        held.close()    # last: `down` returns once the ports are free


def _port(args, api):
    return args.ports.get(api.name, api.port + args.port_offset)


def services_in(config_file):
    """The ``[up] services`` of ``up --config FILE`` (empty: all)."""
    from oslo_config import cfg
    conf = cfg.ConfigOpts()
    conf.register_opt(cfg.ListOpt('services', default=[]), group='up')
    conf([], default_config_files=[config_file] if config_file else [])
    return conf.up.services


def _run(args, started, state_dir, servers, background):
    from pocketstack.common import server as server_mod
    from pocketstack.common import wsgi

    from pocketstack.common import auth

    services = args.services
    identity_api = registry.get('identity').apis[0]
    identity_url = base_url(args.bind, _port(args, identity_api))
    confs = {}
    for service in services:
        conf = new_conf(service, state_dir, args.config, args.hosts)
        if service.service_user:
            # Its auth_token filter validates tokens as the service's own user.
            auth.use_identity(conf, identity_url + identity_api.url_path, service.service_user,
                              confs['identity'].bootstrap.service_password)
        for api in service.apis:
            conf.set_override('%s_listen' % api.name, args.bind)
            conf.set_override('%s_listen_port' % api.name, _port(args, api))
            app = wsgi.load_app(conf, api.paste_app)
            port = getattr(conf, '%s_listen_port' % api.name)
            try:
                servers.append(server_mod.ThreadedServer(api.name, app, args.bind, port))
            except OSError as e:
                sys.stderr.write('pocketstack: %s cannot listen on %s:%s: %s\n'
                                 % (api.name, args.bind, port, e.strerror or e))
                return 1
        confs[service.name] = conf

    urls = {s.name: base_url(args.bind, s.port) for s in servers}
    credentials = _bootstrap(confs['identity'], urls, services)
    _first_start(confs, services)
    for service in services:
        if service.background:
            background.extend(registry.load(service.background)(confs[service.name]))

    for server in servers:
        server.start()

    identity_conf = confs['identity']
    auth_url = urls['identity'] + registry.get('identity').apis[0].url_path
    clouds_file = os.path.join(state_dir, 'clouds.yaml')
    entries = clouds.entries(auth_url, credentials, identity_conf.region_name)
    clouds.write(clouds_file, entries)
    for name, cloud in (('openrc', clouds.ADMIN_CLOUD), ('demo-openrc', clouds.DEMO_CLOUD)):
        if cloud in entries:
            clouds.write_openrc(os.path.join(state_dir, name), entries[cloud])
    user_file = clouds.user_clouds_file() if args.clouds_merge else None
    try:
        if user_file:
            clouds.merge(user_file, entries)
    except (OSError, ValueError) as e:  # the user's file is theirs: never fatal
        LOG.warning('Could not add the pocketstack clouds to %s: %s', user_file, e)
        user_file = None

    _wait_until_answering(servers)
    for work in background:
        # Compute hosts look over their instances once the APIs answer.
        if hasattr(work, 'wait_started'):
            work.wait_started()
    _print_summary(state_dir, services, urls, credentials, clouds_file, user_file)
    print('ready in %.2f s' % elapsed_since_start(started), flush=True)
    # Last: `up --detach` returns once it sees this, the banner above printed.
    state.write_run(state_dir, {
        'pid': os.getpid(), 'auth_url': auth_url, 'clouds_yaml': clouds_file,
        'openrc': os.path.join(state_dir, 'openrc'), 'endpoints': urls})

    threading.Event().wait()  # until a signal raises Stopped


def _bootstrap(identity_conf, urls, services):
    from pocketstack.identity import service as identity_service
    from pocketstack.identity.core import bootstrap

    service = identity_service.IdentityService.for_conf(identity_conf)
    # A service an earlier run started and this one does not leaves the
    # catalog: no client should be sent to a port nobody serves.
    left_out = [api.catalog_type for s in registry.SERVICES if s not in services
                for api in s.apis if api.catalog_type]
    return bootstrap.bootstrap(service, registry.catalog_endpoints(urls),
                               service_users=registry.service_users(
                                   lambda user: identity_conf.bootstrap.service_password,
                                   services),
                               demo=True, demo_password=identity_conf.bootstrap.demo_password,
                               retire=left_out)


def _first_start(confs, services):
    """Each service's first-start hook (default image, flavors…)."""
    from pocketstack.identity import service as identity_service
    identity = identity_service.IdentityService.for_conf(confs['identity'])
    for service in services:
        if service.first_start:
            registry.load(service.first_start)(confs[service.name], identity)


def _print_summary(state_dir, services, urls, credentials, clouds_file, user_file):
    lines = ['', 'pocketstack is up; its data lives in %s' % state_dir, '']
    for service in services:
        for api in service.apis:
            # An API outside the catalog (metadata) shows its own name.
            lines.append('  %-10s %-10s %s%s' % (api.catalog_type or '-',
                                                 api.catalog_name or api.name,
                                                 urls[api.name], api.url_path))
    lines.append('')
    for who, cloud in (('admin', clouds.ADMIN_CLOUD), ('demo', clouds.DEMO_CLOUD)):
        if who in credentials:
            c = credentials[who]
            lines.append('  %-6s user %s, password %s, project %s, domain %s  (cloud %s)'
                         % (who, c['username'], c['password'], c['project_name'],
                            c['user_domain_name'], cloud))
    lines += ['', '  clouds.yaml: %s' % clouds_file]
    if user_file:
        lines.append('               (clouds also merged into %s)' % user_file)
    lines += ['  openrc:      %s (admin), %s (demo)' % (os.path.join(state_dir, 'openrc'),
                                                     os.path.join(state_dir, 'demo-openrc')),
              '  try:  OS_CLOUD=%s OS_CLIENT_CONFIG_FILE=%s openstack token issue'
              % (clouds.ADMIN_CLOUD, clouds_file), '']
    print('\n'.join(lines), flush=True)


def _wait_until_answering(servers):
    import http.client

    from pocketstack.common import server as server_mod
    deadline = time.monotonic() + READY_TIMEOUT_S
    for server in servers:
        while True:
            conn = http.client.HTTPConnection(server_mod.connect_host(server.host),
                                              server.port, timeout=5)
            try:
                conn.request('GET', '/')
                status = conn.getresponse().status
                if status < 500:
                    break
                LOG.debug('%s answered %s; waiting', server.name, status)
            except OSError as e:
                LOG.debug('%s not answering yet: %s', server.name, e)
            finally:
                conn.close()
            if time.monotonic() > deadline:
                raise RuntimeError('%s did not answer within %d s' % (server.name, READY_TIMEOUT_S))
            time.sleep(0.02)


# -- helpers -------------------------------------------------------------------

def _stop_together(stoppables):
    threads = [threading.Thread(target=s.stop) for s in stoppables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _catch_stop_signals():
    def handler(signum, frame):
        raise Stopped(signum)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def public_host(bind):
    """The address to put in the catalog for a server bound to ``bind``: the
    address itself, or for a wildcard the address other machines reach us at."""
    if bind not in ('', '0.0.0.0', '::'):
        return bind
    family = socket.AF_INET6 if bind == '::' else socket.AF_INET
    probe = '2001:db8::1' if bind == '::' else '192.0.2.1'  # documentation nets: nothing is sent
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            return s.getsockname()[0]
    except OSError:
        from pocketstack.common import server as server_mod
        return server_mod.connect_host(bind)


def base_url(bind, port):
    host = public_host(bind)
    if ':' in host:
        host = '[%s]' % host
    return 'http://%s:%d' % (host, port)


def elapsed_since_start(started):
    """Seconds since this process started (interpreter start-up and imports
    included, from /proc), or since ``started`` where /proc is missing."""
    try:
        with open('/proc/self/stat') as f:
            stat = f.read()
        with open('/proc/uptime') as f:
            uptime = float(f.read().split()[0])
        start_ticks = int(stat[stat.rindex(')') + 2:].split()[19])  # field 22, starttime
        return uptime - start_ticks / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError):
        return time.monotonic() - started
