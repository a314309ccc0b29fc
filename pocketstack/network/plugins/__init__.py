"""Plugins: what serves each REST resource of the Network API.

The API router (api/router.py) maps every collection onto the plugin that
lists it in ``supported_resources`` and calls Neutron's method names:

    POST   /v2.0/networks           create_network(context, network)
    GET    /v2.0/networks           get_networks(context, filters, fields, sorts, limit,
                                                 marker, page_reverse)
    GET    /v2.0/networks/{id}      get_network(context, id, fields)
    PUT    /v2.0/networks/{id}      update_network(context, id, network)
    DELETE /v2.0/networks/{id}      delete_network(context, id)
    PUT    /v2.0/routers/{id}/add_router_interface   add_router_interface(context, id, body)

Contract (all plugins):

* ``context`` is the request's ``RequestContext``: ``project_id``,
  ``is_admin_role``.  A plugin scopes what it reads to what the caller may
  see (own project, shared, external…) and raises the resource's NotFound
  (exception.py) for anything else, so other projects' resources are 404.
* ``create_x``/``update_x`` receive the resource's attributes as a dict
  (the body's inner object), already validated and converted by the API
  layer, holding only what the client gave (plus ``project_id`` on create,
  filled from the context when absent); the plugin applies defaults.
* Reads return dicts with the API's attribute names (``router:external``,
  ``binding:host_id``, ``tenant_id`` beside ``project_id``, standard
  attributes, ``tags``).  The API layer removes what the caller may not see
  and what ``fields`` did not ask for.
* ``get_xs`` receives ``filters`` {attribute: [values]} (values converted;
  tag filters under 'tags', 'tags-any', 'not-tags', 'not-tags-any'),
  ``sorts`` [(attribute, ascending)], ``limit`` (None: all), ``marker`` (an
  id; unknown → the resource's NotFound), ``page_reverse``; it filters,
  sorts and pages in SQL with db/query.py.
* Every write runs in one ``service.db.writer()`` scope, so a failure leaves
  nothing behind; scopes nest (a plugin calling another shares the
  transaction).  Every change bumps ``revision_number``.
* Faults are exception.py's classes; the API renders them as NeutronError.
"""


class Plugin:
    """Base of core and service plugins."""

    # Collections this plugin serves, e.g. ('routers', 'floatingips').
    supported_resources = ()
    # Extension aliases listed by GET /v2.0/extensions (only what works).
    supported_extension_aliases = ()

    def __init__(self, service):
        self.service = service
        self.conf = service.conf
        self.db = service.db
