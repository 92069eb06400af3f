"""OFX and camt readers on small files written for these tests (see fixtures/)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from desktop_app.core.errors import StatementError, UnsupportedStatement
from desktop_app.core.imports.reader import ReadOptions, read_bytes, read_file
from desktop_app.core.models import TransactionStatus
from tests.imports.conftest import FIXTURES


def test_ofx_sgml_two_accounts_unclosed_leaves_and_zone_suffixes() -> None:
    parsed = read_file(FIXTURES / "sgml_bank.ofx")
    assert parsed.format == "ofx"
    checking, savings = parsed.statements
    assert (checking.account.account_id, checking.account.institution, checking.account.currency) == (
        "7788 99",
        "000111",
        "CAD",
    )
    assert checking.account.kind == "checking" and savings.account.kind == "savings"
    cafe, rent, salary = checking.entries
    assert cafe.tx.booking_date == date(2025, 2, 3)  # "[-5:EST]" suffix: the day as the bank wrote it
    assert cafe.tx.amount.amount == Decimal("-12.50")
    # NAME is cut short in OFX 1.x; a MEMO that continues it is the better description
    assert cafe.tx.description == "Corner Cafe & Bakery card 1234"
    assert cafe.tx.counterparty == "Corner Cafe & Bakery"
    assert rent.bank_ref == "A-2"
    assert salary.bank_ref is None  # an empty FITID is no id
    assert salary.tx.amount.amount == Decimal("1500.00")  # decimal comma in TRNAMT
    assert salary.tx.description == "Payroll Inc / February salary"
    assert checking.closing is not None and checking.closing.amount == Decimal("2387.50")
    assert checking.closing_available is not None and checking.closing_available.amount == Decimal("2300.00")
    assert [e.tx.amount.amount for e in savings.entries] == [Decimal("250.00")]


def test_ofx_v2_card_with_cdata_and_repeated_fitid() -> None:
    (card,) = read_file(FIXTURES / "xml_card.ofx").statements
    assert card.account.kind == "creditcard" and card.account.account_id == "4111000011112222"
    grocer, fee, reward = card.entries
    assert grocer.tx.counterparty == "Grocer <Main St>"
    assert grocer.bank_ref == fee.bank_ref == "CC-900"
    assert reward.tx.amount.amount == Decimal("5.00")
    assert card.closing is not None and card.closing.amount == Decimal("-38.36")


def test_ofx_without_header_and_with_lying_charset_is_read_as_utf8() -> None:
    body = (
        "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>9</BANKACCTFROM>"
        "<BANKTRANLIST><STMTTRN><DTPOSTED>20250101<TRNAMT>-1.00<FITID>x<NAME>Caf\u00e9 \u00a6 Bar</STMTTRN>"
        "<LEDGERBAL><BALAMT>5<DTASOF>20250101</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
    )
    data = b"OFXHEADER:100\nCHARSET:1252\n\n" + body.encode("utf-8")
    (statement,) = read_bytes(data, "lying.qfx").statements
    assert statement.entries[0].tx.description == "Caf\u00e9 \u00a6 Bar"
    # the unclosed BANKTRANLIST does not hide the balance after it
    assert statement.closing is not None and statement.closing.amount == Decimal(5)


def test_ofx_investment_statement_is_refused_not_imported_as_nothing() -> None:
    with pytest.raises(UnsupportedStatement, match="investment statement"):
        read_file(FIXTURES / "investment.ofx")


def test_ofx_with_entity_declarations_is_refused() -> None:
    with pytest.raises(StatementError, match=r"entities\.ofx: .*refused for safety"):
        read_file(FIXTURES / "entities.ofx")


def test_camt_v2_statements_balances_batch_pending_and_info() -> None:
    parsed = read_file(FIXTURES / "camt053_v2.xml")
    assert parsed.format == "camt"
    march, april = parsed.statements
    assert march.account.iban == "DE44500105175407324931" and march.account.institution == "TESTDEFFXXX"
    assert march.opening is not None and march.opening.amount == Decimal("1000.00")
    assert march.closing is not None and march.closing.amount == Decimal("1377.55")
    power, batch, books, pending = march.entries  # the INFO entry is not a transaction
    assert power.tx.amount.amount == Decimal("-42.45") and power.bank_ref == "REF-0001"
    assert power.tx.value_date == date(2025, 3, 4)
    assert power.tx.description == "Abschlag Strom März 2025"  # Ustrd split over two elements
    assert power.tx.counterparty == "Stadtwerke Beispiel"
    assert '"end_to_end":null' in power.tx.raw  # NOTPROVIDED is no reference
    # the record keeps what the row's columns do not, and repeats none of them
    assert json.loads(power.tx.raw) == {
        "amount": "-42.45",
        "code": "PMNT",
        "end_to_end": None,
        "format": "camt",
        "status": "BOOK",
    }
    assert batch.tx.amount.amount == Decimal("500.00")  # one booking, not three
    assert batch.tx.description == "batch of 3 payments / Sammelgutschrift"
    assert pending.tx.status is TransactionStatus.PENDING
    assert books.bank_ref == april.entries[0].bank_ref == "REF-0003"
    assert april.opening is not None and april.opening.amount == Decimal("1377.55")  # PRCD


def test_camt_v8_latin1_structured_status_datetime_and_foreign_balance() -> None:
    (statement,) = read_file(FIXTURES / "camt053_v8.xml").statements
    assert statement.account.account_id == "ACC-778899" and statement.account.currency == "CHF"
    (entry,) = statement.entries
    assert entry.tx.booking_date == date(2025, 4, 15)
    assert entry.tx.counterparty == "Zürcher Müller AG"  # ISO-8859-1, party wrapped in <Pty>
    assert "RF18539007547034" in entry.tx.description
    assert statement.opening is not None and statement.opening.amount == Decimal("-50.00")  # DBIT
    assert statement.closing is not None and statement.closing.amount == Decimal("20.00")  # the CHF one
    assert any("other currencies" in w for w in statement.warnings)


@pytest.mark.parametrize("name", ["camt_bomb.xml", "camt_xxe.xml"])
def test_camt_entity_bombs_and_external_entities_are_refused(name: str) -> None:
    with pytest.raises(StatementError, match="refused for safety"):
        read_file(FIXTURES / name)


def test_camt_truncated_file_names_the_line() -> None:
    data = (FIXTURES / "camt053_v2.xml").read_bytes()
    cut = data[: data.index(b"<Ntry>", data.index(b"REF-0003")) + 40]
    with pytest.raises(StatementError, match=r"cut\.xml(, line \d+)?: the XML is malformed"):
        read_bytes(cut, "cut.xml", ReadOptions(format="camt"))


def test_camt_too_many_decimals_and_unknown_currency() -> None:
    data = (FIXTURES / "camt053_v2.xml").read_bytes()
    with pytest.raises(StatementError, match="more decimals than EUR allows"):
        read_bytes(data.replace(b">42.45<", b">42.455<"), "x.xml")
    with pytest.raises(StatementError, match="unknown currency 'XXQ'"):
        read_bytes(data.replace(b'Ccy="EUR">42.45', b'Ccy="XXQ">42.45'), "x.xml")


def test_camt_date_out_of_range() -> None:
    data = (FIXTURES / "camt053_v2.xml").read_bytes().replace(b"2025-03-03", b"1899-03-03")
    with pytest.raises(StatementError, match="out of range"):
        read_bytes(data, "old.xml")
