"""A first guess at a category from what the provider says about the merchant.

Card networks label every merchant with a four-digit merchant category code (ISO 18245); Enable
Banking passes it on as ``merchant_category_code`` and other providers use ``mcc``. Some
providers (Saldo's Demo Bank among them) send a category word instead. Either one maps here to
the code of one of Saldo's default categories. The guess is the weakest source there is: any
rule and any choice the person makes overrides it.

An exact code is checked before the ranges it falls in, because the ranges are coarse (the
whole 5000s are "retail", yet 5411 is plainly a supermarket).
"""

from __future__ import annotations

import functools
import json
from typing import Any

# Single codes, written as (first, last) spans, grouped by the category they suggest.
_EXACT: dict[str, tuple[tuple[int, int], ...]] = {
    "groceries": ((5411, 5411), (5422, 5422), (5441, 5441), (5451, 5451), (5462, 5462), (5499, 5499)),
    "eating_out": ((5811, 5814),),
    "transport": ((4111, 4121), (4131, 4131), (4784, 4784), (4789, 4789), (5541, 5542), (7512, 7519), (7523, 7523)),
    "travel": ((4411, 4411), (4511, 4511), (4722, 4722), (7011, 7011)),
    "housing": ((4900, 4900), (5200, 5200), (5211, 5211), (5231, 5231), (5251, 5251), (5712, 5719), (7349, 7349)),
    "telecom": ((4812, 4812), (4814, 4814), (4816, 4816), (4899, 4899)),
    "shopping": ((5732, 5735), (5940, 5941), (5944, 5949), (5999, 5999)),
    "subscriptions": ((5815, 5818), (5968, 5968)),
    "health": ((5912, 5912), (5975, 5976), (8011, 8099)),
    "personal_care": ((5977, 5977), (7230, 7230), (7297, 7298)),
    "entertainment": ((7832, 7832), (7841, 7841), (7922, 7994), (7996, 7999)),
    "education": ((5942, 5943), (8211, 8299)),
    "cash_fees": ((6010, 6012), (6051, 6051)),
    "financial": ((6211, 6211), (6300, 6300), (6540, 6540)),
    "government": ((9211, 9402),),
    "gifts": ((5992, 5992), (8398, 8398), (8661, 8661)),
    "pets": ((742, 742), (5995, 5995)),
    "transfers": ((4829, 4829), (6536, 6537)),
}
# Broad ranges, consulted only when no exact code matched. 7995 (betting) is left out on purpose.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (3000, 3999, "travel"),  # airline, car-rental and hotel brand codes
    (4000, 4799, "transport"),
    (4800, 4999, "housing"),  # utilities
    (5300, 5399, "shopping"),  # general merchandise
    (5600, 5699, "shopping"),  # clothing
    (8000, 8099, "health"),
    (9200, 9402, "government"),
)

# Category words providers send, lower-cased, with spaces and dashes as underscores.
_WORDS: dict[str, str] = {
    "groceries": "groceries",
    "grocery": "groceries",
    "grocery_store": "groceries",
    "supermarket": "groceries",
    "restaurant": "eating_out",
    "restaurants": "eating_out",
    "eating_out": "eating_out",
    "food_and_drink": "eating_out",
    "transport": "transport",
    "transportation": "transport",
    "fuel": "transport",
    "travel": "travel",
    "subscription": "subscriptions",
    "subscriptions": "subscriptions",
    "salary": "income",
    "income": "income",
    "rent": "housing",
    "housing": "housing",
    "utilities": "housing",
    "health": "health",
    "pharmacy": "health",
    "shopping": "shopping",
    "clothing": "shopping",
    "entertainment": "entertainment",
    "transfer": "transfers",
    "transfers": "transfers",
    "internal_transfer": "transfers",
    "fees": "cash_fees",
    "cash": "cash_fees",
}

_MCC_KEYS = ("merchant_category_code", "merchantCategoryCode", "mcc", "MerchantCategoryCode")
_CATEGORY_KEYS = ("category", "Category", "transactionCategory")


def category_for_mcc(code: int | str) -> str | None:
    """The default category code a merchant category code suggests, or None."""
    try:
        number = int(str(code).strip())
    except ValueError:
        return None
    for category, spans in _EXACT.items():
        if any(first <= number <= last for first, last in spans):
            return category
    for first, last, category in _RANGES:
        if first <= number <= last:
            return category
    return None


def category_for_word(word: str) -> str | None:
    """The default category code a provider's category word suggests, or None."""
    key = word.strip().lower().replace(" ", "_").replace("-", "_").replace("&", "and")
    return _WORDS.get(key)


def _hint_of(record: dict[str, Any]) -> tuple[str | None, str | None]:
    mcc = next((str(record[k]) for k in _MCC_KEYS if record.get(k) not in (None, "")), None)
    word: str | None = None
    for key in _CATEGORY_KEYS:
        value = record.get(key)
        if isinstance(value, dict):
            value = value.get("name") or value.get("id")
        if isinstance(value, str) and value:
            word = value
            break
    return mcc, word


def provider_hint(raw: str | None) -> tuple[str | None, str | None]:
    """(merchant category code, provider category word) found in a transaction's raw record."""
    if not raw:
        return None, None
    try:
        record: Any = json.loads(raw)
    except ValueError:
        return None, None
    if not isinstance(record, dict):
        return None, None
    return _hint_of(record)


def guess(raw: str | None) -> str | None:
    """The default category code for a raw record: its merchant code first, then its category word."""
    return _guess(*provider_hint(raw))


def _guess(mcc: str | None, word: str | None) -> str | None:
    found = category_for_mcc(mcc) if mcc else None
    if found is None and word:
        found = category_for_word(word)
    return found


# The hint fields of a raw record, picked out by SQLite's JSON functions (C speed: no Python
# parse of every record during sync) as one JSON array, in the order of _MCC_KEYS + _CATEGORY_KEYS.
HINTS_SQL = (
    "CASE WHEN json_valid(raw) THEN json_extract(raw, "
    + ", ".join(f"'$.{k}'" for k in (*_MCC_KEYS, *_CATEGORY_KEYS))
    + ") END"
)

# Whether a raw record can hold a hint at all, from its text: every hint key contains "ategory"
# or is "mcc" (a test checks). Cheap next to parsing the JSON, and most records (every statement
# file's) have neither, so their rows are not even written.
MAY_HINT_SQL = "(instr(raw, 'ategory') OR instr(raw, '\"mcc\"'))"


@functools.lru_cache(maxsize=4096)
def guess_from_hints(hints: str | None) -> str | None:
    """The default category code for the array HINTS_SQL picked out (the same few arrays repeat)."""
    if not hints:
        return None
    values = json.loads(hints)
    return _guess(*_hint_of(dict(zip((*_MCC_KEYS, *_CATEGORY_KEYS), values, strict=False))))
