"""Fixtures for the categories suites: a real cache file with two accounts of one connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.store import Store
from tests import factories


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "saldo.db")
    factories.connection(store)
    factories.account(store, ref="acc-1", name="Everyday")
    factories.account(store, ref="acc-2", name="Savings")
    try:
        yield store
    finally:
        store.close()
