"""Statement import figures: a 100k-entry camt.053 and OFX file, end to end, and a re-import."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.figures import Figure, at_least, at_most, run_child

_PARTIES = ("Coop", "Netto", "Rejsekort", "Landlord ApS", "ACME A/S", "Café Noir", "Wolt", "IKEA")


def _entries(count: int) -> list[tuple[date, str, str, str]]:
    start = date(2020, 1, 1)
    rows = []
    for i in range(count):
        cents = (i * 7919) % 250_000 + 1
        amount = f"{'-' if i % 5 else ''}{cents // 100}.{cents % 100:02d}"
        rows.append((start + timedelta(days=i * 2000 // count), amount, _PARTIES[i % len(_PARTIES)], f"R{i:08d}"))
    return rows


def write_camt(path: Path, count: int) -> Path:
    """A camt.053.001.02 statement with `count` booked entries, references and remittance text."""
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
            "<BkToCstmrStmt><GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2025-01-01T00:00:00</CreDtTm></GrpHdr><Stmt>"
            "<Id>S1</Id><Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        )
        for day, amount, party, ref in _entries(count):
            sign, value = ("DBIT", amount[1:]) if amount.startswith("-") else ("CRDT", amount)
            role = "Cdtr" if sign == "DBIT" else "Dbtr"
            out.write(
                f'<Ntry><Amt Ccy="EUR">{value}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Sts>BOOK</Sts>'
                f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
                "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>AUTT</SubFmlyCd></Fmly></Domn></BkTxCd>"
                f"<NtryDtls><TxDtls><Refs><EndToEndId>E{ref}</EndToEndId></Refs><RltdPties><{role}><Nm>{party}</Nm>"
                f"</{role}></RltdPties><RmtInf><Ustrd>Payment {ref} {party}</Ustrd></RmtInf></TxDtls></NtryDtls>"
                "</Ntry>\n"
            )
        out.write("</Stmt></BkToCstmrStmt></Document>\n")
    return path


def write_ofx(path: Path, count: int) -> Path:
    """An OFX 1.02 (SGML) bank statement with `count` entries."""
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>"
            "<CURDEF>EUR<BANKACCTFROM><BANKID>BENCH<ACCTID>100000<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST>\n"
        )
        for day, amount, party, ref in _entries(count):
            out.write(
                f"<STMTTRN><TRNTYPE>OTHER<DTPOSTED>{day:%Y%m%d}120000[+1:CET]<TRNAMT>{amount}<FITID>{ref}"
                f"<NAME>{party}<MEMO>Payment {ref}</STMTTRN>\n"
            )
        out.write("</BANKTRANLIST><LEDGERBAL><BALAMT>0.00<DTASOF>20250101</LEDGERBAL></STMTRS></STMTTRNRS>")
        out.write("</BANKMSGSRSV1></OFX>\n")
    return path


def run(entries: int = 100_000) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="saldo-bench-import-") as tmp:
        folder = Path(tmp)
        print(f"import: writing {entries:,}-entry camt.053 and OFX files…", flush=True)
        for kind, writer in (("camt.053", write_camt), ("OFX", write_ofx)):
            path = writer(folder / f"statement.{kind.lower()}", entries)
            data_dir = folder / kind
            data_dir.mkdir()
            data = run_child("bench.import_child", str(path), str(data_dir))
            first, again, copy = data["initial"], data["again"], data["copy"]
            size = path.stat().st_size / 2**20
            helper = first["helper_cpu_seconds"]
            note = (
                f"{first['added']:,} added in {first['seconds']:.2f} s ({first['cpu_seconds']:.2f} s CPU"
                + (f" + {helper:.2f} s in the XML check's helper" if helper else "")
                + f"), {size:.0f} MB file, encrypted cache"
            )
            figures.append(
                at_least(
                    "import",
                    f"{kind} import of {entries:,} entries, end to end",
                    first["added"] / first["seconds"],
                    "tx/s",
                    50_000,
                    note,
                )
            )
            if kind == "camt.053":
                figures.append(
                    at_most(
                        "import",
                        f"peak RSS importing the {kind} file",
                        data["rss_mb"] + data["helper_rss_mb"],
                        "MB",
                        250,
                        f"the importing process {data['rss_mb']:.0f} MB + the XML check's helper "
                        f"{data['helper_rss_mb']:.0f} MB",
                    )
                )
            figures.append(
                at_most(
                    "import",
                    f"re-import of the same {kind} file",
                    again["seconds"],
                    "s",
                    1.0,
                    f"{again['added']} added, {again['present']:,} already present; recognised by SHA-256",
                )
            )
            stall = data["stall"]
            figures.append(
                at_most(
                    "import",
                    f"longest stall of the window's thread while the {kind} file imports",
                    stall["max_gap_ms"],
                    "ms",
                    50.0,
                    f"a 5 ms timer on another thread, {stall['ticks']:,.0f} ticks; the import runs on a worker",
                )
            )
            figures.append(
                at_most(
                    "import",
                    f"re-import of an edited copy of the {kind} file (every entry matched)",
                    copy["seconds"],
                    "s",
                    10.0,
                    f"{copy['added']} added, {copy['present']:,} already present",
                )
            )
    return figures
