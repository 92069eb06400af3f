#!/usr/bin/env python3
"""Optional regression check on real statement files (not part of `make test`).

Runs `saldo import --dry-run` on every file in ../shared/statements/ (next to the checkout)
and compares what it reports with that folder's MANIFEST.md: the number of booked entries
and the closing balances. Skips cleanly (exit 0) when the folder is absent. The files are
only read from there; nothing of them is copied into the project.

    .venv/bin/python scripts/check-statements.py [FOLDER]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "statements"

# Options a person would give for files that do not say everything themselves.
OPTIONS = {
    "Main_Checking_Account_Transactions.csv": ["--csv-mapping", "dcu", "--new-account", "DCU", "--currency", "USD"],
    "schwab_Checking_Transactions_1234.csv": [
        "--csv-mapping",
        "schwab",
        "--new-account",
        "Schwab",
        "--currency",
        "USD",
    ],
    "non_empty.csv": ["--csv-mapping", "dkb", "--new-account", "DKB", "--currency", "EUR"],
    "test.qif": ["--new-account", "Quicken sample", "--currency", "USD"],
    "test_FMQifTest2023-10-18.qif": ["--new-account", "KD-Bank", "--currency", "EUR"],
}
# Differences that are decisions, not bugs.
KNOWN = {
    "camt053.v4.xml": "the file's only CLBD is in SEK while its entries are in EUR; Saldo records no closing then",
    "camt053.v8.xml": "the file's only CLBD is in SEK while its entries are in EUR; Saldo records no closing then",
    "non_empty.csv": "the balance sits in the DKB preamble text, which the CSV mapping does not read",
}
_ADDED = re.compile(r"would add (\d+), already present (\d+)(?: \((\d+) of the file's entries pending\))?")
_CLOSING = re.compile(r"closing balance (-?[\d.]+) ([A-Z]{3})")


@dataclass
class Expected:
    count: int | None
    closings: list[Decimal]
    refused: bool


def _number(text: str) -> Decimal:
    cleaned = text.replace("−", "-").replace("$", "").strip()
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(".", "").replace(",", ".")
            if cleaned.rfind(",") > cleaned.rfind(".")
            else cleaned.replace(",", "")
        )
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".") if len(cleaned.rsplit(",", 1)[1]) <= 2 else cleaned.replace(",", "")
    return Decimal(cleaned)


def manifest(folder: Path) -> dict[str, Expected]:
    found: dict[str, Expected] = {}
    for line in (folder / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or "/" not in cells[0] or cells[0].startswith("File"):
            continue
        name = cells[0].split("/", 1)[1].split("__")[-1]
        header_offset = 1 if cells[0].startswith(("ofx/", "camt/")) else 0
        # OFX/camt rows: File, Source, Format/Version, Bank, Tx, Closing; the others have no format column.
        tx_cell = cells[4] if header_offset else cells[3]
        closing_cell = cells[5] if header_offset else cells[4]
        count = re.match(r"\s*(\d+)", tx_cell)
        closings = [
            _number(m.group(2))
            for m in re.finditer(
                r"(LEDGERBAL|CLBD|:62[FM]:\s*[CD]|RunningBalance|CURRENT BALANCE|Kontostand vom [\d.]+:\"?)"
                r"\s*([−\-]?\$?[\d.,]*\d)",
                closing_cell,
            )
        ]
        if ":62" in closing_cell:
            closings = [
                -_number(m.group(2)) if m.group(1) == "D" else _number(m.group(2))
                for m in re.finditer(r":62[FM]:`?\s*([CD])\s*([\d.,]*\d)", closing_cell)
            ]
        if "DBIT" in closing_cell:
            closings = [-c for c in closings]
        found[name] = Expected(int(count.group(1)) if count else None, closings, "Out of scope" in line)
    return found


def run(folder: Path) -> int:
    expected = manifest(folder)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="saldo-statements-") as data_dir:
        for path in sorted(p for p in folder.glob("*/*") if p.is_file()):
            short = path.name.split("__")[-1]
            want = expected.get(short)
            args = [
                sys.executable,
                "-m",
                "desktop_app",
                "import",
                "--dry-run",
                "--data-dir",
                data_dir,
                *OPTIONS.get(short, []),
                str(path),
            ]
            done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)  # noqa: S603
            out = done.stdout + done.stderr
            booked = sum(int(m.group(1)) + int(m.group(2)) - int(m.group(3) or 0) for m in _ADDED.finditer(out))
            closings = [Decimal(m.group(1)) for m in _CLOSING.finditer(out)]
            fmt = out.split(": ", 1)[1].split("\n", 1)[0] if done.returncode == 0 and ": " in out else "-"
            problems: list[str] = []
            if want is None:
                problems.append("not in the MANIFEST")
            elif want.refused:
                if done.returncode == 0 or "investment" not in out:
                    problems.append("should be refused as an investment statement")
            else:
                if done.returncode != 0:
                    problems.append(f"failed: {out.strip()}")
                if want.count is not None and booked != want.count:
                    problems.append(f"{booked} booked entries, MANIFEST says {want.count}")
                missing = [c for c in want.closings if c not in closings]
                if missing:
                    problems.append(
                        f"closing {', '.join(map(str, missing))} not reported "
                        f"(got {', '.join(map(str, closings)) or 'none'})"
                    )
            known = KNOWN.get(short)
            mark = "ok  " if not problems else ("KNOWN" if known else "DIFF")
            failures += int(bool(problems) and not known)
            detail = "; ".join(problems) + (f" [{known}]" if problems and known else "")
            print(f"{mark} {path.parent.name}/{short:<44} {fmt:<18} booked {booked:>3}  {detail}".rstrip())
            if "warning:" in out:
                for warning in (w for w in out.splitlines() if "warning:" in w):
                    print(f"       {warning.strip()}")
    print(f"{failures} unexpected difference(s)")
    return 1 if failures else 0


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not (folder / "MANIFEST.md").is_file():
        print(f"skipped: no statement corpus at {folder}")
        return 0
    return run(folder)


if __name__ == "__main__":
    sys.exit(main())
