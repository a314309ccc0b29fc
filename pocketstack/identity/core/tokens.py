"""Tokens: issue, validate and revoke Fernet tokens.

A token is encrypted, not stored: its payload names the user, the auth
methods, the scope and the times.  Everything else — names, roles, whether
the user and project are still enabled — is looked up again at every
validation, so revoking a token, disabling a user or project, or deleting a
role assignment takes effect on the very next request, with no token table.

Revocation of individual tokens (and of all of a user's tokens after a
password change) is recorded as revocation events, checked on validation.
"""
import base64
import dataclasses
import datetime
import logging
import os
import time

import msgpack
import sqlalchemy as sa
from cryptography import fernet as crypto_fernet

from pocketstack.common import exception
from pocketstack.identity.core import fernet
from pocketstack.identity.db import models

LOG = logging.getLogger(__name__)

PAYLOAD_VERSION = 1


class TokenNotFound(exception.NotFound):
    message = 'Failed to validate token'


@dataclasses.dataclass
class Token:
    """A validated token, with everything the API shows of it."""
    id: str
    user: dict                 # {id, name, domain: {id, name}, password_expires_at}
    methods: list
    audit_ids: list
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    roles: list                # [{id, name}] — effective, implied roles expanded
    project: dict = None       # {id, name, domain: {id, name}}
    domain: dict = None        # {id, name}
    system: bool = False
    application_credential: dict = None   # {id, name, restricted}

    @property
    def user_id(self):
        return self.user['id']

    @property
    def project_id(self):
        return self.project['id'] if self.project else None

    @property
    def domain_id(self):
        return self.domain['id'] if self.domain else None

    @property
    def role_names(self):
        return [r['name'] for r in self.roles]

    @property
    def scoped(self):
        return bool(self.project or self.domain or self.system)


def _new_audit_id():
    return base64.urlsafe_b64encode(os.urandom(16)).rstrip(b'=').decode('ascii')


def _micros(dt_or_ts):
    if isinstance(dt_or_ts, datetime.datetime):
        return int(dt_or_ts.replace(tzinfo=datetime.timezone.utc).timestamp() * 1e6)
    return int(dt_or_ts * 1e6)


def _from_ts(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).replace(tzinfo=None)


class TokenManager:

    def __init__(self, service):
        self.service = service
        conf = service.conf
        self.keys = fernet.token_keys(conf)
        self.keys.setup()

    # -- issue ------------------------------------------------------------------

    def issue(self, user_id, methods, project_id=None, domain_id=None, system=False,
              application_credential_id=None, parent=None, expires_at=None):
        """Issue a token for an authenticated user; scope checks happen here.

        ``parent`` is the token a rescoped token was made from: the new one
        keeps its expiry and its audit chain, as Keystone's do.
        """
        now = time.time()
        if parent is not None:
            expires = _micros(parent.expires_at) / 1e6
            audit_ids = [_new_audit_id(), parent.audit_ids[-1]]
            methods = sorted(set(parent.methods) | set(methods))
        else:
            expires = now + self.service.conf.token.expiration
            audit_ids = [_new_audit_id()]
        if expires_at is not None:
            expires = min(expires, _micros(expires_at) / 1e6)
        payload = [PAYLOAD_VERSION, user_id, list(methods), project_id, domain_id,
                   bool(system), application_credential_id, now, expires, audit_ids]
        token_id = self.keys.encrypt(msgpack.packb(payload))
        return self._build(token_id, payload, issuing=True)

    # -- validate ---------------------------------------------------------------

    def validate(self, token_id):
        """The Token for ``token_id``; TokenNotFound (404) when it is not valid now."""
        if not token_id or len(token_id) > 2048:
            raise TokenNotFound()
        try:
            payload = msgpack.unpackb(self.keys.decrypt(token_id))
        except (crypto_fernet.InvalidToken, ValueError, TypeError,
                msgpack.exceptions.ExtraData, UnicodeError):
            raise TokenNotFound('Could not recognize Fernet token')
        if not isinstance(payload, list) or len(payload) != 10 or payload[0] != PAYLOAD_VERSION:
            raise TokenNotFound('Could not recognize Fernet token')
        return self._build(token_id, payload)

    def _build(self, token_id, payload, issuing=False):
        (_v, user_id, methods, project_id, domain_id, system, app_cred_id,
         issued, expires, audit_ids) = payload
        if expires <= time.time():
            raise TokenNotFound('The token has expired.')
        svc = self.service
        # Everything below is re-checked on every validation; one read
        # transaction keeps it consistent and cheap.
        with svc.db.reader():
            if not issuing and self._is_revoked(user_id, project_id, app_cred_id,
                                                audit_ids, issued):
                raise TokenNotFound('The token has been revoked.')
            fail = exception.Unauthorized if issuing else TokenNotFound
            try:
                user = svc.identity.get_user(user_id)
                user_domain = svc.resource.get_domain(user['domain_id'])
            except exception.NotFound:
                raise fail('The request you have made requires authentication.')
            if not user['enabled'] or not user_domain['enabled']:
                raise fail('The request you have made requires authentication.')
            token = Token(
                id=token_id,
                user={'id': user['id'], 'name': user['name'],
                      'domain': {'id': user_domain['id'], 'name': user_domain['name']},
                      'password_expires_at': user.get('password_expires_at')},
                methods=list(methods), audit_ids=list(audit_ids),
                issued_at=_from_ts(issued), expires_at=_from_ts(expires),
                roles=[], system=bool(system))
            app_cred = None
            if app_cred_id:
                app_cred = svc.app_creds.get_for_token(app_cred_id, user_id)
                if app_cred is None:
                    raise fail('The application credential is no longer valid.')
                token.application_credential = {
                    'id': app_cred['id'], 'name': app_cred['name'],
                    'restricted': not app_cred['unrestricted']}
            if project_id:
                token.project = self._project_scope(project_id, fail)
                token.roles = svc.assignment.roles_for(user_id, project_id=project_id)
            elif domain_id:
                token.domain = self._domain_scope(domain_id, fail)
                token.roles = svc.assignment.roles_for(user_id, domain_id=domain_id)
            elif system:
                token.roles = svc.assignment.roles_for(user_id, system=True)
            if app_cred is not None:
                allowed = {r['id'] for r in app_cred['roles']}
                token.roles = [r for r in token.roles if r['id'] in allowed]
            if token.scoped and not token.roles:
                what = ('project %s' % project_id if project_id else
                        'domain %s' % domain_id if domain_id else 'the system')
                raise fail('User %s has no access to %s.' % (user_id, what))
        return token

    def _project_scope(self, project_id, fail):
        svc = self.service
        try:
            project = svc.resource.get_project(project_id)
            domain = svc.resource.get_domain(project['domain_id'])
        except exception.NotFound:
            raise fail('The project %s is no longer available.' % project_id)
        if not project['enabled'] or not domain['enabled']:
            raise fail('The project %s is disabled.' % project_id)
        return {'id': project['id'], 'name': project['name'],
                'domain': {'id': domain['id'], 'name': domain['name']}}

    def _domain_scope(self, domain_id, fail):
        try:
            domain = self.service.resource.get_domain(domain_id)
        except exception.NotFound:
            raise fail('The domain %s is no longer available.' % domain_id)
        if not domain['enabled']:
            raise fail('The domain %s is disabled.' % domain_id)
        return {'id': domain['id'], 'name': domain['name']}

    # -- revoke -----------------------------------------------------------------

    def _is_revoked(self, user_id, project_id, app_cred_id, audit_ids, issued):
        ev = models.RevocationEvent
        issued_us = _micros(issued)
        clauses = [ev.audit_id.in_(audit_ids),
                   sa.and_(ev.user_id == user_id, ev.issued_before >= issued_us)]
        if project_id:
            clauses.append(sa.and_(ev.project_id == project_id,
                                   ev.issued_before >= issued_us))
        if app_cred_id:
            clauses.append(sa.and_(ev.application_credential_id == app_cred_id,
                                   ev.issued_before >= issued_us))
        with self.service.db.reader() as session:
            return session.execute(
                sa.select(ev.id).where(sa.or_(*clauses)).limit(1)).first() is not None

    def _record(self, **match):
        now = time.time()
        keep_after = _from_ts(now - self.service.conf.token.expiration - 60)
        with self.service.db.writer() as session:
            session.add(models.RevocationEvent(issued_before=_micros(now), **match))
            # Events older than the longest token life can never match again.
            session.execute(sa.delete(models.RevocationEvent).where(
                models.RevocationEvent.revoked_at < keep_after))

    def revoke(self, token):
        """Revoke one token (``DELETE /v3/auth/tokens``)."""
        self._record(audit_id=token.audit_ids[0])

    def revoke_for_user(self, user_id):
        """Every token the user holds now (password change, disable, delete)."""
        self._record(user_id=user_id)

    def revoke_for_application_credential(self, app_cred_id):
        self._record(application_credential_id=app_cred_id)
