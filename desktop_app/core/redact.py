"""Keeping secrets out of logs, exception text and output.

Two layers: patterns that catch anything shaped like a credential (``Authorization:``
headers, ``code=``, ``access_token=`` and friends in URLs, bodies and JSON), and the live
secret values this application has handled (tokens, codes, client secrets, refreshed tokens
included), masked wherever they appear. The application object owns one ``Redactor``; the
vault feeds it every secret it reads or writes.
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


class Redactor:
    """Masks credential-shaped text and every secret registered with it."""

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str | None) -> None:
        """Remember a live secret (token, code, client secret) so it is masked wherever it shows."""
        if value and len(value) >= 6:
            with self._lock:
                self._known.add(value)

    def redact(self, text: str) -> str:
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        with self._lock:
            known = sorted(self._known, key=len, reverse=True)
        for value in known:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def install(self, logger: logging.Logger | None = None) -> None:
        """Attach a filter to every handler of `logger` (the root logger by default)."""
        target = logger or logging.getLogger()
        for handler in target.handlers:
            if not any(isinstance(f, RedactingFilter) and f.redactor is self for f in handler.filters):
                handler.addFilter(RedactingFilter(self))

    def uninstall(self, logger: logging.Logger | None = None) -> None:
        target = logger or logging.getLogger()
        for handler in target.handlers:
            for f in [f for f in handler.filters if isinstance(f, RedactingFilter) and f.redactor is self]:
                handler.removeFilter(f)


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites each record's final message with secrets masked."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = self.redactor.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        return True
