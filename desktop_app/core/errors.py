"""Every error Saldo explains to a person, in one tree, each message written once.

A ``SaldoError``'s message is written for the user: plain sentences, never a secret, never a
traceback. The CLI prints it as one line; the GUI shows it with the next step to take.
Anything that is not a ``SaldoError`` is a bug in Saldo, not a problem of the environment
(the split qutebrowser draws between ``KnownError`` and ``BugError``).

    SaldoError
    ├── Cancelled                      the person stopped the work
    ├── MoneyError                     an amount or currency that cannot be exact
    ├── CredentialsNeeded              a provider needs its client id and secret first
    ├── UnknownProvider
    ├── TenantNeeded                   Aritma's sign-in addresses name a tenant
    ├── SetupTokenError                a SimpleFIN setup token that cannot be claimed
    ├── AppKeyError                    an Enable Banking application id or key that cannot be used
    ├── OAuthError                     signing in did not succeed (``code`` says how)
    │   ├── AccessDenied               the person or the bank declined
    │   ├── StateMismatch              a redirect of someone else's authorization
    │   ├── IssuerMismatch             a redirect from another authorization server (RFC 9207)
    │   ├── InvalidGrant               code or refresh token expired, used or revoked
    │   ├── InvalidClient              client id or secret refused
    │   ├── MalformedTokenResponse     the token endpoint sent something unreadable
    │   ├── ConsentTimeout / ConsentCancelled
    │   └── PortInUse                  the loopback port is taken
    ├── ProviderError                  talking to a provider's data API (``provider`` names it)
    │   ├── ConsentDenied
    │   ├── ReconsentNeeded            consent expired or revoked; data is kept
    │   ├── RateLimited
    │   ├── ProviderUnavailable        5xx, or not reachable at all (``unreachable``)
    │   ├── MalformedResponse
    │   └── RequestRejected
    ├── StatementError                 a statement file that cannot be read (file and line named)
    │   └── UnsupportedStatement       a kind Saldo does not import (an investment statement)
    ├── VaultError / VaultUnavailable  the keyring
    └── StoreError                     the cache
        ├── CorruptDatabaseError / DatabaseTooNewError / ForeignDatabaseError
        ├── ReadOnlyDatabaseError / CacheLockedError (an encrypted cache the key at hand cannot open)
        └── DiskFullError
"""

from __future__ import annotations


class SaldoError(Exception):
    """An error with a message fit to show to the user."""


class Cancelled(SaldoError):
    """The caller cancelled the work."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class MoneyError(SaldoError, ValueError):
    """An amount or currency that cannot be represented exactly."""


class CredentialsNeeded(SaldoError):
    """The provider needs the client id and secret from its developer portal."""

    @classmethod
    def for_provider(cls, provider: str) -> CredentialsNeeded:
        return cls(f"{provider} needs the client id and secret from its developer portal; enter them first.")


class UnknownProvider(SaldoError):
    """No provider has this id."""


class TenantNeeded(SaldoError):
    """The provider's sign-in addresses name the customer's tenant (Aritma), and none (or a bad one) was given."""

    @classmethod
    def for_provider(cls, provider: str) -> TenantNeeded:
        return cls(f"{provider} needs your organisation's tenant name; give it with --tenant (or in the wizard).")


class SetupTokenError(SaldoError):
    """A SimpleFIN setup token that is malformed, unknown or already claimed. Nothing was stored."""

    @classmethod
    def malformed(cls) -> SetupTokenError:
        return cls(
            "That is not a SimpleFIN setup token: copy the whole token SimpleFIN Bridge showed you "
            "(a long line of letters and digits)."
        )

    @classmethod
    def already_claimed(cls) -> SetupTokenError:
        return cls(
            "SimpleFIN Bridge refused this setup token: it is unknown or was already claimed. If you did not "
            "claim it yourself, someone else may have it: disable it in SimpleFIN Bridge and make a new one."
        )


class AppKeyError(SaldoError):
    """The Enable Banking application id or private key cannot be used. Nothing was stored."""

    @classmethod
    def unreadable(cls) -> AppKeyError:
        return cls(
            "That file is not an RSA private key in PEM form: use the .pem file Enable Banking's control panel "
            "gave you when you registered your application."
        )

    @classmethod
    def missing(cls) -> AppKeyError:
        return cls(
            "Enable Banking needs your application id and private key first: give them with "
            "--app-id ID --key-file FILE.pem (or in the wizard)."
        )


# -- signing in ------------------------------------------------------------------------------


class OAuthError(SaldoError):
    """The authorization did not succeed. ``code`` is the OAuth error code or Saldo's own."""

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class AccessDenied(OAuthError):
    """The person (or the provider) declined access."""


class StateMismatch(OAuthError):
    """A redirect arrived that does not belong to this authorization: it is ignored."""


class IssuerMismatch(StateMismatch):
    """The redirect names another authorization server than the one asked (RFC 9207)."""


class InvalidGrant(OAuthError):
    """The code or refresh token is expired, used or revoked."""

    @classmethod
    def for_provider(cls, provider: str, code: str = "invalid_grant") -> InvalidGrant:
        return cls(
            f"{provider} no longer accepts this sign-in (it expired, was used already or was revoked). "
            "Connect again to continue.",
            code,
        )


class InvalidClient(OAuthError):
    """The provider does not accept this client id / secret."""

    @classmethod
    def for_provider(cls, provider: str, code: str = "invalid_client") -> InvalidClient:
        return cls(
            f"{provider} did not accept Saldo's client id or secret. Check the credentials from the "
            "provider's developer portal.",
            code,
        )


class MalformedTokenResponse(OAuthError):
    """The token endpoint answered, but not with a token Saldo can read. Nothing was replaced."""

    @classmethod
    def for_provider(cls, provider: str, status: int) -> MalformedTokenResponse:
        return cls(
            f"{provider} answered the sign-in request (HTTP {status}) with something that is not a token; "
            "Saldo kept the sign-in it had. Try again later.",
            "malformed",
        )


class ConsentTimeout(OAuthError):
    """Nobody came back from the browser in time."""


class ConsentCancelled(OAuthError):
    """The person cancelled while Saldo was waiting."""


class PortInUse(OAuthError):
    """The loopback port the provider requires is taken by another program."""


# -- provider data APIs ----------------------------------------------------------------------


class ProviderError(SaldoError):
    """Something went wrong talking to a provider. `provider` is its display name."""

    def __init__(self, message: str, provider: str = "") -> None:
        super().__init__(message)
        self.provider = provider


class ConsentDenied(ProviderError):
    """The person (or their bank) declined access."""


class ReconsentNeeded(ProviderError):
    """The consent expired or was revoked: the person must approve access again. Data is kept."""

    @classmethod
    def for_provider(cls, provider: str) -> ReconsentNeeded:
        return cls(
            f"{provider} no longer accepts Saldo's access: the consent expired or was revoked. "
            "Reconnect to continue; your data is kept.",
            provider,
        )


class RateLimited(ProviderError):
    """The provider refuses more requests for now."""

    def __init__(self, message: str, provider: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, provider)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The provider kept failing (HTTP 5xx) or could not be reached at all (`unreachable`)."""

    def __init__(self, message: str, provider: str = "", unreachable: bool = False) -> None:
        super().__init__(message, provider)
        self.unreachable = unreachable


class MalformedResponse(ProviderError):
    """The provider answered with something Saldo cannot read."""


class RequestRejected(ProviderError):
    """The provider rejected the request itself (a 4xx other than auth and rate limits)."""


# -- the keyring -----------------------------------------------------------------------------


class VaultUnavailable(SaldoError):
    """No keyring can hold Saldo's secrets on this machine."""


class VaultError(SaldoError):
    """The keyring failed while reading or writing a secret."""


# -- the cache -------------------------------------------------------------------------------


class StoreError(SaldoError):
    """The cache could not be read or written."""


class CorruptDatabaseError(StoreError):
    """The file is not a readable Saldo database. It has been left untouched."""


class DatabaseTooNewError(StoreError):
    """The database was written by a newer Saldo than this one."""


class DiskFullError(StoreError):
    """The disk (or the database's size limit) is full; the step was rolled back."""


class NotFound(StoreError):
    """A connection, account or transaction that the cache does not hold."""


class ForeignDatabaseError(StoreError):
    """The file is a database, but not Saldo's. It has been left untouched."""


class ReadOnlyDatabaseError(StoreError):
    """The database file cannot be written (its permissions say read-only)."""


class CacheLockedError(StoreError):
    """The cache is encrypted and the key at hand does not open it (or there is none)."""


# -- statement files -------------------------------------------------------------------


class StatementError(SaldoError):
    """A statement file Saldo cannot read; the message names the file and, where useful, the line."""

    def __init__(self, reason: str, *, file: str | None = None, line: int | None = None) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        super().__init__(self._text())

    def _text(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}, line {self.line}" if where else f"line {self.line}"
        return f"{where}: {self.reason}" if where else self.reason

    def located(self, file: str) -> StatementError:
        """The same error naming `file` (readers know lines; the caller knows the file name)."""
        return type(self)(self.reason, file=self.file or file, line=self.line)


class UnsupportedStatement(StatementError):
    """A file of a known kind that Saldo deliberately does not import (an investment statement)."""


# -- categories, rules, budgets, accounts the person shapes, exchange rates -----------


class AccountError(SaldoError):
    """An account that does not exist or cannot be shaped this way."""


class BudgetError(SaldoError):
    """A budget that cannot be set as given."""


class RatesError(SaldoError):
    """The exchange rates could not be fetched or read; the cached ones are still used."""


class CategoryError(SaldoError):
    """A category that does not exist, clashes with another, or cannot be used this way."""


class RuleError(SaldoError):
    """A rule that cannot work as written."""


class TransferError(SaldoError):
    """A transfer mark that cannot be made."""


class ManualEntryError(AccountError):
    """A hand-entered transaction that cannot be stored as given."""


class ExportError(SaldoError):
    """An export file that could not be written (full disk, no permission); nothing half-written is left."""

    @classmethod
    def writing(cls, path: object, exc: OSError) -> ExportError:
        return cls(f"Could not write {path}: {exc.strerror or exc}. Nothing was left under that name.")
