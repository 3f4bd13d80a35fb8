"""The package's structure, checked: no import cycles, no reaching into private names.

Every ``import`` in ``bertmask_gui/`` (function-level ones included) is read with ``ast``.
A cycle is a strongly connected set of modules. A private reach-in is ``from x import
_name`` or ``obj._name`` where ``obj`` is not ``self``/``cls``/``super()``: a module's
or object's ``_names`` are its own business, so they can change without breaking others.
The layer contracts (which layer may import which) are import-linter's, in pyproject.toml.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bertmask_gui"

# Library internals the app has to touch, each for a reason no public API serves:
ALLOWED_PRIVATE = {
    "_MEIPASS",  # getattr(sys, "_MEIPASS"): where PyInstaller unpacked the frozen app (its documented way)
    # config._attn_implementation: transformers' only record of the attention kernel the
    # model runs (no public accessor); engine.lastlayer stays exact only for sdpa/eager.
    "_attn_implementation",
    "_replace",  # namedtuple's public copy-with-changes method (underscored to avoid field names)
}
# The tests and benchmarks follow the same rule: they use what the package makes public.
SCRIPTS = [PACKAGE.parent / d for d in ("tests", "benchmarks", "docs", "packaging")]

def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(module: str, node: ast.AST, known: set[str], is_package: bool) -> set[str]:
    """The package modules an import statement loads (a name imported from a package
    counts as its submodule when there is one)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if not isinstance(node, ast.ImportFrom):
        return set()
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
        base = ".".join(anchor + ([base] if base else []))
    found = {base} if base in known else set()
    found |= {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known}
    return found


def _graph(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    known = set(modules)
    graph = {}
    for name, tree in modules.items():
        is_package = (PACKAGE.parent / Path(*name.split(".")) / "__init__.py").exists()
        edges = set()
        for node in ast.walk(tree):
            edges |= _imported(name, node, known, is_package)
        graph[name] = edges - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in ALLOWED_PRIVATE


def _own(value: ast.AST) -> bool:
    if isinstance(value, ast.Name):
        return value.id in ("self", "cls")
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super"


def _reach_ins(modules: dict[str, ast.Module]) -> list[str]:
    """``module: expression`` for every private name used from outside its owner."""
    found = []
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                found += [f"{name}: from {node.module} import {a.name}" for a in node.names if _private(a.name)]
            elif isinstance(node, ast.Import):
                found += [f"{name}: import {a.name}" for a in node.names if any(map(_private, a.name.split(".")))]
            elif isinstance(node, ast.Attribute) and _private(node.attr) and not _own(node.value):
                found.append(f"{name}: {ast.unparse(node)}")
            elif _private_getattr(node):
                found.append(f"{name}: {ast.unparse(node)}")
    return list(dict.fromkeys(found))


# Calls that name an attribute by a string: getattr(obj, "_x"), monkeypatch.setattr(obj,
# "_x", v), mock.patch.object(obj, "_x"); and those that name it by a dotted path:
# monkeypatch.setattr("pkg.mod._x", v), mock.patch("pkg.mod._x").
_BY_STRING = {"getattr", "setattr", "hasattr", "delattr", "object"}
_BY_PATH = {"setattr", "delattr", "patch"}


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _private_getattr(node: ast.AST) -> bool:
    """getattr/setattr(obj, "_name"…), monkeypatch.setattr("mod._name", …): the same
    reach-in, spelled as a string."""
    if not isinstance(node, ast.Call) or not node.args:
        return False
    called, first = _called(node), _string(node.args[0])
    if called in _BY_PATH and first is not None and "." in first:
        return any(map(_private, first.split(".")))
    name = _string(node.args[1]) if len(node.args) >= 2 else None
    return called in _BY_STRING and name is not None and _private(name) and not _own(node.args[0])


def test_no_import_cycles():
    cycles = ["cycle " + " -> ".join(c) for c in _cycles(_graph(_modules()))]
    assert cycles == []


def test_no_module_reaches_into_another_ones_private_names():
    assert _reach_ins(_modules()) == []


def test_tests_and_benchmarks_use_only_public_names():
    scripts = {str(p): ast.parse(p.read_text(encoding="utf-8")) for d in SCRIPTS for p in sorted(d.rglob("*.py"))}
    assert _reach_ins(scripts) == []


def test_the_checks_catch_what_they_look_for():
    """The checker itself: a cycle, a private import and a private attribute are found."""
    modules = {
        "bertmask_gui.a": ast.parse("from bertmask_gui.b import _helper\ndef f(x):\n    return x._state"),
        "bertmask_gui.b": ast.parse("def g():\n    from bertmask_gui import a\n    return self._fine"),
    }
    assert _cycles(_graph_of(modules)) == [["bertmask_gui.a", "bertmask_gui.b"]]
    found = _reach_ins(modules)
    assert found == ["bertmask_gui.a: from bertmask_gui.b import _helper", "bertmask_gui.a: x._state"]
    assert _reach_ins({"m": ast.parse("getattr(obj, '_x', None)\ngetattr(sys, '_MEIPASS', '')")}) == [
        "m: getattr(obj, '_x', None)"
    ]


def test_the_checks_catch_private_names_spelled_as_strings():
    """monkeypatch and mock name attributes by strings too (the review's finding)."""
    spelled = [
        "monkeypatch.setattr(frozen, '_offline', False)",
        "monkeypatch.delattr(frozen, '_offline')",
        "monkeypatch.setattr('bertmask_gui.frozen._offline', False)",
        "mock.patch.object(frozen, '_offline', True)",
        "mock.patch('bertmask_gui.engine._hidden.name')",
        "setattr(obj, '_x', 1)",
    ]
    for line in spelled:
        assert _reach_ins({"m": ast.parse(line)}) == [f"m: {ast.unparse(ast.parse(line).body[0].value)}"], line
    fine = [
        "monkeypatch.setattr(frozen, 'offline', False)",
        "monkeypatch.setattr('bertmask_gui.frozen.offline', False)",
        "monkeypatch.setattr(sys, '_MEIPASS', '/x', raising=False)",
        "monkeypatch.setattr(self, '_mine', 1)",
        "monkeypatch.setenv('_PRIVATE_ENV', '1')",
        "text.replace('_', ' ')",
    ]
    for line in fine:
        assert _reach_ins({"m": ast.parse(line)}) == [], line


def _graph_of(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    known = set(modules) | {"bertmask_gui"}
    return {
        name: {m for node in ast.walk(tree) for m in _imported(name, node, known, False)} - {name}
        for name, tree in modules.items()
    }
