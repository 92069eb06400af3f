"""Every option of every command, fed hostile values, is refused with one line and no traceback.

The table is generated from the real parser: each subcommand's actions are walked and hostile
values derived from the option's validating type (its kind and range) or its choices. A new
option without a validating type fails `test_every_value_option_is_validated`, so it cannot
slip past this table.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app import cli
from desktop_app.commands import argtypes

# Positionals need some valid value while another argument is being attacked.
VALID_POSITIONAL = {"provider": "demo", "connection": "c1"}


def commands_of(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """The root parser (as "") and every subcommand's parser."""
    yield "", parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def commands() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    return commands_of(cli.build_parser())


def value_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    skip = (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)
    return [a for a in parser._actions if not isinstance(a, skip)]


def hostile_values(action: argparse.Action) -> list[str]:
    """Out of range, NaN, infinity, empty, huge and wrong-typed values for this argument."""
    if action.nargs == 0:
        return ["x"]  # `--flag=x`: a flag given a value
    if action.choices is not None:
        return ["", "nope", " table", "\x00"]
    kind = getattr(action.type, "kind", None)
    low, high = getattr(action.type, "low", 0), getattr(action.type, "high", 0)
    common = ["", " ", "nan", "inf", "-inf", "\x00", "x" * 100_000]
    if kind == "int":
        return [*common, str(low - 1), str(high + 1), str(2**70), "1.5", "1e3", "0x10", "1_0", "٣", "--"]
    if kind == "float":
        return [*common, repr(low - 1), repr(high + 1), "1e400", "-1e400", "NaN", "0x10", "1,5"]
    if kind == "text":
        return ["", " ", "\x00", "a\nb", "x" * (action.type.max_length + 1)]  # type: ignore[union-attr]
    if kind == "path":
        return ["", "  ", "a\x00b"]
    if kind == "url":
        return ["", "nan", "ftp://h", "http://", "http://h:99999", "http://h:0", "file:///etc/passwd", "\x00"]
    if kind == "date":
        return ["", "nan", "2026-13-01", "2026-02-30", "99999-01-01", "1e3", "2026-1-1x"]
    raise AssertionError(f"{action.dest}: no hostile values known for type {action.type!r}")


def argv_for(command: str, parser: argparse.ArgumentParser, target: argparse.Action, value: str) -> list[str]:
    argv = [command] if command else []
    for action in value_actions(parser):
        if not action.option_strings and action is not target and action.nargs is None:
            argv.append(VALID_POSITIONAL.get(action.dest, "x"))
    if target.option_strings:
        argv.append(f"{target.option_strings[-1]}={value}")  # `=` so "-1" is never taken for an option
    else:
        argv += ["--", value]
    return argv


def cases() -> list[tuple[str, argparse.ArgumentParser, argparse.Action, str]]:
    return [
        (command, parser, action, value)
        for command, parser in commands()
        for action in value_actions(parser)
        for value in hostile_values(action)
    ]


CASES = cases()


def _refuse_to_run(args: argparse.Namespace) -> int:
    raise AssertionError(f"parsed without complaint: {args}")


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that parse must not run here: hostile values have to fail while parsing."""
    real = cli.build_parser

    def build() -> argparse.ArgumentParser:
        parser = real()
        for _command, sub in commands_of(parser):
            sub.set_defaults(func=_refuse_to_run)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)


def test_the_table_covers_every_command_and_option() -> None:
    covered = {(command, action.dest) for command, _p, action, _v in CASES}
    assert {"transactions", "connect", "sandbox", "sync", "disconnect"} <= {c for c, _ in covered}
    assert ("transactions", "account") in covered and ("connect", "timeout") in covered
    assert ("sandbox", "port") in covered and ("", "data_dir") in covered
    assert len(CASES) > 150


def test_every_value_option_is_validated() -> None:
    for command, parser in commands():
        for action in value_actions(parser):
            if action.nargs != 0 and action.choices is None:
                assert getattr(action.type, "kind", None), f"saldo {command} {action.dest}: no validating type"


@pytest.mark.parametrize(
    ("command", "parser", "action", "value"),
    CASES,
    ids=[f"{c or 'saldo'}-{a.dest}-{v[:12]!r}" for c, _p, a, v in CASES],
)
def test_hostile_value_is_one_line_and_no_traceback(
    guarded: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    parser: argparse.ArgumentParser,
    action: argparse.Action,
    value: str,
) -> None:
    argv = argv_for(command, parser, action, value)
    if action.dest != "data_dir":
        argv.insert(0, f"--data-dir={tmp_path}")
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert len(err.splitlines()) == 1 and err.startswith("saldo: "), err
    assert "Traceback" not in err and "\x00" not in err
    assert len(err) < 400  # a huge value is never echoed back whole


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["--limit", "--account", "--timeout", "--port", "--fail-rate"]) | st.text(), max_size=6)
)
def test_random_argument_lists_never_crash_the_parser(argv: list[str]) -> None:
    parser = cli.build_parser()
    for command in ("transactions", "connect", "sandbox", "sync"):
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                parser.parse_args([command, *argv])
        except SystemExit as exc:
            assert exc.code in (0, 2)
            assert exc.code == 0 or len(err.getvalue().splitlines()) == 1, err.getvalue()


@given(st.text(max_size=40))
def test_integer_type_returns_only_in_range_values(text: str) -> None:
    parse = argtypes.integer(1, argtypes.SQLITE_MAX_INT)
    try:
        value = parse(text)
    except argparse.ArgumentTypeError as exc:
        assert "\n" not in str(exc)
    else:
        assert 1 <= value <= argtypes.SQLITE_MAX_INT


@given(st.text(max_size=40) | st.floats().map(repr))
def test_number_type_returns_only_finite_in_range_values(text: str) -> None:
    parse = argtypes.number(1, 86_400)
    try:
        value = parse(text)
    except argparse.ArgumentTypeError as exc:
        assert "\n" not in str(exc)
    else:
        assert 1 <= value <= 86_400


def saldo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        input="",  # an empty stdin, never the terminal's
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["transactions", "--account", "1180591620717411303424"], "out of range"),
        (["transactions", "--account", "999999"], "There is no account 999999"),
        (["transactions", "--limit", "0"], "--limit: 0 is out of range"),
        (["transactions", "--from", "2026-02-01", "--to", "2026-01-01"], "is after --to"),
        (["sync", "BADID", "--all"], "either a connection id (BADID) or --all"),
        (["sync", "BADID"], "No connection 'BADID'"),
        (["disconnect", "BADID"], "No connection 'BADID'"),
        (["connect", "nobank"], "Unknown provider 'nobank'"),
        (["--self-test-report", "report.json"], "needs --self-test"),
    ],
)
def test_silent_wrong_answers_are_refused_in_one_line(data_dir: Path, argv: list[str], expected: str) -> None:
    result = saldo(*argv, "--data-dir", str(data_dir))
    assert result.returncode != 0 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and expected in result.stderr, result.stderr


def test_an_empty_data_dir_is_refused_not_the_platform_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", "", "accounts"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")},
    )
    assert result.returncode == 2 and "--data-dir: the folder or file name must not be empty" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and not home.exists()


def test_an_empty_secret_on_stdin_is_refused(data_dir: Path) -> None:
    result = saldo("connect", "demo", "--client-id", "me", "--client-secret-stdin", "--data-dir", str(data_dir))
    assert result.returncode == 1 and result.stderr.splitlines()[-1].startswith("saldo: --client-secret-stdin read no")
