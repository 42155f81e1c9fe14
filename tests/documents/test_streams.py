"""Stream text semantics: overwrites, bounding, the full text, and the edits for Yjs."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Text

from carnet.documents.streams import Edit, MemorySpill, StreamText, apply_overwrites


def apply(text: str, edits: list[Edit]) -> str:
    """Apply byte-offset edits to a str, as they are applied to a pycrdt Text."""
    data = text.encode()
    for e in edits:
        data = data[: e.offset] + e.insert.encode() + data[e.offset + e.delete :]
    return data.decode()


class Mirror:
    """A StreamText and both a str and a pycrdt Text kept in sync through its edits."""

    def __init__(self, **kwargs: int) -> None:
        self.stream = StreamText(**kwargs)  # type: ignore[arg-type]
        self.shadow = ""
        self.doc: Doc[Any] = Doc()
        self.ytext = self.doc.get("t", type=Text)

    def feed(self, chunk: str) -> None:
        self.stream.feed(chunk)

    def sync(self) -> list[Edit]:
        edits = self.stream.take_edits()
        self.shadow = apply(self.shadow, edits)
        with self.doc.transaction():
            for e in edits:
                if e.delete:
                    del self.ytext[e.offset : e.offset + e.delete]
                if e.insert:
                    self.ytext.insert(e.offset, e.insert)
        assert self.shadow == self.stream.text()
        assert str(self.ytext) == self.stream.text()
        return edits


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain\n", "plain\n"),
        ("a\r\nb\r\n", "a\nb\n"),
        ("10%\r50%\r100%\n", "100%\n"),
        ("abc\rX", "X"),
        ("abc\r", "abc"),  # a pending \r keeps the line until something replaces it
        ("abc\r\rdef", "def"),
        ("abc\b\bX\n", "aX\n"),
        ("\b\bX", "X"),
        ("line1\nline2\rLINE2\nend", "line1\nLINE2\nend"),
        ("héllo\rwörld\n", "wörld\n"),
    ],
)
def test_overwrites(raw: str, shown: str) -> None:
    assert apply_overwrites(raw) == shown


@pytest.mark.parametrize(
    "chunks",
    [
        ["abc\r", "\ndef\n"],  # \r then \n across chunks is a newline
        ["abc", "\r", "\n", "def\n"],
        ["abc\r\n", "def\n"],
    ],
)
def test_crlf_split_across_chunks(chunks: list[str]) -> None:
    m = Mirror()
    for chunk in chunks:
        m.feed(chunk)
        m.sync()
    assert m.stream.text() == "abc\ndef\n"


def test_progress_bar_updates_in_place() -> None:
    m = Mirror()
    m.feed("start\n")
    m.sync()
    for i in range(101):
        m.feed(f"\r{i:3d}% |{'#' * (i // 10):<10}|")
        edits = m.sync()
        # Each update only touches the last line, never the text before it.
        assert all(e.offset >= len("start\n") for e in edits)
    m.feed("\n")
    m.sync()
    assert m.stream.text() == "start\n100% |##########|\n"
    assert m.stream.text().count("\n") == 2


def test_edits_after_unicode_are_byte_offsets() -> None:
    m = Mirror()
    m.feed("ünïcödé\n€ 1")
    m.sync()
    m.feed("\r€ 2")
    m.sync()
    m.feed("\n✓\n")
    m.sync()
    assert str(m.ytext) == "ünïcödé\n€ 2\n✓\n"


def test_appends_are_single_inserts() -> None:
    m = Mirror()
    for i in range(1000):
        m.feed(f"line {i}\n")
    edits = m.sync()
    assert len(edits) == 1 and edits[0].delete == 0
    m.feed("partial")
    m.sync()
    m.feed(" line\nnext\n")
    edits = m.sync()
    assert edits == [Edit(len(m.shadow) - len(" line\nnext\n"), 0, " line\nnext\n")]


def test_bounded_by_lines_keeps_head_and_tail() -> None:
    m = Mirror(max_lines=100, max_bytes=1 << 20)
    for i in range(1000):
        m.feed(f"{i}\n")
        if i % 37 == 0:
            m.sync()
    m.sync()
    lines = m.stream.text().splitlines()
    assert lines[:50] == [str(i) for i in range(50)]
    assert lines[50:] == [str(i) for i in range(950, 1000)]
    assert m.stream.truncated
    assert m.stream.omitted_lines == 900
    assert m.stream.omitted_bytes == sum(len(f"{i}\n") for i in range(50, 950))
    assert m.stream.full_text() == "".join(f"{i}\n" for i in range(1000))


def test_bounded_by_bytes() -> None:
    m = Mirror(max_lines=1 << 30, max_bytes=1000)
    for i in range(500):
        m.feed(f"row {i:05d}\n")  # 10 bytes each
    m.sync()
    assert len(m.stream.text().encode()) <= 1000
    assert m.stream.text().startswith("row 00000\n")
    assert m.stream.text().endswith("row 00499\n")
    assert m.stream.full_text().count("\n") == 500


def test_endless_line_is_bounded() -> None:
    m = Mirror(max_bytes=4096, max_lines=100)
    for _ in range(1000):
        m.feed("x" * 100)
        m.sync()
    assert len(m.stream.text().encode()) <= 4096
    assert m.stream.truncated
    assert m.stream.full_text() == "x" * 100_000


def test_a_million_lines_stay_bounded() -> None:
    m = Mirror()  # defaults: 1 MiB / 20,000 lines
    batch = "".join(f"line {i}\n" for i in range(10_000))
    for _ in range(100):
        m.feed(batch)
        m.sync()
    text = m.stream.text()
    assert text.count("\n") <= 20_000
    assert len(text.encode()) <= 1 << 20
    assert m.stream.omitted_lines == 1_000_000 - text.count("\n")
    assert m.stream.full_text() == batch * 100
    assert text.endswith("line 9999\n")


def test_spill_cap_marks_the_gap() -> None:
    s = StreamText(max_lines=10, max_bytes=1 << 20, spill=lambda: MemorySpill(cap=50))
    for i in range(100):
        s.feed(f"{i:03d}\n")
    full = s.full_text()
    assert full.startswith("000\n001\n")
    assert "too large to keep in full" in full
    assert full.endswith("099\n")
    # No line appears twice (spilled pieces are not repeated from the tail).
    lines = [line for line in full.splitlines() if line.isdigit()]
    assert len(lines) == len(set(lines))


def test_reset_edits_rewrites_everything() -> None:
    m = Mirror()
    m.feed("a\nb\n")
    m.sync()
    m.stream.reset_edits()
    assert m.stream.take_edits() == [Edit(0, 0, "a\nb\n")]


def test_synced_bytes_follows_the_document() -> None:
    m = Mirror(max_lines=10, max_bytes=1 << 20)
    for i in range(100):
        m.feed(f"é{i}\r")
        m.feed(f"ü{i}\n")
        if i % 7 == 0:
            m.sync()
            assert m.stream.synced_bytes == len(m.ytext) == len(m.shadow.encode())
    m.feed("tail")
    # Before taking the edits it still describes what the document holds.
    assert m.stream.synced_bytes == len(m.ytext)
    m.sync()
    assert m.stream.synced_bytes == len(m.ytext)
