"""Recognising a statement file's format from its first bytes."""

from __future__ import annotations

import re

FORMATS = ("ofx", "camt", "mt940", "qif", "csv")

_MT940 = re.compile(rb"^:(20|25|28C?|60F|61):", re.MULTILINE)


def detect(data: bytes) -> str | None:
    """ "ofx", "camt", "mt940", "qif", "csv", or None when the bytes look like none of them."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    upper = text.upper()
    if upper.startswith(b"OFXHEADER") or b"<OFX>" in upper or b"<?OFX" in upper:
        return "ofx"
    if text.startswith(b"<"):
        if re.search(rb"camt\.05[234]|BkToCstmr", text):
            return "camt"
        return None
    if text.startswith(b"{1:") or len(_MT940.findall(head)) >= 2:
        return "mt940"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = [line for line in lines if not line.startswith(b"#")]
    if body and body[0].upper().startswith((b"!TYPE", b"!ACCOUNT", b"!OPTION", b"!CLEAR")):
        return "qif"
    return "csv" if _tabular(lines[:50]) else None


def _tabular(lines: list[bytes]) -> bool:
    """Two or more lines split into the same number (>= 2) of fields by one separator."""
    for sep in (b";", b",", b"\t", b"|"):
        counts = [line.count(sep) for line in lines if sep in line]
        if any(counts.count(n) >= 2 for n in set(counts)):
            return True
    return False
