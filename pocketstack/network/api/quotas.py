"""``/v2.0/quotas``: a project's limits, their defaults and their usage.

The policy decides who may read or change which project's quotas
(network/policies.py); the quota plugin does the work.
"""


class QuotasController:

    def __init__(self, service):
        self.service = service
        self.plugin = service.service_plugins.get('quotas')

    def _authorize(self, req, action, project_id=None):
        target = {'project_id': project_id or req.context.project_id}
        self.service.policy.authorize(req.context, action, target)

    def index(self, req):
        self._authorize(req, 'get_quotas')
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
        self._authorize(req, 'get_quota', project_id)
        return {'quota': self.plugin.get_quota_details(req.context, project_id)}

    def update(self, req, project_id):
        self._authorize(req, 'update_quota', project_id)
        body = req.json_body()
        if not isinstance(body, dict) or not isinstance(body.get('quota'), dict):
            from pocketstack.common import exception
            raise exception.BadRequest("Unable to find 'quota' in request body")
        return {'quota': self.plugin.update_quota(req.context, project_id, body['quota'])}

    def delete(self, req, project_id):
        self._authorize(req, 'delete_quota', project_id)
        self.plugin.delete_quota(req.context, project_id)
