"""The package's import graph: no cycles (lazy imports included), and data flowing one way.

Every module of ``hikisim`` is parsed with :mod:`ast`, and every import statement counts
wherever it sits: at the top, or inside a function (a lazy import is still an edge). The
one exception is a block under ``if TYPE_CHECKING:``, which never runs; it only names
types for annotations (Mesa's agents and model refer to each other that way).
``from hikisim import name`` is an edge to the submodule ``hikisim.name`` if there is
one, and to the package ``hikisim`` otherwise; relative imports are resolved first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "hikisim"
PACKAGE = PACKAGE_DIR.name
# The kernel and what builds or reads it; the schema and the programmes stay clear of them.
KERNEL_SIDE = {
    "hikisim.agents",
    "hikisim.dynamics",
    "hikisim.episodes",
    "hikisim.metrics",
    "hikisim.model",
    "hikisim.network",
    "hikisim.population",
    "hikisim.simulation",
    "hikisim.streams",
}


def module_files() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: dotted name -> (file, whether it is a package)."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = (path, is_package)
    return modules


def is_type_checking_block(node: ast.AST) -> bool:
    """Whether ``node`` is ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(tree: ast.AST, package: str, *, type_checking: bool) -> set[tuple[str, ...]]:
    """What each import in ``tree`` may refer to, most specific first.

    ``import a.b`` gives ``("a.b",)``; ``from a import b`` gives ``("a.b", "a")``: the
    submodule ``a.b`` if there is one, else a name defined in ``a``.

    Args:
        tree: The parsed module.
        package: The package the module belongs to, for relative imports.
        type_checking: Whether to count imports under ``if TYPE_CHECKING:`` too.
    """
    found: set[tuple[str, ...]] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if is_type_checking_block(child) and not type_checking:
                for statement in child.orelse:  # the ``else:`` branch does run
                    visit(statement)
                continue
            if isinstance(child, ast.Import):
                found.update((alias.name,) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    anchor = ".".join(parts[: len(parts) - (child.level - 1)])
                    base = f"{anchor}.{base}" if base else anchor
                found.update((f"{base}.{alias.name}", base) for alias in child.names)
            visit(child)

    visit(tree)
    return found


def import_graph(*, type_checking: bool = False) -> dict[str, set[str]]:
    """Edges from each module of the package to the modules of the package it imports."""
    modules = module_files()
    graph = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text())
        edges = set()
        for candidates in imports_of(tree, package, type_checking=type_checking):
            edges.update(next(([c] for c in candidates if c in modules), []))
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the modules along it (first repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor in on_path:
                return [*path[path.index(successor) :], successor]
            if successor not in done and (cycle := visit(successor)):
                return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)):
            return cycle
    return None


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        for successor in graph[stack.pop()] - seen:
            seen.add(successor)
            stack.append(successor)
    return seen


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_graph_sees_every_kind_of_import() -> None:
    source = """
from . import sibling
from .sub import thing
from hikisim import model, __version__
import hikisim.metrics
if TYPE_CHECKING:
    from hikisim.scenario import Scenario
def later():
    from hikisim.dynamics import start_care
"""
    tree = ast.parse(source)
    found = imports_of(tree, "hikisim.programmes", type_checking=False)
    assert found == {
        ("hikisim.programmes.sibling", "hikisim.programmes"),
        ("hikisim.programmes.sub.thing", "hikisim.programmes.sub"),
        ("hikisim.model", "hikisim"),
        ("hikisim.__version__", "hikisim"),
        ("hikisim.metrics",),
        ("hikisim.dynamics.start_care", "hikisim.dynamics"),
    }
    strict = imports_of(tree, "hikisim.programmes", type_checking=True)
    assert strict - found == {("hikisim.scenario.Scenario", "hikisim.scenario")}


def test_find_cycle_reports_the_modules_along_it() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_graph_resolves_modules_and_packages(graph: dict[str, set[str]]) -> None:
    assert "hikisim.programmes.base" in graph["hikisim.programmes.medical_exam"]
    assert "hikisim.programmes" in graph["hikisim.scenario"]
    assert "hikisim.model" in graph[PACKAGE]


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_scenario_schema_does_not_import_the_kernel(graph: dict[str, set[str]]) -> None:
    imported = reachable(graph, "hikisim.scenario")
    assert "hikisim.dynamics" not in imported
    assert "hikisim.model" not in imported
    assert not imported & KERNEL_SIDE, sorted(imported & KERNEL_SIDE)


def test_programmes_never_import_the_kernel_not_even_for_types() -> None:
    strict = import_graph(type_checking=True)
    for name in strict:
        if name.startswith("hikisim.programmes"):
            imported = reachable(strict, name)
            assert not imported & KERNEL_SIDE, (name, sorted(imported & KERNEL_SIDE))
            outside = {m for m in imported if not m.startswith("hikisim.programmes")}
            # hikisim.field_types is a leaf (numpy only): the type checks every settings
            # model shares.
            assert outside <= {"hikisim.states", "hikisim.field_types"}, (name, sorted(outside))
