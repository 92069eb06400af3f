"""SWIFT MT940 statements, with the German (GVC, SEPA sub-fields) and Dutch structured :86:.

A small reader of our own rather than the mt-940 package: that package guesses encodings
(UTF-8 then CP852, which accepts any byte and mangles cp1252 accents) and returns its own
models, while Saldo needs the encoding decided once for all formats, line numbers in errors
and the same records as a sync. The format is simple enough: tagged fields, continuation
lines, a fixed layout for :61:.

A file may hold several messages (``:20:`` starts each one); each message is one statement,
so balances are reconciled message by message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from desktop_app.core.errors import StatementError
from desktop_app.core.imports.records import (
    Entry,
    Statement,
    StatementAccount,
    StatementBalance,
    clean,
    make_day,
    parse_amount,
    to_money,
)
from desktop_app.core.models import TransactionStatus, raw_json
from desktop_app.core.providers.base import RemoteTransaction

_FIELD = re.compile(r"^:(\d{2}[A-Z]?|NS):(.*)$")
_BALANCE = re.compile(r"^([CD])(\d{6})([A-Z]{3})(\d[\d,]*)$")
_LINE61 = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?(?P<amount>\d[\d]*,\d*)"
    r"(?P<type>[NFS].{3})(?P<customer>.*?)(?://(?P<bank>.*))?$"
)
_GVC = re.compile(r"^\d{3}\?")
_GVC_SUB = re.compile(r"\?(\d\d)")
_SEPA_TAG = re.compile(r"\b(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT)\+")
_DUTCH = re.compile(
    r"/(TRTP|EREF|NAME|REMI|IBAN|BIC|ORDP|BENM|CSID|MARF|ADDR|ISDT|CNTP|RTRN|PREF|PURP|ULTB|ULTD|USTD)/"
)


@dataclass(slots=True)
class _Field:
    tag: str
    lines: list[str]
    line: int


@dataclass(slots=True)
class _Message:
    fields: list[_Field] = field(default_factory=list)


def _fields(text: str) -> list[_Message]:
    messages: list[_Message] = []
    current: _Field | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("{") or line in ("-", "-}", "}"):
            current = None
            continue
        match = _FIELD.match(line)
        if match:
            tag = match.group(1)
            if tag == "20" or not messages:
                messages.append(_Message())
            current = _Field(tag, [match.group(2)], number)
            messages[-1].fields.append(current)
        elif current is not None and line:
            current.lines.append(raw.rstrip("\r\n"))
    # a message with no balance and no transaction (a bank's header block) is not a statement
    return [m for m in messages if any(f.tag.startswith("6") for f in m.fields)]


def read(text: str) -> list[Statement]:
    messages = _fields(text)
    if not messages:
        raise StatementError("no MT940 statement found (no :20: … :60F: fields)")
    return [_statement(m) for m in messages]


def _balance(f: _Field) -> tuple[StatementBalance, str]:
    match = _BALANCE.match(f.lines[0].strip())
    if not match:
        raise StatementError(f"cannot read the balance :{f.tag}:{f.lines[0][:30]}", line=f.line)
    mark, day, currency, amount = match.groups()
    value = parse_amount(amount, f.line)
    return StatementBalance(-value if mark == "D" else value, _yymmdd(day, f.line)), currency


def _yymmdd(text: str, line: int) -> date:
    year = int(text[:2])
    return make_day(2000 + year if year < 70 else 1900 + year, int(text[2:4]), int(text[4:6]), line)


def _statement(message: _Message) -> Statement:
    account_text = ""
    currency: str | None = None
    opening = closing = available = None
    txs: list[tuple[_Field, _Field | None]] = []
    number = ""
    for f in message.fields:
        if f.tag == "25":
            account_text = f.lines[0].strip()
        elif f.tag.startswith("28"):
            number = f.lines[0].strip()
        elif f.tag in ("60F", "60M"):
            opening, currency = _balance(f)
        elif f.tag in ("62F", "62M"):
            closing, currency = _balance(f)
        elif f.tag == "64":
            available, _cur = _balance(f)
        elif f.tag == "61":
            txs.append((f, None))
        elif f.tag in ("86", "NS") and txs and txs[-1][1] is None:
            txs[-1] = (txs[-1][0], f)
    if not account_text:
        raise StatementError("the statement has no account (:25:)", line=message.fields[0].line)
    if currency is None:
        currency = _currency_from_account(account_text)
    account = _account(account_text, currency)
    entries = [_entry(f61, f86, account, number) for f61, f86 in txs]
    return Statement(account, entries, opening=opening, closing=closing, closing_available=available)


def _currency_from_account(text: str) -> str | None:
    tail = text.rsplit("/", 1)[-1].strip()
    return tail if re.fullmatch(r"[A-Z]{3}", tail) else None


def _account(text: str, currency: str | None) -> StatementAccount:
    parts = [p.strip() for p in text.split("/") if p.strip()]
    iban = next((p for p in parts if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", p)), None)
    # "BIC/account/currency" or "BLZ/account": the first part names the bank.
    institution = parts[0] if len(parts) > 1 else None
    if parts and currency and parts[-1] == currency:
        parts = parts[:-1]
    return StatementAccount(account_id="/".join(parts) or text, currency=currency, institution=institution, iban=iban)


def _entry(f61: _Field, f86: _Field | None, account: StatementAccount, number: str) -> Entry:
    first = f61.lines[0].strip()
    match = _LINE61.match(first)
    if not match:
        raise StatementError(f"cannot read the transaction line :61:{first[:40]}", line=f61.line)
    value_day = _yymmdd(match["value"], f61.line)
    booked = value_day
    if match["entry"]:
        month, day = int(match["entry"][:2]), int(match["entry"][2:])
        year = value_day.year
        # Around New Year the entry date (MMDD, no year) can fall in the neighbouring year.
        if month - value_day.month > 6:
            year -= 1
        elif value_day.month - month > 6:
            year += 1
        booked = make_day(year, month, day, f61.line)
    amount: Decimal = parse_amount(match["amount"], f61.line)
    if match["mark"] in ("D", "RC"):
        amount = -amount
    supplementary = " ".join(part.strip() for part in f61.lines[1:])
    bank = (match["bank"] or "").strip()
    customer = match["customer"].strip()
    info = _join86(f86) if f86 is not None else ""
    details = parse_86(info)
    if customer.upper() == "NONREF":
        customer = ""
    fallback = details.get("name", "") if details else clean(info)
    description = details.get("text") or fallback or supplementary or customer or match["type"]
    counterparty = details.get("name") or None
    ref = bank if bank and bank.upper() != "NONREF" else None
    record = {
        "format": "mt940",
        "statement": number,
        "line61": first,
        "supplementary": supplementary or None,
        "info86": info or None,
        **{f"86_{k}": v for k, v in details.items()},
    }
    money = to_money(amount, account.currency, f61.line)
    return Entry(
        RemoteTransaction(
            status=TransactionStatus.BOOKED,
            booking_date=booked,
            amount=money,
            description=clean(description),
            raw=raw_json(record),
            provider_id=ref,
            counterparty=clean(counterparty) or None,
            value_date=value_day,
        ),
        bank_ref=ref,
        line=f61.line,
    )


def _join86(f: _Field) -> str:
    """Continuation lines join without a space: banks wrap :86: mid-word at 65 characters.

    Hungarian banks' non-standard :NS: lines carry a two-digit sub-field number each.
    """
    if f.tag == "NS":
        return " ".join(line[2:].strip() for line in f.lines if line[2:].strip())
    return "".join(line.rstrip("\r") for line in f.lines)


def parse_86(info: str) -> dict[str, str]:
    """Structured :86: details: ``text`` (remittance), ``name``, ``eref``, ``mref``, ``code``, ``iban``."""
    if _GVC.match(info):
        return _german(info)
    if _DUTCH.search(info):
        return _dutch(info)
    return {}


def _german(info: str) -> dict[str, str]:
    parts = _GVC_SUB.split(info)
    subs: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        subs[key] = subs.get(key, "") + value
    purpose = "".join(subs.get(f"{n}", "") for n in [*range(20, 30), *range(60, 64)] for n in [str(n)])
    found: dict[str, str] = {"code": info[:3]}
    pieces = _SEPA_TAG.split(purpose)
    free = pieces[0].strip()
    for tag, value in zip(pieces[1::2], pieces[2::2], strict=False):
        found[tag.lower()] = value.strip()
    text = found.get("svwz") or free or subs.get("00", "")
    name = (subs.get("32", "") + subs.get("33", "")).strip()
    result = {"code": found["code"], "text": clean(text), "posting": clean(subs.get("00", ""))}
    if name:
        result["name"] = clean(name)
    for key in ("eref", "mref", "cred", "kref"):
        if found.get(key):
            result[key] = clean(found[key])
    if subs.get("31"):
        result["account"] = subs["31"].strip()
    return {k: v for k, v in result.items() if v}


def _dutch(info: str) -> dict[str, str]:
    pieces = _DUTCH.split(info)
    found: dict[str, str] = {}
    for tag, value in zip(pieces[1::2], pieces[2::2], strict=False):
        if tag not in found:
            found[tag] = value.strip("/ ")
    result = {"text": clean(found.get("REMI", "")), "name": clean(found.get("NAME", ""))}
    if found.get("EREF"):
        result["eref"] = clean(found["EREF"])
    if found.get("IBAN"):
        result["iban"] = found["IBAN"]
    return {k: v for k, v in result.items() if v}
