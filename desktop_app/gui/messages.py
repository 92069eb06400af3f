"""What went wrong while connecting, in plain words with the next step (the wizard's pages)."""

from __future__ import annotations

from desktop_app.core.errors import AccessDenied, ConsentTimeout, InvalidGrant, SaldoError


def explain(exc: BaseException, provider: str) -> str:
    """Every failure in plain words, with the next step."""
    if isinstance(exc, AccessDenied):
        return f"{provider} declined access — try again or choose another provider."
    if isinstance(exc, ConsentTimeout):
        return f"No answer from {provider} in time. Try again, or paste the address your browser ended on."
    if isinstance(exc, InvalidGrant):
        return f"{provider} did not accept the approval (it may have taken too long). Please try again."
    if isinstance(exc, SaldoError):
        return str(exc)
    return f"Something went wrong while connecting to {provider} ({type(exc).__name__}). Please try again."
