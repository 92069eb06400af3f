"""Transfers between own accounts: paired on the imported multi-account pattern, kept out of in/out."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_app.core import rules_engine, transfers
from desktop_app.core.errors import TransferError
from desktop_app.core.store import Store
from tests import factories


def _ids(store: Store) -> dict[str, int]:
    return {t.provider_id or "": t.id for t in store.iter_transactions() if t.id is not None}


def test_minus_and_plus_123_on_two_accounts_same_day_are_one_transfer(cache: Store) -> None:
    after = rules_engine.last_transaction_id(cache)
    cache.upsert_transactions(
        [
            factories.tx(1, 1, amount="-123.00", description="To savings"),
            factories.tx(2, 2, amount="123.00", description="From everyday"),
            factories.tx(1, 3, amount="-40.00"),
            factories.tx(1, 4, amount="2000.00", description="Salary"),
        ]
    )
    rules_engine.categorise_new(cache, after)
    ids = _ids(cache)
    assert transfers.transfer_of(cache, ids["t1"]) == (ids["t2"], "auto")
    assert transfers.transfer_of(cache, ids["t2"]) == (ids["t1"], "auto")
    assert transfers.transfer_of(cache, ids["t3"]) == (None, None)
    (month,) = transfers.monthly_in_out(cache)
    assert (str(month.money_in.amount), str(month.money_out.amount)) == ("2000.00", "-40.00")
    # the store's raw figure still counts both legs
    (raw,) = cache.monthly_in_out()
    assert str(raw.money_out.amount) == "-163.00"


def test_pairs_only_across_accounts_within_the_window_and_once(cache: Store) -> None:
    cache.upsert_transactions(
        [
            factories.tx(1, 1, amount="-50.00", day=date(2026, 3, 1)),
            factories.tx(1, 2, amount="50.00", day=date(2026, 3, 1)),  # same account: a refund
            factories.tx(2, 3, amount="50.00", day=date(2026, 3, 5)),  # four days later: too far
            factories.tx(2, 4, amount="-70.00", day=date(2026, 3, 10)),
            factories.tx(1, 5, amount="70.00", day=date(2026, 3, 12)),
            factories.tx(1, 6, amount="70.00", day=date(2026, 3, 11)),  # closer: this one pairs
        ]
    )
    assert transfers.pair_transfers(cache) == 1
    ids = _ids(cache)
    assert transfers.transfer_of(cache, ids["t4"]) == (ids["t6"], "auto")
    assert all(transfers.transfer_of(cache, ids[k])[0] is None for k in ("t1", "t2", "t3", "t5"))
    assert transfers.pair_transfers(cache) == 0  # a re-run changes nothing


def test_second_leg_arriving_later_pairs_on_its_sync(cache: Store) -> None:
    after = rules_engine.last_transaction_id(cache)
    cache.upsert_transactions([factories.tx(1, 1, amount="-123.00")])
    after = rules_engine.categorise_new(cache, after)
    cache.upsert_transactions([factories.tx(2, 2, amount="123.00", day=date(2026, 3, 2))])
    rules_engine.categorise_new(cache, after)
    ids = _ids(cache)
    assert transfers.transfer_of(cache, ids["t2"]) == (ids["t1"], "auto")


def test_the_persons_word_beats_the_pairing(cache: Store) -> None:
    cache.upsert_transactions([factories.tx(1, 1, amount="-123.00"), factories.tx(2, 2, amount="123.00")])
    transfers.pair_transfers(cache)
    ids = _ids(cache)
    transfers.unmark_transfer(cache, ids["t1"])
    assert transfers.transfer_of(cache, ids["t1"]) == (None, "manual")
    assert transfers.transfer_of(cache, ids["t2"]) == (None, None)
    assert transfers.pair_transfers(cache) == 0
    transfers.mark_transfer(cache, ids["t1"], ids["t2"])
    assert transfers.transfer_of(cache, ids["t2"]) == (ids["t1"], "manual")
    cache.upsert_transactions([factories.tx(1, 1, amount="-123.00", description="re-sent by the bank")])
    assert transfers.transfer_of(cache, ids["t1"]) == (ids["t2"], "manual")


def test_bad_transfer_marks_are_refused(cache: Store) -> None:
    cache.upsert_transactions([factories.tx(1, 1, amount="-5.00"), factories.tx(2, 2, amount="6.00")])
    ids = _ids(cache)
    with pytest.raises(TransferError, match="opposite"):
        transfers.mark_transfer(cache, ids["t1"], ids["t2"])
    with pytest.raises(TransferError, match="no transaction 999"):
        transfers.mark_transfer(cache, ids["t1"], 999)
    with pytest.raises(TransferError, match="no transaction 998"):
        transfers.unmark_transfer(cache, 998)
