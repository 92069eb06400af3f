"""One entry point for every format: bytes in, statements out, errors naming the file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.errors import StatementError
from desktop_app.core.imports import camt, csvfile, mt940, ofx, qif, text
from desktop_app.core.imports.csvfile import CsvMapping
from desktop_app.core.imports.detect import FORMATS, detect
from desktop_app.core.imports.records import Statement


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the person decided about a file: its format, and what QIF and CSV cannot say."""

    format: str = "auto"
    csv_mapping: CsvMapping | None = None
    date_order: str | None = None  # QIF: "dmy", "mdy" or "ymd"
    currency: str | None = None  # QIF and CSV name none: the target account's
    account_id: str = ""  # QIF and CSV: the id remembered for the account, when known


@dataclass(slots=True)
class ParsedFile:
    name: str
    format: str
    statements: list[Statement]
    digest: str
    warnings: list[str] = field(default_factory=list)

    @property
    def entry_count(self) -> int:
        return sum(len(s.entries) for s in self.statements)


def read_file(path: Path, options: ReadOptions = ReadOptions()) -> ParsedFile:
    """Read a statement file; a StatementError names the file (and the line where known)."""
    return read_bytes(text.read_bytes(path), path.name, options)


def read_bytes(data: bytes, name: str, options: ReadOptions = ReadOptions(), digest: str | None = None) -> ParsedFile:
    """Parse `data`; `digest` is its ``import_digest`` when the caller has it already (one hash of a large file)."""
    fmt = options.format
    if fmt == "auto":
        if text.looks_binary(data):
            raise StatementError("this is not a statement file (it contains binary data)", file=name)
        found = detect(data)
        if found is None:
            raise StatementError(f"unknown statement format (Saldo reads {', '.join(FORMATS)})", file=name)
        fmt = found
    elif fmt not in FORMATS:
        raise StatementError(f"unknown format {fmt!r} (choose one of {', '.join(FORMATS)})", file=name)
    try:
        statements = _dispatch(fmt, data, name, options)
    except StatementError as exc:
        raise exc.located(name) from None
    except RecursionError:
        raise StatementError("the file is nested too deeply to be a statement", file=name) from None
    return ParsedFile(name, fmt, statements, digest or import_digest(data, fmt, options))


def import_digest(data: bytes, fmt: str, options: ReadOptions) -> str:
    """What makes two imports identical: the bytes, plus for QIF and CSV how they were read."""
    digest = hashlib.sha256(data)
    if fmt in ("qif", "csv"):
        mapping = options.csv_mapping.to_json() if options.csv_mapping and fmt == "csv" else ""
        digest.update(f"\0{fmt}\0{mapping}\0{options.date_order}\0{options.currency}".encode())
    return digest.hexdigest()


def _dispatch(fmt: str, data: bytes, name: str, options: ReadOptions) -> list[Statement]:
    if fmt == "camt":
        return camt.read(data)
    if fmt == "csv":
        mapping = options.csv_mapping
        if mapping is None:
            raise StatementError("a CSV file needs a column mapping (--csv-mapping NAME, or one saved for the account)")
        decoded = text.decode(data) if mapping.encoding == "auto" else text.decode_as(data, mapping.encoding)
        return csvfile.read(decoded, mapping, options.currency, options.account_id)
    declared = _declared_charset(data) if fmt == "ofx" else None
    decoded = text.decode(data, declared)
    text.check_text(decoded)
    if fmt == "ofx":
        return ofx.read(decoded)
    if fmt == "mt940":
        return mt940.read(decoded)
    statements = qif.read(decoded, options.currency, options.date_order)
    for statement in statements:
        if not statement.account.account_id and options.account_id:
            statement.account = type(statement.account)(options.account_id, statement.account.currency)
    return statements


def _declared_charset(data: bytes) -> str | None:
    head = data[:1024].decode("ascii", errors="ignore").upper()
    for key in ("CHARSET:", "ENCODING="):
        at = head.find(key)
        if at >= 0:
            value = head[at + len(key) :].split()[0].strip("\"'?>")
            if value and value not in ("NONE", "USASCII"):
                return value
    return None
