"""The fast readers of plain camt entries and OFX transactions give exactly what the full
readers give: every entry, its raw record and every error (with its line) are compared with a
read that goes through ElementTree (camt) or the OFX node tree for every entry."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from desktop_app.core.errors import StatementError
from desktop_app.core.imports import camt, ofx
from desktop_app.core.imports.reader import ReadOptions, read_bytes
from desktop_app.core.imports.records import flat_json
from tests.imports.conftest import FIXTURES

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
    "<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S</Id>"
    "<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
)
_TAIL = "</Stmt></BkToCstmrStmt></Document>\n"
_DATES = "<BookgDt><Dt>2025-03-03</Dt></BookgDt><ValDt><Dt>2025-03-04</Dt></ValDt>"
_CODE = "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>AUTT</SubFmlyCd></Fmly></Domn></BkTxCd>"


def _ntry(body: str, amount: str = "42.45", sign: str = "DBIT", status: str = "<Sts>BOOK</Sts>") -> str:
    return f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd>{status}{body}</Ntry>\n'


ENTRIES = [
    _ntry(
        f"{_DATES}<AcctSvcrRef>R1</AcctSvcrRef>{_CODE}<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId>"
        "</Refs><RltdPties><Cdtr><Nm>Stadtwerke  Beispiel</Nm></Cdtr></RltdPties><RmtInf><Ustrd>Abschlag</Ustrd>"
        "<Ustrd> </Ustrd><Ustrd>März</Ustrd></RmtInf></TxDtls></NtryDtls>"
    ),
    _ntry(
        "<BookgDt><DtTm>2025-04-15T09:30:00+02:00</DtTm></BookgDt><NtryDtls><TxDtls><RltdPties><Dbtr><Pty>"
        "<Nm>Zürcher Müller AG</Nm></Pty></Dbtr></RltdPties><RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR"
        "</Cd></CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls>",
        sign="CRDT",
        status="<Sts><Cd>PDNG</Cd></Sts>",
    ),
    _ntry(
        f"{_DATES}<NtryDtls><Btch><NbOfTxs>3</NbOfTxs></Btch><TxDtls><Refs><EndToEndId> </EndToEndId></Refs>"
        "</TxDtls><TxDtls><Refs><EndToEndId>E2</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy='EUR'>1.00</Amt>"
        "</TxAmt></AmtDtls></TxDtls></NtryDtls><AddtlNtryInf>Sammelgutschrift</AddtlNtryInf>",
        amount="500.00",
        sign="CRDT",
    ),
    _ntry(f"{_DATES}<NtryDtls><TxDtls><RmtInf><Ustrd>line one\r\nline two</Ustrd></RmtInf></TxDtls></NtryDtls>"),
    _ntry(
        f"{_DATES}<NtryDtls><TxDtls><RltdPties><Cdtr><Id>no name</Id></Cdtr></RltdPties></TxDtls><TxDtls>"
        "<RltdPties><Dbtr><Nm>Wrong side</Nm></Dbtr><Cdtr><Nm>Second</Nm></Cdtr></RltdPties>"
        "<AddtlTxInf>extra</AddtlTxInf></TxDtls></NtryDtls>"
    ),
    _ntry(f"{_DATES}<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Zero</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>", "0.00"),
    _ntry(f"{_DATES}<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Comma</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>", "1,5"),
    _ntry(f"{_DATES}{_CODE}<AcctSvcrRef>late</AcctSvcrRef>"),  # out of schema order
    _ntry(f"{_DATES}<NtryDtls><TxDtls><RltdPties><Cdtr><Nm> </Nm></Cdtr></RltdPties></TxDtls></NtryDtls>"),
    _ntry(f"{_DATES}<NtryDtls><TxDtls><RmtInf><Ustrd lang='de'>attr</Ustrd></RmtInf></TxDtls></NtryDtls>"),
    _ntry(
        "<ValDt><Dt>2025-03-04</Dt></ValDt><Avlbty><Dt><NbOfDays>1</NbOfDays></Dt><Amt Ccy='EUR'>9.00</Amt>"
        "<CdtDbtInd>CRDT</CdtDbtInd></Avlbty><BkTxCd><Prtry><Cd>NMSC+201</Cd><Issr>DK</Issr></Prtry></BkTxCd>"
        "<AmtDtls><InstdAmt><Amt Ccy='USD'>50.00</Amt></InstdAmt></AmtDtls>"
    ),
    _ntry(_DATES, amount="7", status="<Sts>INFO</Sts>"),
    _ntry(  # both parties named, a credit: the debtor; "!" and "?" in text are no comment or PI
        f"{_DATES}<NtryDtls><TxDtls><RltdPties>\n <Dbtr> <Nm>Payer! </Nm> </Dbtr>\n<Cdtr><Nm>Us?</Nm></Cdtr>"
        "</RltdPties><RmtInf><Ustrd>Why? Because!</Ustrd></RmtInf></TxDtls></NtryDtls>",
        sign="CRDT",
    ),
    _ntry(f"{_DATES}<NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Only payer</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>"),
    # usual details read by one pattern: several references, both parties with their accounts
    _ntry(
        f"{_DATES}<NtryDtls>\n<TxDtls><Refs><MsgId>M1</MsgId><EndToEndId> E2E-7 </EndToEndId><TxId>T</TxId></Refs>"
        "<RltdPties><Dbtr><Nm>Anna</Nm></Dbtr><DbtrAcct><Id><IBAN>DK50</IBAN></Id></DbtrAcct><Cdtr><Nm>Bo</Nm>"
        "</Cdtr><CdtrAcct><Id><IBAN>DK51</IBAN></Id><Nm>acct</Nm></CdtrAcct></RltdPties><RmtInf><Ustrd> Rent </Ustrd>"
        "</RmtInf></TxDtls></NtryDtls>",
        sign="CRDT",
    ),
    _ntry(  # a blank end-to-end id here, a real one in a second group of details: the first non-blank
        f"{_DATES}<NtryDtls><TxDtls><Refs><EndToEndId> </EndToEndId></Refs></TxDtls></NtryDtls>"
        "<NtryDtls><TxDtls><Refs><EndToEndId>LATER</EndToEndId></Refs><RmtInf><Ustrd>two</Ustrd></RmtInf>"
        "</TxDtls></NtryDtls>"
    ),
    _ntry(  # a remittance line outside the usual details is still read
        f"{_DATES}<AmtDtls><Ustrd>odd</Ustrd></AmtDtls><NtryDtls><TxDtls><RmtInf><Ustrd>main</Ustrd></RmtInf>"
        "</TxDtls></NtryDtls>"
    ),
    _ntry(f"{_DATES}<NtryDtls><TxDtls><RltdPties><Cdtr><Nm></Nm></Cdtr></RltdPties></TxDtls></NtryDtls>"),
]


def _both(read: Callable[[], Any], slow: Callable[[], Any]) -> tuple[Any, Any]:
    def outcome(call: Callable[[], Any]) -> Any:
        try:
            return [(s.account, s.opening, s.closing, s.warnings, s.entries) for s in call().statements]
        except StatementError as exc:
            return str(exc)

    return outcome(read), outcome(slow)


def _camt_both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    def slow() -> Any:
        with monkeypatch.context() as m:
            m.setattr(camt, "plain", lambda _run: False)  # every run through ElementTree
            return read_bytes(data, "s.xml", ReadOptions(format="camt"))

    return _both(lambda: read_bytes(data, "s.xml", ReadOptions(format="camt")), slow)


def test_camt_fast_reader_reads_plain_entries_exactly_as_elementtree(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (_HEAD + "".join(ENTRIES) + _TAIL).encode()
    fast = {"entries": 0}
    original = camt.fast_entry

    def counting(content: bytes, account: Any) -> Any:
        found = original(content, account)
        fast["entries"] += 1
        return found

    monkeypatch.setattr(camt, "fast_entry", counting)
    quick, full = _camt_both(data, monkeypatch)
    assert quick == full
    assert [e.tx.raw for e in quick[0][4]] == [e.tx.raw for e in full[0][4]]
    assert len(quick[0][4]) == len(ENTRIES) - 1  # the INFO entry is none
    assert fast["entries"] >= 7  # most went the fast way; the odd ones fell back entry by entry
    assert quick[0][4][1].tx.counterparty == "Zürcher Müller AG" and quick[0][4][0].tx.description.endswith("März")
    assert [(e.counterparty, e.description) for e in quick[0][4][-6:-4]] == [
        ("Payer!", "Why? Because!"),
        (None, ""),
    ]
    anna, later = quick[0][4][-4].tx, quick[0][4][-3].tx
    assert (anna.counterparty, anna.description, json.loads(anna.raw)["end_to_end"]) == ("Anna", "Rent", "E2E-7")
    assert json.loads(later.raw)["end_to_end"] == "LATER"


@pytest.mark.parametrize(
    "change",
    [
        ("&lt;", "<Ustrd>a &amp; b</Ustrd>"),
        ("<!--", "<!-- a comment --><Ustrd>c</Ustrd>"),
        ("<?", "<?saldo instruction?><Ustrd>d</Ustrd>"),
        ("CDATA", "<Ustrd><![CDATA[<e>]]></Ustrd>"),
        ("prefix", '<x:Ustrd xmlns:x="urn:other">foreign</x:Ustrd><Ustrd>own</Ustrd>'),
        ("bad amount", "<Ustrd>x</Ustrd>"),
        ("bad date", "<Ustrd>y</Ustrd>"),
        ("unknown currency", "<Ustrd>z</Ustrd>"),
    ],
    ids=lambda c: c[0] if isinstance(c, tuple) else c,
)
def test_camt_runs_that_are_not_plain_or_not_valid_read_the_same_both_ways(
    change: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kind, ustrd = change
    entry = _ntry(f"{_DATES}<NtryDtls><TxDtls><RmtInf>{ustrd}</RmtInf></TxDtls></NtryDtls>")
    if kind == "bad amount":
        entry = entry.replace(">42.45<", ">42.455<")
    elif kind == "bad date":
        entry = entry.replace("2025-03-03", "2025-02-30")
    elif kind == "unknown currency":
        entry = entry.replace('Ccy="EUR"', 'Ccy="XXQ"')
    quick, full = _camt_both((_HEAD + ENTRIES[0] + entry + _TAIL).encode(), monkeypatch)
    assert quick == full
    if kind == "prefix":
        assert quick[0][4][1].tx.description == "own"  # the other namespace's element is not ours


def test_camt_malformed_entry_and_late_dtd_are_refused_with_the_line() -> None:
    data = (_HEAD + "\n" + _ntry(f"{_DATES}<NtryDtls><TxDtls><RmtInf><Ustrd>a</Ustrdx>") + _TAIL).encode()
    with pytest.raises(StatementError, match=r"s\.xml, line 4: the XML is malformed"):
        read_bytes(data, "s.xml", ReadOptions(format="camt"))
    padding = "<!--" + "x" * 70_000 + "-->"  # past what the prolog check reads
    bomb = (FIXTURES / "camt_bomb.xml").read_text(encoding="utf-8")
    late = bomb.replace("<!DOCTYPE", padding + "<!DOCTYPE", 1)
    with pytest.raises(StatementError, match="refused for safety"):
        read_bytes(late.encode(), "late.xml", ReadOptions(format="camt"))


def test_camt_latin1_document_is_read_by_the_fast_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (FIXTURES / "camt053_v8.xml").read_bytes()
    quick, full = _camt_both(data, monkeypatch)
    assert quick == full and quick[0][4][0].tx.counterparty == "Zürcher Müller AG"


_OFX = (
    "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>9"
    "</BANKACCTFROM><BANKTRANLIST>\n{body}</BANKTRANLIST><LEDGERBAL><BALAMT>5<DTASOF>20250101</LEDGERBAL>"
    "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
)
TRANSACTIONS = [
    "<STMTTRN><TRNTYPE>POS<DTPOSTED>20250203120000[-5:EST]<TRNAMT>-12.50<FITID>A-1<NAME>Cafe &amp; Bar"
    "<MEMO>Cafe &amp; Bar card</STMTTRN>",
    "<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20250210</DTPOSTED><TRNAMT>1500,00</TRNAMT><FITID></FITID>"
    "<NAME>Payroll</NAME></STMTTRN>",
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250211<TRNAMT>-3<FITID>P<PAYEE><NAME>Payee Name<ADDR1>Street</PAYEE>"
    "<MEMO>nested</STMTTRN>",
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250212<TRNAMT>.5<FITID>L<NAME>lower close</stmttrn>",
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250213<TRNAMT>-1.00<FITID>Q<NAME>x</BANKTRANLIST><MEMO>y</STMTTRN>",
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250214<TRNAMT>2.00<FITID>R<NAME>a\\b &quot;q&quot;</STMTTRN>",
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250215<TRNAMT>-4.20<FITID>S<NAME>  Plain   shop <MEMO>plain\n</STMTTRN>",
]


def _ofx_both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    data = text.encode()

    def slow() -> Any:
        with monkeypatch.context() as m:
            m.setattr(ofx, "_TRN", re.compile("(?!)"))  # no transaction is read the flat way
            return read_bytes(data, "s.ofx")

    return _both(lambda: read_bytes(data, "s.ofx"), slow)


def test_ofx_flat_transactions_read_exactly_as_the_node_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    for body in ("\n".join(TRANSACTIONS) + "\n", "\n".join(TRANSACTIONS[:2] + TRANSACTIONS[5:]) + "\n"):
        quick, full = _ofx_both(_OFX.format(body=body), monkeypatch)
        assert quick == full
        assert [e.tx.raw for s in quick for e in s[4]] == [e.tx.raw for s in full for e in s[4]]
    assert quick[0][4][0].tx.description == "Cafe & Bar card" and quick[0][4][2].tx.description == 'a\\b "q"'


@pytest.mark.parametrize(
    "inner",
    [
        "<TRNTYPE>DEBIT<DTPOSTED>20250215<TRNAMT>-4.20<FITID>S<NAME>  Plain   shop <MEMO>plain\n",  # the usual one
        "<TRNTYPE>DEBIT<MEMO><NAME>x",  # a known leaf left empty
        "<TRNTYPE>DEBIT<PAYEE><NAME>x",  # an aggregate: not flat
        "<TRNTYPE>DEBIT<NAME>first<NAME>second",  # the first wins
        "<trntype>DEBIT<Name>mixed case",
        "<TRNTYPE>DEBIT</TRNTYPE><NAME>closed</NAME>",
        "<TRNTYPE >DEBIT<NAME/>",
        "<TRNTYPE>A &amp; B<NAME>x",
        "<TRNTYPE>DEBIT<NAME>x<MEMO>  ",
        "<TRNTYPE>DEBIT<!-- note --><NAME>x",
        "",
    ],
)
def test_ofx_usual_transactions_read_as_the_general_loop_does(inner: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quick = ofx._flat(inner)
    monkeypatch.setattr(ofx, "_LEAF", re.compile("(?!)"))  # every transaction through the general loop
    full = ofx._flat(inner)
    assert quick == full


@pytest.mark.parametrize(("old", "new"), [("<TRNAMT>-3<", "<TRNAMT>x3<"), ("20250214", "18990101")])
def test_ofx_errors_name_the_same_line_either_way(old: str, new: str, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "\n".join(TRANSACTIONS).replace(old, new) + "\n"
    quick, full = _ofx_both(_OFX.format(body=body), monkeypatch)
    assert isinstance(quick, str) and quick == full and ", line " in quick


@pytest.mark.parametrize(("written", "raw"), [("007.50", "-7.50"), (".5", "-0.5"), ("0.00", "0.00"), ("١٢", "-12")])
def test_camt_raw_amount_is_the_decimal_as_python_writes_it(written: str, raw: str) -> None:
    entry = _ntry(f"{_DATES}<NtryDtls><TxDtls><RmtInf><Ustrd>x</Ustrd></RmtInf></TxDtls></NtryDtls>", written)
    (statement,) = read_bytes((_HEAD + entry + _TAIL).encode(), "s.xml", ReadOptions(format="camt")).statements
    assert f'"amount":"{raw}"' in statement.entries[0].tx.raw


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        (b"<Ntry><Ustrd>Why? Because! 10:30</Ustrd></Ntry>", True),
        (b"<Ntry><Ustrd>a &amp; b</Ustrd></Ntry>", False),
        (b"<Ntry><!-- note --></Ntry>", False),
        (b"<Ntry><Ustrd><![CDATA[x]]></Ustrd></Ntry>", False),
        (b"<Ntry><?saldo pi?></Ntry>", False),
        (b'<Ntry><x:Ustrd xmlns:x="urn:o">f</x:Ustrd></Ntry>', False),
        (b"<Ntry><x:Ustrd>f</x:Ustrd></Ntry>", False),
    ],
)
def test_camt_plain_runs_are_told_from_the_rest(run: bytes, expected: bool) -> None:
    assert camt.plain(run) is expected


@pytest.mark.parametrize(
    "leaves",
    [
        {"TRNTYPE": "DEBIT", "TRNAMT": "-1.50", "FITID": "F1", "NAME": "Café 100% Noir", "MEMO": "a%sb"},
        {"TRNAMT": "2.00", "NAME": 'Say "hi"', "MEMO": "back\\slash"},
        {"TRNAMT": "2.00", "MEMO": "tab\there"},
        {"TRNAMT": "3.00"},
        {"X%Y": "1", "TRNAMT": "4.00"},
        {'Q"': "1", "TRNAMT": "5.00"},
        {"zz": "lower", "TRNAMT": "6.00", "AA": ""},
    ],
)
def test_ofx_raw_record_is_flat_json_of_the_leaves(leaves: dict[str, str]) -> None:
    for _ in range(2):  # the first call makes the layout, the second fills it in
        assert ofx.raw_record(leaves) == flat_json({"format": "ofx", **leaves})
    assert json.loads(ofx.raw_record(leaves)) == {"format": "ofx", **leaves}


def test_ofx_raw_record_past_the_layout_limit_is_still_exact() -> None:
    for n in range(300):
        leaves = {f"K{n}": str(n), "TRNAMT": "1.00"}
        assert ofx.raw_record(leaves) == flat_json({"format": "ofx", **leaves})


@pytest.mark.parametrize(
    ("name", "memo", "description"),
    [
        ("Coop", "Payment 7", "Coop / Payment 7"),
        ("Coop", "Coop Amager 7", "Coop Amager 7"),  # the memo repeats the name: just the memo
        ("Coop", "", "Coop"),
        ("", "Payment 7", "Payment 7"),
        ("", "", ""),
    ],
)
def test_ofx_description_joins_name_and_memo(name: str, memo: str, description: str) -> None:
    leaves = "".join(f"<{tag}>{value}" for tag, value in (("NAME", name), ("MEMO", memo)) if value)
    data = (
        "OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM>"
        "<BANKID>B<ACCTID>1</BANKACCTFROM><BANKTRANLIST>\n<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250102"
        f"<TRNAMT>-1.00<FITID>F1{leaves}</STMTTRN>\n</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    ).encode()
    (entry,) = read_bytes(data, "s.ofx").statements[0].entries
    assert entry.tx.description == description
