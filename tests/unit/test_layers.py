"""pocketstack's layering — HTTP over the service objects over the database,
compute hosts apart from the database, services apart from each other —
checked on its static import graph (DESIGN's "layers never skip")."""
import ast
import collections
import functools
import pathlib

PACKAGE_ROOT = pathlib.Path(__file__).resolve().parents[2] / 'pocketstack'

SERVICES = ('identity', 'image', 'compute', 'network')
# Entry points wire the services together, test helpers poke at all of them.
UNRESTRICTED = ('pocketstack.cmd', 'pocketstack.testing')
HTTP_PACKAGES = ('pocketstack.identity.api', 'pocketstack.image.api', 'pocketstack.network.api',
                 'pocketstack.compute.rest', 'pocketstack.compute.metadata')
PROCESS_MANAGERS = ('pocketstack.compute.manager', 'pocketstack.compute.conductor.manager',
                    'pocketstack.compute.scheduler.manager')
COMPUTE_HOST_MODULES = ('pocketstack.compute.manager', 'pocketstack.compute.virt')
# The SQL toolkit and each service's models and queries; HTTP code reaches them through the
# service layer.  (pocketstack.common.db's transaction scopes and retry decorator stay allowed.)
DATABASE_MODULES = ('sqlalchemy',) + tuple(f'pocketstack.{svc}.db' for svc in SERVICES)
# A compute host reaches its database only over RPC to the conductor, so it loads none of this.
HOST_FORBIDDEN = ('sqlalchemy', 'pocketstack.common.db', 'pocketstack.compute.db')


def within(name, package):
    """True if `name` is `package` or one of its submodules."""
    return name == package or name.startswith(package + '.')


def within_any(name, packages):
    return any(within(name, package) for package in packages)


def service_of(module):
    parts = module.split('.')
    in_a_service = len(parts) > 1 and parts[0] == 'pocketstack' and parts[1] in SERVICES
    return parts[1] if in_a_service else None


@functools.lru_cache(maxsize=None)
def import_graph():
    """{module: {imported module: True if imported at module level, False if only lazily}}."""
    modules = {}  # dotted name -> path
    for path in sorted(PACKAGE_ROOT.rglob('*.py')):
        if '/db/migrations/' in path.as_posix():  # Alembic scripts, not importable modules
            continue
        parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix('').parts
        modules['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = path

    graph = {}
    for module, path in modules.items():
        package = module if path.name == '__init__.py' else module.rpartition('.')[0]
        imports = graph[module] = {}

        def visit(node, top_level):
            for child in ast.iter_child_nodes(node):
                targets = []
                if isinstance(child, ast.Import):
                    targets = [alias.name for alias in child.names]
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ''
                    if child.level:  # relative: `from ..x import y` climbs level - 1 packages
                        anchor = package.rsplit('.', child.level - 1)[0]
                        base = f'{anchor}.{base}' if base else anchor
                    # `from pkg import mod` imports the module pkg.mod;
                    # `from mod import name` imports mod.
                    targets = [f'{base}.{alias.name}' if f'{base}.{alias.name}' in modules
                               else base for alias in child.names]
                for target in targets:
                    imports[target] = imports.get(target, False) or top_level
                # Bodies of def and class run later (or are not module-level
                # code): their imports are lazy.
                visit(child, top_level and not isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))

        visit(ast.parse(path.read_text(), str(path)), True)
    return graph


def edges(module_level_only=False):
    """The graph as {module: set of imported modules}, optionally without lazy imports."""
    return {module: {target for target, top in imports.items() if top or not module_level_only}
            for module, imports in import_graph().items()}


def offending_imports(importer, forbidden):
    """Every 'module → imported module' pair where importer(module) and
    forbidden(module, target)."""
    return [f'{module} → {target}'
            for module, targets in sorted(edges().items()) if importer(module)
            for target in sorted(targets) if forbidden(module, target)]


def to_do(title, items):
    return f'{title} ({len(items)}):\n  ' + '\n  '.join(items)


def strongly_connected_components(graph):
    """Tarjan's algorithm over the pocketstack modules of `graph`; components in discovery order."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in graph:  # third-party or stdlib: cannot lead back
                continue
            if target not in index:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return components


def shortest_path(graph, start, goal, allowed):
    """Shortest import chain start → … → goal through modules in `allowed` (breadth first)."""
    chains, queue = {start: [start]}, collections.deque([start])
    while queue:
        module = queue.popleft()
        for target in sorted(graph[module] & allowed):
            if target == goal:
                return chains[module] + [goal]
            if target not in chains:
                chains[target] = chains[module] + [target]
                queue.append(target)
    return None


def test_http_code_never_touches_the_database_or_a_process_manager():
    """HTTP modules import neither SQLAlchemy, a service's db package, nor a process manager:
    requests go through the service layer, so the API can run apart from the database and
    from the compute/conductor/scheduler processes."""
    offending = offending_imports(
        lambda module: within_any(module, HTTP_PACKAGES),
        lambda module, target: within_any(target, DATABASE_MODULES + PROCESS_MANAGERS))
    assert not offending, to_do('HTTP code importing the database or a process manager', offending)


def test_compute_hosts_never_open_the_database():
    """Compute-host modules (the compute manager, the virt drivers) load no database code, not
    even through other modules or lazy imports: hosts talk to the database only via the
    conductor, so a compromised hypervisor holds no database credentials or models."""
    graph = edges()
    # Breadth first from every host module at once, so each offending import appears once,
    # with the shortest chain that drags it into a compute host.
    hosts = sorted(module for module in graph if within_any(module, COMPUTE_HOST_MODULES))
    chains, queue, offending = {host: [host] for host in hosts}, collections.deque(hosts), []
    while queue:
        module = queue.popleft()
        for target in sorted(graph[module]):
            if within_any(target, HOST_FORBIDDEN):
                offending.append(' → '.join(chains[module] + [target]))
            elif target in graph and target not in chains:
                chains[target] = chains[module] + [target]
                queue.append(target)
    assert not offending, to_do('database code reachable from compute hosts', offending)


def test_no_service_imports_another():
    """A service imports only pocketstack.common, itself and outside libraries, and
    pocketstack.common imports no service: each service ships and runs on its own, and the
    framework stays below all of them.  Only pocketstack.cmd and pocketstack.testing may
    import across services."""
    def forbidden(module, target):
        if within_any(module, UNRESTRICTED) or not within(target, 'pocketstack'):
            return False
        if within(module, 'pocketstack.common'):
            return service_of(target) is not None
        return (service_of(module) is not None and not within(target, 'pocketstack.common')
                and service_of(target) != service_of(module))

    offending = offending_imports(lambda module: True, forbidden)
    assert not offending, to_do('imports across service boundaries', offending)


def test_no_import_cycles_at_module_level():
    """Module-level imports form no cycle: a cycle makes import order matter, and a module
    can then see its partner half-initialised (AttributeError / ImportError at start-up)."""
    graph = edges(module_level_only=True)
    cycles = {}  # one shortest cycle through each module of each loop, keyed up to rotation
    for component in strongly_connected_components(graph):
        for module in component:
            if len(component) > 1 or module in graph[module]:
                cycle = shortest_path(graph, module, module, set(component))[:-1]
                first = cycle.index(min(cycle))
                cycle = cycle[first:] + cycle[:first]
                cycles.setdefault(tuple(cycle), ' → '.join(cycle + cycle[:1]))
    cycles = list(cycles.values())
    assert not cycles, to_do('module-level import cycles', cycles)


def test_no_import_cycles_even_through_lazy_imports():
    """Counting imports inside functions too, modules still form no cycle: a lazy import
    that closes a loop hides a layering inversion (two modules that each need the other)."""
    graph = edges()
    components = [' ↔ '.join(component) for component in strongly_connected_components(graph)
                  if len(component) > 1 or component[0] in graph[component[0]]]
    assert not components, to_do('groups of mutually dependent modules (all imports)', components)
