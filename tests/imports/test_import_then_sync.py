"""Import, then sync the same account against the real sandbox over HTTP: no duplicates.

The cache is first brought up to date by a sync; the last weeks are then removed from it
(as if the last sync had been three weeks ago), a bank export covering them is imported, and
the next sync lists the same days again. The cache must end up equal to the bank.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.imports.csvfile import CsvMapping
from desktop_app.core.imports.importer import Importer, Target
from desktop_app.core.imports.reader import ReadOptions
from tests.e2e.conftest import World, world  # noqa: F401 - the sandbox fixture
from tests.imports import builders
from tests.imports.builders import Row

MAPPING = CsvMapping(date="Date", amount="Amount", description=("Text",))


def _without_ids(rows: Counter[tuple[object, ...]]) -> Counter[tuple[object, ...]]:
    found: Counter[tuple[object, ...]] = Counter()
    for (account, _id, *rest), n in rows.items():
        found[(account, *rest)] += n
    return found


def _busiest(env: World) -> tuple[dict[str, Any], int]:
    truth = env.sandbox.ground_truth("demo")["accounts"]
    account = max(truth, key=lambda a: len(a["transactions"]))
    (cached,) = [a for a in env.store.accounts() if a.provider_account_id == account["id"]]
    assert cached.id is not None
    return account, cached.id


@pytest.mark.parametrize("kind", ["csv-without-ids", "ofx-with-bank-ids"])
def test_import_then_sync_leaves_no_duplicates(world: World, tmp_path: Path, kind: str) -> None:  # noqa: F811
    connection = world.connect("demo")
    assert world.engine.sync(connection.id).status == "ok"
    account, account_id = _busiest(world)
    booked = [t for t in account["transactions"] if t["status"] == "booked"]
    last = max(date.fromisoformat(t["date"]) for t in booked)
    forgotten = (last - timedelta(days=20)).isoformat()
    with world.store._write() as conn:  # as if the last sync had run three weeks ago
        conn.execute("DELETE FROM transactions WHERE account_id = ? AND date > ?", (account_id, forgotten))
    recent = [t for t in booked if date.fromisoformat(t["date"]) > last - timedelta(days=40)]
    rows = [
        Row(
            date.fromisoformat(t["date"]),
            t["amount"],
            f"{t['description']} {t['counterparty'] or ''}".strip(),
            t["id"] if kind.startswith("ofx") else None,
        )
        for t in recent
    ]
    if kind.startswith("ofx"):
        path, options = builders.ofx(tmp_path / "export.ofx", rows, account=account["id"]), ReadOptions()
    else:
        path, options = builders.csv(tmp_path / "export.csv", rows), ReadOptions(csv_mapping=MAPPING)
    result = Importer(world.store).import_file(path, Target(account_id), options)
    newer = sum(1 for t in recent if t["date"] > forgotten)
    assert (result.added, result.present) == (newer, len(recent) - newer)
    assert newer > 5

    assert world.engine.sync(connection.id).status == "ok"
    # Rows the file brought in before the sync window keep the file's identity (no provider id);
    # every transaction is there exactly once.
    assert _without_ids(world.cache(connection.id)) == _without_ids(world.truth("demo"))
    assert world.store.count_transactions(account_id) == len(account["transactions"])
    again = Importer(world.store).import_file(path, Target(account_id), options)
    assert again.added == 0  # and the file, imported once more, finds everything
