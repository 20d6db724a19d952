"""Rules of the code's layout: seeding is only reached through its commands, and every global
ORM listener is installed, visibly, by create_app (app.LISTENERS)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

from sqlalchemy import event

import app as app_package
from app import BLUEPRINTS, LISTENERS, create_app

APP_DIR = Path(app_package.__file__).parent
SEEDING_DIR = APP_DIR / "seeding"


def _modules():
    """(path, parsed tree) of every module of app/."""
    for path in sorted(APP_DIR.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_names(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_only_the_seeding_commands_reach_the_seeding_package():
    """Nothing in app/ imports app.seeding; create_app registers its commands (BLUEPRINTS)."""
    importers = [
        str(path.relative_to(APP_DIR.parent)) for path, tree in _modules()
        if SEEDING_DIR not in path.parents
        and any(name == "app.seeding" or name.startswith("app.seeding.")
                for name in _imported_names(tree))]
    assert importers == []
    assert "seeding" in BLUEPRINTS


def _listener_calls(tree: ast.AST):
    """The `event.listen(...)` / `event.listens_for(...)` calls of a module, with whether
    each is a decorator of a module-level function (registered on import)."""
    on_import = {id(decorator) for node in tree.body
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for decorator in node.decorator_list}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("listen", "listens_for") and node.args):
            yield node, id(node) in on_import


def test_no_listener_is_registered_by_importing_a_module():
    decorated = [str(path.relative_to(APP_DIR.parent)) for path, tree in _modules()
                 for _call, on_import in _listener_calls(tree) if on_import]
    assert decorated == []


def test_every_orm_session_listener_is_in_the_listeners_list():
    """A module listening to every ORM session is installed by create_app, not by luck."""
    listening = set()
    for path, tree in _modules():
        on_sessions = any(isinstance(call.args[0], ast.Name) and call.args[0].id == "OrmSession"
                          for call, _on_import in _listener_calls(tree))
        installs = any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                       and node.func.id == "listen_once" for node in ast.walk(tree))
        if on_sessions or installs:
            listening.add(".".join(path.relative_to(APP_DIR.parent).with_suffix("").parts))
    assert listening <= set(LISTENERS), sorted(listening - set(LISTENERS))
    # Each listed module declares what it listens to and installs it with listen_once.
    for name in LISTENERS:
        module = importlib.import_module(name)
        assert module.HOOKS and callable(module.install), name


def _hooks():
    return [hook for name in LISTENERS for hook in importlib.import_module(name).HOOKS]


def test_create_app_installs_every_listener(database_uri):
    """Removed, then a new app: every listener of app.LISTENERS is back."""
    hooks = _hooks()
    for target, identifier, listener in hooks:
        if event.contains(target, identifier, listener):
            event.remove(target, identifier, listener)
    try:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                    "SECRET_KEY": "test"})
        missing = [(identifier, listener.__qualname__)
                   for target, identifier, listener in hooks
                   if not event.contains(target, identifier, listener)]
        assert missing == []
    finally:
        for name in LISTENERS:  # leave the process as the other tests expect it
            importlib.import_module(name).install()


# --- rooms of a readable size, and no import cycles ----------------------------------------
MAX_MODULE_LINES = 600


def test_no_module_of_app_is_over_six_hundred_lines():
    long = {str(path.relative_to(APP_DIR.parent)): n for path, _tree in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"split these by concern (at most {MAX_MODULE_LINES} lines): {long}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the app modules it imports at its top level (imports inside functions, the
    deliberate late ones, are left out), and the packages it lies in: importing
    app.sessions.tracking runs app/sessions/__init__.py first. A blueprint's __init__ imports
    its views only in load_views(), which create_app calls."""
    names = {_module_name(path) for path, _tree in _modules()}
    # A package that gathers its own modules (app.models) is not in a circle with them; a
    # blueprint's package is, if it imports its views at the top.
    aggregates = {name for name in names if name.count(".") == 1} - {
        f"app.{blueprint}" for blueprint in BLUEPRINTS}
    graph: dict[str, set[str]] = {}
    for path, tree in _modules():
        module = _module_name(path)
        edges = set()
        for node in tree.body:
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in names
                           else node.module for alias in node.names]
            for target in targets:
                if target in names and target != module and not (
                        module in aggregates and target.startswith(module + ".")):
                    edges.add(target)
        parts = module.split(".")
        edges |= {".".join(parts[:n]) for n in range(2, len(parts))} & names
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_app():
    cycle = find_cycle(import_graph())
    assert cycle is None, "modules of app/ import each other in a circle: " + " → ".join(cycle)


def test_volunteers_do_not_import_matching():
    graph = import_graph()
    assert not {m for m in graph if m.startswith("app.volunteers")
                for t in graph[m] if t.startswith("app.matching")}


# --- templates: one registry of globals, filters and context processors --------------------
TEMPLATE_REGISTRY = APP_DIR / "templating.py"
TEMPLATE_HOOKS = {"app_template_global", "app_template_filter", "app_template_test",
                  "template_global", "template_filter", "template_test", "context_processor",
                  "app_context_processor", "add_template_global", "add_template_filter",
                  "add_template_test", "jinja_env", "template_context_processors"}


def test_only_the_template_registry_touches_the_jinja_environment():
    """Globals, filters and context processors are registered by app.templating only."""
    touching = sorted(
        f"{path.relative_to(APP_DIR.parent)}:{node.lineno} {node.attr}"
        for path, tree in _modules() if path != TEMPLATE_REGISTRY
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in TEMPLATE_HOOKS)
    assert touching == []


# What may subclass Exception in app/ besides app.refusal.Refusal: failures of the outside
# world, of parsing and of a command's guard, which are not a rule saying no to a person.
NOT_REFUSALS = {"DeliveryError", "InvalidPhone", "DatabaseNotEmpty"}


def test_every_refusal_is_a_refusal():
    """A service that refuses raises app.refusal.Refusal; no blueprint invents its own
    error protocol again (there were four: SchedulingError, Refused, OutcomeError, ...)."""
    invented = sorted(
        f"{path.relative_to(APP_DIR.parent)}:{node.lineno} {node.name}"
        for path, tree in _modules() if path.name != "refusal.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name not in NOT_REFUSALS
        and any(getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception"))
                for base in node.bases))
    assert invented == []


TEMPLATES_DIR = APP_DIR.parent / "templates"


def test_views_pass_data_and_templates_do_not_query():
    """No view hands a services module to a template, and no template calls one: what a
    page shows is computed by its view (or a filter of app.templating)."""
    handed = sorted(
        f"{path.relative_to(APP_DIR.parent)}:{node.lineno}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "services")
    called = sorted(
        f"{path.relative_to(APP_DIR.parent)}"
        for path in TEMPLATES_DIR.rglob("*.html")
        if "services." in path.read_text(encoding="utf-8")
        or "db.session" in path.read_text(encoding="utf-8"))
    assert handed == [] and called == []
