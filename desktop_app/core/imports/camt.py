"""ISO 20022 camt.053 statements (001.02 to 001.08), plus camt.052 reports and camt.054 notices.

The file is streamed: each entry is read when its element ends and then dropped, so a
100k-entry statement never sits in memory as one tree. Elements are matched by local name,
since the namespace changes with every version.

Safety: defusedxml vets the prolog (any DTD, entity declaration or external reference is
refused before parsing starts), then the body is streamed by ElementTree's C parser.
Without a DTD no entity can be declared, so nothing can expand or be fetched; defusedxml's own
iterparse would do the same checks through a pure-Python parser about three times slower.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import defusedxml
import defusedxml.ElementTree as DET

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

_CONTAINERS = {"Stmt", "Rpt", "Ntfctn"}
_OPENING = ("OPBD", "PRCD")
_PROLOG_BYTES = 65536


def check_prolog(head: bytes) -> None:
    """Let defusedxml read the start of the document: a DTD or entity there is refused."""
    parser = DET.XMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(head)
    except defusedxml.DefusedXmlException:
        raise StatementError("the XML declares a DTD or entities; refused for safety") from None
    except ET.ParseError as exc:
        if len(head) < _PROLOG_BYTES or "no element found" not in str(exc):
            raise StatementError(f"the XML is malformed ({exc})", line=exc.position[0]) from None


def read(data: bytes) -> list[Statement]:
    """Every statement (or report, or notification) in a camt document."""
    data = _as_utf8(data)
    check_prolog(data[:_PROLOG_BYTES])
    return list(_stream(data))


_NTRY = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?Ntry(?=[\s>/])[^>]*>")
_DECLARATION = re.compile(rb"\s*<\?xml[^>]*\?>")
_NAMESPACES = re.compile(rb"\sxmlns(?::[\w.-]+)?=(?:\"[^\"]*\"|'[^']*')")
_BATCH = 2000


def _as_utf8(data: bytes) -> bytes:
    """UTF-16 documents become UTF-8, so entries can be cut out of the bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        return _DECLARATION.sub(b"", text.encode("utf-8"), count=1)
    return data


def _split(data: bytes) -> tuple[bytes, list[tuple[int, int]]]:
    """The document with runs of entries replaced by placeholders, and where each run was.

    The skeleton (accounts, balances) is small and parsed as a whole; each run of up to
    _BATCH entries is parsed on its own when its placeholder is reached. This keeps the work
    per element inside the C parser instead of a Python loop over millions of events.
    """
    parts: list[bytes] = []
    runs: list[tuple[int, int]] = []
    last = 0  # end of what is copied into the skeleton
    run_start = run_end = -1
    count = 0
    opened = -1
    for match in _NTRY.finditer(data):
        if match.group(1) == b"":
            if match.group(0).endswith(b"/>"):
                continue
            opened = match.start()
            continue
        if opened < 0:
            continue
        if run_start >= 0 and (data[run_end:opened].strip() or count >= _BATCH):
            parts.append(data[last:run_start] + b'<SaldoEntries n="%d"/>' % len(runs))
            runs.append((run_start, run_end))
            last, run_start, count = run_end, -1, 0
        if run_start < 0:
            run_start = opened
        run_end, opened, count = match.end(), -1, count + 1
    if run_start >= 0:
        parts.append(data[last:run_start] + b'<SaldoEntries n="%d"/>' % len(runs))
        runs.append((run_start, run_end))
        last = run_end
    parts.append(data[last:])
    return b"".join(parts), runs


def _entries(data: bytes, span: tuple[int, int], header: bytes, account: StatementAccount | None) -> list[Entry]:
    start, end = span
    try:
        batch = ET.fromstring(header + data[start:end] + b"</SaldoBatch>")  # noqa: S314 - prolog vetted
    except ET.ParseError as exc:
        line = data.count(b"\n", 0, start) + exc.position[0]
        raise StatementError(f"the XML is malformed ({exc.msg if hasattr(exc, 'msg') else exc})", line=line) from None
    found = [_entry(elem, account) for elem in batch]
    return [e for e in found if e is not None]


def _stream(data: bytes) -> Iterator[Statement]:
    skeleton, runs = _split(data)
    declaration = _DECLARATION.match(data)
    first = _NTRY.search(data)
    spaces = b"".join(_NAMESPACES.findall(data[: first.start()] if first else b""))
    header = (declaration.group(0) if declaration else b"") + b"<SaldoBatch" + spaces + b">"
    account: StatementAccount | None = None
    entries: list[Entry] = []
    balances: list[tuple[str, StatementBalance, str]] = []
    kind = ""
    try:
        for _event, elem in ET.iterparse(io.BytesIO(skeleton), events=("end",)):  # noqa: S314 - prolog vetted
            tag = elem.tag
            local = tag[tag.rfind("}") + 1 :]
            if local == "SaldoEntries":
                entries.extend(_entries(data, runs[int(elem.get("n", "0"))], header, account))
            elif local == "Acct" and account is None:
                account = _account(_Finder(elem))
            elif local == "Bal":
                balances.append(_balance(_Finder(elem)))
            elif local in _CONTAINERS:
                kind = kind or local
                if account is None:
                    raise StatementError("a statement in the file names no account")
                yield _statement(account, entries, balances)
                account, entries, balances = None, [], []
                elem.clear()
    except ET.ParseError as exc:
        raise StatementError(f"the XML is malformed or truncated ({exc})") from None
    if not kind:
        raise StatementError("the XML holds no camt statement, report or notification")


class _Finder:
    """An element's descendants flattened once to ``"BookgDt/Dt" -> text`` (local names, first wins).

    One walk per entry and then dictionary lookups: ElementPath searches cost several times more.
    """

    __slots__ = ("attrs", "many", "values")

    def __init__(self, elem: ET.Element) -> None:
        self.values: dict[str, str] = {}
        self.attrs: dict[str, dict[str, str]] = {}
        self.many: dict[str, list[str]] = {}
        stack: list[tuple[ET.Element, str]] = [(child, "") for child in reversed(elem)]
        while stack:
            node, prefix = stack.pop()
            tag = node.tag
            path = prefix + tag[tag.rfind("}") + 1 :]
            text = node.text
            if len(node):
                stack.extend((child, path + "/") for child in reversed(node))
            elif text is not None:
                text = text.strip()
                if path not in self.values:
                    self.values[path] = text
                    if node.attrib:
                        self.attrs[path] = dict(node.attrib)
                else:
                    self.many.setdefault(path, [self.values[path]]).append(text)

    def text(self, *paths: str) -> str:
        for path in paths:
            found = self.values.get(path)
            if found:
                return found
        return ""

    def texts(self, path: str) -> list[str]:
        return self.many.get(path) or ([self.values[path]] if self.values.get(path) else [])

    def ending(self, suffix: str) -> str:
        """The first text whose path ends with `suffix` (for the deep, version-dependent paths)."""
        for path, text in self.values.items():
            if path.endswith(suffix) and text:
                return text
        return ""

    def all_ending(self, suffix: str) -> list[str]:
        found: list[str] = []
        for path in self.values:
            if path.endswith(suffix):
                found.extend(self.texts(path))
        return found


def _account(f: _Finder) -> StatementAccount:
    iban = f.text("Id/IBAN")
    other = f.text("Id/Othr/Id")
    if not (iban or other):
        raise StatementError("a statement's account has no IBAN or other id")
    institution = f.text("Svcr/FinInstnId/BIC", "Svcr/FinInstnId/BICFI") or None
    return StatementAccount(
        account_id=iban or other,
        currency=f.text("Ccy") or None,
        institution=institution,
        iban=iban or None,
        name=f.text("Nm") or None,
    )


def _signed(f: _Finder) -> tuple[Decimal, str]:
    text = f.text("Amt")
    if not text:
        raise StatementError("an entry or balance has no amount")
    amount = parse_amount(text)
    if f.text("CdtDbtInd") == "DBIT":
        amount = -amount
    return amount, f.attrs.get("Amt", {}).get("Ccy", "")


def _day(f: _Finder, path: str) -> date | None:
    return _iso_day(f.text(path + "/Dt", path + "/DtTm"))


def _balance(f: _Finder) -> tuple[str, StatementBalance, str]:
    code = f.text("Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
    amount, currency = _signed(f)
    return code, StatementBalance(amount, _day(f, "Dt")), currency


def _text(elem: ET.Element | None) -> str:
    return elem.text.strip() if elem is not None and elem.text else ""


def _first_text(elem: ET.Element | None, *tags: str) -> str:
    """Text of the first of the child paths (each a tuple of qualified names) that has any."""
    for path in tags:
        node = elem
        for step in _STEPS.get(path) or _STEPS.setdefault(path, tuple(path.split(" "))):
            node = node.find(step) if node is not None else None
        found = _text(node)
        if found:
            return found
    return ""


_STEPS: dict[str, tuple[str, ...]] = {}


def _descendant(elem: ET.Element, tag: str) -> str:
    for node in elem.iter(tag):
        if node.text and node.text.strip():
            return node.text.strip()
    return ""


def _entry(ntry: ET.Element, account: StatementAccount | None) -> Entry | None:
    """One Ntry. Children are looked up by qualified name (C speed; this runs 100k times)."""
    tag = ntry.tag
    ns = tag[: tag.rfind("}") + 1]
    kids: dict[str, ET.Element] = {}
    for child in ntry:  # one pass over the direct children, then dictionary look-ups
        kids.setdefault(child.tag, child)
    sts = kids.get(ns + "Sts")
    status = _first_text(sts, ns + "Cd") or _text(sts)
    if status == "INFO":
        return None
    amount_el = kids.get(ns + "Amt")
    if amount_el is None or not _text(amount_el):
        raise StatementError("an entry has no amount")
    amount = parse_amount(amount_el.text or "")
    if _text(kids.get(ns + "CdtDbtInd")) == "DBIT":
        amount = -amount
    currency = amount_el.get("Ccy", "")
    booked = _iso_day(_first_text(kids.get(ns + "BookgDt"), ns + "Dt", ns + "DtTm"))
    valued = _iso_day(_first_text(kids.get(ns + "ValDt"), ns + "Dt", ns + "DtTm"))
    day = booked or valued
    if day is None:
        raise StatementError("an entry has neither a booking nor a value date")
    party = f"{ns}Dbtr" if amount > 0 else f"{ns}Cdtr"
    counterparty = ""
    for parties in ntry.iter(ns + "RltdPties"):
        counterparty = clean(_first_text(parties, f"{party} {ns}Nm", f"{party} {ns}Pty {ns}Nm"))
        if counterparty:
            break
    remittance = " ".join(t.text.strip() for t in ntry.iter(ns + "Ustrd") if t.text)
    if not remittance:
        remittance = next((_first_text(r, ns + "Ref") for r in ntry.iter(ns + "CdtrRefInf")), "")
    extra = _text(kids.get(ns + "AddtlNtryInf")) or _descendant(ntry, ns + "AddtlTxInf")
    batch = _descendant(ntry, ns + "NbOfTxs")
    parts = [remittance, extra] if remittance != extra else [remittance]
    if batch:
        parts.insert(0, f"batch of {batch} payments")
    description = clean(" / ".join(p for p in parts if p)) or counterparty
    ref = _text(kids.get(ns + "AcctSvcrRef")) or None
    end_to_end = _descendant(ntry, ns + "EndToEndId")
    record = {
        "format": "camt",
        "amount": str(amount),
        "currency": currency,
        "status": status,
        "booking_date": booked.isoformat() if booked else None,
        "value_date": valued.isoformat() if valued else None,
        "ref": ref,
        "end_to_end": end_to_end if end_to_end and end_to_end != "NOTPROVIDED" else None,
        "code": _first_text(kids.get(ns + "BkTxCd"), f"{ns}Domn {ns}Cd", f"{ns}Prtry {ns}Cd") or None,
        "counterparty": counterparty or None,
        "text": description,
    }
    return Entry(
        RemoteTransaction(
            status=TransactionStatus.PENDING if status == "PDNG" else TransactionStatus.BOOKED,
            booking_date=day,
            amount=to_money(amount, currency or (account.currency if account else None)),
            description=description,
            raw=raw_json(record),
            provider_id=ref,
            counterparty=counterparty or None,
            value_date=valued,
        ),
        bank_ref=ref,
    )


def _iso_day(text: str) -> date | None:
    if not text:
        return None
    try:
        return make_day(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        raise StatementError(f"not an ISO date: {text[:30]!r}") from None


def _statement(
    account: StatementAccount,
    entries: list[Entry],
    balances: list[tuple[str, StatementBalance, str]],
) -> Statement:
    warnings = []
    currency = account.currency or (entries[0].tx.amount.currency if entries else None)
    if currency is None:
        currency = next((c for code, _b, c in balances if code == "CLBD"), None)
    own = {code: bal for code, bal, cur in balances if not currency or cur == currency}
    if any(cur != currency for _c, _b, cur in balances):
        warnings.append("balances in other currencies than the account's were ignored")
    opening = next((own[c] for c in _OPENING if c in own), None)
    account = StatementAccount(
        account.account_id, currency, account.institution, account.iban, account.kind, account.name
    )
    return Statement(
        account,
        entries,
        opening=opening,
        closing=own.get("CLBD"),
        closing_available=own.get("CLAV"),
        warnings=warnings,
    )
