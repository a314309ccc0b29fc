"""A running pocketstack for other projects' test suites.

Installing pocketstack registers the pytest plugin ``pocketstack``
(``plugin.py``, a ``pytest11`` entry point): a test that asks for the
session fixture ``openstack_cloud`` gets one ``pocketstack up`` process
(``cloud.py: Cloud``) on free ports, started on first use and stopped when
the session ends.  A session that never asks for it starts nothing and
imports nothing of pocketstack's services.  ``pytest -p no:pocketstack``
leaves the plugin out altogether.

Nothing here is part of the request path: the cloud runs as a user runs it,
in a process of its own.
"""


def __getattr__(name):
    # ``from pocketstack.testing import Cloud`` works, but loading the plugin
    # (which imports this package) does not pay for cloud.py's imports.
    if name in ('Cloud', 'CloudStartError'):
        from pocketstack.testing import cloud
        return getattr(cloud, name)
    raise AttributeError(name)
