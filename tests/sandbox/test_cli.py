"""`saldo sandbox` as a real subprocess: prints its URL, serves, stops cleanly; --dump; bad arguments."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from urllib.parse import urlencode

import httpx2

from saldo_sandbox import PROVIDERS

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def test_saldo_sandbox_prints_its_url_serves_and_stops_on_sigint(tmp_path: object) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "sandbox", "--transactions", "300", "--seed", "9", "--auto-approve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("sandbox: http://127.0.0.1:")
        url = line.split(" ", 1)[1]
        with httpx2.Client(timeout=10) as http:
            truth = http.get(f"{url}/_admin/truth/demo").json()
            assert truth["provider"] == "demo" and truth["accounts"]
            q = {
                "client_id": "tatrabanka-client",
                "redirect_uri": "http://127.0.0.1:1/callback/tatrabanka",
                "response_type": "code",
                "scope": "AISP",
            }
            back = http.get(f"{url}/tatrabanka/auth/oauth/v2/authorize?{urlencode(q)}", follow_redirects=False)
            assert back.status_code == 302 and "code=" in back.headers["Location"]  # --auto-approve
            assert http.get(f"{url}/_admin/state").json()["seed"] == 9
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err


def test_dump_prints_the_ground_truth_of_every_provider() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "sandbox", "--dump", "--transactions", "200", "--seed", "4"],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    assert result.returncode == 0, result.stderr
    dumped = json.loads(result.stdout)
    assert tuple(dumped) == PROVIDERS
    assert all(dumped[p]["accounts"] and dumped[p]["provider"] == p for p in PROVIDERS)


def test_bad_arguments_are_one_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "sandbox", "--fail-rate", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    assert result.returncode == 2 and "--fail-rate: '2' is out of range 0..1" in result.stderr
    assert len(result.stderr.splitlines()) == 1
