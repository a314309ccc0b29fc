"""``/v2.0/quotas``: a project's limits, their defaults and their usage.

As Neutron: a project reads its own quotas without a policy check; another
project's quotas (and the list of all) need ``get_quota``, changing them
``update_quota`` / ``delete_quota`` — each checked against the caller's own
project (network/policies.py).  The quota plugin does the work.
"""
from pocketstack.common import exception


class QuotasController:

    def __init__(self, service):
        self.service = service
        self.plugin = service.service_plugins.get('quotas')

    def _authorize(self, req, action, project_id=None):
        """``action`` unless it is a read of the caller's own project."""
        if action == 'get_quota' and project_id == req.context.project_id:
            return
        self.service.policy.authorize(req.context, action,
                                      {'project_id': req.context.project_id})

    def index(self, req):
        self._authorize(req, 'get_quota')
        return {'quotas': self.plugin.get_quotas(req.context)}

    def tenant(self, req):
        """``GET /quotas/tenant``: which project the caller's token is for."""
        return {'tenant': {'tenant_id': req.context.project_id}}

    def show(self, req, project_id):
        self._authorize(req, 'get_quota', project_id)
        return {'quota': self.plugin.get_quota(req.context, project_id)}

    def defaults(self, req, project_id):
        self._authorize(req, 'get_quota', project_id)
        return {'quota': self.plugin.get_quota_default(req.context, project_id)}

    def details(self, req, project_id):
        if project_id != req.context.project_id:    # Neutron: another's are the admin's
            self.service.policy.authorize(req.context, 'context_is_admin')
        return {'quota': self.plugin.get_quota_details(req.context, project_id)}

    def update(self, req, project_id):
        self._authorize(req, 'update_quota', project_id)
        body = req.json_body()
        if not isinstance(body, dict) or not isinstance(body.get('quota'), dict):
            raise exception.BadRequest("Unable to find 'quota' in request body")
        return {'quota': self.plugin.update_quota(req.context, project_id, body['quota'])}

    def delete(self, req, project_id):
        self._authorize(req, 'delete_quota', project_id)
        self.plugin.delete_quota(req.context, project_id)
