"""Reading a statement file's bytes and text safely: size cap, binary junk, encodings.

Banks write statements in UTF-8, cp1252, Latin-1, DOS code pages (CP852 in Hungary) and
UTF-16, and a header's CHARSET is not to be trusted (a Chase QFX says 1252 over UTF-8).
So: a byte-order mark wins; then strict UTF-8; then the declared encoding; then whichever of
cp1252 and CP852 reads as more plausible text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from desktop_app.core.errors import StatementError

# Personal statements are kilobytes to a few megabytes; 100k entries of camt.053 are ~150 MB.
MAX_FILE_BYTES = 256 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing a file too large to be a statement before reading it."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise StatementError(
                f"the file is too large for a statement ({size / 2**20:,.0f} MB; the limit is {limit // 2**20} MB)",
                file=path.name,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise StatementError(f"cannot read the file: {exc.strerror or exc}", file=path.name) from None
    if not data or data.isspace():  # (strip() would copy a large file once more)
        raise StatementError("the file is empty", file=path.name)
    return data


def looks_binary(data: bytes) -> bool:
    """True for data no statement format produces (NUL bytes outside UTF-16, control junk)."""
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 100 + 2


def decode(data: bytes, declared: str | None = None, *, file: str | None = None) -> str:
    """Decode statement bytes to text (see the module docstring for the order of guesses)."""
    if looks_binary(data):
        raise StatementError("this is not a statement file (it contains binary data)", file=file)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _bad_bytes(data, exc, codec, file) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    named = _codec(declared)
    if named is not None and named not in ("utf-8", "ascii"):
        try:
            return data.decode(named)
        except UnicodeDecodeError as exc:
            raise _bad_bytes(data, exc, named, file) from None
    return best_single_byte(data)


def decode_as(data: bytes, encoding: str, *, file: str | None = None) -> str:
    """Decode with an encoding the person chose; a wrong choice is reported with its line."""
    codec = _codec(encoding)
    if codec is None:
        raise StatementError(f"unknown encoding {encoding!r}", file=file)
    if looks_binary(data) and not codec.startswith("utf-16"):
        raise StatementError("this is not a statement file (it contains binary data)", file=file)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _bad_bytes(data, exc, codec, file) from None


def best_single_byte(data: bytes) -> str:
    """cp1252 unless CP852 reads as clearly more plausible text (DOS Central European exports)."""
    western = data.decode("cp1252", errors="replace")
    dos = data.decode("cp852")
    return dos if _plausibility(dos) > _plausibility(western) else western


def _plausibility(text: str) -> int:
    """Score non-ASCII letters that sit naturally in words; symbols and mid-word capitals cost."""
    score = 0
    for i, ch in enumerate(text):
        if ord(ch) < 128:
            continue
        prev = text[i - 1] if i else " "
        if not ch.isalpha() or (prev.isalpha() and prev.islower() and ch.isupper()):
            score -= 1
        else:
            score += 1
    return score


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    cleaned = name.strip().strip("\"'").lower()
    aliases = {"1252": "cp1252", "windows-1252": "cp1252", "none": "", "usascii": "ascii", "us-ascii": "ascii"}
    cleaned = aliases.get(cleaned, cleaned)
    if not cleaned:
        return None
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def _bad_bytes(data: bytes, exc: UnicodeDecodeError, codec: str, file: str | None) -> StatementError:
    line = data.count(b"\n", 0, exc.start) + 1
    return StatementError(f"the text is not valid {codec} (wrong encoding?)", file=file, line=line)


def check_text(text: str, file: str | None = None) -> None:
    """Refuse decoded text with control characters that no statement contains."""
    found = _CONTROL.search(text[:65536])
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise StatementError("the file contains control characters; is it a statement?", file=file, line=line)
