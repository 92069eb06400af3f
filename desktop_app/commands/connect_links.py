"""`saldo connect` for the providers with their own set-up: SimpleFIN Bridge and Enable Banking."""

from __future__ import annotations

import argparse
import getpass
import sys
import webbrowser
from pathlib import Path

import httpx2

from desktop_app.commands.common import open_app
from desktop_app.core.errors import SaldoError
from desktop_app.core.session_only import CONNECT_WARNING


def _setup_token(args: argparse.Namespace) -> str:
    """From stdin, from the prompt, or (development) a fresh one from the simulator."""
    if args.setup_token_stdin:
        token = sys.stdin.readline().strip()
        if not token:
            raise SaldoError("--setup-token-stdin read no token: pipe the SimpleFIN setup token into the command.")
        return token
    if args.sandbox:
        try:
            answer = httpx2.post(f"{args.sandbox.rstrip('/')}/simplefin/create", timeout=10)
        except httpx2.HTTPError as exc:
            raise SaldoError(f"The sandbox at {args.sandbox} could not be reached ({type(exc).__name__}).") from None
        if answer.status_code != 200:
            raise SaldoError(f"The sandbox at {args.sandbox} made no setup token (HTTP {answer.status_code}).")
        return answer.text.strip()
    if not sys.stdin.isatty():
        raise SaldoError("No setup token: use --setup-token-stdin, or run in a terminal to be asked for it.")
    token = getpass.getpass("SimpleFIN setup token (from https://bridge.simplefin.org/simplefin/create): ").strip()
    if not token:
        raise SaldoError("No setup token was entered.")
    return token


def connect_simplefin(args: argparse.Namespace) -> int:
    if args.client_id or args.client_secret_stdin or args.tenant:
        raise SaldoError("SimpleFIN Bridge takes a setup token, not a client id, secret or tenant.")
    token = _setup_token(args)
    with open_app(args) as app:
        if app.vault.session_only:
            print(f"saldo: {CONNECT_WARNING}", file=sys.stderr)
        done = app.connector.simplefin.connect(token)
    for message in done.messages:
        print(f"saldo: SimpleFIN Bridge says: {message}", file=sys.stderr)
    print(f"connected: {done.connection.id}", flush=True)
    return 0


def connect_enablebanking(args: argparse.Namespace) -> int:
    if args.client_id or args.client_secret_stdin or args.tenant or args.setup_token_stdin:
        raise SaldoError("Enable Banking takes --app-id and --key-file, not a client id, secret, tenant or token.")
    if bool(args.app_id) != bool(args.key_file):
        raise SaldoError("Give --app-id and --key-file together: the id and key of your Enable Banking application.")
    pem = _read_key(Path(args.key_file)) if args.key_file else None
    base = f"{args.sandbox.rstrip('/')}/enablebanking" if args.sandbox else None
    with open_app(args) as app:
        link = app.connector.enablebanking
        if pem is not None:
            link.save_app(args.app_id, pem)
            print(f"saldo: the key is in your keyring now; {args.key_file} can be deleted.", file=sys.stderr)
        if not args.bank:
            for bank in link.banks(args.country, base):
                days = int(bank.get("maximum_consent_validity") or 0) // 86400
                print(f"{bank['name']}\t{days} days")
            print("saldo: choose one with --bank NAME", file=sys.stderr)
            return 0
        pending = link.begin(args.country, args.bank, base=base)
        try:
            print(f"Open this address to approve access at {pending.aspsp['name']}:\n{pending.url}", file=sys.stderr)
            if not args.no_browser:
                webbrowser.open(pending.url)
            if pending.receiver is None:
                print("Paste the address your browser ends on:", file=sys.stderr, flush=True)
                callback = pending.paste(sys.stdin.readline())
            else:
                callback = pending.wait(args.timeout)
            connection = link.finish(pending, callback)
        finally:
            pending.close()
    print(f"connected: {connection.id}", flush=True)
    return 0


def _read_key(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SaldoError(f"Cannot read the key file {path}: {exc.strerror or type(exc).__name__}.") from None
    if len(data) > 64 * 1024:
        raise SaldoError(f"{path} is too large to be a private key file.")
    return data
