"""Build the Linux bundle with PyInstaller and run its self-test in a bare environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle is built on Linux")
def test_built_bundle_passes_its_self_test(tmp_path: Path) -> None:
    # Built as on a machine with no display, even with the xcb platform asked for: the build
    # must not need one.
    headless = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    build = subprocess.run(
        [sys.executable, str(ROOT / "packaging/build.py")],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env={**headless, "QT_QPA_PLATFORM": "xcb"},
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]
    exe = ROOT / "dist/saldo/saldo"
    assert exe.exists()
    report = tmp_path / "self-test.json"
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [str(exe), "--self-test", "--self-test-report", str(report)],
        env=bare,
        capture_output=True,
        text=True,
        timeout=300,
    )
    data = json.loads(report.read_text())
    assert result.returncode == 0 and data["ok"], json.dumps(data, indent=1)
    steps = [s["step"] for s in data["steps"]]
    assert steps == [
        "resources",
        "keyring",
        "encrypted cache",
        "connect",
        "sync",
        "statement import",
        "window",
        "reports",
    ]
    assert data["steps"][2]["encrypted"] is True  # SQLCipher made it into the bundle
    # the bundle ran itself as the XML check's helper (not this interpreter: PATH has no venv)
    assert data["steps"][5]["xml_helper"] == ["--saldo-check-xml"]
    assert data["transactions"] > 100 and Path(data["screenshot"]).stat().st_size > 10_000
    assert (ROOT / "dist/saldo/_internal/saldo.desktop").exists()
    assert_xcb_cursor_is_bundled(ROOT / "dist/saldo/_internal")
    _assert_the_simulator_is_left_out(exe, bare)


def assert_xcb_cursor_is_bundled(internal: Path) -> None:
    """The xcb plugin loads libxcb-cursor from the bundle, so a desktop without libxcb-cursor0 starts it."""
    bundled = internal / "libxcb-cursor.so.0"
    assert bundled.is_file()
    plugin = next(internal.rglob("platforms/libqxcb.so"))
    # the bootloader puts _internal on the library path; ldd with the same path shows what the plugin gets
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(internal)}
    resolved = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, env=env, timeout=60).stdout
    (line,) = [x for x in resolved.splitlines() if "libxcb-cursor.so.0" in x]
    assert str(bundled) in line, line


def _assert_the_simulator_is_left_out(exe: Path, env: dict[str, str]) -> None:
    """The bundle carries the product Demo Bank but not the development simulator nor its command."""
    pure = "\n".join(p.read_text(errors="replace") for p in (ROOT / "build/bundle/work").rglob("PYZ-*.toc"))
    assert "'desktop_app.demo_bank.server'" in pure
    assert "saldo_sandbox" not in pure
    assert not list((ROOT / "dist/saldo").rglob("saldo_sandbox*"))
    refused = subprocess.run([str(exe), "sandbox"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "invalid choice: 'sandbox'" in refused.stderr


def test_the_spec_leaves_the_simulator_out() -> None:
    spec = (ROOT / "packaging/saldo.spec").read_text(encoding="utf-8")
    excludes = spec[spec.index("excludes=[") : spec.index("]", spec.index("excludes=["))]
    assert '"saldo_sandbox"' in excludes
