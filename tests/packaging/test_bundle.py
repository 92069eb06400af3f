"""Build the Linux bundle with PyInstaller and run its self-test in a bare environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle is built on Linux")
def test_built_bundle_passes_its_self_test(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, str(ROOT / "packaging/build.py")], capture_output=True, text=True, timeout=900, cwd=ROOT
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
    assert steps == ["resources", "keyring", "encrypted cache", "connect", "sync", "window"]
    assert data["steps"][2]["encrypted"] is True  # SQLCipher made it into the bundle
    assert data["transactions"] > 100 and Path(data["screenshot"]).stat().st_size > 10_000
    assert (ROOT / "dist/saldo/_internal/saldo.desktop").exists()
