"""Roles, implied roles and role assignments (Keystone's "assignment" backend).

A grant gives an actor (user or group) a role on a target (project, domain
or the system).  A grant marked *inherited* does not apply to its target
itself but to the projects below it: every project of a domain, or every
project under a project (Keystone's OS-INHERIT).  A role may imply other
roles (admin ⇒ manager ⇒ member ⇒ reader); the roles a token carries are the closure.

Domain-specific roles (``domain_id`` set) can be granted, but only the
global roles they imply reach tokens, as in Keystone.

``roles_for`` runs on every token validation: a handful of small queries,
no per-group or per-role lookups.
"""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.identity.core import resource
from pocketstack.identity.db import models

ROLE_FIELDS = ('name', 'domain_id', 'description', 'options')
# Keystone's default [assignment] prohibited_implied_role.
PROHIBITED_IMPLIED_ROLES = ('admin',)

A = models.Assignment
UGM = models.UserGroupMembership

# (actor kind, target kind) <-> the assignment row's type
_TYPES = {('user', 'project'): models.USER_PROJECT, ('group', 'project'): models.GROUP_PROJECT,
          ('user', 'domain'): models.USER_DOMAIN, ('group', 'domain'): models.GROUP_DOMAIN,
          ('user', 'system'): models.USER_SYSTEM, ('group', 'system'): models.GROUP_SYSTEM}
_KINDS = {t: kinds for kinds, t in _TYPES.items()}
USER_TYPES = [t for (actor, _), t in _TYPES.items() if actor == 'user']
GROUP_TYPES = [t for (actor, _), t in _TYPES.items() if actor == 'group']


def _role_ref(row):
    ref = dict(row.extra or {})
    ref.update(id=row.id, name=row.name, domain_id=row.domain_id or None,
               description=row.description, options=dict(row.options or {}))
    return ref


def _record(row):
    """A stored grant as a flat record: role_id, user_id|group_id,
    project_id|domain_id|system, inherited."""
    actor, target = _KINDS[row.type]
    record = {'role_id': row.role_id, actor + '_id': row.actor_id,
              'inherited': bool(row.inherited)}
    if target == 'system':
        record['system'] = 'all'
    else:
        record[target + '_id'] = row.target_id
    return record


def _closure(graph, role_ids):
    """``role_ids`` and every role they imply, transitively."""
    seen = set(role_ids)
    stack = list(role_ids)
    while stack:
        for implied in graph.get(stack.pop(), ()):
            if implied not in seen:
                seen.add(implied)
                stack.append(implied)
    return seen


def _descendants(children, project_id):
    """Ids of every project below ``project_id`` (``children``: parent -> ids)."""
    found, stack = [], list(children.get(project_id, ()))
    while stack:
        child = stack.pop()
        if child not in found:
            found.append(child)
            stack.extend(children.get(child, ()))
    return found


class AssignmentManager:

    def __init__(self, service):
        self.service = service

    # -- roles ----------------------------------------------------------------------

    def _role_row(self, session, role_id):
        row = session.get(models.Role, role_id) if role_id else None
        if row is None:
            raise resource.not_found('role', role_id)
        return row

    def get_role(self, role_id):
        with self.service.db.reader() as session:
            return _role_ref(self._role_row(session, role_id))

    def get_role_by_name(self, name, domain_id=None):
        with self.service.db.reader() as session:
            row = session.scalars(sa.select(models.Role).where(
                models.Role.name == name,
                models.Role.domain_id == (domain_id or models.GLOBAL_ROLE_DOMAIN))).first()
            if row is None:
                raise resource.not_found('role', name)
            return _role_ref(row)

    def list_roles(self, domain_id=None):
        """Global roles, or the roles of one domain (as GET /v3/roles lists them)."""
        with self.service.db.reader() as session:
            rows = session.scalars(sa.select(models.Role).where(
                models.Role.domain_id == (domain_id or models.GLOBAL_ROLE_DOMAIN)
            ).order_by(models.Role.name))
            return [_role_ref(r) for r in rows]

    @staticmethod
    def _duplicate_role(name, domain_id):
        if domain_id:
            return resource.duplicate('role', 'Duplicate entry found with name %s at domain '
                                      'ID %s.' % (name, domain_id))
        return resource.duplicate('role', 'Duplicate entry found with name %s.' % name)

    def _name_taken(self, session, name, domain_id, except_id=None):
        query = sa.select(models.Role.id).where(models.Role.name == name,
                                                models.Role.domain_id == domain_id)
        if except_id:
            query = query.where(models.Role.id != except_id)
        return session.scalars(query).first() is not None

    def create_role(self, values):
        name = values['name']
        domain_id = values.get('domain_id') or models.GLOBAL_ROLE_DOMAIN
        with self.service.db.writer() as session:
            if domain_id and session.get(models.Domain, domain_id) is None:
                raise resource.not_found('domain', domain_id)
            if self._name_taken(session, name, domain_id):
                raise self._duplicate_role(name, domain_id)
            row = models.Role(id=utils.new_id(), name=name, domain_id=domain_id,
                              description=values.get('description'),
                              options=resource.merge_options({}, values.get('options')),
                              extra=resource.merge_extra({}, values, ROLE_FIELDS))
            session.add(row)
            try:
                session.flush()
            except sa_exc.IntegrityError:
                raise self._duplicate_role(name, domain_id)
            return _role_ref(row)

    def update_role(self, role_id, values):
        with self.service.db.writer() as session:
            row = self._role_row(session, role_id)
            resource.check_mutable('role', role_id, row.options, values.get('options'))
            if 'domain_id' in values and (values['domain_id'] or '') != row.domain_id:
                raise exception.ValidationError('Update of `domain_id` is not allowed.')
            if 'name' in values and values['name'] != row.name:
                if self._name_taken(session, values['name'], row.domain_id, role_id):
                    raise self._duplicate_role(values['name'], row.domain_id)
                row.name = values['name']
            if 'description' in values:
                row.description = values['description']
            if 'options' in values:
                row.options = resource.merge_options(row.options, values['options'])
            row.extra = resource.merge_extra(row.extra, values, ROLE_FIELDS)
            try:
                session.flush()
            except sa_exc.IntegrityError:
                raise self._duplicate_role(row.name, row.domain_id)
            return _role_ref(row)

    def delete_role(self, role_id):
        """Delete a role with its grants, inference rules and its place in
        application credentials.  Done explicitly: not every engine (nor every
        SQLite connection) enforces the foreign keys' cascades."""
        with self.service.db.writer() as session:
            row = self._role_row(session, role_id)
            resource.check_mutable('role', role_id, row.options)
            session.execute(sa.delete(A).where(A.role_id == role_id))
            session.execute(sa.delete(models.ImpliedRole).where(sa.or_(
                models.ImpliedRole.prior_role_id == role_id,
                models.ImpliedRole.implied_role_id == role_id)))
            session.execute(sa.delete(models.ApplicationCredentialRole).where(
                models.ApplicationCredentialRole.role_id == role_id))
            session.delete(row)

    # -- implied roles ----------------------------------------------------------------

    @staticmethod
    def _implied_graph(session):
        """{prior role id: [implied role ids]} — the whole rule set, one query
        (it holds a handful of rows on any real cloud)."""
        graph = {}
        for prior, implied in session.execute(sa.select(
                models.ImpliedRole.prior_role_id, models.ImpliedRole.implied_role_id)):
            graph.setdefault(prior, []).append(implied)
        return graph

    def create_implied_role(self, prior_role_id, implied_role_id):
        """Make ``prior`` imply ``implied``; returns {prior_role, implies}."""
        with self.service.db.writer() as session:
            prior = self._role_row(session, prior_role_id)
            implied = self._role_row(session, implied_role_id)
            if prior.id == implied.id:
                raise exception.ValidationError('Role %s cannot imply itself.' % prior.id)
            if implied.name in PROHIBITED_IMPLIED_ROLES:
                raise exception.Forbidden('%s cannot be an implied roles.' % implied.id)
            if implied.domain_id and prior.domain_id != implied.domain_id:
                raise exception.Forbidden('Global role cannot imply a domain-specific role.')
            if session.get(models.ImpliedRole, (prior.id, implied.id)) is not None:
                raise resource.duplicate('implied_role', 'Duplicate entry: %s already implies '
                                         '%s.' % (prior.id, implied.id))
            if prior.id in _closure(self._implied_graph(session), [implied.id]):
                raise exception.Conflict('Role %s already implies role %s (directly or '
                                         'indirectly): the rule would make a cycle.'
                                         % (implied.id, prior.id))
            session.add(models.ImpliedRole(prior_role_id=prior.id, implied_role_id=implied.id))
            try:
                session.flush()
            except sa_exc.IntegrityError:
                raise resource.duplicate('implied_role', 'Duplicate entry: %s already '
                                         'implies %s.' % (prior.id, implied.id))
            return {'prior_role': _role_ref(prior), 'implies': _role_ref(implied)}

    def _rule_row(self, session, prior_role_id, implied_role_id):
        self._role_row(session, prior_role_id)
        self._role_row(session, implied_role_id)
        row = session.get(models.ImpliedRole, (prior_role_id, implied_role_id))
        if row is None:
            raise exception.NotFound('%s does not imply %s.' % (prior_role_id, implied_role_id))
        return row

    def get_implied_role(self, prior_role_id, implied_role_id):
        with self.service.db.reader() as session:
            self._rule_row(session, prior_role_id, implied_role_id)
            return {'prior_role': _role_ref(session.get(models.Role, prior_role_id)),
                    'implies': _role_ref(session.get(models.Role, implied_role_id))}

    def delete_implied_role(self, prior_role_id, implied_role_id):
        with self.service.db.writer() as session:
            session.delete(self._rule_row(session, prior_role_id, implied_role_id))

    def list_implied_roles(self, prior_role_id):
        """{prior_role, implies: [roles the prior directly implies]}."""
        with self.service.db.reader() as session:
            prior = self._role_row(session, prior_role_id)
            rows = session.scalars(sa.select(models.Role).join(
                models.ImpliedRole, models.ImpliedRole.implied_role_id == models.Role.id).where(
                models.ImpliedRole.prior_role_id == prior_role_id).order_by(models.Role.name))
            return {'prior_role': _role_ref(prior), 'implies': [_role_ref(r) for r in rows]}

    def list_role_inference_rules(self):
        """[{prior_role, implies: [...]}] for every role implying others."""
        with self.service.db.reader() as session:
            graph = self._implied_graph(session)
            ids = set(graph) | {i for implied in graph.values() for i in implied}
            roles = self._roles_by_id(session, ids)
            return [{'prior_role': roles[prior],
                     'implies': sorted((roles[i] for i in graph[prior]),
                                       key=lambda r: (r['name'], r['id']))}
                    for prior in sorted(graph, key=lambda p: (roles[p]['name'], p))]

    @staticmethod
    def _roles_by_id(session, role_ids):
        if not role_ids:
            return {}
        rows = session.scalars(sa.select(models.Role).where(models.Role.id.in_(role_ids)))
        return {r.id: _role_ref(r) for r in rows}

    # -- grants -----------------------------------------------------------------------

    def _grant_key(self, session, role_id, user_id, group_id, project_id, domain_id,
                   system, inherited):
        """Check that every named entity exists and the combination makes sense;
        the assignment row's primary key."""
        if bool(user_id) == bool(group_id):
            raise exception.ValidationError('Specify either a user or a group, not both.')
        if sum(map(bool, (project_id, domain_id, system))) != 1:
            raise exception.ValidationError('Specify one of a project, a domain or the system.')
        if system and inherited:
            raise exception.ValidationError('A system role assignment cannot be inherited.')
        role = self._role_row(session, role_id)
        if user_id and session.get(models.User, user_id) is None:
            raise resource.not_found('user', user_id)
        if group_id and session.get(models.Group, group_id) is None:
            raise resource.not_found('group', group_id)
        if project_id:
            target = session.get(models.Project, project_id)
            if target is None:
                raise resource.not_found('project', project_id)
            target_domain = target.domain_id
        elif domain_id:
            if session.get(models.Domain, domain_id) is None:
                raise resource.not_found('domain', domain_id)
            target_domain = domain_id
        if role.domain_id:
            if system:
                raise exception.ValidationError(
                    'Role %s is a domain-specific role and cannot be assigned on the '
                    'system.' % role_id)
            if target_domain != role.domain_id:
                raise exception.Forbidden(
                    '%s %s must be in the same domain as the role %s being assigned.'
                    % ('Project' if project_id else 'Domain', project_id or domain_id,
                       role_id))
        actor_kind = 'user' if user_id else 'group'
        target_kind = 'project' if project_id else 'domain' if domain_id else 'system'
        return (_TYPES[actor_kind, target_kind], user_id or group_id,
                project_id or domain_id or models.SYSTEM_TARGET, role_id, bool(inherited))

    def grant(self, role_id, user_id=None, group_id=None, project_id=None, domain_id=None,
              system=False, inherited=False):
        """Give the role; granting what is already granted changes nothing."""
        with self.service.db.writer() as session:
            key = self._grant_key(session, role_id, user_id, group_id, project_id,
                                  domain_id, system, inherited)
            if session.get(A, key) is not None:
                return
            # A savepoint: losing a race to a concurrent identical grant must
            # not spoil the surrounding transaction.
            try:
                with session.begin_nested():
                    session.add(A(type=key[0], actor_id=key[1], target_id=key[2],
                                  role_id=key[3], inherited=key[4]))
            except sa_exc.IntegrityError:
                pass  # granted concurrently: the outcome is the same

    def check(self, role_id, user_id=None, group_id=None, project_id=None, domain_id=None,
              system=False, inherited=False):
        """Whether the grant exists (NotFound when one of its entities does not)."""
        with self.service.db.reader() as session:
            key = self._grant_key(session, role_id, user_id, group_id, project_id,
                                  domain_id, system, inherited)
            return session.get(A, key) is not None

    def revoke(self, role_id, user_id=None, group_id=None, project_id=None, domain_id=None,
               system=False, inherited=False):
        with self.service.db.writer() as session:
            key = self._grant_key(session, role_id, user_id, group_id, project_id,
                                  domain_id, system, inherited)
            row = session.get(A, key)
            if row is None:
                raise exception.NotFound(
                    'Could not find role assignment with role: %s, user or group: %s, '
                    'project, domain, or system: %s.' % (role_id, key[1], key[2]))
            session.delete(row)

    def list_grants(self, user_id=None, group_id=None, project_id=None, domain_id=None,
                    system=False, inherited=False):
        """The roles granted directly (not inherited from above, not implied)."""
        with self.service.db.reader() as session:
            self._check_entities(session, user_id, group_id, project_id, domain_id)
            actor_kind = 'user' if user_id else 'group'
            target_kind = 'project' if project_id else 'domain' if domain_id else 'system'
            rows = session.scalars(sa.select(models.Role).join(A, A.role_id == models.Role.id)
                                   .where(A.type == _TYPES[actor_kind, target_kind],
                                          A.actor_id == (user_id or group_id),
                                          A.target_id == (project_id or domain_id
                                                          or models.SYSTEM_TARGET),
                                          A.inherited == bool(inherited))
                                   .order_by(models.Role.name))
            return [_role_ref(r) for r in rows]

    @staticmethod
    def _check_entities(session, user_id=None, group_id=None, project_id=None,
                        domain_id=None):
        for model, kind, ident in ((models.User, 'user', user_id),
                                   (models.Group, 'group', group_id),
                                   (models.Project, 'project', project_id),
                                   (models.Domain, 'domain', domain_id)):
            if ident is not None and session.get(model, ident) is None:
                raise resource.not_found(kind, ident)

    # -- effective roles (the token path) -----------------------------------------------

    def roles_for(self, user_id, project_id=None, domain_id=None, system=False):
        """The user's effective roles on one scope: granted to the user or one
        of their groups, inherited from the project's domain or its parent
        projects, and everything those imply.  Global roles only, as
        [{id, name}] sorted by name."""
        with self.service.db.reader() as session:
            if project_id:
                project = session.get(models.Project, project_id)
                if project is None:
                    return []
                # Inherited grants on these apply; direct ones only on the project.
                above = set(self.service.resource.project_ancestors(project_id))
                above.add(project.domain_id)
                targets = above | {project_id}

                def applies(row):
                    target_kind = _KINDS[row.type][1]
                    if target_kind == 'project' and row.target_id == project_id:
                        return not row.inherited
                    return row.inherited and target_kind != 'system' and \
                        row.target_id in above
            elif domain_id:
                targets = {domain_id}

                def applies(row):
                    return _KINDS[row.type][1] == 'domain' and not row.inherited
            elif system:
                targets = {models.SYSTEM_TARGET}

                def applies(row):
                    return _KINDS[row.type][1] == 'system'
            else:
                return []
            groups = sa.select(UGM.group_id).where(UGM.user_id == user_id)
            rows = session.execute(sa.select(A.type, A.target_id, A.role_id, A.inherited).where(
                sa.or_(sa.and_(A.type.in_(USER_TYPES), A.actor_id == user_id),
                       sa.and_(A.type.in_(GROUP_TYPES), A.actor_id.in_(groups))),
                A.target_id.in_(targets)))
            granted = {row.role_id for row in rows if applies(row)}
            if not granted:
                return []
            role_ids = _closure(self._implied_graph(session), granted)
            rows = session.execute(sa.select(models.Role.id, models.Role.name).where(
                models.Role.id.in_(role_ids),
                models.Role.domain_id == models.GLOBAL_ROLE_DOMAIN))
            return sorted(({'id': r.id, 'name': r.name} for r in rows),
                          key=lambda r: (r['name'], r['id']))

    def _actor_grants(self, session, user_id, types):
        groups = sa.select(UGM.group_id).where(UGM.user_id == user_id)
        return session.execute(sa.select(A.type, A.target_id, A.inherited).where(
            A.type.in_(types),
            sa.or_(A.actor_id == user_id, A.actor_id.in_(groups))))

    def projects_for_user(self, user_id):
        """Projects where the user has any role: directly, through a group, or
        inherited from the domain or a parent project."""
        with self.service.db.reader() as session:
            rows = list(self._actor_grants(session, user_id, [
                models.USER_PROJECT, models.GROUP_PROJECT,
                models.USER_DOMAIN, models.GROUP_DOMAIN]))
            if not rows:
                return []
            projects = self.service.resource.list_projects()
            children = {}
            for p in projects:
                children.setdefault(p['parent_id'], []).append(p['id'])
            wanted = set()
            for row in rows:
                target_kind = _KINDS[row.type][1]
                if target_kind == 'project' and not row.inherited:
                    wanted.add(row.target_id)
                elif row.inherited:
                    # A top-level project's parent_id shows its domain, so the
                    # same walk covers both kinds of inheritance.
                    wanted.update(_descendants(children, row.target_id))
            return [p for p in projects if p['id'] in wanted]

    def domains_for_user(self, user_id):
        """Domains where the user (or one of their groups) holds a role."""
        with self.service.db.reader() as session:
            rows = self._actor_grants(session, user_id,
                                      [models.USER_DOMAIN, models.GROUP_DOMAIN])
            wanted = {row.target_id for row in rows if not row.inherited}
            if not wanted:
                return []
            return [d for d in self.service.resource.list_domains() if d['id'] in wanted]

    # -- GET /v3/role_assignments ----------------------------------------------------

    def list_role_assignments(self, user_id=None, group_id=None, role_id=None,
                              project_id=None, domain_id=None, system=False,
                              inherited=None, effective=False, include_subtree=False,
                              include_names=False):
        """Role assignments as flat records, filtered as the API filters them.

        A record: ``role_id``, ``user_id`` or ``group_id``, ``project_id`` or
        ``domain_id`` or ``system``, ``inherited``; effective records also
        carry ``grant`` (the stored assignment they come from) and
        ``indirect`` (``group_id`` — the membership, ``role_id`` — the prior
        role); with ``include_names``, ``names`` maps each entity kind to its
        {id, name, domain}.
        """
        if user_id and group_id:
            raise exception.ValidationError('Specify either a user or a group, not both.')
        if sum(map(bool, (project_id, domain_id, system))) > 1:
            raise exception.ValidationError(
                'Specify one of a project, a domain or the system as the scope.')
        if include_subtree and not project_id:
            raise exception.ValidationError(
                'include_subtree can only be used together with scope.project.id.')
        if effective and group_id:
            raise exception.ValidationError(
                'Combining effective and group filter will always result in an empty list.')
        if effective and inherited is not None:
            raise exception.ValidationError(
                'Combining effective and inherited filter will always result in an '
                'empty list.')
        with self.service.db.reader() as session:
            tree = None
            if include_subtree:
                tree = self._project_tree(session)
                if project_id not in tree['domain']:
                    raise resource.not_found('project', project_id)
                projects = [project_id] + _descendants(tree['children'], project_id)
            else:
                projects = [project_id] if project_id else None
            if effective:
                records = self._effective(session, user_id, tree)
                records = [r for r in records if self._matches(
                    r, role_id=role_id, projects=projects, domain_id=domain_id,
                    system=system)]
            else:
                records = self._stored(session, user_id, group_id, role_id, projects,
                                       domain_id, system, inherited)
            if include_names:
                self._add_names(session, records)
            return records

    def _stored(self, session, user_id, group_id, role_id, projects, domain_id, system,
                inherited):
        query = sa.select(A).order_by(A.type, A.actor_id, A.target_id, A.role_id, A.inherited)
        if user_id:
            query = query.where(A.type.in_(USER_TYPES), A.actor_id == user_id)
        if group_id:
            query = query.where(A.type.in_(GROUP_TYPES), A.actor_id == group_id)
        if role_id:
            query = query.where(A.role_id == role_id)
        if projects is not None:
            query = query.where(A.type.in_([models.USER_PROJECT, models.GROUP_PROJECT]),
                                A.target_id.in_(projects))
        if domain_id:
            query = query.where(A.type.in_([models.USER_DOMAIN, models.GROUP_DOMAIN]),
                                A.target_id == domain_id)
        if system:
            query = query.where(A.type.in_([models.USER_SYSTEM, models.GROUP_SYSTEM]))
        if inherited is not None:
            query = query.where(A.inherited == bool(inherited))
        return [_record(row) for row in session.scalars(query)]

    @staticmethod
    def _project_tree(session):
        tree = {'domain': {}, 'children': {}}
        for pid, domain_id, parent_id in session.execute(sa.select(
                models.Project.id, models.Project.domain_id, models.Project.parent_id)):
            tree['domain'][pid] = domain_id
            tree['children'].setdefault(parent_id or domain_id, []).append(pid)
        return tree

    def _effective(self, session, user_id, tree):
        """Every stored grant (of ``user_id`` when given) turned into what it
        gives users: groups become their members, inherited grants become
        grants on each project below, roles bring the roles they imply.
        Domain-specific roles are left out, as from tokens."""
        query = sa.select(A).order_by(A.type, A.actor_id, A.target_id, A.role_id, A.inherited)
        if user_id:
            groups = sa.select(UGM.group_id).where(UGM.user_id == user_id)
            query = query.where(sa.or_(
                sa.and_(A.type.in_(USER_TYPES), A.actor_id == user_id),
                sa.and_(A.type.in_(GROUP_TYPES), A.actor_id.in_(groups))))
        grants = [_record(row) for row in session.scalars(query)]
        members = {}
        group_ids = {g['group_id'] for g in grants if 'group_id' in g}
        if group_ids:
            membership = sa.select(UGM.group_id, UGM.user_id).where(UGM.group_id.in_(group_ids))
            if user_id:
                membership = membership.where(UGM.user_id == user_id)
            for gid, uid in session.execute(membership.order_by(UGM.user_id)):
                members.setdefault(gid, []).append(uid)
        if tree is None and any(g['inherited'] for g in grants):
            tree = self._project_tree(session)
        graph = self._implied_graph(session)
        global_roles = set(session.scalars(sa.select(models.Role.id).where(
            models.Role.domain_id == models.GLOBAL_ROLE_DOMAIN)))

        records = []
        for grant in grants:
            if 'group_id' in grant:
                actors = [(uid, grant['group_id']) for uid in members.get(grant['group_id'], ())]
            else:
                actors = [(grant['user_id'], None)]
            if not grant['inherited']:
                targets = [{k: grant[k] for k in ('project_id', 'domain_id', 'system')
                            if k in grant}]
            elif 'domain_id' in grant:
                targets = [{'project_id': pid} for pid, did in tree['domain'].items()
                           if did == grant['domain_id']]
            else:
                targets = [{'project_id': pid}
                           for pid in _descendants(tree['children'], grant['project_id'])]
            roles = self._implied_with_prior(graph, grant['role_id'])
            for uid, via_group in actors:
                for target in targets:
                    for rid, prior in roles:
                        if rid not in global_roles:
                            continue
                        record = dict(target, role_id=rid, user_id=uid,
                                      inherited=grant['inherited'], grant=grant, indirect={})
                        if via_group:
                            record['indirect']['group_id'] = via_group
                        if prior:
                            record['indirect']['role_id'] = prior
                        records.append(record)
        return records

    @staticmethod
    def _implied_with_prior(graph, role_id):
        """[(role, the role implying it or None)]: ``role_id`` first, then every
        role it implies, each once, with the nearest rule that brought it."""
        result, seen, queue = [(role_id, None)], {role_id}, [role_id]
        while queue:
            prior = queue.pop(0)
            for implied in graph.get(prior, ()):
                if implied not in seen:
                    seen.add(implied)
                    result.append((implied, prior))
                    queue.append(implied)
        return result

    @staticmethod
    def _matches(record, role_id=None, projects=None, domain_id=None, system=False):
        if role_id and record['role_id'] != role_id:
            return False
        if projects is not None and record.get('project_id') not in projects:
            return False
        if domain_id and record.get('domain_id') != domain_id:
            return False
        if system and 'system' not in record:
            return False
        return True

    @staticmethod
    def _add_names(session, records):
        """``names``: {role|user|group|project|domain: {id, name[, domain]}} per
        record — a query per entity kind, not per record."""
        wanted = {kind: {r[kind + '_id'] for r in records if r.get(kind + '_id')}
                  for kind in ('role', 'user', 'group', 'project', 'domain')}
        found = {kind: {} for kind in wanted}
        domain_ids = set(wanted['domain'])
        for kind, model in (('role', models.Role), ('user', models.User),
                            ('group', models.Group), ('project', models.Project)):
            if not wanted[kind]:
                continue
            for row in session.execute(sa.select(model.id, model.name, model.domain_id).where(
                    model.id.in_(wanted[kind]))):
                found[kind][row.id] = {'id': row.id, 'name': row.name,
                                       'domain_id': row.domain_id or None}
                if row.domain_id:
                    domain_ids.add(row.domain_id)
        domains = {}
        if domain_ids:
            domains = {d.id: {'id': d.id, 'name': d.name} for d in session.execute(
                sa.select(models.Domain.id, models.Domain.name).where(
                    models.Domain.id.in_(domain_ids)))}
        for record in records:
            names = {}
            for kind in ('role', 'user', 'group', 'project', 'domain'):
                ident = record.get(kind + '_id')
                if not ident:
                    continue
                if kind == 'domain':
                    names[kind] = dict(domains.get(ident) or {'id': ident})
                    continue
                ref = found[kind].get(ident)
                if ref is None:
                    names[kind] = {'id': ident}
                    continue
                names[kind] = {'id': ident, 'name': ref['name']}
                if ref['domain_id']:
                    names[kind]['domain'] = dict(domains.get(ref['domain_id'])
                                                 or {'id': ref['domain_id']})
            record['names'] = names
