"""Users, groups, group membership and passwords (Keystone's "identity" backend).

Passwords are bcrypt hashes.  bcrypt is slow on purpose (~0.25 s at cost 12),
so it always runs outside database transactions: a SQLite writer holding its
lock for a quarter second would stall every other writer.
"""
import base64
import hashlib

import bcrypt
import sqlalchemy as sa

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.identity.core import resource
from pocketstack.identity.db import models

UNAUTHORIZED = 'The request you have made requires authentication.'

USER_FIELDS = ('name', 'domain_id', 'enabled', 'password', 'default_project_id',
               'description', 'email', 'options', 'password_expires_at')
GROUP_FIELDS = ('name', 'domain_id', 'description')


# -- secrets ---------------------------------------------------------------------

def _bcrypt_input(secret):
    data = secret.encode('utf-8')
    if len(data) > 72:
        # bcrypt reads at most 72 bytes (bcrypt 5 refuses more): longer secrets,
        # like application credential secrets, are condensed so every byte counts.
        data = base64.b64encode(hashlib.sha256(data).digest())
    return data


def hash_secret(conf, secret):
    """A bcrypt hash of ``secret`` at the configured cost."""
    rounds = conf.identity.password_hash_rounds
    return bcrypt.hashpw(_bcrypt_input(secret), bcrypt.gensalt(rounds)).decode('ascii')


def check_secret(secret, hashed):
    """Whether ``secret`` matches the bcrypt ``hashed`` (False when there is no hash)."""
    if not hashed or not isinstance(secret, str):
        return False
    try:
        return bcrypt.checkpw(_bcrypt_input(secret), hashed.encode('ascii'))
    except ValueError:  # not a bcrypt hash
        return False


# -- rows to refs ------------------------------------------------------------------

def _user_ref(row):
    ref = dict(row.extra or {})
    ref.update(id=row.id, name=row.name, domain_id=row.domain_id, enabled=bool(row.enabled),
               default_project_id=row.default_project_id, description=row.description,
               email=row.email, password_expires_at=row.password_expires_at,
               options=dict(row.options or {}))
    return ref


def _group_ref(row):
    ref = dict(row.extra or {})
    ref.update(id=row.id, name=row.name, domain_id=row.domain_id,
               description=row.description or '')
    return ref


def _require_domain(session, domain_id):
    if session.get(models.Domain, domain_id) is None:
        raise resource.not_found('domain', domain_id)


def _duplicate(kind, name, domain_id):
    return resource.duplicate(kind, 'Duplicate entry found with name %s at domain ID %s.'
                              % (name, domain_id))


class IdentityManager:

    def __init__(self, service):
        self.service = service
        self._dummy_hash = None

    # -- users --------------------------------------------------------------------

    def _user_row(self, session, user_id):
        row = session.get(models.User, user_id) if user_id else None
        if row is None:
            raise resource.not_found('user', user_id)
        return row

    def get_user(self, user_id):
        with self.service.db.reader() as session:
            return _user_ref(self._user_row(session, user_id))

    def get_user_by_name(self, name, domain_id):
        with self.service.db.reader() as session:
            row = session.scalars(sa.select(models.User).where(
                models.User.name == name, models.User.domain_id == domain_id)).first()
            if row is None:
                raise resource.not_found('user', name)
            return _user_ref(row)

    def list_users(self, domain_id=None):
        with self.service.db.reader() as session:
            query = sa.select(models.User).order_by(models.User.name)
            if domain_id is not None:
                query = query.where(models.User.domain_id == domain_id)
            return [_user_ref(r) for r in session.scalars(query)]

    def _name_taken(self, session, model, name, domain_id, except_id=None):
        query = sa.select(model.id).where(model.name == name, model.domain_id == domain_id)
        if except_id:
            query = query.where(model.id != except_id)
        return session.scalars(query).first() is not None

    def _check_default_project(self, session, project_id):
        # As Keystone: an unknown project is accepted, a domain is not.
        if project_id and session.get(models.Domain, project_id) is not None:
            raise exception.ValidationError(
                "User's default project ID cannot be a domain ID: %s." % project_id)

    def create_user(self, values):
        name = values['name']
        password = values.get('password')
        password_hash = hash_secret(self.service.conf, password) if password else None
        with self.service.db.writer() as session:
            domain_id = values.get('domain_id') or self.service.conf.identity.default_domain_id
            _require_domain(session, domain_id)
            if self._name_taken(session, models.User, name, domain_id):
                raise _duplicate('user', name, domain_id)
            self._check_default_project(session, values.get('default_project_id'))
            row = models.User(
                id=utils.new_id(), name=name, domain_id=domain_id,
                enabled=values.get('enabled', True),
                default_project_id=values.get('default_project_id'),
                description=values.get('description'), email=values.get('email'),
                password_hash=password_hash,
                password_created_at=utils.utcnow() if password_hash else None,
                options=resource.merge_options({}, values.get('options')),
                extra=resource.merge_extra({}, values, USER_FIELDS))
            session.add(row)
            resource.flush(session, 'user', 'Duplicate entry found with name %s at domain '
                           'ID %s.' % (name, domain_id))
            return _user_ref(row)

    def update_user(self, user_id, values):
        """Update a user; a new password or disabling ends the user's tokens."""
        password = values.get('password')
        password_hash = hash_secret(self.service.conf, password) if password else None
        with self.service.db.writer() as session:
            row = self._user_row(session, user_id)
            if 'domain_id' in values and values['domain_id'] != row.domain_id:
                raise exception.ValidationError('Cannot change Domain ID.')
            if 'name' in values and values['name'] != row.name:
                if self._name_taken(session, models.User, values['name'], row.domain_id,
                                    user_id):
                    raise _duplicate('user', values['name'], row.domain_id)
                row.name = values['name']
            if 'default_project_id' in values:
                self._check_default_project(session, values['default_project_id'])
                row.default_project_id = values['default_project_id']
            for attr in ('description', 'email'):
                if attr in values:
                    setattr(row, attr, values[attr])
            disabling = row.enabled and values.get('enabled') is False
            if 'enabled' in values:
                row.enabled = values['enabled']
            if 'password' in values:
                row.password_hash = password_hash
                row.password_created_at = utils.utcnow() if password_hash else None
            if 'options' in values:
                row.options = resource.merge_options(row.options, values['options'])
            row.extra = resource.merge_extra(row.extra, values, USER_FIELDS)
            resource.flush(session, 'user', 'Duplicate entry found with name %s at domain '
                           'ID %s.' % (row.name, row.domain_id))
            ref = _user_ref(row)
        if disabling or 'password' in values:
            self.service.tokens.revoke_for_user(user_id)
        return ref

    def delete_user(self, user_id):
        with self.service.db.writer() as session:
            row = self._user_row(session, user_id)
            session.execute(sa.delete(models.Assignment).where(
                models.Assignment.actor_id == user_id))
            session.execute(sa.delete(models.UserGroupMembership).where(
                models.UserGroupMembership.user_id == user_id))
            session.execute(sa.delete(models.ApplicationCredential).where(
                models.ApplicationCredential.user_id == user_id))
            session.delete(row)
        self.service.tokens.revoke_for_user(user_id)

    # -- passwords ----------------------------------------------------------------

    def authenticate(self, password, user_id=None, name=None, domain_id=None):
        """The user whose password this is; Unauthorized with one message for an
        unknown user, a wrong password and a disabled user, so the answer tells
        nothing about which users exist."""
        with self.service.db.reader() as session:
            if user_id:
                row = session.get(models.User, user_id)
            else:
                row = session.scalars(sa.select(models.User).where(
                    models.User.name == name, models.User.domain_id == domain_id)).first()
            if row is None:
                ref = password_hash = None
                usable = False
            else:
                ref, password_hash = _user_ref(row), row.password_hash
                domain = session.get(models.Domain, row.domain_id)
                usable = bool(row.enabled and domain is not None and domain.enabled)
        if password_hash is None:
            # Spend the time a real check takes: timing must not reveal existence.
            check_secret(password or '', self._dummy())
            raise exception.Unauthorized(UNAUTHORIZED)
        if not check_secret(password or '', password_hash) or not usable:
            raise exception.Unauthorized(UNAUTHORIZED)
        return ref

    def _dummy(self):
        if self._dummy_hash is None:
            self._dummy_hash = hash_secret(self.service.conf, utils.new_id())
        return self._dummy_hash

    def change_password(self, user_id, original, new):
        """A user changing their own password: the original must match."""
        self.authenticate(original, user_id=user_id)
        self.update_user(user_id, {'password': new})

    # -- groups -------------------------------------------------------------------

    def _group_row(self, session, group_id):
        row = session.get(models.Group, group_id) if group_id else None
        if row is None:
            raise resource.not_found('group', group_id)
        return row

    def get_group(self, group_id):
        with self.service.db.reader() as session:
            return _group_ref(self._group_row(session, group_id))

    def get_group_by_name(self, name, domain_id):
        with self.service.db.reader() as session:
            row = session.scalars(sa.select(models.Group).where(
                models.Group.name == name, models.Group.domain_id == domain_id)).first()
            if row is None:
                raise resource.not_found('group', name)
            return _group_ref(row)

    def list_groups(self, domain_id=None):
        with self.service.db.reader() as session:
            query = sa.select(models.Group).order_by(models.Group.name)
            if domain_id is not None:
                query = query.where(models.Group.domain_id == domain_id)
            return [_group_ref(r) for r in session.scalars(query)]

    def create_group(self, values):
        name = values['name']
        with self.service.db.writer() as session:
            domain_id = values.get('domain_id') or self.service.conf.identity.default_domain_id
            _require_domain(session, domain_id)
            if self._name_taken(session, models.Group, name, domain_id):
                raise _duplicate('group', name, domain_id)
            row = models.Group(id=utils.new_id(), name=name, domain_id=domain_id,
                               description=values.get('description') or '',
                               extra=resource.merge_extra({}, values, GROUP_FIELDS))
            session.add(row)
            resource.flush(session, 'group', 'Duplicate entry found with name %s at domain '
                           'ID %s.' % (name, domain_id))
            return _group_ref(row)

    def update_group(self, group_id, values):
        with self.service.db.writer() as session:
            row = self._group_row(session, group_id)
            if 'domain_id' in values and values['domain_id'] != row.domain_id:
                raise exception.ValidationError('Cannot change Domain ID.')
            if 'name' in values and values['name'] != row.name:
                if self._name_taken(session, models.Group, values['name'], row.domain_id,
                                    group_id):
                    raise _duplicate('group', values['name'], row.domain_id)
                row.name = values['name']
            if 'description' in values:
                row.description = values['description'] or ''
            row.extra = resource.merge_extra(row.extra, values, GROUP_FIELDS)
            resource.flush(session, 'group', 'Duplicate entry found with name %s at domain '
                           'ID %s.' % (row.name, row.domain_id))
            return _group_ref(row)

    def delete_group(self, group_id):
        with self.service.db.writer() as session:
            row = self._group_row(session, group_id)
            session.execute(sa.delete(models.Assignment).where(
                models.Assignment.actor_id == group_id))
            session.execute(sa.delete(models.UserGroupMembership).where(
                models.UserGroupMembership.group_id == group_id))
            session.delete(row)

    # -- membership ---------------------------------------------------------------

    def _membership(self, session, user_id, group_id):
        """The membership row (or None), after checking both ends exist."""
        self._user_row(session, user_id)
        self._group_row(session, group_id)
        return session.get(models.UserGroupMembership, (user_id, group_id))

    def add_user_to_group(self, user_id, group_id):
        with self.service.db.writer() as session:
            if self._membership(session, user_id, group_id) is None:
                session.add(models.UserGroupMembership(user_id=user_id, group_id=group_id))
                try:
                    session.flush()
                except sa.exc.IntegrityError:
                    pass  # added concurrently: the outcome is the same

    def check_user_in_group(self, user_id, group_id):
        with self.service.db.reader() as session:
            if self._membership(session, user_id, group_id) is None:
                raise exception.NotFound('User %s is not a member of group %s.'
                                         % (user_id, group_id))

    def remove_user_from_group(self, user_id, group_id):
        with self.service.db.writer() as session:
            row = self._membership(session, user_id, group_id)
            if row is None:
                raise exception.NotFound('User %s is not a member of group %s.'
                                         % (user_id, group_id))
            session.delete(row)

    def groups_for_user(self, user_id):
        """Ids of the user's groups (the effective-roles path: one query)."""
        with self.service.db.reader() as session:
            return list(session.scalars(sa.select(models.UserGroupMembership.group_id).where(
                models.UserGroupMembership.user_id == user_id)))

    def list_groups_for_user(self, user_id):
        with self.service.db.reader() as session:
            self._user_row(session, user_id)
            rows = session.scalars(sa.select(models.Group).join(
                models.UserGroupMembership,
                models.UserGroupMembership.group_id == models.Group.id).where(
                models.UserGroupMembership.user_id == user_id).order_by(models.Group.name))
            return [_group_ref(r) for r in rows]

    def list_users_in_group(self, group_id):
        with self.service.db.reader() as session:
            self._group_row(session, group_id)
            rows = session.scalars(sa.select(models.User).join(
                models.UserGroupMembership,
                models.UserGroupMembership.user_id == models.User.id).where(
                models.UserGroupMembership.group_id == group_id).order_by(models.User.name))
            return [_user_ref(r) for r in rows]
