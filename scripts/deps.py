"""Package → package imports inside ``workbench``, their cycles, and private names
reached across packages.

Each first-level name under ``workbench`` is a node (``workbench.commission``,
``workbench.web``, …). An import anywhere in a module counts, including imports inside
functions: a lazy import still ties two packages together. Prints one line per package
with what it imports, then ``cycles: N`` and ``cross_package_private_imports: N`` with
each offender, and exits 1 when either is not zero (so CI can run it).

Run from the repository root: ``.venv/bin/python scripts/deps.py``.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "workbench"


def _node(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(current: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def scan() -> tuple[dict[str, set[str]], list[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    private: list[str] = []
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        current = _module_name(path)
        source = _node(current)
        if source is None:
            continue
        edges.setdefault(source, set())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for stmt in ast.walk(tree):
            if isinstance(stmt, ast.Import):
                targets = [(alias.name, None) for alias in stmt.names]
            elif isinstance(stmt, ast.ImportFrom):
                base = _resolve(current, path.name == "__init__.py", stmt.level, stmt.module)
                targets = [(base, alias.name) for alias in stmt.names]
            else:
                continue
            for module, name in targets:
                target = _node(module)
                if name and target is None and module == PACKAGE:
                    # ``from workbench import web`` names a module; ``import create_app``
                    # names something of the package's own __init__.
                    is_module = (ROOT / PACKAGE / name).is_dir() or (
                        ROOT / PACKAGE / f"{name}.py"
                    ).is_file()
                    target = name if is_module else "(app factory)"
                if target is None or target == source:
                    continue
                edges[source].add(target)
                hidden = [p for p in module.split(".")[2:] if p.startswith("_") and p != "__init__"]
                if (name and name.startswith("_")) or hidden:
                    where = f"{path.relative_to(ROOT)}:{stmt.lineno}"
                    private.append(f"{where} imports {module}{'.' + name if name else ''}")
    return edges, private


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    edges, private = scan()
    for source in sorted(edges):
        print(f"{source} -> {', '.join(sorted(edges[source])) or '(nothing)'}")
    loops = cycles(edges)
    print(f"cycles: {len(loops)}")
    for loop in loops:
        print("  cycle: " + " <-> ".join(loop))
    print(f"cross_package_private_imports: {len(private)}")
    for line in private:
        print("  " + line)
    return 1 if loops or private else 0


if __name__ == "__main__":
    sys.exit(main())
