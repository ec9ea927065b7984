"""Size guards of the house style: no module over 600 lines, no function over
80 lines, outside generated code.

A module past the bound is split along a seam (a concept each half owns), a
function past it is cut where it does two things; see ../shared/STYLE.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app_server", "app_server_protocol", "core_service", "gateway", "mcp_front")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _generated(path: Path) -> bool:
    return "_pb2" in path.name or path.name == "wire_types.py"


def hand_written_modules() -> list[Path]:
    """Every hand-written Python module of the product packages."""
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not _generated(path)
    ]


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function or method longer than `limit` lines."""
    found: list[tuple[str, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    length = (child.end_lineno or child.lineno) - child.lineno + 1
                    if length > limit:
                        found.append((name, length))
                walk(child, name + ".")

    walk(ast.parse(source), "")
    return found


def test_no_module_over_the_bound() -> None:
    """Every hand-written module of the product has at most 600 lines."""
    over = {
        str(path.relative_to(ROOT)): n
        for path in hand_written_modules()
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert over == {}


def test_no_function_over_the_bound() -> None:
    """Every function and method of the product has at most 80 lines."""
    over = {
        f"{path.relative_to(ROOT)}:{name}": n
        for path in hand_written_modules()
        for name, n in long_functions(path.read_text(), MAX_FUNCTION_LINES)
    }
    assert over == {}


def test_long_functions_are_found_in_classes_and_nested() -> None:
    """The guard measures methods and nested functions by their own lines."""
    body = "\n".join(f"    x{i} = {i}" for i in range(5))
    source = f"class A:\n  def m(self):\n{body}\n\ndef f():\n  def g():\n{body}\n  return g\n"
    assert long_functions(source, 4) == [("A.m", 6), ("f", 8), ("f.g", 6)]
    assert long_functions(source, 10) == []
