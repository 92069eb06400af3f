"""Deterministic synthetic banking data for a European household: the Demo Bank's ledger.

A bank holds its own accounts (EUR, DKK, NOK, SEK). The person gets a salary and pays rent,
groceries, transport, subscriptions and card payments, and moves money between their own
accounts, over several years. Card-type movements of the last few days are pending and book a
day or three later. The same seed always gives the same ledger. The development simulator
(``saldo_sandbox``) builds its providers' ledgers with this module too, from its own account tables.

A million movements must fit, so an account's history is stored column-wise in ``array``s
(about 25 bytes a movement) and turned into :class:`Tx` objects only for the page being served.
Amounts are integer minor units throughout; :meth:`Tx.amount` gives the exact ``Decimal``.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

CURRENCY_DECIMALS = {"EUR": 2, "DKK": 2, "NOK": 2, "SEK": 2, "USD": 2}
# Rough size of a euro in each currency, so a Danish grocery bill looks Danish.
CURRENCY_SCALE = {"EUR": 1, "DKK": 7, "NOK": 11, "SEK": 11, "USD": 1}

# (kind, counterparties, typical amount in euro)
SPENDING = (
    ("Groceries", ("Netto", "Rema 1000", "Lidl", "ICA Maxi", "Coop", "Albert Heijn"), 45),
    ("Transport", ("DSB", "Rejsekort", "Ruter", "SL", "Shell", "Circle K"), 20),
    ("Card payment", ("IKEA", "Zalando", "Apotek 1", "Café Noir", "Wolt", "Elgiganten"), 60),
)
# (name, price in euro cents, day of month)
SUBSCRIPTIONS = (("Spotify", 1099, 3), ("Netflix", 1399, 5), ("Mobile plan", 1900, 7), ("Gym membership", 2900, 9))
PENDING_DAYS = 3  # card-type movements this recent are still pending ...
MAX_BOOKING_LAG = 3  # ... and book within this many days of their date

# Customers of a provider (ConnectPay lets the person choose one; others only have "c1").
CUSTOMERS = {"c1": "Alex Jensen (personal)", "c2": "Jensen Design UAB (company)"}


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    name: str
    currency: str
    iban: str
    owner: str = "Alex Jensen"
    customer: str = "c1"


@dataclass(frozen=True, slots=True)
class Tx:
    """One movement. ``books_on`` is set when it is (or was) pending: it books on that day."""

    id: str
    account_id: str
    day: date
    minor: int
    currency: str
    description: str
    counterparty: str
    books_on: date | None = None
    kind: str = "other"

    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-CURRENCY_DECIMALS[self.currency])

    def pending_at(self, today: date) -> bool:
        return self.books_on is not None and today < self.books_on


class History:
    """One account's movements, oldest first, column-wise. Positions are stable once added."""

    def __init__(self, account: Account, id_prefix: str) -> None:
        self.account = account
        self.id_prefix = id_prefix
        self.days = array("i")  # date ordinals, never decreasing
        self.minor = array("q")
        self.books = array("i")  # ordinal of the booking day, 0 = booked on its day
        self.text = array("H")  # index into Ledger.texts
        self.seq = array("I")  # makes the id
        self.texts: list[tuple[str, str, str]] = []
        self.max_lag = 0

    def __len__(self) -> int:
        return len(self.days)

    def add(self, day: int, minor: int, text: int, seq: int, books: int = 0) -> None:
        """Append, or insert in day order (the admin may add into the past)."""
        if not self.days or day >= self.days[-1]:
            at = len(self.days)
            self.days.append(day)
            self.minor.append(minor)
            self.books.append(books)
            self.text.append(text)
            self.seq.append(seq)
        else:
            at = bisect_right(self.days, day)
            for column, value in ((self.days, day), (self.minor, minor), (self.books, books)):
                column.insert(at, value)
            self.text.insert(at, text)
            self.seq.insert(at, seq)
        if books:
            self.max_lag = max(self.max_lag, books - day)

    def tx_id(self, seq: int) -> str:
        return f"{self.id_prefix}{seq:08d}"

    def tx(self, i: int) -> Tx:
        description, counterparty, kind = self.texts[self.text[i]]
        books = self.books[i]
        return Tx(
            self.tx_id(self.seq[i]),
            self.account.id,
            date.fromordinal(self.days[i]),
            self.minor[i],
            self.account.currency,
            description,
            counterparty,
            date.fromordinal(books) if books else None,
            kind,
        )

    def upto(self, today: date) -> int:
        """How many movements are dated today or earlier."""
        return bisect_right(self.days, today.toordinal())

    def window(self, since: date | None, until: date | None) -> tuple[int, int]:
        lo = bisect_left(self.days, since.toordinal()) if since else 0
        hi = bisect_right(self.days, until.toordinal()) if until else len(self.days)
        return lo, max(lo, hi)

    def pending(self, today: date, lo: int, hi: int) -> list[int]:
        """Positions in [lo, hi) still pending on `today`. Only recent rows can be, so scan back."""
        t = today.toordinal()
        oldest = t - self.max_lag
        found = []
        i = hi - 1
        while i >= lo and self.days[i] >= oldest:
            if self.books[i] > t:
                found.append(i)
            i -= 1
        found.reverse()
        return found

    def balance(self, today: date, opening: int, include_pending: bool = False) -> int:
        hi = self.upto(today)
        total = opening + sum(self.minor[:hi])
        if not include_pending:
            total -= sum(self.minor[i] for i in self.pending(today, 0, hi))
        return total


@dataclass
class View:
    """Some of a history's rows, in order, materialised a page at a time.

    Either the range [lo, hi) less the sorted positions in `skip`, or exactly the positions in `only`.
    """

    history: History
    lo: int
    hi: int
    skip: list[int] = field(default_factory=list)
    only: list[int] | None = None

    def __len__(self) -> int:
        if self.only is not None:
            return len(self.only)
        return self.hi - self.lo - len(self.skip)

    def positions(self, start: int, size: int) -> list[int]:
        if self.only is not None:
            return self.only[start : start + size]
        if start >= len(self):
            return []
        # The smallest position p with exactly `start` kept rows before it (a fixed point).
        p = self.lo + start
        while True:
            nxt = self.lo + start + bisect_right(self.skip, p)
            if nxt == p:
                break
            p = nxt
        out: list[int] = []
        k = bisect_left(self.skip, p)
        while p < self.hi and len(out) < size:
            if k < len(self.skip) and self.skip[k] == p:
                k += 1
            else:
                out.append(p)
            p += 1
        return out

    def page(self, start: int, size: int) -> list[Tx]:
        return [self.history.tx(i) for i in self.positions(start, size)]

    def __iter__(self) -> Iterator[Tx]:
        step = 10_000
        for start in range(0, len(self), step):
            yield from self.page(start, step)


@dataclass
class Ledger:
    provider: str
    accounts: list[Account]
    histories: dict[str, History]
    opening: dict[str, int]  # opening balance, minor units
    texts: list[tuple[str, str, str]] = field(default_factory=list)
    _text_index: dict[tuple[str, str, str], int] = field(default_factory=dict)
    next_seq: int = 0

    def text(self, description: str, counterparty: str, kind: str) -> int:
        key = (description, counterparty, kind)
        found = self._text_index.get(key)
        if found is None:
            found = self._text_index[key] = len(self.texts)
            self.texts.append(key)
        return found

    def account(self, account_id: str) -> Account:
        return next(a for a in self.accounts if a.id == account_id)

    def view(
        self, account_id: str, today: date, since: date | None = None, until: date | None = None, status: str = "all"
    ) -> View:
        """The account's movements up to today (and within the dates), filtered by `status`.

        `status` is ``all``, ``booked`` or ``pending``. Found by bisection, never a full scan.
        """
        history = self.histories[account_id]
        last = min(until, today) if until else today
        lo, hi = history.window(since, last)
        if status == "all":
            return View(history, lo, hi)
        pending = history.pending(today, lo, hi)
        if status == "pending":
            return View(history, lo, hi, only=pending)
        return View(history, lo, hi, skip=pending)

    def balance(self, account_id: str, today: date, include_pending: bool = False) -> int:
        return self.histories[account_id].balance(today, self.opening[account_id], include_pending)

    def count(self) -> int:
        return sum(len(h) for h in self.histories.values())

    def add(
        self,
        account_id: str,
        day: date,
        minor: int,
        description: str,
        counterparty: str,
        books_on: date | None = None,
        kind: str = "other",
    ) -> Tx:
        history = self.histories[account_id]
        self.next_seq += 1
        seq = self.next_seq
        history.add(
            day.toordinal(),
            minor,
            self.text(description, counterparty, kind),
            seq,
            books_on.toordinal() if books_on else 0,
        )
        return Tx(
            history.tx_id(seq),
            account_id,
            day,
            minor,
            history.account.currency,
            description,
            counterparty,
            books_on,
            kind,
        )


# (name, currency, customer) of each account; the first is the everyday account, then savings, then a card
AccountTable = Sequence[tuple[str, str, str]]
DEMO_ACCOUNTS: AccountTable = (
    ("Everyday account", "EUR", "c1"),
    ("Savings", "EUR", "c1"),
    ("Travel card", "SEK", "c1"),
)


def generate(
    provider: str,
    seed: int,
    transactions: int,
    today: date,
    years: int = 3,
    *,
    accounts: AccountTable = DEMO_ACCOUNTS,
    iban_prefix: str = "NL",
    pending_from: date | None = None,
) -> Ledger:
    """A ledger of about `transactions` movements ending at `today`, the same for the same arguments.

    Card-type movements dated `pending_from` or later book a few days after their date (by default
    only those of the last days, so they are pending on `today`). A ledger that ends in the future
    with an earlier `pending_from` keeps producing pending movements as the real days pass.
    """
    rng = random.Random(f"{provider}:{seed}")
    short = provider[:2]
    made = [
        Account(
            id=f"{short}{seed % 97:02d}{i}{rng.randrange(10**8):08d}",
            name=name,
            currency=currency,
            iban=f"{iban_prefix}{rng.randrange(10, 99)}{rng.randrange(10**14, 10**15)}",
            owner="Jensen Design UAB" if customer == "c2" else "Alex Jensen",
            customer=customer,
        )
        for i, (name, currency, customer) in enumerate(accounts)
    ]
    ledger = Ledger(
        provider,
        made,
        {a.id: History(a, f"{short}tx{seed}-") for a in made},
        {a.id: rng.randrange(500, 5000) * 1000 * CURRENCY_SCALE[a.currency] for a in made},
    )
    groups: dict[str, list[Account]] = {}
    for a in made:
        ledger.histories[a.id].texts = ledger.texts  # one shared text table
        groups.setdefault(a.customer, []).append(a)
    first_pending = (pending_from or today - timedelta(days=PENDING_DAYS - 1)).toordinal()
    for members in groups.values():
        share = transactions * len(members) // len(made)
        _household(ledger, members, rng, share, today, years, first_pending)
    return ledger


def _household(
    ledger: Ledger,
    accounts: list[Account],
    rng: random.Random,
    budget: int,
    today: date,
    years: int,
    first_pending: int,
) -> None:
    """One customer's movements: `accounts[0]` is the everyday account, [1] savings, [-1] a card."""
    start = (today - timedelta(days=365 * years)).toordinal()
    end = today.toordinal()
    days = end - start + 1
    main = accounts[0]
    savings = accounts[1] if len(accounts) > 1 and accounts[1].currency == main.currency else None
    card = accounts[-1] if len(accounts) > 2 else None
    histories = ledger.histories
    fixed_per_month = 2 + len(SUBSCRIPTIONS) + (2 if savings else 0)
    per_day = max((budget - fixed_per_month * days / 30.4) / days, 0.01)
    text = ledger.text

    def add(account: Account, day: int, minor: int, t: int, card_like: bool) -> None:
        ledger.next_seq += 1
        books = day + rng.randint(1, MAX_BOOKING_LAG) if card_like and day >= first_pending else 0
        histories[account.id].add(day, minor, t, ledger.next_seq, books)

    scale = CURRENCY_SCALE[main.currency]
    # Income keeps pace with the spending, so balances stay plausible at any volume.
    spent_monthly = int(per_day * 30.4 * 50 * (0.85 if card else 1.0)) * 100
    salary = text("Salary", "ACME A/S", "salary")
    rent = text("Rent", "Landlord ApS", "housing")
    subscriptions = [(text(name, name, "subscription"), price, dom) for name, price, dom in SUBSCRIPTIONS]
    if savings is not None:
        to_savings = text("Transfer to savings", savings.name, "transfer")
        from_main = text("Transfer from everyday", main.name, "transfer")
    spending = [
        [(text(f"{kind} {party}", party, kind.lower().replace(" ", "_")), typical) for party in parties]
        for kind, parties, typical in SPENDING
    ]
    for day in range(start, end + 1):
        dom = date.fromordinal(day).day
        if dom == 25:
            add(main, day, (rng.randrange(2800, 3400) * 100 + spent_monthly) * scale, salary, False)
        if dom == 1:
            add(main, day, -rng.randrange(900, 1300) * 100 * scale, rent, False)
            if savings is not None:
                moved = rng.randrange(20, 60) * 1000 * scale
                add(main, day, -moved, to_savings, False)
                add(savings, day, moved, from_main, False)
        for t, price, on in subscriptions:
            if dom == on:
                add(main, day, -price * scale, t, True)
        n = int(per_day) + (1 if rng.random() < per_day - int(per_day) else 0)
        if day == end:
            n = max(n, 1)  # something is always pending
        for _ in range(n):
            choices = spending[rng.randrange(len(spending))]
            t, typical = choices[rng.randrange(len(choices))]
            cents = max(100, int(rng.lognormvariate(0, 0.6) * typical * 100)) * scale
            account = card if card is not None and rng.random() < 0.15 else main
            add(account, day, -cents, t, True)
