"""Deciding every enabled rule for one transaction at a time, fast enough for a million rows.

SQLite calls the matcher once per row, inside the UPDATE that writes the outcomes (see
``rules_engine``). Rows repeat a lot: the same
counterparty and the same description come back month after month, so verdicts are cached per
distinct text. A row whose possible rules depend only on its two texts gets its outcome from
one dictionary look-up on the (counterparty, description) pair; the rest (rules on sign,
amount, account or the bank's codes) are decided row by row. The caches are bounded: a cache
full of one-off descriptions is emptied and starts again rather than growing without end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from desktop_app.core import mcc
from desktop_app.core.money import CURRENCY_EXPONENTS
from desktop_app.core.rules import Rule

CACHE_LIMIT = 200_000  # distinct texts (or pairs) remembered at once, about 40 MB at most
_ROW_BOUND = object()  # the pair cache's "not cached": decide this row on its own

Outcome = tuple[Any, ...]  # (category (rule id, category id) | None, rename | None, transfer, tag ids)


def _raw_hint(raw: str | None) -> tuple[int | None, str | None]:
    code, word = mcc.provider_hint(raw)
    number = int(code) if code and code.isdigit() else None
    return number, word.casefold() if word else None


def _contains(needle: str | None) -> Callable[[str | None], bool]:
    if needle is None:
        return lambda _value: True
    folded = needle.casefold()
    return lambda value: value is not None and folded in value.casefold()


def _minor_bound(amount: Decimal, currency_exponent: int, low: bool) -> int:
    scaled = amount.scaleb(currency_exponent)
    return int(scaled.to_integral_value(rounding=ROUND_CEILING if low else ROUND_FLOOR))


def _bounded_get(cache: dict[Any, int], key: Any, compute: Callable[[], int]) -> int:
    found = cache.get(key)
    if found is None:
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        found = cache[key] = compute()
    return found


class Matcher:
    """Decides every rule for one row; ``outcomes`` maps the small integers it returns back to
    what the rules decided (None: no rule matches)."""

    def __init__(self, active: Sequence[Rule], tag_ids: dict[str, int]) -> None:
        self.rules = list(active)
        self.tag_ids = tag_ids
        self._party = [_contains(r.conditions.counterparty) for r in self.rules]
        self._text = [_contains(r.conditions.description) for r in self.rules]
        self._regex = [
            re.compile(r.conditions.description_regex) if r.conditions.description_regex else None for r in self.rules
        ]
        self._party_masks: dict[str | None, int] = {}
        self._text_masks: dict[str | None, int] = {}
        self._limits: dict[tuple[int, str], tuple[int | None, int | None]] = {}
        self.needs_raw = any(r.conditions.mcc or r.conditions.provider_category for r in self.rules)
        # rules whose verdict depends on more than the two texts
        self._row_bound = sum(
            1 << n
            for n, r in enumerate(self.rules)
            if r.conditions.sign
            or r.conditions.amount_min is not None
            or r.conditions.amount_max is not None
            or r.conditions.account_ids is not None
            or r.conditions.mcc
            or r.conditions.provider_category
        )
        self._by_candidates: dict[int, int | None] = {}
        self._by_pair: dict[tuple[str | None, str | None], int | None] = {}
        self._ids: dict[Outcome, int] = {}
        self.outcomes: list[Outcome] = []
        self._tagged: set[int] = set()  # outcomes that add tags
        self.tagged_hits: list[tuple[int, int]] = []  # (transaction id, outcome) of rows that get tags

    def sql_function(self) -> Callable[..., int | None]:
        """The function SQLite calls per row: (id, counterparty, description, amount_minor,
        currency, account_id[, raw]) -> outcome number or None. A closure over locals: the per-row
        cost is one tuple and one dictionary look-up for most rows. Rows whose outcome adds tags
        are noted in ``tagged_hits`` (the caller empties it before each statement)."""
        get = self._by_pair.get
        slow = self._by_row
        tagged = self._tagged
        hits = self.tagged_hits

        def saldo_rules(
            tx_id: int,
            party: str | None,
            text: str | None,
            minor: int,
            currency: str,
            account: int,
            raw: str | None = None,
        ) -> int | None:
            found = get((party, text), _ROW_BOUND)
            if found is _ROW_BOUND:
                found = slow(party, text, minor, currency, account, raw)
            if found in tagged:
                hits.append((tx_id, found))
            return found  # type: ignore[return-value]

        return saldo_rules

    def _by_row(
        self, party: str | None, text: str | None, minor: int, currency: str, account: int, raw: str | None
    ) -> int | None:
        candidates = _bounded_get(self._party_masks, party, lambda: self._party_mask(party)) & _bounded_get(
            self._text_masks, text, lambda: self._text_mask(text)
        )
        if candidates & self._row_bound:
            return self._decide(candidates, minor, currency, account, raw)
        if candidates in self._by_candidates:
            found = self._by_candidates[candidates]
        else:
            found = self._by_candidates[candidates] = self._decide(candidates, minor, currency, account, raw)
        if len(self._by_pair) >= CACHE_LIMIT:
            self._by_pair.clear()
        self._by_pair[(party, text)] = found
        return found

    def _party_mask(self, value: str | None) -> int:
        return sum(1 << n for n, test in enumerate(self._party) if test(value))

    def _text_mask(self, value: str | None) -> int:
        mask = 0
        for n, (test, regex) in enumerate(zip(self._text, self._regex, strict=True)):
            if test(value) and (regex is None or (value is not None and regex.search(value))):
                mask |= 1 << n
        return mask

    def _amount_ok(self, n: int, minor: int, currency: str) -> bool:
        limits = self._limits.get((n, currency))
        if limits is None:
            c = self.rules[n].conditions
            e = CURRENCY_EXPONENTS.get(currency, 2)
            limits = (
                _minor_bound(c.amount_min, e, True) if c.amount_min is not None else None,
                _minor_bound(c.amount_max, e, False) if c.amount_max is not None else None,
            )
            self._limits[(n, currency)] = limits
        size = abs(minor)
        return (limits[0] is None or size >= limits[0]) and (limits[1] is None or size <= limits[1])

    def _row_ok(self, n: int, minor: int, currency: str, account: int, raw: str | None) -> bool:
        c = self.rules[n].conditions
        if c.sign is not None and (minor > 0) != (c.sign == "in"):
            return False
        if (c.amount_min is not None or c.amount_max is not None) and not self._amount_ok(n, minor, currency):
            return False
        if c.account_ids is not None and account not in c.account_ids:
            return False
        if c.mcc or c.provider_category:
            code, word = _raw_hint(raw)
            span = c.mcc_range()
            if span is not None and (code is None or not span[0] <= code <= span[1]):
                return False
            if c.provider_category is not None and word != c.provider_category.casefold():
                return False
        return True

    def _decide(self, candidates: int, minor: int, currency: str, account: int, raw: str | None) -> int | None:
        category: tuple[int, int] | None = None
        rename: str | None = None
        transfer = False
        tags: set[int] = set()
        while candidates:
            low = candidates & -candidates
            candidates ^= low
            n = low.bit_length() - 1
            actions = self.rules[n].actions
            if not self._row_ok(n, minor, currency, account, raw):
                continue
            if category is None and actions.category_id is not None:
                category = (self.rules[n].id or 0, actions.category_id)
            if rename is None and actions.rename:
                rename = actions.rename
            transfer = transfer or actions.transfer
            if actions.tag:
                tags.add(self.tag_ids[actions.tag.casefold()])
        if category is None and rename is None and not transfer and not tags:
            return None
        key = (category, rename, transfer, tuple(sorted(tags)))
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self.outcomes)
            self.outcomes.append(key)
            if tags:
                self._tagged.add(found)
        return found
