"""The Demo Bank: a small bank on loopback, so Saldo can be tried with no bank at all.

It is the only simulator in the product. It serves plain OAuth 2.0 with PKCE, a consent page
(``resources/sandbox/consent.html``) and a data API (see ``wire.py``), from a deterministic
ledger. It keeps its state — the ledger's seed, the consents and the hashes of the tokens it
issued — in ``demo-bank.json`` in Saldo's data folder, so after a restart of the app (on any
port) the existing connection syncs again without a Reconnect. It serves no admin or fault
endpoints: those belong to the development simulator, ``saldo_sandbox``, which the bundle
leaves out. It shares no code with ``desktop_app.core``.

::

    with DemoBank(data_dir) as bank:      # or bank = DemoBank(data_dir); url = bank.start(); bank.stop()
        bank.url                          # "http://127.0.0.1:PORT"
"""

from desktop_app.demo_bank.server import DemoBank
from desktop_app.demo_bank.state import STATE_FILE, DemoBankError

__all__ = ["STATE_FILE", "DemoBank", "DemoBankError"]
