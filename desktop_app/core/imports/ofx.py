"""OFX 1.x (SGML), OFX 2.x (XML) and QFX bank and credit-card statements.

Real OFX files are rarely what the specification says: no header, an XML prolog over an SGML
body, leaves closed in reverse order, an aggregate never closed, a CHARSET that lies. Strict
libraries reject such files (ofxtools, GPL, rejects half of a real corpus; ofxparse is dormant
and decodes as ASCII), so this is a small tolerant reader: a tag with text after it is a leaf,
a known leaf is a leaf even when empty, and a closing tag closes the nearest open element of
that name or is ignored. Fields are then looked up among an aggregate's descendants, so an
unclosed BANKTRANLIST does not hide the balance inside it.

No entity is ever expanded beyond the five XML ones and character references, and a file
declaring a DTD or entities is refused: OFX never needs either.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date

from desktop_app.core.imports.records import (
    Entry,
    Statement,
    StatementAccount,
    StatementBalance,
    StatementError,
    UnsupportedStatement,
    clean,
    make_day,
    parse_amount,
    to_money,
)
from desktop_app.core.models import TransactionStatus, raw_json
from desktop_app.core.providers.base import RemoteTransaction

_TOKEN = re.compile(r"<([^<>]*)>([^<]*)")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_KNOWN_LEAVES = frozenset(
    "TRNTYPE DTPOSTED DTUSER DTAVAIL TRNAMT FITID CORRECTFITID CORRECTACTION SRVRTID CHECKNUM REFNUM SIC PAYEEID "
    "NAME EXTDNAME MEMO CURDEF BANKID BRANCHID ACCTID ACCTTYPE ACCTKEY DTSTART DTEND BALAMT DTASOF CURRATE CURSYM "
    "TRNUID CODE SEVERITY MESSAGE DTSERVER LANGUAGE ORG FID INV401KSOURCE".split()
)
_STATEMENTS = ("STMTRS", "CCSTMTRS")
_INVESTMENT = ("INVSTMTRS", "INVSTMTMSGSRSV1")


class Node:
    """One OFX element: a leaf with text, or an aggregate with children."""

    __slots__ = ("children", "line", "name", "text")

    def __init__(self, name: str, text: str | None = None, line: int | None = None) -> None:
        self.name = name
        self.text = text
        self.line = line
        self.children: list[Node] = []

    def find(self, name: str) -> Node | None:
        for node in self.iter(name):
            return node
        return None

    def iter(self, name: str) -> Iterator[Node]:
        stack = list(reversed(self.children))
        while stack:
            node = stack.pop()
            if node.name == name:
                yield node
            else:
                stack.extend(reversed(node.children))

    def value(self, name: str) -> str:
        node = self.find(name)
        return node.text.strip() if node is not None and node.text else ""


def parse_tree(text: str) -> Node:
    """The tolerant element tree of an OFX document (header skipped)."""
    start = text.find("<")
    if start < 0 or "OFX" not in text[start : start + 4096].upper():
        raise StatementError("this is not an OFX file (no <OFX> element)")
    body = text[start:]
    if re.search(r"<!(DOCTYPE|ENTITY)", body, re.IGNORECASE):
        raise StatementError("the file declares a DTD or entities, which OFX never needs; refused for safety")
    body = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), body)
    root = Node("#root")
    stack = [root]
    # Line numbers are counted for aggregates only (for error messages), incrementally.
    line, counted = text.count("\n", 0, start) + 1, 0
    for match in _TOKEN.finditer(body):
        tag, after = match.group(1).strip(), match.group(2)
        if not tag or tag[0] in "?!":
            continue
        if tag[0] == "/":
            name = tag[1:].strip().upper()
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].name == name:
                    del stack[depth:]
                    break
            continue
        name = tag.split()[0].rstrip("/").upper()
        value = after.strip()
        if value or name in _KNOWN_LEAVES or tag.endswith("/"):
            stack[-1].children.append(Node(name, _unescape(value)))
        else:
            line += body.count("\n", counted, match.start())
            counted = match.start()
            node = Node(name, line=line)
            stack[-1].children.append(node)
            stack.append(node)
    return root


def _unescape(value: str) -> str:
    return html.unescape(value) if "&" in value else value


def read(text: str) -> list[Statement]:
    """Every bank and credit-card statement in the file; an investment-only file is refused."""
    root = parse_tree(text)
    found = [node for name in _STATEMENTS for node in root.iter(name)]
    if not found:
        if any(root.find(name) is not None for name in _INVESTMENT):
            raise UnsupportedStatement(
                "this is an investment statement (trades and positions); Saldo imports bank and card statements only"
            )
        raise StatementError("the OFX file holds no bank or credit-card statement")
    institution = root.value("FID") or root.value("ORG") or None
    statements = [_statement(node, institution) for node in found]
    if root.find("INVSTMTRS") is not None:
        statements[0].warnings.append("the investment part of this file was skipped")
    return statements


def _statement(node: Node, institution: str | None) -> Statement:
    card = node.name == "CCSTMTRS"
    source = node.find("CCACCTFROM" if card else "BANKACCTFROM") or node
    account_id = source.value("ACCTID")
    if not account_id:
        raise StatementError("a statement in the file has no account id (ACCTID)")
    bank = source.value("BANKID") or institution
    currency = node.value("CURDEF") or None
    entries = [_entry(t, currency, account_id) for t in node.iter("STMTTRN")]
    if currency is None and entries:
        currency = entries[0].tx.amount.currency
    account = StatementAccount(
        account_id=account_id,
        currency=currency,
        institution=bank,
        kind="creditcard" if card else (source.value("ACCTTYPE").lower() or None),
    )
    return Statement(
        account,
        entries,
        closing=_balance(node.find("LEDGERBAL")),
        closing_available=_balance(node.find("AVAILBAL")),
    )


def _entry(node: Node, currency: str | None, account_id: str) -> Entry:
    own = node.find("CURRENCY")
    cur = currency or (own.value("CURSYM") if own is not None else None)
    text = node.value("TRNAMT")
    if not text:
        raise StatementError(f"a transaction of account {account_id} has no amount (TRNAMT)", line=node.line)
    try:
        amount = to_money(parse_amount(text), cur)
        posted = ofx_date(node.value("DTPOSTED") or node.value("DTUSER"))
    except StatementError as exc:
        raise StatementError(exc.reason, line=node.line) from None
    name, memo = clean(node.value("NAME")), clean(node.value("MEMO"))
    description = memo if memo and (not name or memo.startswith(name)) else " / ".join(p for p in (name, memo) if p)
    fitid = node.value("FITID")
    record = {leaf.name: leaf.text for leaf in node.children if leaf.text is not None}
    return Entry(
        RemoteTransaction(
            status=TransactionStatus.BOOKED,
            booking_date=posted,
            amount=amount,
            description=description,
            raw=raw_json({"format": "ofx", **record}),
            provider_id=fitid or None,
            counterparty=name or None,
        ),
        bank_ref=fitid or None,
    )


def _balance(node: Node | None) -> StatementBalance | None:
    if node is None or not node.value("BALAMT"):
        return None
    stamp = node.value("DTASOF")
    return StatementBalance(parse_amount(node.value("BALAMT")), ofx_date(stamp) if stamp else None)


def ofx_date(text: str) -> date:
    """The calendar day of an OFX datetime: ``YYYYMMDD[HHMMSS[.XXX]][[±h[:TZ]]]`` (as the bank wrote it)."""
    digits = text.strip()[:8]
    if len(digits) != 8 or not digits.isdigit():
        raise StatementError(f"not an OFX date: {text.strip()[:30]!r}")
    return make_day(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
