"""`saldo` as the bundle runs it: with no saldo_sandbox package there is simply no `sandbox` command."""

from __future__ import annotations

import subprocess
import sys

# None in sys.modules makes every import of the package fail, as in the bundle, which leaves it out.
WITHOUT = (
    "import sys; sys.modules['saldo_sandbox'] = None; from desktop_app.cli import main; sys.exit(main(sys.argv[1:]))"
)


def _saldo(*args: str, blocked: bool = True) -> subprocess.CompletedProcess[str]:
    code = WITHOUT if blocked else WITHOUT.replace("sys.modules['saldo_sandbox'] = None; ", "")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)


def test_without_the_simulator_there_is_no_sandbox_command_and_the_rest_works() -> None:
    helped = _saldo("--help")
    assert helped.returncode == 0 and "providers" in helped.stdout and "sandbox" not in helped.stdout
    refused = _saldo("sandbox", "--port", "0")
    assert refused.returncode == 2 and "invalid choice: 'sandbox'" in refused.stderr
    listed = _saldo("providers")
    assert listed.returncode == 0 and "demo" in listed.stdout


def test_a_checkout_has_the_sandbox_command() -> None:
    helped = _saldo("sandbox", "--help", blocked=False)
    assert helped.returncode == 0 and "--fail-rate" in helped.stdout
