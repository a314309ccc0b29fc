"""What a careless or hostile client sends: hypothesis strategies for ids,
query strings, headers and bodies."""
import json
import urllib.parse

from hypothesis import strategies as st

# Text that has broken parsers and databases somewhere (issue 12's families).
NASTY_TEXT = [
    '', ' ', 'x' * 256, 'x' * 70000, 'é中😀', '../../etc/passwd', '..', '.', '%2e%2e%2f',
    "' OR 1=1 --", '<script>', 'null', 'true', '-1', '0', '1e309', '99999999999999999999999',
    '-9223372036854775809', 'NaN', '\t\n', 'a/b', 'a?b', '#', ';', '\x00', '\ud800',
    '2026-13-45T25:61:00Z', 'changes-since', '*', 'admin', 'default',
]
NASTY_INTS = [0, -1, 1, 2 ** 31, 2 ** 63 - 1, 2 ** 63, -2 ** 63 - 1, 2 ** 64, 10 ** 30]
QUERY_KEYS = [
    'limit', 'marker', 'sort_key', 'sort_dir', 'sort', 'name', 'status', 'all_tenants',
    'all_projects', 'changes-since', 'changes-before', 'fields', 'id', 'project_id',
    'tenant_id', 'detailed', 'visibility', 'member_status', 'tag', 'tags', 'tags-any',
    'not-tags', 'enabled', 'domain_id', 'user_id', 'parent_id', 'is_domain', 'page_reverse',
    'ip_version', 'network_id', 'device_id', 'fixed_ips', 'shared', 'router:external',
    'minDisk', 'minRam', 'is_public', 'host', 'flavor', 'image', 'ip', 'ip6', 'deleted',
    'scope.project.id', 'effective', 'include_subtree', 'include_names', 'start', 'end',
]
COMMON_KEYS = [
    'name', 'id', 'description', 'enabled', 'metadata', 'tags', 'type', 'size', 'status',
    'project_id', 'tenant_id', 'domain_id', 'user_id', 'password', 'admin_state_up',
    'network_id', 'subnet_id', 'cidr', 'ip_version', 'fixed_ips', 'ram', 'vcpus', 'disk',
    'imageRef', 'flavorRef', 'networks', 'min_count', 'max_count', 'key_name', 'host',
    'op', 'path', 'value', 'visibility', 'protected', 'min_disk', 'min_ram', 'member',
]

text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=20))
ints = st.one_of(st.sampled_from(NASTY_INTS), st.integers(-2 ** 70, 2 ** 70))
leaf = st.one_of(st.none(), st.booleans(), ints,
                 st.floats(allow_nan=False, allow_infinity=False), text)


def json_value(keys):
    names = st.one_of(st.sampled_from(list(keys) + COMMON_KEYS), st.text(max_size=8))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(names, inner, max_size=5)),
        max_leaves=12)


def body(route, samples=()):
    """Raw body bytes: mutations of valid ``samples`` and bodies from the
    route's own schema (both reach the deepest code), random JSON built from
    its likely keys, or not JSON."""
    choices = [mutated(sample) for sample in samples] + [st.sampled_from(
        [_dumps(sample) for sample in samples])] if samples else []
    choices += [json_value(route.keys).map(_dumps),
               st.dictionaries(st.sampled_from(list(route.keys) or COMMON_KEYS),
                               json_value(route.keys), min_size=1, max_size=3).map(_dumps),
               st.binary(max_size=40),
               st.just(b'')]
    if route.schema is not None:
        try:
            from hypothesis_jsonschema import from_schema
            choices.insert(0, from_schema(route.schema).map(_dumps))
        except Exception:  # noqa: BLE001 - a schema it cannot draw from: the others remain
            pass
    return st.one_of(choices)


def _dumps(value):
    # ensure_ascii: lone surrogates travel as \ud800 escapes, as a buggy client sends them.
    return json.dumps(value).encode()


def path_value(known_ids):
    return st.one_of(st.sampled_from(sorted(known_ids)), text.filter(bool),
                     ints.map(str), st.uuids().map(str)).map(
                         lambda v: urllib.parse.quote(v, safe='', errors='surrogatepass'))


def query():
    pairs = st.lists(st.tuples(st.sampled_from(QUERY_KEYS), text), max_size=3)
    encoded = pairs.map(lambda p: urllib.parse.urlencode(p, errors='surrogatepass'))
    raw = st.sampled_from(['limit=-1&limit=2', '%', 'a=%ZZ', '&&&=', 'marker=', '=',
                           'limit=1e3', 'sort_dir=sideways', 'fields=id&fields=', '%FF=1'])
    return st.one_of(st.just(''), encoded, raw)


def headers(api):
    service = {'compute': 'compute', 'identity': 'identity', 'image': 'image',
               'network': 'network'}[api]
    version = st.one_of(st.none(), st.sampled_from([
        '%s 2.1' % service, '%s latest' % service, '%s 2.96' % service, '%s 2.999' % service,
        '%s 3' % service, '%s x.y' % service, 'volume 3.0', ' ', '%s 2.-1' % service]))
    ctype = st.sampled_from(['application/json', 'application/json', 'text/plain',
                             'application/octet-stream',
                             'application/openstack-images-v2.1-json-patch',
                             'application/json-patch+json', 'multipart/form-data; boundary=x'])
    return st.fixed_dictionaries({'OpenStack-API-Version': version, 'Content-Type': ctype,
                                  'caller': st.sampled_from(['admin', 'admin', 'member',
                                                             'reader', 'bogus'])})


def mutated(sample):
    """``sample`` with one to three changes: a value replaced by a hostile
    one, a key removed, or an unexpected key added — anywhere in it."""
    @st.composite
    def mutate(draw):
        value = json.loads(json.dumps(sample))
        for _ in range(draw(st.integers(1, 3))):
            spots = list(_spots(value))
            if not spots:
                break
            parent, key = draw(st.sampled_from(spots))
            change = draw(st.sampled_from(['replace', 'replace', 'delete', 'add']))
            if change == 'replace':
                parent[key] = draw(json_value(()))
            elif change == 'delete':
                del parent[key]
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(COMMON_KEYS))] = draw(leaf)
            else:
                parent.insert(key, draw(leaf))
        return value
    return mutate().map(_dumps)


def _spots(value):
    """(container, key or index) of every value inside ``value``."""
    pending = [value]
    while pending:
        node = pending.pop()
        items = node.items() if isinstance(node, dict) else \
            enumerate(node) if isinstance(node, list) else ()
        for key, item in items:
            yield node, key
            pending.append(item)
