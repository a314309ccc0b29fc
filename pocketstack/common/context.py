"""The request context: who is asking, for which project, under which request id.

It is oslo.context's RequestContext; middleware builds one per request and
stores it thread-locally, so oslo.log writes the request id, user and project
on every line the request causes — in every service.
"""
from oslo_context import context as oslo_context

ENV_KEY = 'pocketstack.context'


class RequestContext(oslo_context.RequestContext):

    def __init__(self, *args, user_name=None, project_name=None,
                 user_domain_name=None, project_domain_name=None,
                 catalog=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_name = user_name
        self.project_name = project_name
        self.user_domain_name = user_domain_name
        self.project_domain_name = project_domain_name
        self.service_catalog = catalog or []

    @property
    def is_admin_role(self):
        """Holds the admin role: what every service treats as an admin."""
        return 'admin' in (self.roles or ())

    def to_policy_values(self):
        values = super().to_policy_values()
        values['is_admin'] = self.is_admin
        return values

    @classmethod
    def from_environ(cls, environ, **kwargs):
        """Build from the headers keystonemiddleware's auth_token sets."""
        return super().from_environ(environ, **kwargs)


def from_request(req):
    return req.environ.get(ENV_KEY)


def admin_context(request_id=None):
    """A context for the service itself (bootstrap, periodic tasks).  It is not
    made the thread's current context, so later log lines of the thread do not
    carry its request id."""
    previous = oslo_context.get_current()
    context = RequestContext(is_admin=True, roles=['admin'], request_id=request_id,
                             overwrite=False)
    oslo_context._request_store.context = previous
    return context
