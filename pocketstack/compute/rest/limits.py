"""``GET /limits``: the project's quotas ([quota] options) and what its
servers use.  Rate limits are gone from Nova (``rate`` is always empty).
2.36 drops the network-proxy keys (floating IPs, security groups), 2.39
``maxImageMeta`` and 2.57 the personality keys."""
from pocketstack.common import wsgi
from pocketstack.compute.rest import microversion

# Quotas of resources the Network service counts: unlimited here.
_NETWORK_LIMITS = {'maxTotalFloatingIps': -1, 'maxSecurityGroups': -1,
                   'maxSecurityGroupRules': -1}
_NETWORK_USED = {'totalFloatingIpsUsed': 0, 'totalSecurityGroupsUsed': 0}


class LimitsController:

    def __init__(self, service):
        self.quotas = service.quotas
        self.policy = service.policy

    def index(self, req):
        version = microversion.api_version(req)
        project_id = req.GET.get('tenant_id') or req.context.project_id
        if project_id != req.context.project_id:
            self.policy.authorize(req.context, 'os_compute_api:limits:other_project', {})
        quota = self.quotas.limits(project_id)
        used = self.quotas.usage(project_id)
        absolute = {
            'maxTotalInstances': quota['instances'], 'maxTotalCores': quota['cores'],
            'maxTotalRAMSize': quota['ram'], 'maxServerMeta': quota['metadata_items'],
            'maxTotalKeypairs': quota['key_pairs'], 'maxServerGroups': quota['server_groups'],
            'maxServerGroupMembers': quota['server_group_members'],
            'totalInstancesUsed': used['instances'], 'totalCoresUsed': used['cores'],
            'totalRAMUsed': used['ram'], 'totalServerGroupsUsed': used['server_groups'],
        }
        if version < (2, 36):
            absolute.update(_NETWORK_LIMITS, **_NETWORK_USED)
        if version < (2, 39):
            absolute['maxImageMeta'] = quota['metadata_items']
        if version < (2, 57):
            absolute.update(maxPersonality=quota['injected_files'],
                            maxPersonalitySize=quota['injected_file_content_bytes'])
        return {'limits': {'rate': [], 'absolute': absolute}}


def routes(service):
    ctl = LimitsController(service)
    return [wsgi.Route('/limits', GET=(ctl, 'index'))]
