"""`saldo connect enablebanking` as a person runs it: app key from a file, bank list, paste-back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import httpx2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from saldo_sandbox.app import Sandbox

APP_ID = "0f4f7a4e-7b1c-4a55-8d0b-3e1f2a9c6d11"


def test_list_banks_then_connect_by_paste_back(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    key_file = tmp_path / "app.pem"
    key_file.write_bytes(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    data = tmp_path / "data"
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    with Sandbox(seed=5, transactions=300, auto_approve=True) as sandbox:
        # registered with a redirect that leads nowhere, as EB's own guide allows: paste-back it is
        sandbox.state.enablebanking.apps[APP_ID] = (public, ("https://example.org/callback",))
        base = ["--data-dir", str(data), "--sandbox", sandbox.url]
        listed = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop_app",
                "connect",
                "enablebanking",
                *base,
                "--app-id",
                APP_ID,
                "--key-file",
                str(key_file),
                "--country",
                "fi",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.splitlines() == ["Mock ASPSP\t180 days", "Sandbox Sparbank\t90 days"]
        assert "can be deleted" in listed.stderr
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "desktop_app",
                "connect",
                "enablebanking",
                *base,
                "--app-id",
                APP_ID,
                "--key-file",
                str(key_file),
                "--bank",
                "Sandbox Sparbank",
                "--no-browser",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert process.stderr is not None and process.stdin is not None
        url = ""
        while not url.startswith("http"):
            url = process.stderr.readline().strip()
            assert url or process.poll() is None
        with httpx2.Client(follow_redirects=False) as http:
            response = http.get(url)
            while not response.headers["Location"].startswith("https://example.org"):
                response = http.get(urljoin(str(response.url), response.headers["Location"]))
        process.stdin.write(response.headers["Location"] + "\n")
        process.stdin.flush()
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out.startswith("connected: ")
    secret_line = pem.decode().splitlines()[3].encode()
    for path in data.rglob("*"):
        if path.is_file():
            assert secret_line not in path.read_bytes(), path
    assert secret_line.decode() not in out + err
