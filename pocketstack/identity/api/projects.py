"""``/v3/projects`` with their tags, and ``/v3/users/{user_id}/projects``."""
from urllib import parse

from pocketstack.common import wsgi
from pocketstack.identity.api import common as api_common
from pocketstack.identity.api import domains
from pocketstack.identity.core import resource

TAG = {'type': 'string', 'minLength': 1, 'maxLength': 255, 'pattern': '^[^,/]*$'}
TAGS = {'type': 'array', 'items': TAG, 'maxItems': resource.MAX_TAGS}
PROPERTIES = {
    'name': api_common.NAME,
    'domain_id': {'type': 'string', 'minLength': 1},
    'parent_id': api_common.NULLABLE_STRING,
    'description': api_common.NULLABLE_STRING,
    'enabled': {'type': 'boolean'},
    'is_domain': {'type': 'boolean'},
    'tags': TAGS,
    'options': domains.OPTIONS,
}
CREATE_SCHEMA = api_common.entity_schema('project', PROPERTIES, required=['name'])
UPDATE_SCHEMA = api_common.entity_schema('project', PROPERTIES, update=True)
TAGS_SCHEMA = {'type': 'object', 'required': ['tags'], 'additionalProperties': False,
               'properties': {'tags': TAGS}}
LIST_FILTERS = ('domain_id', 'enabled', 'name', 'parent_id')


def _tag_list(req, name):
    """Tags of a ``?tags=a,b`` filter (repeatable), or None when absent."""
    if name not in req.GET:
        return None
    return {t for value in req.GET.getall(name) for t in value.split(',') if t}


def filter_by_tags(req, refs):
    """Keystone's tag filters: ``tags`` (all of), ``tags-any`` (one of),
    ``not-tags`` (not all of), ``not-tags-any`` (none of)."""
    tests = {
        'tags': lambda have, want: want <= have,
        'tags-any': lambda have, want: bool(want & have),
        'not-tags': lambda have, want: not want <= have,
        'not-tags-any': lambda have, want: not want & have,
    }
    for name, test in tests.items():
        wanted = _tag_list(req, name)
        if wanted:
            refs = [r for r in refs if test(set(r['tags']), wanted)]
    return refs


def render(req, ref):
    return api_common.with_links(req, 'projects', ref)


class ProjectsController:

    def __init__(self, service):
        self.service = service

    def index(self, req):
        api_common.enforce(req, self.service, 'list_projects')
        if wsgi.query_bool(req, 'is_domain', False):
            refs = []  # domains are not stored as projects here
        else:
            refs = self.service.resource.list_projects(domain_id=req.GET.get('domain_id'))
            refs = filter_by_tags(req, api_common.filter_refs(req, refs, LIST_FILTERS))
        return api_common.collection(req, 'projects', refs)

    @wsgi.validate(CREATE_SCHEMA)
    @wsgi.status(201)
    def create(self, req, body):
        token = api_common.enforce(req, self.service, 'create_project')
        values = dict(body['project'])
        values.pop('id', None)
        if not values.get('domain_id') and not values.get('parent_id'):
            values['domain_id'] = api_common.default_domain_id(self.service, token)
        return {'project': render(req, self.service.resource.create_project(values))}

    def show(self, req, project_id):
        api_common.enforce(req, self.service, 'get_project', {'project_id': project_id})
        return {'project': render(req, self.service.resource.get_project(project_id))}

    @wsgi.validate(UPDATE_SCHEMA)
    def update(self, req, project_id, body):
        api_common.enforce(req, self.service, 'update_project', {'project_id': project_id})
        values = dict(body['project'])
        values.pop('id', None)
        ref = self.service.resource.update_project(project_id, values)
        return {'project': render(req, ref)}

    def delete(self, req, project_id):
        api_common.enforce(req, self.service, 'delete_project', {'project_id': project_id})
        self.service.resource.delete_project(project_id)

    # -- tags -----------------------------------------------------------------

    def list_tags(self, req, project_id):
        api_common.enforce(req, self.service, 'list_project_tags', {'project_id': project_id})
        return {'tags': self.service.resource.list_project_tags(project_id)}

    @wsgi.validate(TAGS_SCHEMA)
    def replace_tags(self, req, project_id, body):
        api_common.enforce(req, self.service, 'update_project_tags',
                           {'project_id': project_id})
        return {'tags': self.service.resource.update_project_tags(project_id, body['tags'])}

    def delete_tags(self, req, project_id):
        api_common.enforce(req, self.service, 'delete_project_tags',
                           {'project_id': project_id})
        self.service.resource.update_project_tags(project_id, [])

    def check_tag(self, req, project_id, tag):
        api_common.enforce(req, self.service, 'get_project_tag', {'project_id': project_id})
        self.service.resource.check_project_tag(project_id, tag)

    def add_tag(self, req, project_id, tag):
        api_common.enforce(req, self.service, 'create_project_tag',
                           {'project_id': project_id})
        self.service.resource.add_project_tag(project_id, tag)
        location = api_common.v3_url(req, 'projects', project_id, 'tags',
                                     parse.quote(tag, safe=''))
        return wsgi.json_response(None, status=201, headers={'Location': location})

    def delete_tag(self, req, project_id, tag):
        api_common.enforce(req, self.service, 'delete_project_tag',
                           {'project_id': project_id})
        self.service.resource.delete_project_tag(project_id, tag)

    # -- /users/{user_id}/projects ------------------------------------------------

    def for_user(self, req, user_id):
        api_common.enforce(req, self.service, 'list_user_projects', {'user_id': user_id})
        self.service.identity.get_user(user_id)  # 404 for an unknown user
        refs = self.service.assignment.projects_for_user(user_id)
        refs = api_common.filter_refs(req, refs, ('domain_id', 'enabled', 'name'))
        return api_common.collection(req, 'projects', refs)


def routes(service):
    ctl = ProjectsController(service)
    return [
        wsgi.Route('/projects', GET=(ctl, 'index'), POST=(ctl, 'create')),
        wsgi.Route('/projects/{project_id}', GET=(ctl, 'show'), PATCH=(ctl, 'update'),
                   DELETE=(ctl, 'delete')),
        wsgi.Route('/projects/{project_id}/tags', GET=(ctl, 'list_tags'),
                   PUT=(ctl, 'replace_tags'), DELETE=(ctl, 'delete_tags')),
        wsgi.Route('/projects/{project_id}/tags/{tag}', GET=(ctl, 'check_tag'),
                   PUT=(ctl, 'add_tag'), DELETE=(ctl, 'delete_tag')),
        wsgi.Route('/users/{user_id}/projects', GET=(ctl, 'for_user')),
    ]
