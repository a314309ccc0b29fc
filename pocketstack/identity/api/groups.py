"""``/v3/groups``, their members, and ``/v3/users/{user_id}/groups``."""
from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common
from pocketstack.identity.api import users

PROPERTIES = {
    'name': api_common.NAME,
    'domain_id': {'type': 'string', 'minLength': 1},
    'description': api_common.NULLABLE_STRING,
}
CREATE_SCHEMA = api_common.entity_schema('group', PROPERTIES, required=['name'])
UPDATE_SCHEMA = api_common.entity_schema('group', PROPERTIES, update=True)
LIST_FILTERS = ('domain_id', 'name')


def render(req, ref):
    return api_common.with_links(req, 'groups', ref)


def _values(body):
    values = dict(body['group'])
    values.pop('id', None)
    return values


class GroupsController:

    def __init__(self, service):
        self.service = service

    def index(self, req):
        api_common.enforce(req, self.service, 'list_groups')
        refs = self.service.identity.list_groups(domain_id=req.GET.get('domain_id'))
        refs = api_common.filter_refs(req, refs, LIST_FILTERS)
        return api_common.collection(req, 'groups', refs)

    @wsgi.validate(CREATE_SCHEMA)
    @wsgi.status(201)
    def create(self, req, body):
        token = api_common.enforce(req, self.service, 'create_group')
        values = _values(body)
        if not values.get('domain_id'):
            values['domain_id'] = api_common.default_domain_id(self.service, token)
        return {'group': render(req, self.service.identity.create_group(values))}

    def show(self, req, group_id):
        api_common.enforce(req, self.service, 'get_group', {'group_id': group_id})
        return {'group': render(req, self.service.identity.get_group(group_id))}

    @wsgi.validate(UPDATE_SCHEMA)
    def update(self, req, group_id, body):
        api_common.enforce(req, self.service, 'update_group', {'group_id': group_id})
        return {'group': render(req, self.service.identity.update_group(group_id,
                                                                        _values(body)))}

    def delete(self, req, group_id):
        api_common.enforce(req, self.service, 'delete_group', {'group_id': group_id})
        self.service.identity.delete_group(group_id)

    # -- members ----------------------------------------------------------------

    def users(self, req, group_id):
        api_common.enforce(req, self.service, 'list_users_in_group', {'group_id': group_id})
        refs = self.service.identity.list_users_in_group(group_id)
        refs = api_common.filter_refs(req, refs, users.LIST_FILTERS)
        return api_common.collection(req, 'users', [users.render(req, r) for r in refs])

    def for_user(self, req, user_id):
        api_common.enforce(req, self.service, 'list_groups_for_user', {'user_id': user_id})
        refs = self.service.identity.list_groups_for_user(user_id)
        refs = api_common.filter_refs(req, refs, LIST_FILTERS)
        return api_common.collection(req, 'groups', refs)

    def add_user(self, req, group_id, user_id):
        api_common.enforce(req, self.service, 'add_user_to_group',
                           {'group_id': group_id, 'user_id': user_id})
        self.service.identity.add_user_to_group(user_id, group_id)

    def check_user(self, req, group_id, user_id):
        api_common.enforce(req, self.service, 'check_user_in_group',
                           {'group_id': group_id, 'user_id': user_id})
        self.service.identity.check_user_in_group(user_id, group_id)

    def remove_user(self, req, group_id, user_id):
        api_common.enforce(req, self.service, 'remove_user_from_group',
                           {'group_id': group_id, 'user_id': user_id})
        self.service.identity.remove_user_from_group(user_id, group_id)


def routes(service):
    ctl = GroupsController(service)
    return [
        wsgi.Route('/groups', GET=(ctl, 'index'), POST=(ctl, 'create')),
        wsgi.Route('/groups/{group_id}', GET=(ctl, 'show'), PATCH=(ctl, 'update'),
                   DELETE=(ctl, 'delete')),
        wsgi.Route('/groups/{group_id}/users', GET=(ctl, 'users')),
        wsgi.Route('/groups/{group_id}/users/{user_id}', PUT=(ctl, 'add_user'),
                   HEAD=(ctl, 'check_user'), DELETE=(ctl, 'remove_user')),
        wsgi.Route('/users/{user_id}/groups', GET=(ctl, 'for_user')),
    ]
