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
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from datetime import date
from operator import itemgetter
from sys import intern

from desktop_app.core.errors import StatementError, UnsupportedStatement
from desktop_app.core.imports.records import (
    Entry,
    Statement,
    StatementAccount,
    StatementBalance,
    clean,
    flat_json,
    let_go,
    make_day,
    needs_escaping,
    parse_amount,
    plain_minor,
    to_money,
)
from desktop_app.core.models import TransactionStatus

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
        """Descendants called `name`, depth first. Transactions are not searched inside (their
        fields are read by ``_leaves``), which keeps statement-level look-ups from walking them all."""
        # A transaction list holds most of the file: when no transaction is wanted, its
        # transactions are dropped as a whole instead of being popped one by one.
        skip = "" if name == "STMTTRN" else "STMTTRN"
        stack = [node for node in reversed(self.children) if node.name != skip]
        while stack:
            node = stack.pop()
            if node.name == name:
                yield node
            elif node.children and node.name != "STMTTRN":
                stack.extend([child for child in reversed(node.children) if child.name != skip])

    def value(self, name: str) -> str:
        node = self.find(name)
        return node.text.strip() if node is not None and node.text else ""


class _Flat(Node):
    """A STMTTRN made only of leaves, read in one go: its fields by name, no child nodes."""

    __slots__ = ("leaves",)

    def __init__(self, leaves: dict[str, str], line: int) -> None:
        super().__init__("STMTTRN", line=line)
        self.leaves = leaves


# A transaction with no other transaction inside; nearly every one in a large file.
_TRN = re.compile(r"<STMTTRN>([^<]*(?:<(?!/?STMTTRN[\s>/])[^<]*)*)</STMTTRN>")


# The usual SGML transaction: upper-case leaves, each with a value, none closed, none twice.
_LEAF = re.compile(r"<([A-Z][A-Z0-9.]*)>([^<]*)")
_NONE_CLOSED: frozenset[str] = frozenset()


def _flat(inner: str) -> tuple[dict[str, str], AbstractSet[str], int] | None:
    """The leaves (first of each name wins), the names closed and the tag count of a transaction's
    body; None unless every tag in it is a leaf by parse_tree's rules."""
    if "&" not in inner:  # the usual transaction in one pattern; what it does not read, the loop below does
        pairs = _LEAF.findall(inner)
        if len(pairs) == inner.count("<"):
            usual = {name: value.strip() for name, value in pairs}
            if len(usual) == len(pairs) and all(usual.values()):
                return usual, _NONE_CLOSED, len(pairs)
    tokens = _TOKEN.findall(inner)
    leaves: dict[str, str] = {}
    closing: set[str] = set()
    for tag, after in tokens:
        if not tag or tag[0] in "?!":
            continue
        if tag[0] == "/":
            closing.add(tag[1:].strip().upper())
            continue
        name = tag.split(None, 1)[0].rstrip("/").upper() if " " in tag or "/" in tag else tag.upper()
        value = after.strip()
        if not (value or name in _KNOWN_LEAVES or tag.endswith("/")):
            return None
        if name not in leaves:
            leaves[name] = _unescape(value) if "&" in value else value
    if "STMTTRN" in closing:
        return None
    return leaves, closing, len(tokens)


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
    # findall keeps the scan in C; an aggregate remembers its token number, turned into a line
    # number only when an error needs one (see line_of). Plain transactions skip the node tree.
    number = pos = 0
    for match in _TRN.finditer(body):
        between = _TOKEN.findall(body, pos, match.start())
        if between:  # usually none: transactions follow one another
            number = _feed(stack, between, number)
        pos = match.end()
        flat = _flat(match.group(1))
        if flat is not None and (not flat[1] or flat[1].isdisjoint(node.name for node in stack)):
            stack[-1].children.append(_Flat(flat[0], number))
            number += flat[2] + 2
        else:
            number = _feed(stack, _TOKEN.findall(match.group(0)), number)
    _feed(stack, _TOKEN.findall(body, pos), number)
    return root


def _feed(stack: list[Node], tokens: list[tuple[str, str]], number: int) -> int:
    """Add tokens (tag, text after it) to the tree; returns the next token number."""
    for tag, after in tokens:
        number += 1
        if not tag or tag[0] in "?!":
            continue
        if tag[0] == "/":
            name = tag[1:].strip().upper()
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].name == name:
                    del stack[depth:]
                    break
            continue
        name = tag.split(None, 1)[0].rstrip("/").upper() if " " in tag or "/" in tag else tag.upper()
        value = after.strip()
        if value or name in _KNOWN_LEAVES or tag.endswith("/"):
            stack[-1].children.append(Node(name, _unescape(value) if "&" in value else value))
        else:
            node = Node(name, line=number - 1)
            stack[-1].children.append(node)
            stack.append(node)
    return number


def _unescape(value: str) -> str:
    return html.unescape(value)


def line_of(text: str, token: int) -> int:
    """The line on which the `token`-th tag of the document (after the header) starts."""
    start = text.find("<")
    body = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), text[start:])
    for number, match in enumerate(_TOKEN.finditer(body)):
        if number == token:
            return text.count("\n", 0, start) + body.count("\n", 0, match.start()) + 1
    return text.count("\n") + 1


def read(text: str) -> list[Statement]:
    """Every bank and credit-card statement in the file; an investment-only file is refused."""
    root = parse_tree(text)
    try:
        return _statements(root, text)
    finally:
        _let_go(root)


def _let_go(root: Node) -> None:
    """Free the tree without freezing the window: each aggregate's children go a slice at a time."""
    stack = [root]
    while stack:
        children = stack.pop().children
        stack.extend(child for child in children if child.children)
        let_go(children)


def _statements(root: Node, text: str) -> list[Statement]:
    found = [node for name in _STATEMENTS for node in root.iter(name)]
    if not found:
        if any(root.find(name) is not None for name in _INVESTMENT):
            raise UnsupportedStatement(
                "this is an investment statement (trades and positions); Saldo imports bank and card statements only"
            )
        raise StatementError("the OFX file holds no bank or credit-card statement")
    institution = root.value("FID") or root.value("ORG") or None
    try:
        statements = [_statement(node, institution) for node in found]
    except StatementError as exc:
        if exc.line is None or exc.file is not None:
            raise
        raise type(exc)(exc.reason, line=line_of(text, exc.line)) from None  # a token number until here
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


def _leaves(node: Node) -> dict[str, str]:
    """Every leaf under a STMTTRN by name (first wins), whatever nesting a broken file gave it."""
    if isinstance(node, _Flat):
        return node.leaves
    found: dict[str, str] = {}
    stack = [node]
    while stack:
        parent = stack.pop()
        if isinstance(parent, _Flat):
            for name, text in parent.leaves.items():
                found.setdefault(name, text)
        for child in parent.children:
            if child.text is not None:
                found.setdefault(child.name, child.text)
            else:
                stack.append(child)
    return found


def _entry(node: Node, currency: str | None, account_id: str) -> Entry:
    leaves = _leaves(node)
    cur = currency or leaves.get("CURSYM")
    text = leaves.get("TRNAMT", "")
    if not text:
        raise StatementError(f"a transaction of account {account_id} has no amount (TRNAMT)", line=node.line)
    try:
        minor = plain_minor(text, cur)
        if minor is None:
            money = to_money(parse_amount(text), cur)
            minor, cur = money.minor_units, money.currency
        posted = ofx_date(leaves.get("DTPOSTED") or leaves.get("DTUSER") or "")
    except StatementError as exc:
        raise StatementError(exc.reason, line=node.line) from None
    name, memo = clean(leaves.get("NAME")), clean(leaves.get("MEMO"))
    description = memo if memo and (not name or memo.startswith(name)) else (f"{name} / {memo}" if memo else name)
    fitid = leaves.get("FITID", "").strip() or None
    fields = (TransactionStatus.BOOKED, posted, minor, intern(cur or ""), description, name or None, None, fitid)
    return Entry.of(fields, raw_record(leaves), fitid)


# For each order of leaf names met: the leaves' values in JSON key order, and the JSON around them
_Layout = tuple[Callable[[dict[str, str]], tuple[str, ...]], str]
_LAYOUTS: dict[tuple[str, ...], _Layout | None] = {}


def raw_record(leaves: dict[str, str]) -> str:
    """``flat_json({"format": "ofx", **leaves})``: a file's transactions share their leaf names,
    so the sorted JSON around the values is made once per set of names and only filled in."""
    names = tuple(leaves)
    if names in _LAYOUTS:
        layout = _LAYOUTS[names]
    else:
        layout = _LAYOUTS[names] = _layout(names) if len(_LAYOUTS) < 256 else None
    if layout is not None:
        values = layout[0](leaves)
        if not needs_escaping("".join(values)):
            return layout[1] % values
    return flat_json({"format": "ofx", **leaves})


def _layout(names: tuple[str, ...]) -> _Layout | None:
    keys = sorted((*names, "format"))
    if len(names) < 2 or needs_escaping("".join(keys)):
        return None  # itemgetter of one name gives no tuple; names JSON escapes go the long way
    parts = ['"format":"ofx"' if key == "format" else f'"{key.replace("%", "%%")}":"%s"' for key in keys]
    return itemgetter(*[key for key in keys if key != "format"]), "{" + ",".join(parts) + "}"


def _balance(node: Node | None) -> StatementBalance | None:
    if node is None or not node.value("BALAMT"):
        return None
    stamp = node.value("DTASOF")
    return StatementBalance(parse_amount(node.value("BALAMT")), ofx_date(stamp) if stamp else None)


def ofx_date(text: str) -> date:
    """The calendar day of an OFX datetime: ``YYYYMMDD[HHMMSS[.XXX]][[±h[:TZ]]]`` (as the bank wrote it)."""
    digits = text.strip()[:8]
    found = _DAYS.get(digits)
    if found is not None:
        return found
    if len(digits) != 8 or not digits.isdigit():
        raise StatementError(f"not an OFX date: {text.strip()[:30]!r}")
    day = _DAYS[digits] = make_day(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    return day


_DAYS: dict[str, date] = {}  # statements repeat their days; at most one entry per calendar day
