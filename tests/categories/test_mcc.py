"""The provider's merchant code or category word as the first guess."""

from __future__ import annotations

import json
import sqlite3

import pytest

from desktop_app.core import mcc


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (5411, "groceries"),  # an exact code
        ("5812", "eating_out"),
        (5311, "shopping"),  # only the range knows it
        (3058, "travel"),  # an airline brand code
        (4829, "transfers"),  # exact beats the 4800-4999 utilities range
        (7995, None),  # betting: deliberately no guess
        ("742", "pets"),
        ("abcd", None),
        (1234, None),
    ],
)
def test_merchant_codes(code: int | str, expected: str | None) -> None:
    assert mcc.category_for_mcc(code) == expected


def test_words_and_raw_records_agree_between_python_and_sqlite() -> None:
    conn = sqlite3.connect(":memory:")
    cases = {
        '{"merchant_category_code": "5411", "category": "Restaurant"}': "groceries",  # the code comes first
        '{"mcc": 9999, "category": "Food & drink"}': "eating_out",  # unknown code: the word decides
        '{"category": {"name": "Grocery store"}}': "groceries",
        '{"transactionCategory": "salary"}': "income",
        '{"category": "card_payment"}': None,
        "[1, 2]": None,
        "{broken": None,
    }
    for raw, expected in cases.items():
        assert mcc.guess(raw) == expected, raw
        (hints,) = conn.execute(f"SELECT {mcc.HINTS_SQL} FROM (SELECT ? AS raw)", (raw,)).fetchone()
        assert mcc.guess_from_hints(hints) == expected, raw
    conn.close()


def test_every_hint_key_is_one_the_text_prefilter_lets_through() -> None:
    # rules_engine computes guesses only for records whose text passes MAY_HINT_SQL
    assert all("ategory" in key or key == "mcc" for key in (*mcc._MCC_KEYS, *mcc._CATEGORY_KEYS))
    conn = sqlite3.connect(":memory:")
    try:
        for key in (*mcc._MCC_KEYS, *mcc._CATEGORY_KEYS):
            raw = json.dumps({"text": "x", key: "5411"})
            assert conn.execute(f"SELECT {mcc.MAY_HINT_SQL} FROM (SELECT ? AS raw)", (raw,)).fetchone()[0]
        plain = '{"text":"x"}'
        assert not conn.execute(f"SELECT {mcc.MAY_HINT_SQL} FROM (SELECT ? AS raw)", (plain,)).fetchone()[0]
    finally:
        conn.close()
