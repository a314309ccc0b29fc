"""Security groups and their rules, served by the core plugin as in Neutron.

Every project has one group named ``default``, made on first use (its
first port, its first listing of groups, its first group): it lets all
traffic out and lets in traffic from members of the same group.  Any other
new group starts with the two egress rules only.  The ``default_security_group``
row (one per project, its primary key) makes that first use race-free.

``ensure_default_security_group`` and ``bind_port_security_groups`` are the
hooks the port code calls inside its own transaction.
"""
import ipaddress

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from pocketstack.common import utils
from pocketstack.network import exception
from pocketstack.network import quota
from pocketstack.network.db import models
from pocketstack.network.db import query

SG_RESOURCE = 'security-groups'
COLUMNS = {'tenant_id': 'project_id'}

# IP protocol names rules accept, with their numbers (the api-ref's list)
PROTOCOLS = {
    'ah': 51, 'dccp': 33, 'egp': 8, 'esp': 50, 'gre': 47, 'icmp': 1, 'icmpv6': 58,
    'igmp': 2, 'ipip': 4, 'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-icmp': 58,
    'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, 'ospf': 89, 'pgm': 113,
    'rsvp': 46, 'sctp': 132, 'tcp': 6, 'udp': 17, 'udplite': 136, 'vrrp': 112,
}
# Protocols whose port_range_min/max are ports (1-65535) …
PORT_PROTOCOLS = {6, 17, 33, 132, 136}
# … and those whose port_range_min/max are an ICMP type and code (0-255).
ICMP_PROTOCOLS = {1, 58}
# Protocols that only exist over IPv6.
IPV6_ONLY_PROTOCOLS = {58, 41, 44, 59, 60, 43}
ANY_PREFIX = {'IPv4': '0.0.0.0/0', 'IPv6': '::/0'}


def _protocol(value):
    """(stored protocol, its number or None) of a rule's ``protocol``: a name
    (lower-cased), a number 0-255 as a string, or None/'any'/0 for any."""
    if value is None:
        return None, None
    text = str(value).strip().lower()
    if text in ('any', '0', ''):
        return None, None
    if text in PROTOCOLS:
        return text, PROTOCOLS[text]
    if text.isascii() and text.isdigit() and 0 <= int(text) <= 255:
        return str(int(text)), int(text)
    raise exception.SecurityGroupRuleInvalidProtocol(
        protocol=value, values=sorted([*PROTOCOLS, 'any']))


def _port(value, name):
    if value is None:
        return None
    if isinstance(value, bool):
        raise exception.InvalidInput(error_message="'%s' is not an integer for %s"
                                     % (value, name))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exception.InvalidInput(error_message="'%s' is not an integer for %s"
                                     % (value, name)) from None


def _prefix(value, ethertype):
    """``remote_ip_prefix`` as a CIDR (an address alone gets /32 or /128) and
    its network (``normalized_cidr``); its version must match ``ethertype``."""
    if value is None:
        return None
    try:
        interface = ipaddress.ip_interface(str(value).strip())
    except ValueError:
        raise exception.InvalidInput(error_message="'%s' is not a valid IP prefix "
                                     "for remote_ip_prefix" % value) from None
    if 'IPv%d' % interface.version != ethertype:
        raise exception.SecurityGroupRuleParameterConflict(ethertype=ethertype, cidr=value)
    return str(interface)


def _normalized_cidr(prefix):
    return str(ipaddress.ip_interface(prefix).network) if prefix else None


def validate_rule(rule):
    """The stored form of a new rule's attributes; raises the api-ref's 400s."""
    direction = rule.get('direction')
    if direction not in ('ingress', 'egress'):
        raise exception.SecurityGroupRuleInvalidDirection(direction=direction)
    ethertype = rule.get('ethertype') or 'IPv4'
    # Clients send 'ipv4'/'IPV4' too; Neutron accepts any case.
    ethertype = {'ipv4': 'IPv4', 'ipv6': 'IPv6'}.get(str(ethertype).lower())
    if ethertype is None:
        raise exception.SecurityGroupRuleInvalidEtherType(ethertype=rule.get('ethertype'))
    protocol, number = _protocol(rule.get('protocol'))
    if ethertype == 'IPv4' and number in IPV6_ONLY_PROTOCOLS:
        raise exception.SecurityGroupEthertypeConflictWithProtocol(
            ethertype=ethertype, protocol=rule.get('protocol'))
    port_min = _port(rule.get('port_range_min'), 'port_range_min')
    port_max = _port(rule.get('port_range_max'), 'port_range_max')
    if port_min is not None or port_max is not None:
        if protocol is None:
            raise exception.SecurityGroupProtocolRequiredWithPorts()
        if number in ICMP_PROTOCOLS:
            for field, attr, value in (('type', 'port_range_min', port_min),
                                       ('code', 'port_range_max', port_max)):
                if value is not None and not 0 <= value <= 255:
                    raise exception.SecurityGroupInvalidIcmpValue(field=field, attr=attr,
                                                                  value=value)
            if port_min is None:
                raise exception.SecurityGroupMissingIcmpType(value=port_max)
        elif number in PORT_PROTOCOLS:
            for value in (port_min, port_max):
                if value is not None and not 1 <= value <= 65535:
                    raise exception.SecurityGroupInvalidPortValue(port=value)
            if port_min is None or port_max is None or port_min > port_max:
                raise exception.SecurityGroupInvalidPortRange()
        else:
            raise exception.SecurityGroupInvalidProtocolForPortRange(protocol=protocol)
    remote_group_id = rule.get('remote_group_id')
    remote_ip_prefix = _prefix(rule.get('remote_ip_prefix'), ethertype)
    if remote_group_id and remote_ip_prefix:
        raise exception.SecurityGroupRemoteGroupAndRemoteIpPrefix()
    return {'direction': direction, 'ethertype': ethertype, 'protocol': protocol,
            'port_range_min': port_min, 'port_range_max': port_max,
            'remote_group_id': remote_group_id, 'remote_ip_prefix': remote_ip_prefix,
            'remote_address_group_id': rule.get('remote_address_group_id')}


def _rule_key(row):
    """What makes two rules of a group the same rule: 'tcp' is protocol 6,
    and 0.0.0.0/0 is the same as no prefix."""
    number = None
    if row.protocol is not None:
        number = PROTOCOLS.get(row.protocol, None)
        number = number if number is not None else int(row.protocol)
    prefix = _normalized_cidr(row.remote_ip_prefix)
    if prefix == ANY_PREFIX.get(row.ethertype):
        prefix = None
    return (row.direction, row.ethertype, number, row.port_range_min, row.port_range_max,
            prefix, row.remote_group_id, row.remote_address_group_id)


def _check_not_default_name(name):
    """Only the group made on first use may be called 'default' (any case)."""
    if (name or '').lower() == 'default':
        raise exception.SecurityGroupDefaultAlreadyExists()


def _new_rule(group, project_id, **attrs):
    return models.SecurityGroupRule(
        id=utils.new_id(dashes=True), project_id=project_id,
        security_group_id=group.id, description=attrs.pop('description', None) or '',
        revision_number=0, **attrs)


def _default_egress_rules(group):
    return [_new_rule(group, group.project_id, direction='egress', ethertype=ethertype)
            for ethertype in ('IPv4', 'IPv6')]


class SecurityGroupsMixin:
    """Security group API methods and port hooks of the core plugin."""

    # -- views ---------------------------------------------------------------

    def _rule_view(self, row, default_group_ids=()):
        view = query.standard_view(row)
        view.update({
            'id': row.id, 'security_group_id': row.security_group_id,
            'direction': row.direction, 'ethertype': row.ethertype,
            'protocol': row.protocol, 'port_range_min': row.port_range_min,
            'port_range_max': row.port_range_max, 'remote_ip_prefix': row.remote_ip_prefix,
            'normalized_cidr': _normalized_cidr(row.remote_ip_prefix),
            'remote_group_id': row.remote_group_id,
            'remote_address_group_id': row.remote_address_group_id,
            'belongs_to_default_sg': row.security_group_id in default_group_ids})
        return view

    def _group_view(self, row, tags, default_group_ids):
        view = query.standard_view(row)
        view.update({
            'id': row.id, 'name': row.name, 'stateful': row.stateful, 'shared': False,
            'security_group_rules': [self._rule_view(rule, default_group_ids)
                                     for rule in row.rules],
            'tags': tags})
        return view

    @staticmethod
    def _default_group_ids(session, group_ids):
        if not group_ids:
            return set()
        return set(session.scalars(
            sa.select(models.DefaultSecurityGroup.security_group_id).where(
                models.DefaultSecurityGroup.security_group_id.in_(list(group_ids)))))

    def _group_views(self, session, rows):
        ids = [row.id for row in rows]
        tags = query.tags_for(session, SG_RESOURCE, ids)
        default_ids = self._default_group_ids(
            session, {*ids, *(rule.security_group_id for row in rows for rule in row.rules)})
        return [self._group_view(row, tags[row.id], default_ids) for row in rows]

    # -- scoping -------------------------------------------------------------

    def _get_group_row(self, session, context, group_id):
        row = session.scalar(query.owned(models.SecurityGroup, context).where(
            models.SecurityGroup.id == group_id))
        if row is None:
            raise exception.SecurityGroupNotFound(id=group_id)
        return row

    def group_policy_fields(self, context, group_ids):
        """{group id: what the policy of its rules reads of it} for the
        groups ``context`` sees."""
        if not group_ids:
            return {}
        with self.db.reader() as session:
            rows = session.execute(query.owned(models.SecurityGroup, context).with_only_columns(
                models.SecurityGroup.id, models.SecurityGroup.project_id).where(
                models.SecurityGroup.id.in_(set(group_ids))))
            return {row.id: {'security_group:project_id': row.project_id} for row in rows}

    @staticmethod
    def _visible_rules(context):
        stmt = sa.select(models.SecurityGroupRule)
        if not context.is_admin_role:
            # a project sees its own rules and every rule of its groups
            own_groups = sa.select(models.SecurityGroup.id).where(
                models.SecurityGroup.project_id == context.project_id)
            stmt = stmt.where(sa.or_(
                models.SecurityGroupRule.project_id == context.project_id,
                models.SecurityGroupRule.security_group_id.in_(own_groups)))
        return stmt

    def _get_rule_row(self, session, context, rule_id):
        row = session.scalar(self._visible_rules(context).where(
            models.SecurityGroupRule.id == rule_id))
        if row is None:
            raise exception.SecurityGroupRuleNotFound(id=rule_id)
        return row

    # -- hooks for the port code -----------------------------------------------

    def ensure_default_security_group(self, context, project_id):
        """The id of ``project_id``'s ``default`` group, created (with its four
        rules) if the project has none yet."""
        with self.db.reader() as session:
            existing = session.get(models.DefaultSecurityGroup, project_id)
            if existing is not None:
                return existing.security_group_id
        with self.db.writer() as session:
            existing = session.get(models.DefaultSecurityGroup, project_id)
            if existing is not None:
                return existing.security_group_id
            try:
                # A savepoint: when a concurrent request made the group first,
                # only this attempt is undone, not the caller's transaction.
                with session.begin_nested():
                    return self._create_default_group(session, project_id)
            except sa_exc.IntegrityError:
                # A locking read sees the other request's committed row even
                # where a plain read keeps its older snapshot (InnoDB).
                return session.scalar(
                    sa.select(models.DefaultSecurityGroup.security_group_id)
                    .where(models.DefaultSecurityGroup.project_id == project_id)
                    .with_for_update())

    @staticmethod
    def _create_default_group(session, project_id):
        group = models.SecurityGroup(
            id=utils.new_id(dashes=True), project_id=project_id, name='default',
            description='Default security group', stateful=True, revision_number=0)
        session.add(group)
        session.flush()
        session.add(models.DefaultSecurityGroup(project_id=project_id,
                                                security_group_id=group.id))
        group.rules = _default_egress_rules(group) + [
            _new_rule(group, project_id, direction='ingress', ethertype=ethertype,
                      remote_group_id=group.id) for ethertype in ('IPv4', 'IPv6')]
        session.flush()
        return group.id

    def bind_port_security_groups(self, session, context, port_row, sg_ids):
        """Make ``sg_ids`` the port's groups.  Each must belong to the port's
        project (as Neutron checks), else SecurityGroupNotFound."""
        sg_ids = list(dict.fromkeys(sg_ids or []))
        if sg_ids:
            found = set(session.scalars(sa.select(models.SecurityGroup.id).where(
                models.SecurityGroup.id.in_(sg_ids),
                models.SecurityGroup.project_id == port_row.project_id)))
            for sg_id in sg_ids:
                if sg_id not in found:
                    raise exception.SecurityGroupNotFound(id=sg_id)
        port_row.security_group_bindings = [
            models.SecurityGroupPortBinding(port_id=port_row.id, security_group_id=sg_id)
            for sg_id in sg_ids]

    # -- security groups -------------------------------------------------------

    def create_security_group(self, context, security_group):
        project_id = security_group.get('project_id') or context.project_id
        _check_not_default_name(security_group.get('name'))
        self.ensure_default_security_group(context, project_id)
        with self.db.writer() as session:
            quota.check(session, self.conf, project_id, 'security_group')
            group = models.SecurityGroup(
                id=utils.new_id(dashes=True), project_id=project_id,
                name=security_group.get('name') or '',
                description=security_group.get('description') or '',
                stateful=security_group.get('stateful', True), revision_number=0)
            session.add(group)
            session.flush()
            group.rules = _default_egress_rules(group)
            session.flush()
            return self._group_views(session, [group])[0]

    def get_security_groups(self, context, filters=None, fields=None, sorts=None,
                            limit=None, marker=None, page_reverse=False):
        filters = filters or {}
        # As Neutron: listing groups makes the project's default group.
        projects = filters.get('project_id') or filters.get('tenant_id') or []
        project_id = projects[0] if projects else context.project_id
        if project_id and (context.is_admin_role or project_id == context.project_id):
            self.ensure_default_security_group(context, project_id)
        with self.db.reader() as session:
            marker_row = self._get_group_row(session, context, marker) if marker else None
            rows = query.page(session, query.owned(models.SecurityGroup, context),
                              models.SecurityGroup, filters, sorts, limit, marker_row,
                              page_reverse, COLUMNS, resource_type=SG_RESOURCE)
            return self._group_views(session, rows)

    def get_security_group(self, context, id, fields=None):
        with self.db.reader() as session:
            return self._group_views(session, [self._get_group_row(session, context, id)])[0]

    def update_security_group(self, context, id, security_group):
        with self.db.writer() as session:
            group = self._get_group_row(session, context, id)
            is_default = bool(self._default_group_ids(session, [group.id]))
            name = security_group.get('name')
            if 'name' in security_group and name != group.name:
                if is_default:
                    raise exception.SecurityGroupCannotUpdateDefault()
                _check_not_default_name(name)
            for attr in ('name', 'description', 'stateful'):
                if attr in security_group:
                    value = security_group[attr]
                    setattr(group, attr, '' if value is None and attr != 'stateful' else value)
            group.bump_revision()
            session.flush()
            return self._group_views(session, [group])[0]

    def delete_security_group(self, context, id):
        with self.db.writer() as session:
            group = self._get_group_row(session, context, id)
            if self._default_group_ids(session, [group.id]) and not context.is_admin_role:
                raise exception.SecurityGroupCannotRemoveDefault()
            in_use = session.scalar(sa.select(sa.func.count()).select_from(
                models.SecurityGroupPortBinding).where(
                models.SecurityGroupPortBinding.security_group_id == group.id))
            if in_use:
                raise exception.SecurityGroupInUse(id=group.id)
            query.delete_tags(session, SG_RESOURCE, group.id)
            session.execute(sa.delete(models.DefaultSecurityGroup).where(
                models.DefaultSecurityGroup.security_group_id == group.id))
            # rules of other groups naming this one as their remote group go too
            session.execute(sa.delete(models.SecurityGroupRule).where(
                models.SecurityGroupRule.remote_group_id == group.id,
                models.SecurityGroupRule.security_group_id != group.id))
            session.delete(group)

    # -- rules -------------------------------------------------------------------

    def create_security_group_rule(self, context, security_group_rule):
        rule = security_group_rule
        project_id = rule.get('project_id') or context.project_id
        attrs = validate_rule(rule)
        with self.db.writer() as session:
            group = self._get_group_row(session, context, rule.get('security_group_id'))
            if attrs['remote_group_id']:
                self._get_group_row(session, context, attrs['remote_group_id'])
            new = _new_rule(group, project_id, description=rule.get('description'), **attrs)
            key = _rule_key(new)
            for existing in group.rules:
                if _rule_key(existing) == key:
                    raise exception.SecurityGroupRuleExists(rule_id=existing.id)
            quota.check(session, self.conf, project_id, 'security_group_rule')
            session.add(new)
            group.bump_revision()
            session.flush()
            return self._rule_view(new, self._default_group_ids(session, [group.id]))

    def get_security_group_rules(self, context, filters=None, fields=None, sorts=None,
                                 limit=None, marker=None, page_reverse=False):
        filters = filters or {}
        with self.db.reader() as session:
            marker_row = self._get_rule_row(session, context, marker) if marker else None
            rows = query.page(session, self._visible_rules(context), models.SecurityGroupRule,
                              filters, sorts, limit, marker_row, page_reverse, COLUMNS)
            default_ids = self._default_group_ids(session, {r.security_group_id for r in rows})
            return [self._rule_view(row, default_ids) for row in rows]

    def get_security_group_rule(self, context, id, fields=None):
        with self.db.reader() as session:
            row = self._get_rule_row(session, context, id)
            return self._rule_view(row, self._default_group_ids(session,
                                                                [row.security_group_id]))

    def delete_security_group_rule(self, context, id):
        with self.db.writer() as session:
            row = self._get_rule_row(session, context, id)
            group = session.get(models.SecurityGroup, row.security_group_id)
            session.delete(row)
            group.bump_revision()
