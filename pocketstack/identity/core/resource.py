"""Domains and projects (Keystone's "resource" backend).

Refs are plain dicts shaped as the API shows them (without links).  A
top-level project is stored with ``parent_id`` NULL and shown with its
domain's id there, as Keystone shows it.  Properties the API does not know
are kept in the ``extra`` column and returned beside the known ones, as
Keystone does.
"""
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from pocketstack.common import exception
from pocketstack.common import utils
from pocketstack.identity.db import models

MAX_TAGS = 80
# Keys never stored as extra properties: the id is ours, links are rendered.
_NOT_EXTRA = ('id', 'links')

DOMAIN_FIELDS = ('name', 'description', 'enabled', 'options')
PROJECT_FIELDS = ('name', 'domain_id', 'parent_id', 'description', 'enabled', 'tags',
                  'options', 'is_domain')


# -- helpers shared with core/identity.py ----------------------------------------

def merge_extra(current, values, known):
    """``current`` extra properties updated with the unknown keys of ``values``
    (a null value removes the property)."""
    extra = dict(current or {})
    for key, value in values.items():
        if key in known or key in _NOT_EXTRA:
            continue
        if value is None:
            extra.pop(key, None)
        else:
            extra[key] = value
    return extra


def merge_options(current, new):
    """Resource options: a null value removes the option."""
    options = dict(current or {})
    for key, value in (new or {}).items():
        if value is None:
            options.pop(key, None)
        else:
            options[key] = value
    return options


def duplicate(kind, message):
    return exception.Conflict('Conflict occurred attempting to store %s - %s' % (kind, message))


def flush(session, kind, message):
    """Flush, turning a unique-constraint race lost to another writer into 409."""
    try:
        session.flush()
    except sa_exc.IntegrityError:
        raise duplicate(kind, message)


def not_found(kind, ident):
    return exception.NotFound('Could not find %s: %s.' % (kind, ident))


def check_mutable(kind, ident, options, new_options=None):
    """Keystone's ``immutable`` resource option: an immutable resource is only
    changed by the update that clears the option."""
    if not (options or {}).get('immutable'):
        return
    if new_options is not None and not new_options.get('immutable', True):
        return
    raise exception.Forbidden(
        'Unable to modify or delete immutable %s resource: %s. Set the resource option '
        '"immutable" to false first.' % (kind, ident))


# -- rows to refs ------------------------------------------------------------------

def _domain_ref(row):
    ref = dict(row.extra or {})
    ref.pop('options', None)
    ref.update(id=row.id, name=row.name, description=row.description or '',
               enabled=bool(row.enabled), options=dict((row.extra or {}).get('options') or {}),
               tags=[])
    return ref


def _project_ref(row):
    ref = dict(row.extra or {})
    ref.pop('options', None)
    ref.update(id=row.id, name=row.name, domain_id=row.domain_id,
               parent_id=row.parent_id or row.domain_id,
               description=row.description or '', enabled=bool(row.enabled),
               is_domain=False, tags=sorted(t.name for t in row.tags),
               options=dict((row.extra or {}).get('options') or {}))
    return ref


class ResourceManager:

    def __init__(self, service):
        self.service = service

    # -- domains ------------------------------------------------------------------

    def _domain_row(self, session, domain_id):
        row = session.get(models.Domain, domain_id) if domain_id else None
        if row is None:
            raise not_found('domain', domain_id)
        return row

    def get_domain(self, domain_id):
        with self.service.db.reader() as session:
            return _domain_ref(self._domain_row(session, domain_id))

    def get_domain_by_name(self, name):
        with self.service.db.reader() as session:
            row = session.scalars(sa.select(models.Domain).where(
                models.Domain.name == name)).first()
            if row is None:
                raise not_found('domain', name)
            return _domain_ref(row)

    def list_domains(self):
        with self.service.db.reader() as session:
            rows = session.scalars(sa.select(models.Domain).order_by(models.Domain.name))
            return [_domain_ref(r) for r in rows]

    def create_domain(self, values):
        name = values['name']
        message = 'Duplicate entry found with name %s.' % name
        with self.service.db.writer() as session:
            if session.scalars(sa.select(models.Domain.id).where(
                    models.Domain.name == name)).first():
                raise duplicate('domain', message)
            domain_id = values.get('id') or utils.new_id()
            if session.get(models.Domain, domain_id) is not None:
                raise duplicate('domain', 'Duplicate entry found with id %s.' % domain_id)
            extra = merge_extra({}, values, DOMAIN_FIELDS)
            options = merge_options({}, values.get('options'))
            if options:
                extra['options'] = options
            row = models.Domain(id=domain_id, name=name,
                                description=values.get('description') or '',
                                enabled=values.get('enabled', True), extra=extra)
            session.add(row)
            flush(session, 'domain', message)
            return _domain_ref(row)

    def update_domain(self, domain_id, values):
        with self.service.db.writer() as session:
            row = self._domain_row(session, domain_id)
            options = (row.extra or {}).get('options')
            check_mutable('domain', domain_id, options, values.get('options'))
            if 'name' in values and values['name'] != row.name:
                if session.scalars(sa.select(models.Domain.id).where(
                        models.Domain.name == values['name'])).first():
                    raise duplicate('domain', 'Duplicate entry found with name %s.'
                                    % values['name'])
                row.name = values['name']
            if 'description' in values:
                row.description = values['description'] or ''
            if 'enabled' in values:
                row.enabled = values['enabled']
            extra = merge_extra(row.extra, values, DOMAIN_FIELDS)
            if 'options' in values:
                options = merge_options(options, values['options'])
                extra.pop('options', None)
                if options:
                    extra['options'] = options
            row.extra = extra
            flush(session, 'domain', 'Duplicate entry found with name %s.' % row.name)
            return _domain_ref(row)

    def delete_domain(self, domain_id):
        """Delete a disabled domain and everything in it: projects, users,
        groups, domain-specific roles and every role assignment on or of them."""
        with self.service.db.writer() as session:
            row = self._domain_row(session, domain_id)
            check_mutable('domain', domain_id, (row.extra or {}).get('options'))
            if row.enabled:
                # Also what keeps an admin from deleting the domain their own
                # token lives in: once it is disabled, that token stops working.
                raise exception.Forbidden(
                    'Cannot delete a domain that is enabled, please disable it first.')
            project_ids = list(session.scalars(sa.select(models.Project.id).where(
                models.Project.domain_id == domain_id)))
            user_ids = list(session.scalars(sa.select(models.User.id).where(
                models.User.domain_id == domain_id)))
            group_ids = list(session.scalars(sa.select(models.Group.id).where(
                models.Group.domain_id == domain_id)))
            a = models.Assignment
            session.execute(sa.delete(a).where(sa.or_(
                a.target_id.in_(project_ids + [domain_id]),
                a.actor_id.in_(user_ids + group_ids))))
            session.execute(sa.delete(models.Role).where(models.Role.domain_id == domain_id))
            session.execute(sa.delete(models.ApplicationCredential).where(
                models.ApplicationCredential.user_id.in_(user_ids)))
            session.execute(sa.delete(models.UserGroupMembership).where(sa.or_(
                models.UserGroupMembership.user_id.in_(user_ids),
                models.UserGroupMembership.group_id.in_(group_ids))))
            session.execute(sa.delete(models.User).where(models.User.domain_id == domain_id))
            session.execute(sa.delete(models.Group).where(models.Group.domain_id == domain_id))
            session.execute(sa.delete(models.ProjectTag).where(
                models.ProjectTag.project_id.in_(project_ids)))
            # Children reference parents: cut the links, then delete them all.
            session.execute(sa.update(models.Project).where(
                models.Project.domain_id == domain_id).values(parent_id=None))
            session.execute(sa.delete(models.Project).where(
                models.Project.domain_id == domain_id))
            session.delete(row)

    # -- projects -----------------------------------------------------------------

    def _project_row(self, session, project_id):
        row = session.get(models.Project, project_id) if project_id else None
        if row is None:
            raise not_found('project', project_id)
        return row

    def get_project(self, project_id):
        with self.service.db.reader() as session:
            return _project_ref(self._project_row(session, project_id))

    def get_project_by_name(self, name, domain_id):
        with self.service.db.reader() as session:
            row = session.scalars(sa.select(models.Project).where(
                models.Project.name == name, models.Project.domain_id == domain_id)).first()
            if row is None:
                raise not_found('project', name)
            return _project_ref(row)

    def list_projects(self, domain_id=None):
        with self.service.db.reader() as session:
            query = sa.select(models.Project).order_by(models.Project.name)
            if domain_id is not None:
                query = query.where(models.Project.domain_id == domain_id)
            return [_project_ref(r) for r in session.scalars(query)]

    def project_ancestors(self, project_id):
        """Ids of the project's parents, nearest first (the domain not included)."""
        ancestors = []
        with self.service.db.reader() as session:
            parent_id = self._project_row(session, project_id).parent_id
            while parent_id and parent_id not in ancestors:
                ancestors.append(parent_id)
                parent_id = session.scalar(sa.select(models.Project.parent_id).where(
                    models.Project.id == parent_id))
        return ancestors

    def _name_taken(self, session, name, domain_id, except_id=None):
        query = sa.select(models.Project.id).where(
            models.Project.name == name, models.Project.domain_id == domain_id)
        if except_id:
            query = query.where(models.Project.id != except_id)
        return session.scalars(query).first() is not None

    @staticmethod
    def _duplicate_name(name):
        return ('it is not permitted to have two projects with the same name in the same '
                'domain: %s.' % name)

    def create_project(self, values):
        name = values['name']
        if values.get('is_domain'):
            raise exception.ValidationError('Projects acting as domains are not supported; '
                                            'create a domain instead.')
        tags = check_tags(values.get('tags') or [])
        with self.service.db.writer() as session:
            domain_id, parent_id = self._placement(session, values)
            if self._name_taken(session, name, domain_id):
                raise duplicate('project', self._duplicate_name(name))
            extra = merge_extra({}, values, PROJECT_FIELDS)
            options = merge_options({}, values.get('options'))
            if options:
                extra['options'] = options
            row = models.Project(
                id=utils.new_id(), name=name, domain_id=domain_id, parent_id=parent_id,
                description=values.get('description') or '',
                enabled=values.get('enabled', True), extra=extra,
                tags=[models.ProjectTag(name=t) for t in tags])
            session.add(row)
            flush(session, 'project', self._duplicate_name(name))
            return _project_ref(row)

    def _placement(self, session, values):
        """(domain_id, parent_id) of a new project: a parent may be given as a
        project or as the domain itself (top level); both must agree."""
        domain_id = values.get('domain_id')
        parent_id = values.get('parent_id')
        if parent_id and session.get(models.Domain, parent_id) is not None:
            if domain_id and domain_id != parent_id:
                raise exception.ValidationError(
                    'Cannot create project, the parent (%s) is a different domain than '
                    'the domain_id %s.' % (parent_id, domain_id))
            domain_id, parent_id = parent_id, None
        elif parent_id:
            parent = self._project_row(session, parent_id)
            if domain_id and domain_id != parent.domain_id:
                raise exception.ValidationError(
                    'Cannot create project, the parent (%s) is in domain %s, not in '
                    'domain %s.' % (parent_id, parent.domain_id, domain_id))
            if not parent.enabled:
                raise exception.Forbidden('Cannot create project %s since its parent (%s) '
                                          'is disabled.' % (values['name'], parent_id))
            domain_id = parent.domain_id
        domain_id = domain_id or self.service.conf.identity.default_domain_id
        self._domain_row(session, domain_id)
        return domain_id, parent_id

    def update_project(self, project_id, values):
        with self.service.db.writer() as session:
            row = self._project_row(session, project_id)
            options = (row.extra or {}).get('options')
            check_mutable('project', project_id, options, values.get('options'))
            for attr, shown in (('domain_id', row.domain_id),
                                ('parent_id', row.parent_id or row.domain_id),
                                ('is_domain', False)):
                if attr in values and values[attr] != shown:
                    raise exception.ValidationError('Update of `%s` is not allowed.' % attr)
            if 'name' in values and values['name'] != row.name:
                if self._name_taken(session, values['name'], row.domain_id, project_id):
                    raise duplicate('project', self._duplicate_name(values['name']))
                row.name = values['name']
            if 'description' in values:
                row.description = values['description'] or ''
            if values.get('enabled') and not row.enabled and row.parent_id:
                parent = self._project_row(session, row.parent_id)
                if not parent.enabled:
                    raise exception.Forbidden('Cannot enable project %s since it has '
                                              'disabled parents.' % project_id)
            if 'enabled' in values:
                row.enabled = values['enabled']
            if 'tags' in values:
                self._replace_tags(row, check_tags(values['tags'] or []))
            extra = merge_extra(row.extra, values, PROJECT_FIELDS)
            if 'options' in values:
                options = merge_options(options, values['options'])
                extra.pop('options', None)
                if options:
                    extra['options'] = options
            row.extra = extra
            flush(session, 'project', self._duplicate_name(row.name))
            return _project_ref(row)

    def delete_project(self, project_id):
        with self.service.db.writer() as session:
            row = self._project_row(session, project_id)
            check_mutable('project', project_id, (row.extra or {}).get('options'))
            has_children = session.scalars(sa.select(models.Project.id).where(
                models.Project.parent_id == project_id).limit(1)).first()
            if has_children:
                raise exception.Forbidden(
                    'Cannot delete the project %s since it is not a leaf in the hierarchy.'
                    % project_id)
            session.execute(sa.delete(models.Assignment).where(
                models.Assignment.target_id == project_id))
            # Application credentials live in one project: they die with it.
            session.execute(sa.delete(models.ApplicationCredential).where(
                models.ApplicationCredential.project_id == project_id))
            session.delete(row)

    # -- project tags ---------------------------------------------------------------

    @staticmethod
    def _replace_tags(row, tags):
        keep = {t.name: t for t in row.tags}
        row.tags = [keep.get(name) or models.ProjectTag(name=name) for name in tags]

    def list_project_tags(self, project_id):
        return self.get_project(project_id)['tags']

    def update_project_tags(self, project_id, tags):
        tags = check_tags(tags)
        with self.service.db.writer() as session:
            row = self._project_row(session, project_id)
            check_mutable('project', project_id, (row.extra or {}).get('options'))
            self._replace_tags(row, tags)
            session.flush()
            return sorted(t.name for t in row.tags)

    def add_project_tag(self, project_id, tag):
        check_tags([tag])
        with self.service.db.writer() as session:
            row = self._project_row(session, project_id)
            check_mutable('project', project_id, (row.extra or {}).get('options'))
            names = [t.name for t in row.tags]
            if tag not in names:
                check_tags(names + [tag])
                row.tags.append(models.ProjectTag(name=tag))
                session.flush()
            return sorted(t.name for t in row.tags)

    def check_project_tag(self, project_id, tag):
        if tag not in self.get_project(project_id)['tags']:
            raise not_found('tag', tag)

    def delete_project_tag(self, project_id, tag):
        with self.service.db.writer() as session:
            row = self._project_row(session, project_id)
            check_mutable('project', project_id, (row.extra or {}).get('options'))
            match = [t for t in row.tags if t.name == tag]
            if not match:
                raise not_found('tag', tag)
            row.tags.remove(match[0])


def check_tags(tags):
    """Keystone's tag rules: at most 80 per project, 1–255 characters, no '/'
    nor ',' (a tag appears in URLs and in comma-separated filters)."""
    if len(tags) > MAX_TAGS:
        raise exception.ValidationError(
            'Invalid input for field tags: a project has at most %d tags, not %d.'
            % (MAX_TAGS, len(tags)))
    for tag in tags:
        if not isinstance(tag, str) or not 1 <= len(tag) <= 255:
            raise exception.ValidationError(
                'Invalid input for field tags: %r is not a string of 1 to 255 characters.'
                % (tag,))
        if '/' in tag or ',' in tag:
            raise exception.ValidationError(
                "Invalid input for field tags: %r contains '/' or ','." % tag)
    unique = []
    for tag in tags:
        if tag not in unique:
            unique.append(tag)
    return unique
