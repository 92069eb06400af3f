"""How long a consent has left, and the sentence that warns about it."""

from __future__ import annotations

from datetime import UTC, datetime

from desktop_app.core.models import Connection, ConnectionStatus


def _utcnow() -> datetime:
    return datetime.now(UTC)


def consent_days_left(connection: Connection, now: datetime | None = None) -> int | None:
    """Whole days until the consent lapses (negative once lapsed); None when it does not lapse."""
    if connection.consent_expires_at is None:
        return None
    left = connection.consent_expires_at - (now or _utcnow())
    return left.days


def consent_warning(connection: Connection, now: datetime | None = None, ahead_days: int = 7) -> str | None:
    """A plain sentence when the consent has lapsed or lapses within `ahead_days`."""
    if connection.status is ConnectionStatus.NEEDS_RECONSENT:
        return "Access was revoked or expired; reconnect to sync again."
    days = consent_days_left(connection, now)
    if days is None:
        return None
    if days < 0:
        return "Consent has expired; reconnect to sync again."
    if days < ahead_days:
        return "Consent expires today." if days == 0 else f"Consent expires in {days} day{'s' * (days != 1)}."
    return None
