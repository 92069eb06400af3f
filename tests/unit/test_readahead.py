"""read_ahead: a generator run one item ahead on its own thread, as a sync reads its pages."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from desktop_app.core import readahead
from desktop_app.core.readahead import read_ahead


class Pages:
    """A page source that records which thread asked for each page and when it was closed."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.asked: list[int] = []
        self.threads: set[str] = set()
        self.closed_on: str | None = None

    def __iter__(self) -> Iterator[int]:
        try:
            for n in range(self.count):
                self.threads.add(threading.current_thread().name)
                if n == self.fail_at:
                    raise ConnectionError(f"page {n} failed")
                self.asked.append(n)
                yield n
        finally:
            self.closed_on = threading.current_thread().name


def test_items_arrive_in_order_from_another_thread() -> None:
    pages = Pages(50)
    with read_ahead(iter(pages), name="pages") as items:
        assert list(items) == list(range(50))
    assert pages.threads == {"pages"} and pages.closed_on == "pages"


def test_the_next_item_is_read_while_this_one_is_used_and_no_further() -> None:
    pages = Pages(5)
    with read_ahead(iter(pages)) as items:
        assert next(items) == 0
        deadline = time.monotonic() + 5
        while len(pages.asked) < 2 and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(0.2)  # time enough to read on, were it to
        assert pages.asked == [0, 1]  # one item ahead, not two
        assert next(items) == 1
        while len(pages.asked) < 3 and time.monotonic() < deadline:
            time.sleep(0.001)
        assert pages.asked == [0, 1, 2]
        assert list(items) == [2, 3, 4]


def test_an_error_of_the_source_is_raised_after_the_items_before_it() -> None:
    pages = Pages(10, fail_at=4)
    seen: list[int] = []
    with pytest.raises(ConnectionError, match="page 4 failed"), read_ahead(iter(pages)) as items:
        seen.extend(items)
    assert seen == [0, 1, 2, 3]


def test_leaving_early_stops_the_reader_and_closes_the_source() -> None:
    pages = Pages(1_000)
    with pytest.raises(RuntimeError, match="stop"), read_ahead(iter(pages), name="early") as items:
        for n in items:
            if n == 2:
                raise RuntimeError("stop")
    assert pages.closed_on == "early"
    assert pages.asked in ([0, 1, 2], [0, 1, 2, 3])  # at most the one item ahead
    assert not any(t.name == "early" for t in threading.enumerate())


def test_an_empty_source_ends_at_once() -> None:
    with read_ahead(iter(Pages(0))) as items:
        assert list(items) == []


def test_leaving_does_not_wait_long_for_a_request_that_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source stuck in its next request (a provider's Retry-After) does not hold back the
    error that ends the reading; it finishes on its own later, and is closed on its thread."""
    monkeypatch.setattr(readahead, "LEAVE_AFTER", 0.2)
    release, asking = threading.Event(), threading.Event()
    closed: list[str] = []

    def stuck() -> Iterator[int]:
        try:
            yield 1
            asking.set()
            release.wait(30)  # the next request: answered only when the test says so
            yield 2
        finally:
            closed.append(threading.current_thread().name)

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="store failed"), read_ahead(stuck(), name="stuck") as items:
        next(items)
        assert asking.wait(5)
        raise RuntimeError("store failed")
    assert time.monotonic() - started < 5
    assert any(t.name == "stuck" for t in threading.enumerate())  # still in its request
    release.set()
    deadline = time.monotonic() + 5
    while any(t.name == "stuck" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert closed == ["stuck"]


def test_a_source_that_cannot_be_iterated_is_an_error_here() -> None:
    with pytest.raises(TypeError), read_ahead(42) as items:  # type: ignore[arg-type]
        list(items)
