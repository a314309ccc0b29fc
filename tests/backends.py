"""Reaching the machine's real database and message-bus servers from tests.

A test that needs PostgreSQL, MariaDB or RabbitMQ calls ``require(name)``: if
the server is down it is started with the machine's own command; if it still
cannot be reached the test fails under ``CI=true`` (a missing server must not
pass silently) and is skipped with the reason elsewhere.
"""
import os
import socket
import subprocess
import time
import uuid

import pytest

SERVERS = {
    'postgresql': (5432, "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),
    'mysql': (3306, 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd'),
    'rabbitmq': (5672, 'rabbitmq-server -detached'),
}


def _reachable(port, timeout=0.5):
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=timeout):
            return True
    except OSError:
        return False


def require(name):
    port, start_cmd = SERVERS[name]
    if _reachable(port):
        return
    subprocess.run(start_cmd, shell=True, capture_output=True, timeout=120)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _reachable(port):
            return
        time.sleep(0.5)
    message = '%s is not reachable on 127.0.0.1:%d, even after "%s"' % (name, port, start_cmd)
    if os.environ.get('CI') == 'true':
        pytest.fail(message)
    pytest.skip(message)


def fresh_database_url(kind):
    """Create an empty database on the named server; returns its URL and a
    function dropping it."""
    import sqlalchemy as sa
    require(kind)
    name = 'pst_%s' % uuid.uuid4().hex[:12]
    if kind == 'postgresql':
        admin_url = 'postgresql+psycopg://postgres@127.0.0.1:5432/postgres'
        url = 'postgresql+psycopg://postgres@127.0.0.1:5432/%s' % name
    else:
        admin_url = 'mysql+pymysql://root@127.0.0.1:3306/'
        url = 'mysql+pymysql://root@127.0.0.1:3306/%s?charset=utf8mb4' % name
    admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE %s' % name)

    def drop():
        with admin.connect() as conn:
            if kind == 'postgresql':
                conn.exec_driver_sql('DROP DATABASE IF EXISTS %s WITH (FORCE)' % name)
            else:
                conn.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)
        admin.dispose()
    return url, drop
