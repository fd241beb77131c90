"""The modules of pressgen import each other in one direction: no cycle, function-level imports included.

A cycle hidden behind an import inside a function works until someone moves that import: the
graph here is read from the source (every `import` statement, at any depth), not from what
Python happens to have imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pressgen

PACKAGE = Path(pressgen.__file__).parent


def import_graph(package: Path) -> dict[str, set[str]]:
    """Return, for each module of `package`, the modules of the package it imports anywhere in its code."""
    modules = {path.stem for path in package.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name in modules:
        imported: set[str] = set()
        for node in ast.walk(ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
                parts = node.module.split(".")
                if parts[0] == package.name:
                    imported |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level > 0:  # from . import x, from .x import y
                imported |= {node.module.split(".")[0]} if node.module else {alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name.split(".")[1] for a in node.names if a.name.startswith(f"{package.name}.")}
        graph[name] = {module for module in imported if module in modules and module != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 40  # the package was found and read
    assert cycles(graph) == []


def test_the_graph_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    package = tmp_path / "pressgen"
    package.mkdir()
    (package / "a.py").write_text("from pressgen.b import x\n")
    (package / "b.py").write_text("def f():\n    from pressgen import a\n    return a\n")
    (package / "c.py").write_text("import pressgen.a\n")
    assert cycles(import_graph(package)) == [["a", "b"]]
