"""Whether an XML document is well-formed and free of any DTD: one pass of expat, here or beside.

The camt reader reads plain entries straight from their bytes, which is sound only once expat
has passed the whole document. That pass is about a tenth of a large import (0.2 s of a
100k-entry file), all of it holding the interpreter lock, and nothing else depends on it
until the reader is done. So for a large document it runs in a helper process, on another
core, while the reader goes on; the reader waits for the verdict before it returns anything,
and a malformed document is refused with the same message and line as when the check ran
first. A helper that cannot start, or dies, costs only time: the check then runs here.
"""

from __future__ import annotations

import json
import os
import pyexpat
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress

from desktop_app.core.errors import StatementError

BESIDE_BYTES = 8 << 20  # smaller documents are checked here: 35 ms at most, less than a helper's start
REFUSED = "the XML declares a DTD or entities; refused for safety"
_SLICE = 1 << 20  # bytes expat reads per call: about 5 ms

Problem = tuple[str, int | None]  # the reason and, where expat knows it, the line


class _Refused(Exception):
    pass


def _refuse(*_args: object) -> int:
    raise _Refused


def problem(data: bytes) -> Problem | None:
    """What is wrong with `data` as XML (malformed, truncated, a DTD or entity declaration), if anything."""
    # in slices: expat holds the GIL while it parses, and the window's thread needs it too
    return _problem(data[at : at + _SLICE] for at in range(0, len(data), _SLICE))


def _problem(slices: Iterable[bytes]) -> Problem | None:
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        for piece in slices:
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except _Refused:
        return REFUSED, None
    except pyexpat.ExpatError as exc:
        return f"the XML is malformed or truncated ({exc})", exc.lineno
    return None


HELPER_FLAG = "--saldo-check-xml"  # how a bundle is told to be the helper (packaging/entry.py)


def helper_command() -> list[str]:
    """The command that runs `main` in a new process: this interpreter, or this bundle."""
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_FLAG]
    # -P: not the working directory first on the path (a json.py there would run in the helper)
    return [sys.executable, "-P", "-m", __name__]


class Verdict:
    """The check of one document: in a helper process when the document is large, else (or
    when no helper can run) here, when `wait` is first called."""

    def __init__(self, data: bytes, *, beside: bool | None = None) -> None:
        """`beside`: use a helper process (True), never (False), or when `data` is large (None)."""
        self._data: bytes | None = data
        self._found: Problem | None = None
        self._decided = False
        self._helper: subprocess.Popen[bytes] | None = None
        self._feeder: threading.Thread | None = None
        self.answered_beside = False  # the helper gave the verdict (it did not fail and fall back to here)
        if beside if beside is not None else len(data) >= BESIDE_BYTES:
            with suppress(OSError):  # no helper (no processes or pipes left): the check runs here
                self._start(data)

    @property
    def beside(self) -> bool:
        """Whether a helper process is checking (or checked) the document."""
        return self._helper is not None

    def _start(self, data: bytes) -> None:
        # A new interpreter, not a fork: this process may have threads (the window's, workers)
        # and locks held. It finds Saldo's modules where this one does.
        env = None if getattr(sys, "frozen", False) else {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        self._helper = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            helper_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console flashing up on Windows
        )
        # writing the document to the helper releases the GIL; it gets a thread of its own
        self._feeder = threading.Thread(target=_feed, args=(self._helper, data), name="saldo-xml-feed", daemon=True)
        self._feeder.start()

    def wait(self) -> None:
        """Block until the verdict is in; raise StatementError if the document is not sound XML."""
        if not self._decided:
            self._found = self._answer()
            self._decided, self._data = True, None
            self.close()
        if self._found is not None:
            raise StatementError(self._found[0], line=self._found[1])

    def _answer(self) -> Problem | None:
        assert self._data is not None
        if self._helper is not None and self._helper.stdout is not None:
            with suppress(OSError, ValueError):  # the helper died (killed, out of memory): check here
                output = self._helper.stdout.read()
                said: object = json.loads(output) if output else "no answer"
                if self._helper.wait() == 0 and (said is None or _is_problem(said)):
                    self.answered_beside = True
                    return None if not isinstance(said, list) else (said[0], said[1])
        return problem(self._data)

    def close(self) -> None:
        """Stop the helper if it is still at work (the reading failed or was abandoned)."""
        if self._helper is not None:
            if self._helper.poll() is None:
                self._helper.kill()
            self._helper.wait()
            if self._helper.stdout is not None:
                self._helper.stdout.close()
        if self._feeder is not None:
            self._feeder.join()


def _is_problem(said: object) -> bool:
    return (
        isinstance(said, list)
        and len(said) == 2
        and isinstance(said[0], str)
        and (said[1] is None or isinstance(said[1], int))
    )


def _feed(helper: subprocess.Popen[bytes], data: bytes) -> None:
    assert helper.stdin is not None
    try:
        helper.stdin.write(data)
    except OSError:
        pass  # the helper is gone; Verdict.wait notices and checks here
    finally:
        with suppress(OSError):
            helper.stdin.close()


def main() -> None:
    """The helper: the document on stdin, what `problem` finds on stdout (JSON). It reads a
    slice at a time, so it never holds more than one slice of the document (~15 MB in all)."""
    stdin = sys.stdin.buffer
    sys.stdout.write(json.dumps(_problem(iter(lambda: stdin.read(_SLICE), b""))))


@contextmanager
def checked(data: bytes) -> Iterator[Verdict]:
    """Check `data` while the body reads it; leaving the block waits for the verdict.

    Any error raised inside (the reader, running ahead of the check, may trip over bytes that
    are not XML at all: a Latin-1 letter in a UTF-8 file, a file cut inside a tag) is replaced
    by the verdict's own when the document is not sound XML: "malformed at line 812" explains
    a reader's stumble better than the stumble.
    """
    verdict = Verdict(data)
    try:
        yield verdict
        verdict.wait()
    except Exception:
        verdict.wait()
        raise
    finally:
        verdict.close()


if __name__ == "__main__":
    main()
