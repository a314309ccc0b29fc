"""``/v2/images/{id}/members``: sharing an image with other projects."""
from pocketstack.common import wsgi
from pocketstack.image.api import schemas


def member_view(member):
    return {'image_id': member['image_id'], 'member_id': member['member_id'],
            'status': member['status'],
            'created_at': wsgi.isoformat(member['created_at']),
            'updated_at': wsgi.isoformat(member['updated_at']),
            'schema': '/v2/schemas/member'}


class MembersController:

    def __init__(self, service):
        self.members = service.members

    def index(self, req, image_id):
        return {'members': [member_view(m) for m in self.members.list(req.context, image_id)],
                'schema': '/v2/schemas/members'}

    def show(self, req, image_id, member_id):
        return member_view(self.members.get(req.context, image_id, member_id))

    @wsgi.validate(schemas.MEMBER_CREATE)
    def create(self, req, image_id, body):
        return member_view(self.members.create(req.context, image_id, body['member']))

    @wsgi.validate(schemas.MEMBER_UPDATE)
    def update(self, req, image_id, member_id, body):
        return member_view(self.members.update(req.context, image_id, member_id,
                                               body['status']))

    def delete(self, req, image_id, member_id):
        self.members.delete(req.context, image_id, member_id)
