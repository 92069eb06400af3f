"""camt entries: the fields of one ``Ntry`` turned into an Entry, and a fast reader for plain entries.

ElementTree builds about 25 element objects for every entry and Python then walks them; at
100k entries that alone takes seconds. Most entries are plain, though: UTF-8 text without
entities, comments or CDATA, no namespace prefixes, and their direct children in the order the
ISO 20022 schema prescribes. ``fast_entry`` reads such an entry straight from its bytes with a
few compiled patterns; anything else raises ``Slow`` and the caller gives that entry to
ElementTree instead. Both readers hand the same fields to ``build_entry``, and a test checks
that they agree entry for entry. The bytes were checked to be well-formed XML (and free of any
DTD) before either reader sees them, so the patterns only need to find fields, not police syntax.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from sys import intern

from desktop_app.core.errors import StatementError
from desktop_app.core.imports.records import (
    Entry,
    StatementAccount,
    clean,
    make_day,
    needs_escaping,
    parse_amount,
    plain_minor,
    to_money,
)
from desktop_app.core.models import TransactionStatus, raw_json


class Slow(Exception):
    """This entry is not plain enough for ``fast_entry``: read it with ElementTree."""


def build_entry(
    fields: tuple[str, str, bool, str, str, str, str, str, str, str, str, str, str],
    account: StatementAccount | None,
) -> Entry | None:
    """The Entry for one Ntry's fields (None for an INFO entry, which is no transaction).

    `fields`: status, amount text, debit?, currency, booking day text, value day text,
    counterparty, remittance, extra information, batch size, bank reference, end-to-end id, code.
    """
    status, amount_text, debit, currency, booked_text, valued_text, counterparty, remittance, extra, batch = fields[:10]
    ref, end_to_end, code = fields[10:]
    if status == "INFO":
        return None
    if not amount_text:
        raise StatementError("an entry has no amount")
    cur = currency or (account.currency if account else None)
    minor = plain_minor(amount_text, cur, debit)
    if minor is None:
        parsed = parse_amount(amount_text)
    booked, valued = iso_day(booked_text), iso_day(valued_text)
    day = booked or valued
    if day is None:
        raise StatementError("an entry has neither a booking nor a value date")
    text = (f"{remittance} / {extra}" if remittance else extra) if extra and extra != remittance else remittance
    if batch:
        text = f"batch of {batch} payments / {text}" if text else f"batch of {batch} payments"
    description = clean(text) or counterparty
    if minor is None:
        money = to_money(-parsed if debit else parsed, cur)
        minor, cur = money.minor_units, money.currency
    provider_ref = ref or None
    party = intern(counterparty) if counterparty else None
    e2e = end_to_end if end_to_end and end_to_end != "NOTPROVIDED" else None
    return Entry.of(
        (
            TransactionStatus.PENDING if status == "PDNG" else TransactionStatus.BOOKED,
            day,
            minor,
            intern(cur or ""),
            description,
            party,
            valued,
            provider_ref,
        ),
        (_raw, (amount_text, debit, intern(status), e2e, intern(code))),
        provider_ref,
    )


def _raw(amount_text: str, debit: bool, status: str, end_to_end: str | None, code: str) -> str:
    """The entry's record as ``raw_json`` writes it, made when it is stored (or asked for).

    It holds what the row's own columns do not: the amount as the bank wrote it, the status and
    bank transaction codes and the end-to-end id. Day, value day, currency, counterparty, text
    and the bank's reference are columns already, and a record repeating them made every
    imported row half as large again (a 100k-entry import: 62 MB of cache instead of 46).
    """
    if _WRITTEN_AS_DECIMAL.fullmatch(amount_text):  # "12.30" is what str(Decimal("12.30")) gives
        amount: Decimal | str = ("-" + amount_text) if debit and amount_text.strip("0.") else amount_text
    else:
        parsed = parse_amount(amount_text)
        amount = -parsed if debit else parsed
    if needs_escaping(status + (end_to_end or "") + code):
        return raw_json(
            {"amount": str(amount), "code": code or None, "end_to_end": end_to_end, "format": "camt", "status": status}
        )
    # raw_json's very output (sorted keys, no spaces), written directly: the encoder costs more
    # than the rest of reading an entry
    return (
        f'{{"amount":"{amount}","code":{f'"{code}"' if code else "null"},'
        f'"end_to_end":{f'"{end_to_end}"' if end_to_end else "null"},"format":"camt","status":"{status}"}}'
    )


_WRITTEN_AS_DECIMAL = re.compile(r"(?:[1-9][0-9]*|0)(?:\.[0-9]+)?")
_DAYS: dict[str, date] = {}  # statements repeat their days; at most one entry per calendar day


def iso_day(text: str) -> date | None:
    if not text:
        return None
    found = _DAYS.get(text[:10])
    if found is not None:
        return found
    try:
        day = make_day(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        raise StatementError(f"not an ISO date: {text[:30]!r}") from None
    _DAYS[text[:10]] = day
    return day


# -- the fast reader ---------------------------------------------------------------------


# The direct children of a plain Ntry, in schema order (camt.053.001.02 to .08). A container
# is skipped up to its closing tag: none of them nests an element of its own name, and a
# match that tiles the whole entry can only be the real one in well-formed XML.
def _skip(tag: str) -> str:
    return f"(?:<{tag}>[^<]*(?:<(?!/{tag}>)[^<]*)*</{tag}>\\s*)"


_DAY = r"\s*<(?:Dt|DtTm)>([^<]*)</(?:Dt|DtTm)>\s*"
_NTRY = re.compile(
    r"\s*(?:<NtryRef>[^<]*</NtryRef>\s*)?"
    r"<Amt(?:\s+Ccy\s*=\s*(?:\"([A-Za-z]*)\"|'([A-Za-z]*)'))?\s*>([^<]*)</Amt>\s*"
    r"<CdtDbtInd>([^<]*)</CdtDbtInd>\s*"
    r"(?:<RvslInd>[^<]*</RvslInd>\s*)?"
    r"<Sts>(?:\s*<Cd>([^<]*)</Cd>\s*|([^<]*))</Sts>\s*"
    rf"(?:<BookgDt>{_DAY}</BookgDt>\s*)?"
    rf"(?:<ValDt>{_DAY}</ValDt>\s*)?"
    r"(?:<AcctSvcrRef>([^<]*)</AcctSvcrRef>\s*)?"
    f"{_skip('Avlbty')}*"
    rf"(?:<BkTxCd>\s*(?:<Domn>\s*<Cd>([^<]*)</Cd>\s*{_skip('Fmly')}?</Domn>\s*)?"
    rf"(?:<Prtry>\s*<Cd>([^<]*)</Cd>\s*(?:<Issr>[^<]*</Issr>\s*)?</Prtry>\s*)?</BkTxCd>\s*)?"
    r"(?:<ComssnWvrInd>[^<]*</ComssnWvrInd>\s*)?"
    f"{_skip('AddtlInfInd')}?{_skip('AmtDtls')}?{_skip('Chrgs')}?{_skip('TechInptChanl')}?"
    f"{_skip('Intrst')}?{_skip('CardTx')}?{_skip('NtryDtls')}*"
    r"(?:<AddtlNtryInf>([^<]*)</AddtlNtryInf>\s*)?"
)
_PARTIES = re.compile(
    rf"\s*{_skip('InitgPty')}?(?:<Dbtr>(.*?)</Dbtr>\s*)?{_skip('DbtrAcct')}?{_skip('UltmtDbtr')}?"
    rf"(?:<Cdtr>(.*?)</Cdtr>\s*)?{_skip('CdtrAcct')}?{_skip('UltmtCdtr')}?{_skip('TradgPty')}?{_skip('Prtry')}*",
    re.DOTALL,
)
_NAMED_PARTIES = re.compile(
    r"\s*(?:<Dbtr>\s*<Nm>([^<]*)</Nm>\s*</Dbtr>\s*)?(?:<Cdtr>\s*<Nm>([^<]*)</Nm>\s*</Cdtr>\s*)?"
)
_NAME = re.compile(r"\s*(<Pty>\s*)?<Nm>([^<]*)</Nm>")
_CREDITOR_REF = re.compile(r"<CdtrRefInf>\s*(?:<Tp>.*?</Tp>\s*)?(?:<Ref>([^<]*)</Ref>\s*)?</CdtrRefInf>", re.DOTALL)
_LEAVES = {tag: re.compile(f"<{tag}>([^<]*)</{tag}>") for tag in ("Ustrd", "AddtlTxInf", "NbOfTxs", "EndToEndId")}
_STARTS = {tag: f"<{tag}" for tag in _LEAVES}
_OPENERS = {tag: f"<{tag}>" for tag in _LEAVES}
_CLOSERS = {tag: f"</{tag}>" for tag in _LEAVES}
_RLTD = re.compile(r"<RltdPties>(.*?)</RltdPties>", re.DOTALL)
_PREFIXED = re.compile(rb"<[^>]*:")


def plain(run: bytes) -> bool:
    """Whether a run of entries can go through ``fast_entry`` at all (else: ElementTree): no
    entities, comments, CDATA, processing instructions or other namespaces in it."""
    if b"&" in run or b"xmlns" in run:
        return False
    # A two-byte search costs several times a one-byte one, and most runs hold no "!" or "?"
    if (b"!" in run and b"<!" in run) or (b"?" in run and b"<?" in run):
        return False
    return b":" not in run or _PREFIXED.search(run) is None


def fast_entry(raw: bytes, account: StatementAccount | None) -> Entry | None:
    """The entry whose content (between ``<Ntry>`` and ``</Ntry>``) is `raw`, or Slow."""
    content = raw.decode()
    if "\r" in content:  # XML's own line-end normalisation, before anything is read
        content = content.replace("\r\n", "\n").replace("\r", "\n")
    m = _NTRY.fullmatch(content)
    if m is None:
        raise Slow
    quoted, apostrophed, amount, indicator, sts_code, sts_text, booked, valued, ref, domain, proprietary, extra = (
        m.groups()
    )
    currency = quoted or apostrophed or ""
    is_debit = indicator.strip() == "DBIT"
    amount = amount.strip()
    if amount and not (amount.isascii() and amount.replace(".", "", 1).isdigit()):
        raise Slow  # signs, commas, spaces: parse_amount's business, and the sign picks the party
    positive = not is_debit and amount.strip("0.") != ""
    details = _simple_details(content)
    if details is not None:
        end_to_end, debtor, creditor, ustrd = details
        named = debtor if positive else creditor
        counterparty = clean(named) if named is not None else ""
        if named is not None and not counterparty:
            raise Slow  # an empty name: ElementTree would try <Pty><Nm> next
        remittance, end_to_end = (ustrd or "").strip(), (end_to_end or "").strip()
    else:
        counterparty = _party(content, positive) if "<RltdPties" in content else ""
        remittance = " ".join([t.strip() for t in _all(content, "Ustrd") if t]) if "<Ustrd" in content else ""
        end_to_end = _first(content, "EndToEndId") if "<EndToEndId" in content else ""
    if not remittance and "<CdtrRefInf" in content:
        found = _CREDITOR_REF.search(content)
        if found is None or content.count("<CdtrRefInf") != len(_CREDITOR_REF.findall(content)):
            raise Slow
        remittance = (found.group(1) or "").strip()
    return build_entry(
        (
            (sts_code if sts_code is not None else sts_text).strip(),
            amount,
            is_debit,
            currency,
            (booked or "").strip(),
            (valued or "").strip(),
            counterparty,
            remittance,
            (extra or "").strip() or (_first(content, "AddtlTxInf") if "<AddtlTxInf" in content else ""),
            _first(content, "NbOfTxs") if "<NbOfTxs" in content else "",
            (ref or "").strip(),
            end_to_end,
            (domain or "").strip() or (proprietary or "").strip(),
        ),
        account,
    )


# The usual details of an entry: one transaction with at most an end-to-end id among its
# references, a named debtor and/or creditor (and their accounts) and one unstructured line.
# Read by one pattern, they give what _first, _party and _all would give.
_SIMPLE_DETAILS = re.compile(
    r"<NtryDtls>\s*<TxDtls>\s*"
    r"(?:<Refs>\s*(?:<(?!EndToEndId>)\w+>[^<]*</\w+>\s*)*+"  # possessive: no quadratic backtracking
    r"(?:<EndToEndId>([^<]*)</EndToEndId>\s*(?:<(?!EndToEndId>)\w+>[^<]*</\w+>\s*)*+)?</Refs>\s*)?"
    rf"(?:(<RltdPties>)\s*(?:<Dbtr>\s*<Nm>([^<]*)</Nm>\s*</Dbtr>\s*)?{_skip('DbtrAcct')}?"
    rf"(?:<Cdtr>\s*<Nm>([^<]*)</Nm>\s*</Cdtr>\s*)?{_skip('CdtrAcct')}?</RltdPties>\s*)?"
    r"(?:<RmtInf>\s*<Ustrd>([^<]*)</Ustrd>\s*</RmtInf>\s*)?"
    r"</TxDtls>\s*</NtryDtls>"
)
_DETAIL_TAGS = re.compile(r"<(?:EndToEndId|RltdPties|Ustrd)")  # as the other readers look: by prefix


def _simple_details(content: str) -> tuple[str | None, str | None, str | None, str | None] | None:
    """(end-to-end id, debtor's name, creditor's name, remittance line) of usual details, else None.

    Exact only when no such element occurs elsewhere in the entry: their tags are counted.
    """
    start = content.find("<NtryDtls>")
    found = _SIMPLE_DETAILS.match(content, start) if start >= 0 else None
    if found is None:
        return None
    end_to_end, parties, debtor, creditor, ustrd = found.groups()
    if len(_DETAIL_TAGS.findall(content)) != (end_to_end is not None) + (parties is not None) + (ustrd is not None):
        return None
    return end_to_end, debtor, creditor, ustrd


def _all(content: str, tag: str) -> list[str]:
    """Every `tag` element's text, in document order (Slow unless each is a plain text leaf)."""
    opener = _OPENERS[tag]
    at = content.find(opener)
    if at >= 0 and content.find(_STARTS[tag], at + 1) < 0:  # just one: cut it out, no pattern needed
        stop = content.find("<", at + len(opener))
        if content.startswith(_CLOSERS[tag], stop):
            return [content[at + len(opener) : stop]]
    found: list[str] = _LEAVES[tag].findall(content)
    if len(found) != content.count(_STARTS[tag]):
        raise Slow
    return found


def _first(content: str, tag: str) -> str:
    """The first non-blank text among the `tag` elements ("" when none has any)."""
    for text in _all(content, tag):
        if not text.isspace() and text:
            return text.strip()
    return ""


def _party(content: str, positive: bool) -> str:
    """The other party's name: the debtor of a credit, else the creditor (the first one named)."""
    start = content.find("<RltdPties>")
    if start >= 0 and content.count("<RltdPties") == 1:  # the usual case: one transaction, one group
        end = content.find("</RltdPties>", start)
        groups = [content[start + 11 : end]] if end > 0 else []
    else:
        groups = _RLTD.findall(content)
    if len(groups) != content.count("<RltdPties"):
        raise Slow
    for parties in groups:
        named = _NAMED_PARTIES.fullmatch(parties)
        if named is not None:  # a debtor and/or creditor with just a name: _PARTIES reads the same
            side = named.group(1 if positive else 2)
            if side is None:
                continue
            if not (found := clean(side)):
                raise Slow  # an empty name: ElementTree would try <Pty><Nm> next
            return found
        m = _PARTIES.fullmatch(parties)
        if m is None:
            raise Slow
        party = m.group(1) if positive else m.group(2)
        if party is None:
            continue
        name = _NAME.match(party)
        if name is None:
            if "<Nm" in party:
                raise Slow
            continue
        if name.group(1) and party.count("<Nm>") != 1:
            raise Slow  # a name beside <Pty> as well: ElementTree would take that one first
        found = clean(name.group(2))
        if not found:
            raise Slow  # an empty name: ElementTree would try <Pty><Nm> next
        return found
    return ""
