"""The bundle workflow cannot run here, so check that it is valid and says what it must."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

from bundle_config import dropped  # noqa: E402


def _workflow() -> dict:
    document = yaml.safe_load((ROOT / ".github/workflows/bundles.yml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_workflow_builds_and_self_tests_on_every_os() -> None:
    wf = _workflow()
    # YAML 1.1 reads the bare key `on` as True
    triggers = wf.get("on", wf.get(True))
    assert {"push", "pull_request"} <= set(triggers)
    job = wf["jobs"]["bundle"]
    oses = job["strategy"]["matrix"]["os"]
    assert any(o.startswith("ubuntu") for o in oses)
    assert any(o.startswith("windows") for o in oses)
    assert any(o.startswith("macos") for o in oses)
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "packaging/build.py" in runs
    assert runs.count("--self-test") >= 2
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    for step in job["steps"]:
        assert set(step) <= {"name", "uses", "with", "run", "if", "shell", "env"}, step


def test_slimming_drops_only_what_saldo_never_loads() -> None:
    assert dropped("PySide6/Qt/translations/qtbase_de.qm")
    assert dropped("PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    assert dropped("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so")
    assert dropped("PySide6/Qt/lib/libQt6Test.so.6")
    assert not dropped("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert not dropped("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert not dropped("PySide6/Qt/lib/libQt6Widgets.so.6")
    assert not dropped("PySide6/Qt/lib/libicudata.so.73")
    assert not dropped("desktop_app/resources/icons/saldo.svg")
    assert dropped("PySide6/Qt/plugins/tls/libqopensslbackend.so")
    assert not dropped("PySide6/Qt/plugins/imageformats/libqsvg.so")
