"""pocketstack-manage on SQLite: db sync, the key repositories, and a bootstrap
that a second run leaves exactly as it was."""
import os

import pytest
import sqlalchemy as sa

from pocketstack.cmd import manage

BOOTSTRAP = ['bootstrap', '--bootstrap-password', 's3cret', '--bootstrap-region-id', 'RegionTwo',
             '--bootstrap-public-url', 'http://127.0.0.1:5000/v3',
             '--bootstrap-internal-url', 'http://10.0.0.1:5000/v3',
             '--glance-password', 'g', '--nova-password', 'n', '--neutron-password', 'q',
             '--image-url', 'http://127.0.0.1:9292', '--network-url', 'http://127.0.0.1:9696',
             '--compute-url', 'http://127.0.0.1:8774/v2.1']


@pytest.fixture
def conf_file(tmp_path):
    path = tmp_path / 'identity.conf'
    path.write_text('[DEFAULT]\nstate_path = %s\n[identity]\npassword_hash_rounds = 4\n'
                    % (tmp_path / 'state'))
    return str(path)


def manage_(conf_file, *argv):
    assert manage.main([*argv, '--config-file', conf_file]) == 0


def rows(state):
    """Every row of the identity database, table by table."""
    from pocketstack.identity.db import models
    engine = sa.create_engine('sqlite:///%s' % (state / 'identity.sqlite'))
    try:
        with engine.connect() as conn:
            return {table.name: sorted(map(repr, conn.execute(table.select())))
                    for table in models.Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def identity_of(conf_file):
    from pocketstack.cmd import registry
    service = registry.get('identity')
    return service.instance(service.new_conf(['--config-file', conf_file]))


def test_db_sync_each_service(conf_file, tmp_path, capsys):
    for name in ('identity', 'image', 'network', 'compute'):
        manage_(conf_file, 'db', 'sync', name)
        manage_(conf_file, 'db', 'sync', name)
        assert (tmp_path / 'state' / ('%s.sqlite' % name)).exists()
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ['identity: schema upgraded', 'identity: schema up to date']


def test_key_repositories(conf_file, tmp_path):
    manage_(conf_file, 'fernet', 'setup')
    manage_(conf_file, 'fernet', 'setup')         # an existing repository stays as it is
    fernet = tmp_path / 'state' / 'fernet-keys'
    assert sorted(os.listdir(fernet)) == ['0', '1']
    staged = (fernet / '0').read_bytes()
    manage_(conf_file, 'fernet', 'rotate')
    assert sorted(os.listdir(fernet)) == ['0', '1', '2']
    assert (fernet / '2').read_bytes() == staged
    manage_(conf_file, 'credential', 'setup')
    assert sorted(os.listdir(tmp_path / 'state' / 'credential-keys')) == ['0', '1']


def test_bootstrap_twice_changes_nothing(conf_file, tmp_path):
    manage_(conf_file, *BOOTSTRAP)
    before = rows(tmp_path / 'state')
    manage_(conf_file, *BOOTSTRAP)
    assert rows(tmp_path / 'state') == before

    identity = identity_of(conf_file)
    roles = {r['name']: r['id'] for r in identity.assignment.list_roles()}
    assert {'admin', 'manager', 'member', 'reader', 'service'} <= set(roles)
    for name, password in (('admin', 's3cret'), ('nova', 'n'), ('glance', 'g'),
                           ('neutron', 'q')):
        identity.identity.authenticate(password, name=name, domain_id='default')
    endpoints = {(e['interface'], e['url'], e['region_id'])
                 for e in identity.catalog.list_endpoints()}
    assert ('internal', 'http://10.0.0.1:5000/v3', 'RegionTwo') in endpoints
    assert ('admin', 'http://127.0.0.1:5000/v3', 'RegionTwo') in endpoints
    assert {url for _, url, _ in endpoints} >= {
        'http://127.0.0.1:9292', 'http://127.0.0.1:9696', 'http://127.0.0.1:8774/v2.1'}
    assert {s['type'] for s in identity.catalog.list_services()} == {
        'identity', 'image', 'network', 'compute'}


def test_bootstrap_recovers_the_admin(conf_file):
    """As keystone-manage: bootstrap again gives the admin back its password."""
    manage_(conf_file, 'bootstrap', '--bootstrap-password', 'first')
    identity = identity_of(conf_file)
    admin = identity.identity.get_user_by_name('admin', 'default')
    identity.identity.update_user(admin['id'], {'password': 'lost', 'enabled': False})
    manage_(conf_file, 'bootstrap', '--bootstrap-password', 'first')
    assert identity.identity.authenticate('first', name='admin', domain_id='default')['id'] \
        == admin['id']


def test_bootstrap_needs_a_password(conf_file, monkeypatch, capsys):
    monkeypatch.delenv('OS_BOOTSTRAP_PASSWORD', raising=False)
    assert manage.main(['bootstrap', '--config-file', conf_file]) == 2
    assert '--bootstrap-password' in capsys.readouterr().err
