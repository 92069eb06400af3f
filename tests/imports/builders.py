"""Writing small statement files in tests: OFX and CSV from a list of ledger rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Row:
    day: date
    amount: str
    text: str
    ref: str | None = None


def ofx(
    path: Path,
    rows: list[Row],
    account: str = "ACC-1",
    currency: str = "EUR",
    balance: str | None = None,
    bank: str | None = "BANK",
) -> Path:
    body = "".join(
        f"<STMTTRN><TRNTYPE>OTHER<DTPOSTED>{r.day:%Y%m%d}<TRNAMT>{r.amount}<FITID>{r.ref or ''}"
        f"<NAME>{r.text}</STMTTRN>\n"
        for r in rows
    )
    ledger = f"<LEDGERBAL><BALAMT>{balance}<DTASOF>{max(r.day for r in rows):%Y%m%d}</LEDGERBAL>" if balance else ""
    path.write_text(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>"
        f"<CURDEF>{currency}<BANKACCTFROM>{f'<BANKID>{bank}' if bank else ''}<ACCTID>{account}</BANKACCTFROM>\n"
        f"<BANKTRANLIST>\n{body}</BANKTRANLIST>{ledger}</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n",
        encoding="utf-8",
    )
    return path


def csv(path: Path, rows: list[Row]) -> Path:
    lines = ["Date,Text,Amount"] + [f"{r.day.isoformat()},{r.text},{r.amount}" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
