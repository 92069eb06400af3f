"""House rules about what may import what."""

import ast
from pathlib import Path

import desktop_app
import saldo_sandbox

PACKAGE = Path(desktop_app.__file__).parent
SIMULATOR = Path(saldo_sandbox.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules_under(sub: str, root: Path = PACKAGE) -> list[Path]:
    found = sorted((root / sub).rglob("*.py"))
    assert found, f"no modules found under {sub}"
    return found


def test_core_never_imports_qt() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(n for n in _imports(path) if n.split(".")[0] in {"PySide6", "pyqtgraph"})
        for path in _modules_under("core")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_never_imports_gui_or_a_simulator() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in _imports(path) if n.startswith(("desktop_app.gui", "desktop_app.demo_bank", "saldo_sandbox"))
        )
        for path in _modules_under("core")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_simulators_share_no_code_with_core() -> None:
    """The Demo Bank and the development simulator are written apart from the connectors they test."""
    modules = _modules_under("demo_bank") + _modules_under(".", SIMULATOR)
    offenders = {str(path): sorted(n for n in _imports(path) if n.startswith("desktop_app.core")) for path in modules}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_product_never_imports_the_development_simulator() -> None:
    """The bundle leaves saldo_sandbox out; `saldo sandbox` is found by name and skipped when absent."""
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(n for n in _imports(path) if n.split(".")[0] == "saldo_sandbox")
        for path in _modules_under(".")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_rule_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport desktop_app.gui.app\n", encoding="utf-8")
    assert _imports(bad) == {"PySide6.QtCore", "desktop_app.gui.app"}


def test_every_package_is_listed_for_installation() -> None:
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("desktop_app", *p.parent.relative_to(PACKAGE).parts))
        for p in PACKAGE.rglob("__init__.py")
        if "__pycache__" not in p.parts and p.parent != PACKAGE / "resources"
    }
    found |= {
        ".".join(("saldo_sandbox", *p.parent.relative_to(SIMULATOR).parts))
        for p in SIMULATOR.rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
