"""`saldo connect` for the providers that need no browser sign-in: SimpleFIN Bridge."""

from __future__ import annotations

import argparse
import getpass
import sys

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
