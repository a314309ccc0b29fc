"""``/os-keypairs``: import (or, before 2.92, generate) key pairs, list,
show and delete them.  A user manages their own key pairs; from 2.10 an
admin may name another user (``user_id``)."""
from pocketstack.common import wsgi
from pocketstack.compute import keypairs
from pocketstack.compute.rest import common
from pocketstack.compute.rest import microversion
from pocketstack.compute.rest import schemas


def _create_schema(version):
    allowed = r'^[_\-\@\. a-zA-Z0-9]+$' if version >= (2, 92) else r'^[_\- a-zA-Z0-9]+$'
    props = {'name': {'allOf': [schemas.NAME, {'type': 'string', 'pattern': allowed}]},
             'public_key': {'type': 'string'}}
    if version >= (2, 2):
        props['type'] = {'type': 'string', 'enum': [keypairs.SSH, keypairs.X509]}
    if version >= (2, 10):
        props['user_id'] = {'type': 'string'}
    return {'type': 'object',
            'properties': {'keypair': {
                'type': 'object', 'properties': props, 'additionalProperties': False,
                'required': ['name', 'public_key'] if version >= (2, 92) else ['name']}},
            'required': ['keypair'], 'additionalProperties': False}


# Built once: check_schema caches a validator per schema object.
_SCHEMAS = {v: _create_schema(v) for v in ((2, 92), (2, 10), (2, 2), (2, 1))}


def create_schema(version):
    return next(schema for since, schema in _SCHEMAS.items() if version >= since)


class KeypairsController:

    def __init__(self, service):
        self.keypairs = service.keypairs
        self.policy = service.policy
        self.max_limit = service.conf.api.max_limit

    def _user_id(self, req, requested=None):
        """The user whose key pairs a request is about; only admins name
        another one (2.10)."""
        context = req.context
        if requested is None and microversion.api_version(req) >= (2, 10):
            requested = req.GET.get('user_id')
        user_id = requested or context.user_id
        if user_id != context.user_id:
            self.policy.authorize(context, 'os_compute_api:os-keypairs:other_user', {})
        return user_id

    @staticmethod
    def _view(req, keypair, fields):
        if microversion.api_version(req) >= (2, 2):
            fields += ('type',)
        return {field: keypair[field] for field in fields}

    def index(self, req):
        user_id = self._user_id(req)
        paged = microversion.api_version(req) >= (2, 35)
        limit = common.page_limit(req, self.max_limit) if paged else None
        found = self.keypairs.list(user_id, limit=limit,
                                   marker=req.GET.get('marker') if paged else None)
        body = {'keypairs': [{'keypair': self._view(
            req, k, ('name', 'public_key', 'fingerprint'))} for k in found]}
        links = common.next_links(req, 'os-keypairs', found, 'name', limit) if paged else None
        if links:
            body['keypairs_links'] = links
        return body

    def create(self, req):
        version = microversion.api_version(req)
        body = req.json_body()
        wsgi.check_schema(create_schema(version), body)
        keypair = body['keypair']
        user_id = self._user_id(req, keypair.get('user_id'))
        created = self.keypairs.create(user_id, keypair['name'],
                                       keypair.get('type', keypairs.SSH),
                                       keypair.get('public_key'), req.context.project_id)
        fields = ('name', 'public_key', 'fingerprint', 'user_id')
        if 'private_key' in created:
            fields += ('private_key',)
        return wsgi.json_response({'keypair': self._view(req, created, fields)},
                                  status=201 if version >= (2, 2) else 200)

    def show(self, req, name):
        keypair = self.keypairs.get(self._user_id(req), name)
        view = self._view(req, keypair, ('name', 'public_key', 'fingerprint', 'user_id', 'id'))
        # Key pairs are deleted for good here; the fields stay for clients.
        view.update({'created_at': keypair['created_at'].isoformat(timespec='microseconds'),
                     'updated_at': None, 'deleted': False, 'deleted_at': None})
        return {'keypair': view}

    def delete(self, req, name):
        self.keypairs.delete(self._user_id(req), name)
        return wsgi.json_response(None, status=204 if microversion.api_version(req) >= (2, 2)
                                  else 202)


def routes(service):
    ctl = KeypairsController(service)
    return [
        wsgi.Route('/os-keypairs', GET=(ctl, 'index'), POST=(ctl, 'create')),
        wsgi.Route('/os-keypairs/{name}', GET=(ctl, 'show'), DELETE=(ctl, 'delete')),
    ]
