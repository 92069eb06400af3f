"""Keeping secrets out of logs, exception text and output.

Two layers: patterns that catch anything shaped like a credential (``Authorization:``
headers, ``code=``, ``access_token=`` and friends in URLs, bodies and JSON), and a registry
of the live secret values this process has handled, masked wherever they appear.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[redacted]"
_FIELDS = r"(?:access_token|refresh_token|id_token|code|code_verifier|client_secret|password|token)"
_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*)(?:bearer|basic)?\s*[^\s,;\"']+"),
    re.compile(rf"(?i)([?&\s]{_FIELDS}=)[^&\s\"']+"),
    re.compile(rf"(?i)(\"{_FIELDS}\"\s*:\s*\")[^\"]*"),
    re.compile(rf"(?i)('{_FIELDS}'\s*:\s*')[^']*"),
]
_known: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a live secret (token, code, client secret) so it is masked wherever it shows."""
    if value and len(value) >= 6:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record's final message with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
