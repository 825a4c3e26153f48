"""The imports of the apps run one way: views/admin/tasks → services → selectors/models. No module
imports another that imports it back (also through imports inside functions, which hide a circle
rather than remove it), nothing imports the Celery tasks (services enqueue them by name), and events
imports nothing of delegates."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("delegates", "events", "amf")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that ``name`` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` imports the module; `from module import name` the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
            ]
        else:
            continue
        found.update(target for target in targets if target in modules and target != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _project_modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_apps_have_no_import_circle():
    assert _cycles(_graph()) == []


def test_nothing_imports_the_tasks():
    graph = _graph()

    importers = sorted(name for name, targets in graph.items() if "delegates.tasks" in targets)

    assert importers == []


def test_events_imports_nothing_of_delegates():
    # Forums and their programme stand alone; delegates build on them (its admin extends the forum's).
    graph = _graph()

    importers = sorted(
        f"{name} → {target}"
        for name, targets in graph.items()
        if name.split(".")[0] == "events"
        for target in targets
        if target.split(".")[0] == "delegates"
    )

    assert importers == []


def test_the_walk_finds_a_circle_when_there_is_one():
    # The walk itself, on a made-up graph: a → b → c → a, and d alone.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize(
    ("module", "statement", "expected"),
    [
        ("delegates.mail.outbox", "from .. import background", {"delegates.background"}),
        ("delegates.mail.outbox", "from ..models import EmailOutbox", {"delegates.models"}),
        ("delegates.tasks", "from .mail.outbox import outbox_send", {"delegates.mail.outbox"}),
        (
            "delegates.registration.services",
            "from .seats import lock_seats",
            {"delegates.registration.seats"},
        ),
    ],
)
def test_relative_imports_are_resolved(tmp_path, module, statement, expected):
    modules = _project_modules()
    path = tmp_path / "module.py"
    path.write_text(statement + "\n")

    assert _imports(module, path, modules) == expected
