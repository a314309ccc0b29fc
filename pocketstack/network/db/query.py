"""List queries every plugin shares: filters, tag filters, sorting and
keyset pagination, done in SQL (a list never loads rows it will not show).

A plugin's ``get_<resources>`` builds ``select(Model)`` with its own scoping
(project, shared…) and hands it here with the API's parsed arguments::

    rows = query.page(session, stmt, models.Network, filters, sorts, limit,
                      marker_row, page_reverse, columns, resource_type='networks')

(``page`` is apply_filters, apply_tag_filters and apply_sorting in a row.)
"""
import sqlalchemy as sa

from pocketstack.common import db
from pocketstack.common import wsgi
from pocketstack.network.db import models

TAG_FILTERS = ('tags', 'tags-any', 'not-tags', 'not-tags-any')


def owned(model, context):
    """``select(model)`` limited to the caller's project unless it is an admin."""
    stmt = sa.select(model)
    if not context.is_admin_role:
        stmt = stmt.where(model.project_id == context.project_id)
    return stmt


def page(session, stmt, model, filters, sorts, limit, marker, page_reverse,
         columns=None, resource_type=None):
    """The rows of one page of a list: filtered (and tag-filtered when
    ``resource_type`` is given), sorted, after ``marker`` (a row), in the
    order the client asked for even when paging backwards."""
    stmt = apply_filters(stmt, model, filters, columns)
    if resource_type:
        stmt = apply_tag_filters(stmt, model, resource_type, filters)
    stmt = apply_sorting(stmt, model, sorts, columns, marker, page_reverse)
    rows = list(session.scalars(stmt.limit(limit) if limit else stmt))
    if page_reverse:
        rows.reverse()
    return rows


def column(model, attribute, columns=None):
    """The column behind an API attribute ('router:external' → Network.external)."""
    name = (columns or {}).get(attribute, attribute)
    if isinstance(name, str):
        return getattr(model, name, None)
    return name


def apply_filters(stmt, model, filters, columns=None):
    """``filters`` maps API attributes to lists of accepted values (already
    converted to the column's type).  Attributes that are not plain columns
    of ``model`` (e.g. ``fixed_ips``) are the plugin's to handle and skipped;
    so are tag filters (see apply_tag_filters)."""
    for attribute, values in (filters or {}).items():
        if attribute in TAG_FILTERS:
            continue
        col = column(model, attribute, columns)
        if col is None or not isinstance(col, (sa.orm.InstrumentedAttribute, sa.Column)):
            continue
        values = values if isinstance(values, (list, tuple, set)) else [values]
        stmt = stmt.where(col.in_(list(values)))
    return stmt


def apply_tag_filters(stmt, model, resource_type, filters):
    """``tags`` (all of), ``tags-any``, ``not-tags`` (not all of), ``not-tags-any``."""
    filters = filters or {}

    def having(tags):
        return sa.select(models.Tag.resource_id).where(
            models.Tag.resource_type == resource_type, models.Tag.tag.in_(tags))

    def having_all(tags):
        return having(tags).group_by(models.Tag.resource_id).having(
            sa.func.count(sa.distinct(models.Tag.tag)) == len(set(tags)))

    if filters.get('tags'):
        stmt = stmt.where(model.id.in_(having_all(filters['tags'])))
    if filters.get('tags-any'):
        stmt = stmt.where(model.id.in_(having(filters['tags-any'])))
    if filters.get('not-tags'):
        stmt = stmt.where(model.id.not_in(having_all(filters['not-tags'])))
    if filters.get('not-tags-any'):
        stmt = stmt.where(model.id.not_in(having(filters['not-tags-any'])))
    return stmt


def apply_sorting(stmt, model, sorts, columns=None, marker=None, page_reverse=False):
    """Order by ``sorts`` ([(attribute, ascending)], id added last so the order
    is total) and, given the ``marker`` row, start right after it.
    ``page_reverse`` walks backwards from the marker; the caller reverses the
    rows it gets back."""
    keys = [(column(model, attr, columns), asc) for attr, asc in (sorts or [])]
    keys = [(col, asc) for col, asc in keys if col is not None]
    if not any(col is model.id for col, _ in keys):
        keys.append((model.id, True))
    if page_reverse:
        keys = [(col, not asc) for col, asc in keys]
    after = None if marker is None else [getattr(marker, col.key) for col, _ in keys]
    return db.keyset(stmt, keys, after)


def count(session, model, project_id):
    """Resources of ``model`` a project has (for quotas)."""
    return session.scalar(sa.select(sa.func.count()).select_from(model)
                          .where(model.project_id == project_id))


def delete_tags(session, resource_type, resource_id):
    """Drop a resource's tags (when the resource goes)."""
    session.execute(sa.delete(models.Tag).where(
        models.Tag.resource_type == resource_type, models.Tag.resource_id == resource_id))


def tags_for(session, resource_type, ids):
    """{resource id: sorted tags} for the resources of one page."""
    result = {resource_id: [] for resource_id in ids}
    if ids:
        rows = session.execute(sa.select(models.Tag.resource_id, models.Tag.tag).where(
            models.Tag.resource_type == resource_type, models.Tag.resource_id.in_(list(ids))))
        for resource_id, tag in rows:
            result[resource_id].append(tag)
    for tags in result.values():
        tags.sort()
    return result


def standard_view(row):
    """The attributes every top-level resource shows: standard attributes and
    ``tenant_id`` beside ``project_id``."""
    return {'description': row.description, 'revision_number': row.revision_number,
            'created_at': wsgi.isoformat(row.created_at),
            'updated_at': wsgi.isoformat(row.updated_at),
            'tenant_id': row.project_id, 'project_id': row.project_id}
