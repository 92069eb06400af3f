"""Each connection's endpoints live in the cache (schema 4), moved in from the old side file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.models import Account, Connection, Endpoints
from desktop_app.core.store import Store, migrations
from desktop_app.core.store.database import connect
from desktop_app.core.store.driver import sqlite

SANDBOX = Endpoints("http://127.0.0.1:5/a/authorize", "http://127.0.0.1:5/a/token", "http://127.0.0.1:5/a", None)


def _schema_3_with_side_file(path: Path, side: object) -> None:
    conn = connect(path)
    try:
        migrations.migrate(conn, path, target=3)
        conn.execute(
            "INSERT INTO connections (id, provider, label, status, created_at) "
            "VALUES ('c1', 'aiia', 'Aiia', 'active', '2026-01-01T00:00:00+00:00')"
        )
    finally:
        conn.close()
    text = side if isinstance(side, str) else json.dumps(side)
    (path.parent / "endpoints.json").write_text(text, encoding="utf-8")


def test_the_side_file_moves_into_the_database_and_is_removed(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    written = {"authorize": SANDBOX.authorize, "token": SANDBOX.token, "api": SANDBOX.api, "revoke": None}
    _schema_3_with_side_file(path, {"c1": written, "gone": {"authorize": "x", "token": "y", "api": "z"}})
    with Store.open(path) as store:
        assert store.endpoints("c1") == SANDBOX
        assert store.endpoints("gone") is None  # a connection the cache no longer has is not carried over
    assert not (data_dir / "endpoints.json").exists()


def test_a_damaged_side_file_is_ignored_and_the_upgrade_goes_on(data_dir: Path) -> None:
    path = data_dir / "saldo.db"
    _schema_3_with_side_file(path, '{"c1": {"authorize": ')
    with Store.open(path) as store:
        assert store.schema_version == migrations.LATEST
        assert store.endpoints("c1") is None  # the provider's production endpoints apply


def test_disconnect_removes_the_endpoints_with_or_without_the_data(data_dir: Path) -> None:
    with Store.open(data_dir / "saldo.db") as store:
        for cid in ("keep", "drop"):
            store.save_connection(Connection(id=cid, provider="aiia", label="Aiia"))
            store.save_endpoints(cid, SANDBOX)
        store.delete_connection("keep", keep_data=True)
        store.delete_connection("drop", keep_data=False)
        assert store.endpoints("keep") is None and store.endpoints("drop") is None
    raw = sqlite3.connect(data_dir / "saldo.db")
    try:
        assert raw.execute("SELECT count(*) FROM connection_endpoints").fetchone()[0] == 0
    finally:
        raw.close()


def test_the_store_refuses_a_second_copy_of_an_account_under_another_connection(data_dir: Path) -> None:
    with Store.open(data_dir / "saldo.db") as store:
        for cid in ("first", "second"):
            store.save_connection(Connection(id=cid, provider="demo", label="Demo Bank"))
        store.save_accounts([Account("first", "everyday", "Everyday", "EUR")])
        store.save_accounts([Account("first", "everyday", "Everyday (renamed)", "EUR")])  # an update is fine
        with pytest.raises(sqlite.IntegrityError, match="already held"):
            store.save_accounts([Account("second", "everyday", "Everyday", "EUR")])
        assert [a.connection_id for a in store.accounts()] == ["first"]
