"""MT940, QIF and CSV readers on small files written for these tests (see fixtures/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop_app.core.errors import StatementError
from desktop_app.core.imports.csvfile import PRESETS, CsvMapping
from desktop_app.core.imports.qif import AmbiguousDates
from desktop_app.core.imports.reader import ReadOptions, read_bytes, read_file
from desktop_app.core.imports.text import decode
from desktop_app.core.models import TransactionStatus
from tests.imports.conftest import FIXTURES

GERMAN_CSV = CsvMapping(
    date="Buchungstag",
    value_date="Wertstellung",
    amount="Betrag (EUR)",
    counterparty="Empfänger",
    description=("Verwendungszweck",),
    delimiter=";",
    encoding="cp1252",
    decimal=",",
    thousands=".",
    date_format="%d.%m.%Y",
    currency="EUR",
)
SPLIT_CSV = CsvMapping(
    date="Date",
    debit="Money out",
    credit="Money in",
    description=("Details",),
    balance="Balance",
    reference="Reference",
    currency="GBP",
    pending_marker="Pending transactions",
    booked_marker="Booked transactions",
)


def test_mt940_german_gvc_with_sepa_subfields_in_cp1252() -> None:
    (statement,) = read_file(FIXTURES / "german_gvc.sta").statements
    assert statement.account.account_id == "10020030/0123456789" and statement.account.currency == "EUR"
    club, salary, fee = statement.entries
    # SEPA tags spread over ?20-?23; SVWZ+ is the remittance text; ?32 the name; cp1252 umlauts
    assert club.tx.description == "Beitrag März Sportverein Grünwald"
    assert club.tx.counterparty == "Sportverein Grünwald e.V."
    assert '"86_eref":"ABC-2025-0003"' in club.tx.raw and '"86_mref":"M-77"' in club.tx.raw
    assert club.tx.amount.amount == Decimal("-45.00") and club.bank_ref is None  # NONREF
    assert salary.tx.amount.amount == Decimal("1000") and salary.bank_ref == "B-88812"  # amount "1000,"
    assert fee.tx.description == "NMSC"  # no :86: at all: the type code is all there is
    assert statement.opening is not None and statement.closing is not None
    assert statement.closing.amount - statement.opening.amount == sum(e.tx.amount.amount for e in statement.entries)


def test_mt940_dutch_two_messages_wrapped_midword_and_new_year() -> None:
    first, second = read_file(FIXTURES / "dutch_two_messages.sta").statements
    (shop,) = first.entries
    assert shop.tx.counterparty == "ALBERT HEIJN FILIAAL 1234"  # "FILIA" + "AL": no space added
    assert shop.tx.description == "BOODSCHAPPEN DECEMBER"
    assert shop.tx.value_date == date(2024, 12, 31) and shop.tx.booking_date == date(2025, 1, 2)
    lunch, free = second.entries
    assert (lunch.tx.counterparty, lunch.tx.description) == ("J. JANSEN", "Terugbetaling lunch")
    assert free.tx.description == "free text without any structure at all"
    assert second.opening is not None and second.opening.amount == Decimal("479.50")


def test_mt940_cp852_is_told_apart_from_cp1252() -> None:
    text = "Csoportos átutalás jóváírása"
    assert decode(text.encode("cp852")) == text
    assert decode("Begünstigter Gläubiger".encode("cp1252")) == "Begünstigter Gläubiger"


def test_mt940_bad_transaction_line_names_the_line() -> None:
    data = (FIXTURES / "german_gvc.sta").read_bytes().replace(b":61:2503050305CR1000,", b":61:25030X0305CR1000,")
    with pytest.raises(StatementError, match=r"bad\.sta, line 7: cannot read the transaction line"):
        read_bytes(data, "bad.sta")


def test_qif_ambiguous_dates_are_decided_by_the_person_once_per_file() -> None:
    with pytest.raises(AmbiguousDates, match="reads both as day/month and month/day"):
        read_file(FIXTURES / "ambiguous.qif", ReadOptions(currency="EUR"))
    day_first = read_file(FIXTURES / "ambiguous.qif", ReadOptions(currency="EUR", date_order="dmy"))
    month_first = read_file(FIXTURES / "ambiguous.qif", ReadOptions(currency="EUR", date_order="mdy"))
    assert [e.tx.booking_date for e in day_first.statements[0].entries] == [
        date(2025, 2, 1),
        date(2025, 4, 3),
        date(2025, 6, 5),  # "05/06'25": apostrophe year
    ]
    assert month_first.statements[0].entries[0].tx.booking_date == date(2025, 1, 2)
    amounts = [e.tx.amount.amount for e in day_first.statements[0].entries]
    assert amounts == [Decimal("-12.00"), Decimal("1250.00"), Decimal("-3.5")]


def test_qif_card_section_account_block_splits_and_investments() -> None:
    (card,) = read_file(FIXTURES / "dmy_card.qif", ReadOptions(currency="EUR")).statements
    assert card.account.account_id == "Household card" and card.account.kind == "ccard"
    gift, cafe = card.entries
    assert gift.tx.booking_date == date(2024, 12, 25)  # 25.12: day first is the only reading
    assert cafe.tx.amount.amount == Decimal("-10.00")  # the record total, not its splits
    assert card.warnings == ["an investment section was skipped"]


def test_qif_date_option_survives_a_later_autoswitch_option() -> None:
    data = b"!Option:MDY\n!Option:AutoSwitch\n!Account\nNGiro\n^\n!Clear:AutoSwitch\n"
    data += b"!Type:Bank \nD01.02.23\nT-5.00\nPShop\n^"
    (statement,) = read_bytes(data, "fm.qif", ReadOptions(currency="EUR")).statements
    assert statement.entries[0].tx.booking_date == date(2023, 1, 2)  # month first, as the option says
    assert statement.account.account_id == "Giro"


def test_qif_needs_a_currency() -> None:
    with pytest.raises(StatementError, match="QIF files name no currency"):
        read_file(FIXTURES / "dmy_card.qif")


def test_csv_cp1252_preamble_decimal_comma_and_summary_row() -> None:
    (statement,) = read_file(FIXTURES / "german_cp1252.csv", ReadOptions(csv_mapping=GERMAN_CSV)).statements
    rolls, salary, *more = statement.entries
    assert rolls.tx.counterparty == "Bäckerei Schön" and rolls.tx.description == "Brötchen"
    assert salary.tx.amount.amount == Decimal("2500.00") and salary.tx.value_date == date(2025, 3, 5)
    assert len(more) == 2 and statement.warnings == ["1 rows without a date were skipped (titles, totals)"]


def test_csv_bom_separate_columns_pending_section_reference_and_closing() -> None:
    (statement,) = read_file(FIXTURES / "debit_credit_bom.csv", ReadOptions(csv_mapping=SPLIT_CSV)).statements
    kiosk, rent, salary = statement.entries
    assert kiosk.tx.status is TransactionStatus.PENDING and kiosk.tx.amount.amount == Decimal("-1000.00")
    assert rent.tx.amount.amount == Decimal("-1200.00") and rent.bank_ref == "R-100"
    assert salary.tx.amount.amount == Decimal("5000.00")
    # newest first: the balance after the newest booked row is the closing balance
    assert statement.closing is not None and statement.closing.amount == Decimal("3800.00")


def test_csv_wrong_encoding_names_the_line() -> None:
    utf8 = CsvMapping.from_json(GERMAN_CSV.to_json().replace('"cp1252"', '"utf-8"'))
    with pytest.raises(StatementError, match=r"german_cp1252\.csv, line 6: the text is not valid utf-8"):
        read_file(FIXTURES / "german_cp1252.csv", ReadOptions(csv_mapping=utf8))


def test_csv_mapping_round_trips_and_presets_read_their_layout() -> None:
    assert CsvMapping.from_json(SPLIT_CSV.to_json()) == SPLIT_CSV
    with pytest.raises(StatementError, match="unknown CSV mapping fields: colour"):
        CsvMapping.from_json('{"date": "D", "colour": "red"}')
    ing = "\n".join(
        [
            '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";"Bedrag (EUR)";"Mededelingen"',
            '"20250102";"Bakker";"NL1";"NL2";"BA";"Af";"3,10";"pinbetaling"',
            '"20250103";"Werkgever";"NL1";"NL3";"GT";"Bij";"1.250,00";"salaris"',
        ]
    ).encode()
    out, into = read_bytes(ing, "ing.csv", ReadOptions(csv_mapping=PRESETS["ing-nl"])).statements[0].entries
    assert out.tx.amount.amount == Decimal("-3.10") and into.tx.amount.amount == Decimal("1250.00")


def test_csv_without_mapping_or_matching_header_is_refused() -> None:
    with pytest.raises(StatementError, match="needs a column mapping"):
        read_file(FIXTURES / "debit_credit_bom.csv")
    with pytest.raises(StatementError, match="no header row with the mapped columns"):
        read_file(FIXTURES / "debit_credit_bom.csv", ReadOptions(csv_mapping=GERMAN_CSV))
