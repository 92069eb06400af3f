"""The XML check of camt documents, run here or (for a large document) in a helper process.

Every case runs both ways: the helper is a real second interpreter reading the document from
a pipe, and the reader must refuse and accept exactly what the in-process check does.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.errors import StatementError
from desktop_app.core.imports import camt, wellformed
from desktop_app.core.imports.reader import ReadOptions, read_bytes
from tests.imports.conftest import FIXTURES


def _padded(data: bytes) -> bytes:
    """`data` with a comment longer than the prolog check reads after its declaration: what is
    wrong further on is for the whole-document check alone to find."""
    end = data.index(b"?>") + 2
    return data[:end] + b"\n<!--" + b"x" * 70_000 + b"-->" + data[end:]


SOUND = _padded((FIXTURES / "camt053_v2.xml").read_bytes())
BROKEN = SOUND.replace(b"<Ustrd>", b"<Ustrd><b>", 1)  # an element never closed, deep inside an entry


class Recorded(wellformed.Verdict):
    made: list[Recorded] = []

    def __init__(self, data: bytes, *, beside: bool | None = None) -> None:
        super().__init__(data, beside=beside)
        Recorded.made.append(self)


@pytest.fixture(params=["here", "beside"])
def where(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every document checked in this process, or every one by a helper process."""
    monkeypatch.setattr(wellformed, "BESIDE_BYTES", 0 if request.param == "beside" else 1 << 40)
    monkeypatch.setattr(wellformed, "Verdict", Recorded)
    Recorded.made = []
    yield request.param
    assert Recorded.made, "the reader checked nothing"
    for verdict in Recorded.made:
        assert verdict.answered_beside is (request.param == "beside")
        if verdict.beside:
            assert verdict._helper is not None and verdict._helper.returncode is not None  # no helper left behind


def _entries(data: bytes) -> list[tuple[object, ...]]:
    return [(e.day, e.minor, e.description, e.raw) for s in camt.read(data) for e in s.entries]


def test_a_sound_document_reads_the_same_either_way(where: str) -> None:
    assert len(_entries(SOUND)) == 5


def test_a_broken_element_inside_an_entry_is_refused_with_its_line(where: str) -> None:
    line = SOUND[: SOUND.index(b"<Ustrd>")].count(b"\n") + 1
    with pytest.raises(StatementError, match=r"b\.xml, line \d+: the XML is malformed") as raised:
        read_bytes(BROKEN, "b.xml", ReadOptions(format="camt"))
    assert raised.value.line is not None and raised.value.line >= line


def test_a_truncated_document_is_refused(where: str) -> None:
    with pytest.raises(StatementError, match="the XML is malformed or truncated"):
        read_bytes(SOUND[: len(SOUND) // 2], "t.xml", ReadOptions(format="camt"))


def test_a_dtd_after_a_long_prolog_is_refused_before_elementtree_sees_it(where: str) -> None:
    with pytest.raises(StatementError, match="refused for safety"):
        read_bytes(_padded((FIXTURES / "camt_bomb.xml").read_bytes()), "late.xml", ReadOptions(format="camt"))


@pytest.mark.parametrize("name", ["camt_bomb.xml", "camt_xxe.xml"])
def test_entity_bombs_and_external_entities_are_refused(where: str, name: str) -> None:
    with pytest.raises(StatementError, match="refused for safety"):
        read_bytes(_padded((FIXTURES / name).read_bytes()), name, ReadOptions(format="camt"))


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import sys; sys.exit(3)"],  # dies at once
        [sys.executable, "-c", "import sys; sys.stdin.buffer.read(); print('[1, 2, 3]')"],  # answers nonsense
        [str(Path("/nonexistent/saldo-helper"))],  # cannot start at all
    ],
    ids=["dies", "nonsense", "missing"],
)
def test_a_helper_that_fails_leaves_the_check_to_this_process(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setattr(wellformed, "helper_command", lambda: command)
    for data, found in ((SOUND, None), (BROKEN, "malformed")):
        verdict = wellformed.Verdict(data, beside=True)
        if found is None:
            verdict.wait()
        else:
            with pytest.raises(StatementError, match=found):
                verdict.wait()
        assert not verdict.answered_beside


def test_leaving_the_block_early_stops_the_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wellformed, "BESIDE_BYTES", 0)
    with pytest.raises(RuntimeError, match="stop"), wellformed.checked(SOUND) as verdict:
        raise RuntimeError("stop")  # the reading failed while the helper may still be at work
    assert verdict.beside and verdict._helper is not None and verdict._helper.returncode is not None


def test_a_reading_error_in_a_sound_document_is_the_readers_own(where: str) -> None:
    bad_date = SOUND.replace(b"<Dt>2025-03-03</Dt>", b"<Dt>2025-02-30</Dt>", 1)
    with pytest.raises(StatementError, match="2025-02-30"):
        read_bytes(bad_date, "d.xml", ReadOptions(format="camt"))


def test_the_bundle_entry_point_answers_as_the_helper() -> None:
    """packaging/entry.py, run as the bundle runs it, is the helper when given HELPER_FLAG."""
    entry = Path(__file__).parents[2] / "packaging" / "entry.py"
    done = subprocess.run(
        [sys.executable, str(entry), wellformed.HELPER_FLAG], input=BROKEN, capture_output=True, check=True
    )
    assert done.stdout.startswith(b'["the XML is malformed or truncated')


def test_bytes_that_are_not_xml_beyond_the_prolog_are_refused_with_their_line(where: str) -> None:
    """The reader runs ahead of the check and may trip over them first (a Latin-1 letter in a
    UTF-8 file, a file cut inside a tag): the person still reads "malformed", with the line."""
    latin1 = SOUND.replace("März 2025".encode(), "M\xe4rz 2025".encode("latin-1"), 1)
    assert latin1 != SOUND
    with pytest.raises(StatementError, match=r"l\.xml, line \d+: the XML is malformed"):
        read_bytes(latin1, "l.xml", ReadOptions(format="camt"))
    cut = SOUND[: SOUND.rindex(b"<Ntry>") + len(b"<Ntry ")]
    with pytest.raises(StatementError, match=r"c\.xml, line \d+: the XML is malformed or truncated"):
        read_bytes(cut, "c.xml", ReadOptions(format="camt"))


def test_a_dtd_in_utf16_without_a_byte_order_mark_is_refused_before_elementtree(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(_data: bytes) -> None:
        raise AssertionError("ElementTree read the document before the verdict")

    monkeypatch.setattr(camt, "_stream", never)
    bomb = _padded((FIXTURES / "camt_bomb.xml").read_bytes()).decode("utf-8").encode("utf-16-le")
    with pytest.raises(StatementError, match="refused for safety"):
        read_bytes(bomb, "u16.xml", ReadOptions(format="camt"))


def test_the_helper_does_not_run_modules_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "json.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(9)\n")
    monkeypatch.chdir(tmp_path)
    verdict = wellformed.Verdict(SOUND, beside=True)
    verdict.wait()
    assert verdict.answered_beside and not marker.exists()
