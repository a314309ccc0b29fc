"""The metadata API (port 8775): what a server reads about itself from
169.254.169.254 — Nova's metadata service as Neutron's metadata proxy feeds it.

``handler.py`` authenticates the proxy's headers and serves the path;
``documents.py`` builds the OpenStack and EC2 documents of the instance.
The paste app is ``metadata`` in compute-api-paste.ini.
"""
from pocketstack.common import config


def handler_factory(global_conf, **local_conf):
    from pocketstack.compute import service as service_mod
    from pocketstack.compute.metadata import handler
    conf = config.lookup(global_conf)
    return handler.MetadataHandler(service_mod.for_conf(conf))
