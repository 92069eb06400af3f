"""Development simulator of every provider Saldo talks to, and the Demo Bank, with faults and admin.

Written from the provider documents on its own, sharing no code with ``desktop_app.core``, so a
misreading of the docs cannot hide on both sides of a test. Standard library only (plus the
product Demo Bank's ledger and wire shapes). One ``ThreadingHTTPServer`` on 127.0.0.1 serves
every provider under its own prefix; ``routes.py`` maps each request to one module per provider.
It is a development package: tests, benchmarks and ``saldo sandbox`` in a checkout use it; the
bundle leaves it out. The product's own Demo Bank is :mod:`desktop_app.demo_bank`.

In-process use (the GUI, tests, benchmarks)
-------------------------------------------
::

    from saldo_sandbox import Sandbox

    with Sandbox(seed=1, transactions=2000) as sandbox:   # or sb = Sandbox(...); url = sb.start(); sb.stop()
        sandbox.url                          # "http://127.0.0.1:PORT" (ephemeral port unless port=N)
        sandbox.endpoint("aiia", "token")    # absolute URL; which = authorize | token | api
        sandbox.auto_approve = True          # authorize redirects straight back with a code
        sandbox.advance(seconds=61)          # sandbox clock (codes age, tokens expire, pending books)
        sandbox.revoke("tatrabanka")         # every token of those consents now gets 401
        sandbox.expire("aiia")               # consents lapse (401, refresh gives invalid_grant)
        sandbox.ground_truth("aiia")         # what the bank holds now (format below)
        sandbox.admin("faults", rate=0.2)    # any admin endpoint, POSTed over real HTTP
        sandbox.clients["aiia"]              # Client(client_id, client_secret, redirects)

``Sandbox(seed=1, transactions=2000, auto_approve=False, fail_rate=0.0, latency_ms=0, port=0,
clock=None)``: `transactions` is the Demo Bank's history size (each other provider gets a fifth);
`clock` returns epoch seconds (default ``time.time``) — fix it and the same seed gives the very
same data. Ledgers are generated on first use and stored column-wise (1M movements ≈ 2 s, 35 MB);
pages are materialised one at a time. ``sandbox.state`` is the live :class:`SandboxState`.

Standalone, from a checkout's development install: ``saldo sandbox [--port N] [--seed N]
[--transactions N] [--auto-approve] [--fail-rate R] [--latency-ms N] [--dump]`` prints ``sandbox:
http://127.0.0.1:PORT`` first on stdout and serves until SIGINT/SIGTERM; ``--dump`` prints
``{provider: ground truth}`` and exits.

Registered test clients
-----------------------
Per provider ``P``: ``client_id = "P-client"``, ``client_secret = "P-secret"`` (the Demo Bank is a
public client: ``demo-client``, no secret). Registered redirects, http, any port (RFC 8252
loopback rule): ``http://127.0.0.1/callback/P``, ``http://[::1]/callback/P``,
``http://localhost/callback/P``; Aiia also ``http://127.0.0.1/aiia/*`` and
``http://localhost/aiia/*`` (wildcard path). Everything else must match exactly (scheme, host,
port, path, query); fragments never.

Rules every provider enforces
-----------------------------
Codes are single-use and live 60 s; PKCE S256 is verified whenever a ``code_challenge`` was sent
(``plain`` is refused); ``state`` is echoed exactly, and only when sent; unknown ``client_id`` or
unregistered redirect is an error page (never a redirect); access tokens expire; refresh tokens
rotate (the old one is then ``invalid_grant``); a revoked or expired consent answers 401 on every
data call. Redirect-back errors are ``error=…&error_description=…&state=…``.

Providers (prefix, then the provider's own documented paths)
-------------------------------------------------------------
``/demo`` — Demo Bank, plain OAuth 2.0 + PKCE (S256 required), public client.
  ``GET /demo/oauth/authorize`` (client_id, redirect_uri, response_type=code, code_challenge,
  code_challenge_method=S256, state, scope optional) → 302; ``POST /demo/oauth/token`` form
  (client_id, grant_type, code, redirect_uri, code_verifier | refresh_token) → ``{access_token,
  token_type, expires_in: 3600, refresh_token, scope}``; ``POST /demo/oauth/revoke`` form token.
  Data: ``GET /demo/api/accounts`` → ``{"accounts": [{id, name, iban, currency, owner, balances:
  {booked, available, asOf}}]}``; ``GET /demo/api/accounts/{id}/transactions?from=&to=&cursor=&limit=``
  (limit clamped to 1..1000) → ``{"transactions": [{id, status: booked|pending, bookingDate,
  valueDate, amount, currency, description, counterparty, category}], "nextCursor": str|null}``.
  Amounts are decimal strings. A pending movement keeps its id when it books. Errors ``{error, message}``.

``/aiia`` — Aiia Connect Flow and One Time Flow.
  ``GET /aiia/v1/oauth/connect`` (client_id, redirect_uri, response_type=code, scope default
  ``accounts offline_access``, state, accountsGroupName/accountsGroupId) → **302**; with
  ``scope=accounts`` alone (one-time) → **301**. The redirect back carries ``code`` (not URL
  safe: contains ``+ / = %``, sent percent-encoded; decode once), ``state`` and ``consentId``.
  ``POST /aiia/v1/oauth/token``: HTTP Basic client auth (``client_id:client_secret`` as issued,
  never form-encoded), **JSON** body ``{grant_type, code, redirect_uri}`` or
  ``{grant_type: refresh_token, refresh_token}`` (a form body gets 415) →
  ``{access_token, expires_in: 3600, refresh_token, token_type: "bearer", redirect_uri,
  consentId, scope}``; one-time too (both tokens, as the seed shows; the refresh token works
  only inside the one-time window), and 24 h after consent every call and every refresh fails.
  Data: ``GET /aiia/v1/accounts``, ``GET /aiia/v1/accounts/{id}``,
  ``GET /aiia/v1/accounts/{id}/transactions?pageSize=1..1000&pagingToken=`` →
  ``{"pagingToken": opaque|null, "transactions": [{id, accountId, date, text, originalText,
  transactionAmount: {value, currency}, state: Booked|Reserved, type, detail, isDeleted}]}``.
  Amounts are exact JSON numbers. A Reserved movement that books comes back under a new id
  (``{id}-B``). Errors ``{errorType, errorMessage}`` (token endpoint ``{error, errorMessage}``).

``/aritma`` — Aritma ID (IdentityServer style), any tenant segment.
  ``GET /aritma/{tenant}/connect/authorize`` (client_id, redirect_uri, response_type=code, scope,
  state, code_challenge/S256, nonce, ``prompt`` none|login|consent|select_account, ``acr_values``;
  ``mfa`` needs ``prompt=login``; ``prompt=none`` → ``error=login_required``).
  ``POST /aritma/{tenant}/connect/token`` (also ``/aritma/connect/token``): form with
  ``client_id`` + ``client_secret`` in the body (client_secret_post; Basic is refused) and
  ``code_verifier`` → ``{access_token, token_type, expires_in: 86400, scope, refresh_token only
  with offline_access, id_token (unsigned, alg none) only with openid}``.
  Data, Berlin-Group-like banking API (string amounts): ``GET /aritma/api/accounts``,
  ``/aritma/api/accounts/{id}/balances``, ``/aritma/api/accounts/{id}/transactions?dateFrom=&dateTo=
  &bookingStatus=`` → ``{"transactions": {booked, pending, _links: {next: {href}}}}`` with
  ``unstructuredRemittanceInformation``, paged by an opaque ``cursor`` in ``_links.next``.
  Bank Service v3 (PascalCase, JSON **number** amounts; paths partly inferred):
  ``GET /aritma/api/v3/companies``, ``/aritma/api/v3/accounts/{companyId}``,
  ``/aritma/api/v3/statements/{companyId}?accountNo=&fromDate=&toDate=&take=&skip=`` (fromDate and
  toDate together) → ``{"Statements": [{StatementId, Amount, BookingDate, ...}], "Total"}``.
  Needs scope ``banking.ais.read`` or ``bankservice`` (else 403). Errors: problem details.

``/connectpay`` — ConnectPay PSD2 auth code.
  ``GET /connectpay/auth/v1/oauth2/authorize`` (path inferred) with client_id,
  ``flowId=GetPSD2AuthCode`` (``flowid`` accepted), ``nonce`` (GUIDv4, single use), ``scope``
  (``psd2-ais``/``psd2-pis``; anything else is a mix → 400 ``invalid_scope``), state,
  ``redirect_url`` (no query part) and response_type=code → **301** to consent, where the person
  picks a Customer (``c1`` personal, ``c2`` company) and which scopes to grant. Callback:
  ``code, state, flowId`` or ``error=access_denied, state, flowId`` when every scope is denied.
  ``POST /connectpay/auth/v1/oauth2/token``: Basic + form (grant_type, code | refresh_token) +
  ``X-Request-ID`` header → ``{token_type, access_token, refresh_token, expires_in: 3600,
  client_customer_name (masked), scope, refresh_token_expires_in: "2592000"}`` (a string);
  both tokens rotate; the refresh token lives 30 days. ``POST /connectpay/auth/v1/oauth2/revoke``
  (inferred) form refresh_token. A token is per PSU (Person + Customer): it sees only that
  Customer's accounts. Data (NextGenPSD2, ``X-Request-ID`` required, 403 without psd2-ais):
  ``GET /connectpay/v1/accounts[?withBalance=true]``, ``/v1/accounts/{id}``,
  ``/v1/accounts/{id}/balances``, ``/v1/accounts/{id}/transactions?bookingStatus=booked|pending|both
  &dateFrom=&dateTo=&page=`` (100 a page, follow ``_links.next``), string amounts,
  ``remittanceInformationUnstructured``; pending entries have no transactionId. Errors
  ``{"tppMessages": [{category, code, text}]}``.

``/tatrabanka`` — Tatra banka Accounts API ("bank-ais-oauth-v2"). Response field names are not
  public: the shapes here are this simulator's inference.
  ``GET /tatrabanka/auth/oauth/v2/authorize`` (client_id, redirect_uri, response_type=code,
  scope ``AISP``, state) → 302; ``POST /tatrabanka/auth/oauth/v2/token``: Basic + form
  (redirect_uri must match) → ``{access_token, token_type, expires_in: 7776000 (90 days),
  refresh_token, scope}``. Every API call needs ``Authorization: Bearer`` and ``Request-ID``.
  ``GET /tatrabanka/api/v1/accounts?page=&pageSize=&order=`` → ``{page, pageSize, pageCount,
  accounts: [{iban, currency, name}]}``; ``POST /tatrabanka/api/v1/accounts/information``
  ``{"iban"}`` → ``{iban, currency, name, ownerName, balances: [{type: InterimBooked|InterimAvailable,
  amount: {value: "12.30", currency}}]}``; ``POST /tatrabanka/api/v1/accounts/transactions``
  ``{"iban", "status": ALL|BOOK|INFO, "page" 1..99999999, "pageSize" 10|20|…|100, "dateFrom",
  "dateTo"}`` → ``{page, pageSize, pageCount, transactions: [{transactionId, status: BOOK|INFO,
  bookingDate, valueDate, amount: {value, currency}, creditDebitIndicator, remittanceInformation,
  counterpartyName}]}``. Any other pageSize → 400. Errors ``{error, error_description}``.

The consent page (acting as the browser)
----------------------------------------
Unless auto-approve is on, the authorize endpoint redirects (302; 301 for Aiia one-time and
ConnectPay) to ``http://127.0.0.1:PORT/{provider}/consent?request_id=…``: plain HTML from
``resources/sandbox/consent.html``, no JavaScript, one ``<form method="post"
action="/{provider}/consent">`` with fields:

* ``request_id`` (hidden) — required;
* ``account`` (checkboxes, all ticked; value = account id) — the accounts to share;
* ``customer`` (ConnectPay radio, ``c1`` ticked or ``c2``) — only that Customer's ticked accounts count;
* ``scope`` (ConnectPay checkboxes, the requested scopes, all ticked) — the scopes to grant;
* ``decision`` — the submit buttons, ``approve`` or ``deny``.

POST it form-encoded; the answer is a 302 to the client's redirect with the code (or with
``error=access_denied`` on deny, with no account, or — ConnectPay — with no scope). A request id
works once and for 15 minutes.

``/simplefin`` — SimpleFIN Bridge (see ``saldo_sandbox.simplefin``): ``POST /simplefin/create`` makes
  a setup token; ``POST /simplefin/claim/{id}`` answers the access URL once (then 403);
  ``GET /simplefin/bridge/accounts`` with Basic auth, ``start-date``/``end-date``/``pending``; ranges
  over 90 days cut with a warning in ``errors``; warnings past 24 requests a day, 403 past 96.

``/enablebanking`` — Enable Banking (see ``saldo_sandbox.enablebanking``): RS256 JWT checked with
  the registered application's public key (``state.enablebanking.apps``); ``/application``,
  ``/aspsps``, ``/auth`` (exact https redirect match), ``/sessions``, ``/accounts/{uid}/…`` with
  continuation keys; references that change at booking, positional ones on the second account.

Admin (loopback clients only; JSON in, JSON out; 400 ``{error, error_description}`` on bad input)
-------------------------------------------------------------------------------------------------
* ``GET /_admin/truth/{provider}[?customer=c2]`` — the ground truth (below).
* ``GET /_admin/state`` — ``{now, today, seed, auto_approve, faults, consents: [{consent_id,
  provider, customer, accounts, scopes, one_time, revoked, expired}]}``.
* ``POST /_admin/revoke {"provider"?, "consent_id"?}`` and ``POST /_admin/expire {…}`` →
  ``{ok, count}``; no filter means every consent.
* ``POST /_admin/advance {"seconds"?, "days"?}`` → ``{ok, now}``.
* ``POST /_admin/transactions {"provider", "amount": "-12.30", "account"? (id or IBAN),
  "customer"?, "description"?, "counterparty"?, "pending"? (books the next day), "date"?}`` →
  ``{ok, transaction: {id, booked_id, account, date, amount, currency, books_on}}``.
* ``POST /_admin/faults {"rate": 0..1, "kinds": [...], "queue": [...], "retry_after": s,
  "slow_ms": ms, "latency_ms": ms, "where": ["api", "token"]}`` — kinds ``500 502 503 504 429
  reset truncated slow``: 5xx JSON errors, 429 with ``Retry-After``, a TCP reset, the real body
  cut in half (200), a delayed answer. ``queue`` forces those faults on the next calls in order,
  each on exactly one answer (a cut answer leaves later ones on the same keep-alive connection whole);
  ``rate`` picks at random (seeded). Every POST replaces all fault settings (``{}`` clears them).
* ``POST /_admin/settings {"auto_approve": bool}``.

Ground truth
------------
``{"provider", "customer", "now", "today", "accounts": [{"id", "name", "iban", "currency",
"owner", "customer", "booked_balance", "available_balance", "transactions": [{"id", "status":
booked|pending, "date", "books_on", "amount", "currency", "description", "counterparty"}]}]}``,
oldest first, amounts as decimal strings, ids exactly as that provider shows them now (Aiia's
booked ids end in ``-B``; ConnectPay's pending ones are null). ConnectPay's truth is per
Customer (default ``c1``). Booked balance excludes pending movements; available includes them.
"""

from saldo_sandbox.app import Sandbox
from saldo_sandbox.state import PROVIDERS, Client, registered_clients

__all__ = ["PROVIDERS", "Client", "Sandbox", "registered_clients"]
