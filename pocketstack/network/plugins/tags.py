"""The tag service plugin: ``/v2.0/{collection}/{id}/tags[/{tag}]``.

A tag is a row of ``tags`` keyed by (collection, resource id, tag).  The
resource must be one the caller can see (the plugin serving it is asked,
so its scoping applies: 404 otherwise) and, to change its tags, the policy's
``update_<member>:tags`` (a project's member: 403 for its reader).  Every
change bumps the resource's revision_number, as any other change does.
"""
import sqlalchemy as sa

from pocketstack.network import exception
from pocketstack.network.db import models
from pocketstack.network.db import query
from pocketstack.network.plugins import Plugin

MAX_TAG_LEN = 255

# collection -> (name of the serving plugin's getter, model)
TAGGABLE = {
    'networks': ('get_network', models.Network),
    'subnets': ('get_subnet', models.Subnet),
    'ports': ('get_port', models.Port),
    'routers': ('get_router', models.Router),
    'floatingips': ('get_floatingip', models.FloatingIP),
    'security-groups': ('get_security_group', models.SecurityGroup),
}


def _validate_tag(tag):
    if not isinstance(tag, str):
        raise exception.InvalidInput(error_message="'%s' is not a valid string" % (tag,))
    if not tag or len(tag) > MAX_TAG_LEN:
        raise exception.InvalidInput(error_message="'%s' is not a valid tag: a tag has 1 to "
                                     "%d characters" % (tag, MAX_TAG_LEN))
    return tag


def _validate_tags(tags):
    """The tags of a replace-all: the body {"tags": [...]} or its list."""
    if isinstance(tags, dict):
        tags = tags.get('tags')
    if not isinstance(tags, list):
        raise exception.InvalidInput(error_message="Invalid tags body: expected "
                                     "{\"tags\": [<tag>, ...]}")
    return sorted({_validate_tag(tag) for tag in tags})


class TagPlugin(Plugin):

    supported_extension_aliases = ('standard-attr-tag', 'tag-ext')

    def _resource(self, session, context, collection, resource_id, write):
        """The resource's row, after checking the caller may see (and, for
        ``write``, change) it."""
        collection = collection.replace('_', '-')
        if collection not in TAGGABLE:
            raise exception.NotFound('Resource type %s has no tags.' % collection)
        getter, model = TAGGABLE[collection]
        plugin = self.service.plugin_for(collection)
        if plugin is None:
            raise exception.NotFound('Resource type %s has no tags.' % collection)
        resource = getattr(plugin, getter)(context, resource_id)
        if write:
            self.service.policy.authorize(context, 'update_%s:tags' % getter[4:],
                                          {'project_id': resource.get('project_id')})
        return collection, session.get(model, resource_id)

    @staticmethod
    def _tags(session, collection, resource_id):
        return sorted(session.scalars(sa.select(models.Tag.tag).where(
            models.Tag.resource_type == collection, models.Tag.resource_id == resource_id)))


    def get_tags(self, context, collection, resource_id):
        with self.db.reader() as session:
            collection, _row = self._resource(session, context, collection, resource_id, False)
            return self._tags(session, collection, resource_id)

    def get_tag(self, context, collection, resource_id, tag):
        """Nothing when the resource has ``tag``; TagNotFound (404) otherwise."""
        with self.db.reader() as session:
            collection, _row = self._resource(session, context, collection, resource_id, False)
            if tag not in self._tags(session, collection, resource_id):
                raise exception.TagNotFound(tag=tag, resource=collection,
                                            resource_id=resource_id)

    def update_tags(self, context, collection, resource_id, tags):
        """Replace all tags (PUT .../tags {"tags": [...]}); returns them."""
        tags = _validate_tags(tags)
        with self.db.writer() as session:
            collection, row = self._resource(session, context, collection, resource_id, True)
            query.delete_tags(session, collection, resource_id)
            session.add_all(models.Tag(resource_type=collection, resource_id=resource_id,
                                       tag=tag) for tag in tags)
            row.bump_revision()
            return tags

    def update_tag(self, context, collection, resource_id, tag):
        """Add one tag (PUT .../tags/{tag}); adding a tag it has changes nothing."""
        _validate_tag(tag)
        with self.db.writer() as session:
            collection, row = self._resource(session, context, collection, resource_id, True)
            if tag not in self._tags(session, collection, resource_id):
                session.add(models.Tag(resource_type=collection, resource_id=resource_id,
                                       tag=tag))
                row.bump_revision()

    def delete_tags(self, context, collection, resource_id):
        with self.db.writer() as session:
            collection, row = self._resource(session, context, collection, resource_id, True)
            query.delete_tags(session, collection, resource_id)
            row.bump_revision()

    def delete_tag(self, context, collection, resource_id, tag):
        with self.db.writer() as session:
            collection, row = self._resource(session, context, collection, resource_id, True)
            if tag not in self._tags(session, collection, resource_id):
                raise exception.TagNotFound(tag=tag, resource=collection,
                                            resource_id=resource_id)
            session.execute(sa.delete(models.Tag).where(
                models.Tag.resource_type == collection, models.Tag.resource_id == resource_id,
                models.Tag.tag == tag))
            row.bump_revision()
