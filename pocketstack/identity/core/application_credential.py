"""Application credentials: a secret a user creates for a program, bound to
one project and a subset of the user's roles there."""
import base64
import datetime
import os

import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.identity.core import identity as identity_core
from pocketstack.identity.db import models

UNAUTHORIZED = 'The request you have made requires authentication.'


def _new_secret():
    return base64.urlsafe_b64encode(os.urandom(64)).rstrip(b'=').decode('ascii')


class ApplicationCredentialManager:

    def __init__(self, service):
        self.service = service

    def _ref(self, row):
        role_ids = [r.role_id for r in row.roles]
        roles = []
        for role_id in role_ids:
            try:
                role = self.service.assignment.get_role(role_id)
            except exception.NotFound:
                continue
            roles.append({'id': role['id'], 'name': role['name'],
                          'domain_id': role.get('domain_id')})
        return {'id': row.id, 'name': row.name, 'description': row.description,
                'user_id': row.user_id, 'project_id': row.project_id, 'system': row.system,
                'expires_at': row.expires_at, 'unrestricted': row.unrestricted,
                'roles': roles, 'access_rules': []}

    def create(self, user_id, project_id, values, caller_roles):
        """``caller_roles`` are the roles of the creating token: the credential
        may carry only roles its creator holds on the project."""
        held = {r['id']: r for r in caller_roles}
        wanted = values.get('roles') or list(held.values())
        role_ids = []
        for role in wanted:
            match = next((r for r in held.values()
                          if r['id'] == role.get('id') or r['name'] == role.get('name')), None)
            if match is None:
                raise exception.NotFound(
                    'Could not find role assignment with role: %s, user or group: %s, '
                    'project, domain, or system: %s.'
                    % (role.get('id') or role.get('name'), user_id, project_id))
            if match['id'] not in role_ids:
                role_ids.append(match['id'])
        expires_at = values.get('expires_at')
        if expires_at:
            expires_at = _parse_time(expires_at)
            if expires_at <= utils.utcnow():
                raise exception.ValidationError(
                    'Invalid input for field expires_at: the time is in the past.')
        secret = values.get('secret') or _new_secret()
        secret_hash = identity_core.hash_secret(self.service.conf, secret)  # outside the txn
        with self.service.db.writer() as session:
            exists = session.execute(sa.select(models.ApplicationCredential.id).where(
                models.ApplicationCredential.user_id == user_id,
                models.ApplicationCredential.name == values['name'])).first()
            if exists:
                raise exception.Conflict(
                    'Conflict occurred attempting to store application_credential - '
                    'Duplicate entry found with name %s.' % values['name'])
            row = models.ApplicationCredential(
                id=utils.new_id(), name=values['name'], user_id=user_id,
                project_id=project_id, description=values.get('description'),
                secret_hash=secret_hash, expires_at=expires_at,
                unrestricted=bool(values.get('unrestricted', False)),
                roles=[models.ApplicationCredentialRole(role_id=r) for r in role_ids])
            session.add(row)
            session.flush()
            ref = self._ref(row)
        ref['secret'] = secret
        return ref

    def _row(self, session, user_id, app_cred_id):
        row = session.get(models.ApplicationCredential, app_cred_id)
        if row is None or row.user_id != user_id:
            raise exception.NotFound('Could not find Application Credential: %s.'
                                     % app_cred_id)
        return row

    def get(self, user_id, app_cred_id):
        with self.service.db.reader() as session:
            return self._ref(self._row(session, user_id, app_cred_id))

    def list(self, user_id, name=None):
        with self.service.db.reader() as session:
            query = sa.select(models.ApplicationCredential).where(
                models.ApplicationCredential.user_id == user_id)
            if name is not None:
                query = query.where(models.ApplicationCredential.name == name)
            return [self._ref(r) for r in session.scalars(query.order_by(
                models.ApplicationCredential.name))]

    def delete(self, user_id, app_cred_id):
        with self.service.db.writer() as session:
            session.delete(self._row(session, user_id, app_cred_id))
        self.service.tokens.revoke_for_application_credential(app_cred_id)

    def authenticate(self, cred):
        """Check ``{"id"|"name"+"user", "secret"}``; the credential's ref or 401."""
        with self.service.db.reader() as session:
            if cred.get('id'):
                row = session.get(models.ApplicationCredential, cred['id'])
            else:
                user = cred.get('user') or {}
                if not cred.get('name') or not (user.get('id') or user.get('name')):
                    raise exception.ValidationError(
                        'Invalid input for field identity/application_credential: an id, '
                        'or a name with its user, is required.')
                user_id = user.get('id') or self._user_id_by_name(user)
                row = session.execute(sa.select(models.ApplicationCredential).where(
                    models.ApplicationCredential.user_id == user_id,
                    models.ApplicationCredential.name == cred['name'])).scalar()
            ref = self._ref(row) if row is not None else None
            secret_hash = row.secret_hash if row is not None else None
        if ref is None or not identity_core.check_secret(cred['secret'], secret_hash):
            raise exception.Unauthorized(UNAUTHORIZED)
        if ref['expires_at'] and ref['expires_at'] <= utils.utcnow():
            raise exception.Unauthorized('The application credential has expired.')
        return ref

    def _user_id_by_name(self, user):
        domain = user.get('domain') or {}
        try:
            if domain.get('id'):
                domain_id = domain['id']
            else:
                domain_id = self.service.resource.get_domain_by_name(domain.get('name'))['id']
            return self.service.identity.get_user_by_name(user['name'], domain_id)['id']
        except exception.NotFound:
            raise exception.Unauthorized(UNAUTHORIZED)

    def get_for_token(self, app_cred_id, user_id):
        """The credential behind a token, or None when it was deleted or expired."""
        with self.service.db.reader() as session:
            row = session.get(models.ApplicationCredential, app_cred_id)
            if row is None or row.user_id != user_id:
                return None
            if row.expires_at and row.expires_at <= utils.utcnow():
                return None
            return self._ref(row)


def _parse_time(value):
    try:
        parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    except (ValueError, AttributeError):
        raise exception.ValidationError(
            'Invalid input for field expires_at: %r is not an ISO 8601 time.' % (value,))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed
