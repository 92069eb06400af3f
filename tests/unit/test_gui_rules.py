"""House rules for the GUI package: widgets never touch the cache; the rules check themselves."""

import ast
from pathlib import Path

import desktop_app

GUI = Path(desktop_app.__file__).parent / "gui"
# operations.py and shaping_ops.py are the doors to the cache. app.py and context.py assemble the
# application (open and close the store, hand it to the connector).
ALLOWED = {"operations.py", "shaping_ops.py", "app.py", "context.py"}


def store_references(source: str) -> list[int]:
    """Lines that reach an attribute called `store` (``ctx.store``, ``self.ctx.store.x``, ``app.store``)."""
    return sorted(
        node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Attribute) and node.attr == "store"
    )


def test_no_gui_module_but_the_operations_touches_the_store() -> None:
    offenders = {
        path.name: store_references(path.read_text(encoding="utf-8"))
        for path in sorted(GUI.glob("*.py"))
        if path.name not in ALLOWED
    }
    assert {name: lines for name, lines in offenders.items() if lines} == {}


def test_the_store_rule_sees_a_violation() -> None:
    bad = "def f(self):\n    return self.ctx.store.connections()\n\ng = lambda app: app.store\n"
    assert store_references(bad) == [2, 4]
    assert store_references("def f(ops):\n    return ops.app\n") == []
