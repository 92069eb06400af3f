"""Helpers for the statement-import suites: fixture paths and a fresh cache with an importer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.imports.importer import Importer
from desktop_app.core.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "saldo.db")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def importer(cache: Store) -> Importer:
    return Importer(cache)
