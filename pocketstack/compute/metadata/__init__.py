"""The metadata API (port 8775): what a server reads about itself from
169.254.169.254 — Nova's metadata service as Neutron's metadata proxy feeds it.

``handler.py`` authenticates the proxy's headers and serves the path;
``documents.py`` builds the OpenStack and EC2 documents of the instance.
The paste app is ``metadata`` in compute-api-paste.ini.
"""


def handler_factory(global_conf, **local_conf):
    from pocketstack.compute.metadata import handler
    from pocketstack.compute.service import ComputeService
    return handler.MetadataHandler(ComputeService.from_paste(global_conf))
