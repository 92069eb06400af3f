"""`saldo providers | connect | connections | disconnect | sync`: consent and sync, headless."""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
import webbrowser
from datetime import UTC, datetime
from typing import Any

from desktop_app.commands import argtypes
from desktop_app.commands.common import add_format_option, emit, open_app
from desktop_app.commands.connect_links import connect_enablebanking, connect_simplefin
from desktop_app.core.errors import SaldoError
from desktop_app.core.models import ConnectionStatus, SyncStatus
from desktop_app.core.providers.registry import PROVIDERS, get_provider
from desktop_app.core.session_only import CONNECT_WARNING, EXPLANATION, made_without_keyring
from desktop_app.core.store import Store
from desktop_app.core.sync import SyncProgress, SyncResult, consent_days_left, consent_warning

CONNECTION_ID = argtypes.text("the connection id", 200)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("providers", parents=[common], help="list the providers Saldo can connect to")
    add_format_option(p)
    p.set_defaults(func=providers)

    p = sub.add_parser("connect", parents=[common], help="approve access to a provider in your browser")
    p.add_argument("provider", type=argtypes.text("the provider id", 100), help="provider id (see `saldo providers`)")
    p.add_argument("--no-browser", action="store_true", help="print the address instead of opening a browser")
    p.add_argument(
        "--sandbox", metavar="URL", type=argtypes.url, help="use a running `saldo sandbox` instead of the real provider"
    )
    p.add_argument(
        "--client-id",
        metavar="ID",
        type=argtypes.text("--client-id", 500),
        help="client id from the provider's developer portal",
    )
    p.add_argument("--client-secret-stdin", action="store_true", help="read the client secret from stdin")
    p.add_argument(
        "--tenant",
        metavar="NAME",
        type=argtypes.tenant,
        help="Aritma: your organisation's tenant, as in https://id.aritma.io/NAME/connect/authorize",
    )
    p.add_argument("--country", type=argtypes.country, default="FI", help="Enable Banking: the bank's country")
    p.add_argument("--bank", metavar="NAME", type=argtypes.text("--bank", 200), help="Enable Banking: the bank")
    p.add_argument(
        "--app-id", metavar="ID", type=argtypes.text("--app-id", 100), help="Enable Banking: your application id"
    )
    p.add_argument(
        "--key-file", metavar="PEM", type=argtypes.path, help="Enable Banking: your application's private key file"
    )
    p.add_argument(
        "--setup-token-stdin",
        action="store_true",
        help="SimpleFIN Bridge: read the setup token from stdin (otherwise it is asked for)",
    )
    p.add_argument(
        "--timeout",
        type=argtypes.number(1, 86_400, "a number of seconds"),
        default=300.0,
        help="seconds to wait for your approval (1..86400, default: 300)",
    )
    p.set_defaults(func=connect)

    p = sub.add_parser("connections", parents=[common], help="list connections, their status and consent expiry")
    add_format_option(p)
    p.set_defaults(func=connections)

    p = sub.add_parser("disconnect", parents=[common], help="remove a connection's tokens (and its data)")
    p.add_argument("connection", type=CONNECTION_ID, help="connection id (see `saldo connections`)")
    p.add_argument("--keep-data", action="store_true", help="keep the cached accounts and transactions")
    p.set_defaults(func=disconnect)

    p = sub.add_parser("sync", parents=[common], help="fetch new transactions")
    p.add_argument("connection", nargs="?", type=CONNECTION_ID, help="one connection id (default: all)")
    p.add_argument("--all", action="store_true", help="sync every connection")
    p.set_defaults(func=sync)


def _require_connection(args: argparse.Namespace) -> None:
    """Refuse an unknown id before anything else (the keyring prompt, the network) happens."""
    with open_app(args, uses_secrets=False) as app:
        app.store.get_connection(args.connection)


def providers(args: argparse.Namespace) -> int:
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "region": p.region,
            "credentials": "needed" if p.needs_credentials else "none",
            "setup": p.setup,
        }
        for p in PROVIDERS
    ]
    emit(rows, ["id", "name", "region", "credentials", "setup"], args.format)
    return 0


def connect(args: argparse.Namespace) -> int:
    provider = get_provider(args.provider)
    if provider.id == "simplefin":
        return connect_simplefin(args)
    if provider.id == "enablebanking":
        return connect_enablebanking(args)
    if args.setup_token_stdin:
        raise SaldoError(f"--setup-token-stdin is for SimpleFIN Bridge only; {provider.name} does not use one.")
    with open_app(args) as app:
        conn = app.connector
        if app.vault.session_only:
            print(f"saldo: {CONNECT_WARNING}", file=sys.stderr)
        if args.client_id or args.client_secret_stdin:
            if not args.client_id:
                raise SaldoError("--client-secret-stdin needs --client-id too.")
            secret = sys.stdin.readline().rstrip("\n") if args.client_secret_stdin else None
            if args.client_secret_stdin and not secret:
                raise SaldoError("--client-secret-stdin read no secret: pipe the client secret into the command.")
            if secret is None and provider.needs_credentials:
                secret = getpass.getpass(f"{provider.name} client secret: ") if sys.stdin.isatty() else None
            conn.save_credentials(provider.id, args.client_id, secret)
        if args.tenant and not provider.needs_tenant:
            raise SaldoError(f"--tenant is for Aritma only; {provider.name} has no tenant.")
        pending = conn.begin(provider.id, args.sandbox, tenant=args.tenant)
        try:
            print(
                f"Open this address to approve access to {provider.name}:\n{pending.url}", file=sys.stderr, flush=True
            )
            if not args.no_browser:
                webbrowser.open(pending.url)
            connection = conn.finish(pending, pending.wait(args.timeout))
        finally:
            pending.close()
    print(f"connected: {connection.id}", flush=True)
    return 0


def connections(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    with open_app(args, uses_secrets=False) as app:
        rows = [
            {
                "id": c.id,
                "provider": c.provider,
                "status": c.status.value,
                "scopes": " ".join(c.scopes),
                "consent_expires": c.consent_expires_at.date().isoformat() if c.consent_expires_at else "",
                "days_left": str(consent_days_left(c, now)) if c.consent_expires_at else "",
                "one_time": "yes" if c.one_time else "",
                "warning": EXPLANATION if made_without_keyring(app.store, c.id) else consent_warning(c, now) or "",
            }
            for c in app.store.connections()
        ]
    emit(
        rows, ["id", "provider", "status", "scopes", "consent_expires", "days_left", "one_time", "warning"], args.format
    )
    return 0


def disconnect(args: argparse.Namespace) -> int:
    _require_connection(args)
    with open_app(args) as app:
        revoked = app.connector.disconnect(args.connection, keep_data=args.keep_data)
    kept = "; cached data kept" if args.keep_data else "; cached data removed"
    print(f"disconnected: {args.connection}{' (revoked at the provider)' if revoked else ''}{kept}")
    return 0


class _Bar:
    """A one-line progress display on stderr when it is a terminal."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()

    def __call__(self, p: SyncProgress) -> None:
        if self.live:
            sys.stderr.write(
                f"\r\033[K{p.connection_id} {p.account or ''}: {p.pages} pages, {p.new} new, {p.updated} updated"
            )
            sys.stderr.flush()

    def done(self) -> None:
        if self.live:
            sys.stderr.write("\r\033[K")


def sync(args: argparse.Namespace) -> int:
    if args.connection and args.all:
        raise SaldoError(f"Give either a connection id ({args.connection}) or --all, not both.")
    if args.connection:
        _require_connection(args)
    cancel = threading.Event()
    with open_app(args) as app:
        engine = app.engine
        bar = _Bar()
        try:
            if args.connection:
                results = [engine.sync(args.connection, progress=bar, cancel=cancel)]
            else:
                results = engine.sync_all(progress=bar, cancel=cancel)
        except KeyboardInterrupt:
            cancel.set()
            raise
        finally:
            bar.done()
        lost = {r.connection_id for r in results if _tokens_lost(app.store, r)}
        skipped = [] if args.connection else _skipped(app.store, {r.connection_id for r in results})
    failed = 0
    for r in results:
        if r.ok:
            print(f"{r.connection_id}: {r.status} — {r.summary()}")
            for problem in r.problems[:5]:  # what the provider said, and the first skipped records
                print(f"saldo: {r.connection_id}: {problem}", file=sys.stderr)
        else:
            failed += 1
            print(f"saldo: {r.connection_id}: {EXPLANATION if r.connection_id in lost else r.error}", file=sys.stderr)
    for connection_id, why in skipped:
        print(f"saldo: {connection_id}: skipped — {why}", file=sys.stderr)
    if not results and not skipped:
        print("nothing to sync")
    return 1 if failed else 0


def _skipped(store: Store, synced: set[str]) -> list[tuple[str, str]]:
    """Connections `sync --all` passed over because they need re-consent, with the reason to tell."""
    return [
        (c.id, EXPLANATION if made_without_keyring(store, c.id) else f"reconnect with `saldo connect {c.provider}`.")
        for c in store.connections()
        if c.status is ConnectionStatus.NEEDS_RECONSENT and c.id not in synced
    ]


def _tokens_lost(store: Store, result: SyncResult) -> bool:
    """A sync found no tokens because the connect before it had no keyring to keep them in."""
    return result.status is SyncStatus.NEEDS_RECONSENT and made_without_keyring(store, result.connection_id)
