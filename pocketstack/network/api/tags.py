"""``/v2.0/{collection}/{id}/tags[/{tag}]``: the tag plugin's methods.

    GET    …/tags          {"tags": [...]}
    PUT    …/tags          replace all: {"tags": [...]} → 200 {"tags": [...]}
    DELETE …/tags          204
    GET    …/tags/{tag}    204, or 404 when the resource has no such tag
    PUT    …/tags/{tag}    201
    DELETE …/tags/{tag}    204
"""
from pocketstack.common import wsgi


class TagsController:

    def __init__(self, service, collection):
        self.plugin = service.service_plugins.get('tag')
        self.collection = collection

    def index(self, req, resource_id):
        return {'tags': self.plugin.get_tags(req.context, self.collection, resource_id)}

    def update_all(self, req, resource_id):
        tags = self.plugin.update_tags(req.context, self.collection, resource_id,
                                       req.json_body())
        return {'tags': tags}

    def delete_all(self, req, resource_id):
        self.plugin.delete_tags(req.context, self.collection, resource_id)

    def show(self, req, resource_id, tag):
        self.plugin.get_tag(req.context, self.collection, resource_id, tag)

    @wsgi.status(201)
    def update(self, req, resource_id, tag):
        self.plugin.update_tag(req.context, self.collection, resource_id, tag)

    def delete(self, req, resource_id, tag):
        self.plugin.delete_tag(req.context, self.collection, resource_id, tag)
