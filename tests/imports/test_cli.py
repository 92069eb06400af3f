"""`saldo import` end to end through the CLI entry point, on a real cache file."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.commands.common import open_store
from tests.imports.conftest import FIXTURES


def _count(data_dir: Path, table: str = "transactions") -> int:
    path = data_dir / "saldo.db"
    if not path.exists():
        return -1
    # opened the way the command under test opens it (the same keyring or passphrase)
    with open_store(argparse.Namespace(data_dir=str(data_dir))) as store:
        return int(store._read(f"SELECT count(*) FROM {table}")[0][0])


def test_import_prints_format_account_and_counts(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["import", "--data-dir", str(data_dir), str(FIXTURES / "sgml_bank.ofx"), str(FIXTURES / "german_gvc.sta")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "sgml_bank.ofx: OFX" in out and "german_gvc.sta: MT940" in out
    assert "account 1 '000111 7788 99' (new): added 3, already present 0" in out
    assert main(args) == 0
    assert "added 0, already present 3" in capsys.readouterr().out
    assert _count(data_dir) == 7


def test_dry_run_writes_nothing_not_even_the_database(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--data-dir", str(data_dir), "--dry-run", str(FIXTURES / "camt053_v2.xml")]) == 0
    assert "[dry run] camt053_v2.xml: camt (ISO 20022)" in capsys.readouterr().out
    assert not (data_dir / "saldo.db").exists()
    main(["import", "--data-dir", str(data_dir), str(FIXTURES / "sgml_bank.ofx")])
    before = (data_dir / "saldo.db").stat().st_size, _count(data_dir)
    assert main(["import", "--data-dir", str(data_dir), "--dry-run", str(FIXTURES / "camt053_v2.xml")]) == 0
    assert _count(data_dir) == before[1] and _count(data_dir, "accounts") == 2


def test_qif_and_csv_options(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qif = str(FIXTURES / "ambiguous.qif")
    base = ["import", "--data-dir", str(data_dir), "--new-account", "Cash", "--currency", "eur"]
    assert main([*base, qif]) == 1
    assert "choose the order (--date-order dmy or mdy)" in capsys.readouterr().err
    assert main([*base, "--date-order", "dmy", qif]) == 0
    assert "account 1 'Cash' (new): added 3" in capsys.readouterr().out
    assert main(["import", "--data-dir", str(data_dir), "--new-account", "X", str(qif)]) == 2
    assert main([*base[:-1], "XQZ", qif]) == 2
    assert "unknown currency 'XQZ'" in capsys.readouterr().err
    assert main(["import", "--data-dir", str(data_dir), "--account", "1", "--csv-mapping", "nope", qif]) == 1
    assert "no CSV mapping 'nope'" in capsys.readouterr().err


BAD_INPUTS = {
    "truncated.xml": (
        (FIXTURES / "camt053_v2.xml").read_bytes()[:1500],
        r"truncated\.xml(, line \d+)?: the XML is malformed",
    ),
    "wrong-encoding.csv": (None, r"wrong-encoding\.csv, line 6: the text is not valid utf-8"),
    "junk.bin": (bytes(range(256)) * 64, r"junk\.bin: this is not a statement file \(it contains binary data\)"),
    "bomb.xml": ((FIXTURES / "camt_bomb.xml").read_bytes(), r"bomb\.xml: the XML declares a DTD"),
    "xxe.xml": ((FIXTURES / "camt_xxe.xml").read_bytes(), r"xxe\.xml: the XML declares a DTD"),
    "currency.ofx": (
        (FIXTURES / "sgml_bank.ofx")
        .read_bytes()
        .replace(
            b"<CURDEF>CAD\n<BANKACCTFROM><BANKID>000111<ACCTID>5555",
            b"<CURDEF>QQQ\n<BANKACCTFROM><BANKID>000111<ACCTID>5555",
        ),
        r"currency\.ofx, line \d+: unknown currency 'QQQ'",
    ),
    "decimals.sta": (
        (FIXTURES / "german_gvc.sta").read_bytes().replace(b"D9,99NMSC", b"D9,999NMSC"),
        r"decimals\.sta, line 9: -9\.999 has more decimals than EUR allows",
    ),
    "old.ofx": (
        (FIXTURES / "xml_card.ofx").read_bytes().replace(b"20250320", b"18990320"),
        r"old\.ofx(, line \d+)?: date 1899-03-20 is out of range",
    ),
    "unknown.txt": (b"Dear customer,\nyour statement is attached.\n", r"unknown\.txt: unknown statement format"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_naming_the_file_and_writes_nothing(
    name: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, pattern = BAD_INPUTS[name]
    path = tmp_path / name
    if data is None:  # a cp1252 CSV read with a mapping that says UTF-8
        path.write_bytes((FIXTURES / "german_cp1252.csv").read_bytes())
        mapping = tmp_path / "utf8.json"
        mapping.write_text(
            '{"date": "Buchungstag", "amount": "Betrag (EUR)", "delimiter": ";", "encoding": "utf-8",'
            ' "decimal": ",", "date_format": "%d.%m.%Y", "currency": "EUR"}'
        )
        extra = ["--csv-mapping", str(mapping), "--new-account", "Giro", "--currency", "EUR"]
    else:
        path.write_bytes(data)
        extra = []
    main(["import", "--data-dir", str(data_dir), str(FIXTURES / "sgml_bank.ofx")])
    capsys.readouterr()
    assert main(["import", "--data-dir", str(data_dir), *extra, str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("saldo: "), err
    assert re.search(pattern, err), err
    assert _count(data_dir) == 4 and _count(data_dir, "accounts") == 2  # only the good file's rows


def test_a_file_too_large_is_refused_before_reading(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.ofx"
    with huge.open("wb") as handle:  # sparse: 2 GiB on paper, nothing on disk
        handle.truncate(2 * 1024**3)
    assert main(["import", "--data-dir", str(data_dir), str(huge)]) == 1
    err = capsys.readouterr().err
    assert "huge.ofx: the file is too large for a statement (2,048 MB; the limit is 256 MB)" in err
