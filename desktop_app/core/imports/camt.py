"""ISO 20022 camt.053 statements (001.02 to 001.08), plus camt.052 reports and camt.054 notices.

No whole-file tree is ever built: the document minus its entries (accounts, balances) is a
small skeleton parsed as a whole, and the entries are read run by run, plain ones straight
from their bytes (``camt_entry``) and the rest through ElementTree, a batch at a time.
Elements are matched by local name, since the namespace changes with every version.

Safety: defusedxml vets the prolog (any DTD, entity declaration or external reference is
refused before parsing starts), then one pass of expat without handlers checks the whole
document is well-formed and refuses a DTD or entity declaration anywhere, as defusedxml does
(``wellformed``; for a large document in a helper process while the entries are read, and
nothing is returned before it agrees). Without a DTD no entity can be declared, so nothing can
expand or be fetched: a document that names one anywhere waits for that verdict before
ElementTree sees any of it. defusedxml's own iterparse would do the same checks through a
pure-Python parser about three times slower.
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
from desktop_app.core.imports import wellformed
from desktop_app.core.imports.camt_entry import Slow, build_entry, fast_entry, iso_day, plain
from desktop_app.core.imports.records import (
    Entry,
    Statement,
    StatementAccount,
    StatementBalance,
    clean,
    parse_amount,
)

_CONTAINERS = {"Stmt", "Rpt", "Ntfctn"}
_OPENING = ("OPBD", "PRCD")
_PROLOG_BYTES = 65536


def check_prolog(head: bytes) -> None:
    """Let defusedxml read the start of the document: a DTD or entity there is refused."""
    parser = DET.XMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(head)
    except defusedxml.DefusedXmlException:
        raise StatementError(wellformed.REFUSED) from None
    except ET.ParseError as exc:
        if len(head) < _PROLOG_BYTES or "no element found" not in str(exc):
            raise StatementError(f"the XML is malformed ({exc})", line=exc.position[0]) from None


def read(data: bytes) -> list[Statement]:
    """Every statement (or report, or notification) in a camt document."""
    data = _as_utf8(data)
    check_prolog(data[:_PROLOG_BYTES])
    with wellformed.checked(data) as verdict:
        if _may_declare(data):
            verdict.wait()  # refused before ElementTree could expand anything
        return list(_stream(data))


def _may_declare(data: bytes) -> bool:
    """Whether `data` may hold a DTD or entity declaration. Most statements hold no "!" at all:
    looking for that one byte takes 1 ms of a 48 MB file, for "<!" 37 ms (all of it holding the
    GIL, so the window would freeze for that long). A document whose first bytes hold a NUL is
    in an encoding expat reads but these bytes do not show (UTF-16 without a byte-order mark):
    it may declare anything."""
    return b"\x00" in data[:4] or (b"!" in data and _DECLARES.search(data) is not None)


_DECLARES = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_NTRY = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?Ntry(?=[\s>/])[^>]*>")
_PLAIN_NTRY = re.compile(rb"</?Ntry[\s>/]")  # scans far faster than _NTRY: most files use no prefix
_DECLARATION = re.compile(rb"\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_NAMESPACES = re.compile(rb"\sxmlns(?::[\w.-]+)?=(?:\"[^\"]*\"|'[^']*')")
_BATCH = 2000

Span = tuple[int, int, int, int]  # <Ntry …> starts, its content starts, </Ntry> starts, the entry ends


def _as_utf8(data: bytes) -> bytes:
    """UTF-16 and declared single-byte documents become UTF-8, so entries can be read from the bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        return _DECLARATION.sub(b"", text.encode("utf-8"), count=1)
    declared = _ENCODING.match(data)
    if declared is None or declared.group(1).lower() in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        return data
    try:
        text = data.decode(declared.group(1).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return data  # the XML parser reports the unknown encoding or the bad bytes, with the line
    return _DECLARATION.sub(b"", text.encode("utf-8"), count=1)


def _split(data: bytes) -> tuple[bytes, list[list[Span]]]:
    """The document with runs of entries replaced by placeholders, and the entries of each run.

    The skeleton (accounts, balances) is small and parsed as a whole; each run of up to
    _BATCH entries (nothing but text between them) is read when its placeholder is reached.
    """
    pattern = _NTRY if re.search(rb":Ntry[\s>/]", data) else _PLAIN_NTRY
    parts: list[bytes] = []
    runs: list[list[Span]] = []
    run: list[Span] = []
    last = 0  # end of what is copied into the skeleton
    opened = content = -1
    for match in pattern.finditer(data):
        at = match.start()
        end = match.end() if data[match.end() - 1] == 62 else data.index(b">", at) + 1
        if data[at + 1] != 47:  # "<Ntry": an opening tag (a self-closing one holds nothing)
            if data[end - 2] != 47:
                opened, content = at, end
            continue
        if opened < 0:
            continue
        if run and (len(run) >= _BATCH or data.find(b"<", run[-1][3], opened) >= 0):
            parts.append(data[last : run[0][0]] + b'<SaldoEntries n="%d"/>' % len(runs))
            runs.append(run)
            last, run = run[-1][3], []
        run.append((opened, content, at, end))
        opened = -1
    if run:
        parts.append(data[last : run[0][0]] + b'<SaldoEntries n="%d"/>' % len(runs))
        runs.append(run)
        last = run[-1][3]
    parts.append(data[last:])
    return b"".join(parts), runs


def _entries(data: bytes, run: list[Span], header: bytes, account: StatementAccount | None) -> list[Entry]:
    fast = plain(data[run[0][0] : run[-1][3]])
    if not fast:  # the whole run through ElementTree at once
        batch = ET.fromstring(header + data[run[0][0] : run[-1][3]] + b"</SaldoBatch>")  # noqa: S314 - vetted
        found = [_entry(elem, account) for elem in batch]
        return [e for e in found if e is not None]
    entries: list[Entry] = []
    for start, content, close, end in run:
        try:
            entry = fast_entry(data[content:close], account)
        except Slow:
            (elem,) = ET.fromstring(header + data[start:end] + b"</SaldoBatch>")  # noqa: S314 - vetted
            entry = _entry(elem, account)
        if entry is not None:
            entries.append(entry)
    return entries


def _stream(data: bytes) -> Iterator[Statement]:
    skeleton, runs = _split(data)
    declaration = _DECLARATION.match(data)
    first = _NTRY.search(data, 0, runs[0][0][0] + 1) if runs else None
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
                n = int(elem.get("n", "0"))
                entries.extend(_entries(data, runs[n], header, account))
                runs[n] = []  # its spans are done with
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
    return iso_day(f.text(path + "/Dt", path + "/DtTm"))


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
    """One Ntry read through ElementTree (see camt_entry for the fast reader of plain ones)."""
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
    amount_text = _text(amount_el)
    debit = _text(kids.get(ns + "CdtDbtInd")) == "DBIT"
    signed = parse_amount(amount_text) if amount_text else Decimal(0)
    party = f"{ns}Dbtr" if (-signed if debit else signed) > 0 else f"{ns}Cdtr"
    counterparty = ""
    for parties in ntry.iter(ns + "RltdPties"):
        counterparty = clean(_first_text(parties, f"{party} {ns}Nm", f"{party} {ns}Pty {ns}Nm"))
        if counterparty:
            break
    remittance = " ".join(t.text.strip() for t in ntry.iter(ns + "Ustrd") if t.text)
    if not remittance:
        remittance = next((_first_text(r, ns + "Ref") for r in ntry.iter(ns + "CdtrRefInf")), "")
    fields = (
        status,
        amount_text,
        debit,
        amount_el.get("Ccy", "") if amount_el is not None else "",
        _first_text(kids.get(ns + "BookgDt"), ns + "Dt", ns + "DtTm"),
        _first_text(kids.get(ns + "ValDt"), ns + "Dt", ns + "DtTm"),
        counterparty,
        remittance,
        _text(kids.get(ns + "AddtlNtryInf")) or _descendant(ntry, ns + "AddtlTxInf"),
        _descendant(ntry, ns + "NbOfTxs"),
        _text(kids.get(ns + "AcctSvcrRef")),
        _descendant(ntry, ns + "EndToEndId"),
        _first_text(kids.get(ns + "BkTxCd"), f"{ns}Domn {ns}Cd", f"{ns}Prtry {ns}Cd"),
    )
    return build_entry(fields, account)


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
