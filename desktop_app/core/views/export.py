"""Writing transactions to CSV or JSON, row by row, for `saldo transactions` and the GUI's Export.

Amounts are exact decimal strings (never floats). Rows stream straight to the file, so a
170k-row export needs no more memory than one page; progress and cancellation are checked
between rows. `export_file` writes beside the target and renames at the end, so a cancelled
or failed export never leaves half a file under the chosen name.
"""

from __future__ import annotations

import csv
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from desktop_app.core.errors import ExportError
from desktop_app.core.models import Transaction
from desktop_app.core.store import Store, TxFilter, browse

COLUMNS = ("id", "account", "date", "status", "description", "counterparty", "amount", "currency")
PROGRESS_EVERY = 2000


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class ExportResult:
    rows: int
    cancelled: bool = False


def export_row(t: Transaction) -> dict[str, str | None]:
    return {
        "id": str(t.id),
        "account": str(t.account_id),
        "date": t.booking_date.isoformat(),
        "status": "withdrawn" if t.withdrawn else t.status.value,
        "description": t.description,
        "counterparty": t.counterparty,
        "amount": str(t.amount.normalized()),
        "currency": t.amount.currency,
    }


def write_transactions(
    transactions: Iterable[Transaction],
    out: TextIO,
    fmt: ExportFormat,
    *,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Stream `transactions` to `out` as CSV (a header line) or a JSON array of objects."""
    count = 0
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n") if fmt is ExportFormat.CSV else None
    if writer is not None:
        writer.writeheader()
    else:
        out.write("[")
    for t in transactions:
        if (limit is not None and count >= limit) or (cancel is not None and cancel.is_set()):
            break
        row = export_row(t)
        if writer is not None:
            writer.writerow(row)
        else:
            out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if writer is None:
        out.write("\n]\n" if count else "]\n")
    return ExportResult(count, cancelled=cancel is not None and cancel.is_set())


def matching(store: Store, filt: TxFilter, page: int = 2000) -> Iterator[Transaction]:
    """Every transaction matching `filt`, newest first, page by page (keyset; no raw records)."""
    newest_first = browse.Sort()
    after: browse.Position | None = None
    while True:
        rows = browse.rows(store, filt, newest_first, page, after=after)
        yield from rows
        if len(rows) < page:
            return
        after = browse.position(rows[-1], newest_first)


def export_file(
    store: Store,
    filt: TxFilter,
    path: Path,
    fmt: ExportFormat | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Write every transaction matching `filt` to `path` (format from the suffix unless given)."""
    fmt = fmt or (ExportFormat.JSON if path.suffix.lower() == ".json" else ExportFormat.CSV)
    return write_whole(
        path,
        lambda out: write_transactions(matching(store, filt), out, fmt, progress=progress, cancel=cancel),
        keep=lambda result: not result.cancelled,  # a cancelled export leaves nothing
    )


def write_whole[T](path: Path, write: Callable[[TextIO], T], keep: Callable[[T], bool] = lambda _: True) -> T:
    """Run `write` on a file beside `path` and rename it into place when done (and `keep` says
    so): a failed or cancelled export never leaves half a file under the chosen name. Returns
    what `write` returned."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle:
            result = write(handle)
        if keep(result):
            os.replace(partial, path)
        else:
            partial.unlink(missing_ok=True)
        return result
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError.writing(path, exc) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
