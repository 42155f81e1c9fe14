"""Kernel output written into a notebook document's cells, as JupyterLab would store it.

:class:`DocumentOutputs` is the writer for one document: it turns IOPub messages into
nbformat outputs inside the cells' shared ``outputs`` Arrays (jupyter_ydoc's schema: a
stream output's ``text`` is a shared Text, every other output holds plain values), and

* appends stream text to the cell's last output when it is a stream of the same name,
  after terminal overwrites (``\\r``, backspace), bounded to a head and a tail past ~1 MiB
  or 20,000 lines (:mod:`carnet.documents.streams`); chunks are buffered and written by
  :meth:`~DocumentOutputs.flush`, which the executor calls every few tens of milliseconds;
* replaces outputs by ``transient.display_id`` (``update_display_data``) in every cell of
  the document, and honours ``clear_output(wait=True)``;
* replaces a single output larger than ~5 MiB by a ``text/plain`` placeholder;
* keeps the full text of truncated outputs for ``GET api/documents/<id>/outputs/...``.

A truncated output gets ``metadata.carnet_truncated`` = ``{omitted_lines, omitted_bytes,
head_lines, url}``. nbformat forbids ``metadata`` on stream outputs: :func:`strip_for_disk`
removes it from a notebook before it is written.

All writes use the transaction origin :data:`ORIGIN`, so no browser's undo takes them back.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pycrdt import Doc, Map, Text

from carnet.documents.execution import ORIGIN
from carnet.documents.loaders import strip_for_disk
from carnet.documents.streams import MemorySpill, Spill, StreamText

__all__ = [
    "MAX_OUTPUT_BYTES",
    "ORIGIN",
    "DocumentOutputs",
    "output_from_message",
    "strip_for_disk",
]

log = logging.getLogger("carnet.documents")

#: A non-stream output bigger than this (as JSON) is replaced by a placeholder.
MAX_OUTPUT_BYTES = 5 << 20

# Past this many outputs in one cell, or once its streams got more text than one stream may
# show, stream text joins the cell's last stream of the same name instead of opening a new
# output: interleaved stdout/stderr floods stay bounded per cell, not only per output.
_MAX_OUTPUTS = 100

_OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error")


def output_from_message(msg_type: str, content: Any) -> dict[str, Any] | None:
    """The nbformat output for an IOPub message, or None if it is not an output."""
    if not isinstance(content, dict):
        return None
    if msg_type == "stream":
        return {
            "output_type": "stream",
            "name": str(content.get("name", "stdout")),
            "text": str(content.get("text", "")),
        }
    if msg_type in ("display_data", "execute_result"):
        out: dict[str, Any] = {
            "output_type": msg_type,
            "data": _mapping(content.get("data")),
            "metadata": _mapping(content.get("metadata")),
        }
        if msg_type == "execute_result":
            count = content.get("execution_count")
            out["execution_count"] = count if isinstance(count, int) else None
        return out
    if msg_type == "error":
        traceback = content.get("traceback")
        return {
            "output_type": "error",
            "ename": str(content.get("ename", "")),
            "evalue": str(content.get("evalue", "")),
            "traceback": [str(t) for t in traceback] if isinstance(traceback, list) else [],
        }
    return None


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def display_id_of(content: Any) -> str | None:
    transient = content.get("transient") if isinstance(content, dict) else None
    value = transient.get("display_id") if isinstance(transient, dict) else None
    return value if isinstance(value, str) and value else None


def output_url(file_id: str, cell_id: str, index: int) -> str:
    """Where the full text of a truncated output is served (relative to the base URL)."""
    return f"api/documents/{quote(file_id, safe='')}/outputs/{quote(cell_id, safe='')}/{index}"


@dataclass(eq=False)
class _Stream:
    """A stream output being written: its text model and where it lives."""

    name: str
    index: int
    text: StreamText
    dirty: bool = False
    truncated_written: tuple[int, int] = (0, 0)


@dataclass(eq=False)
class _Cell:
    """What the writer remembers about one cell while it runs."""

    streams: list[_Stream] = field(default_factory=list)
    stream_chars: int = 0  # stream text received by the cell so far
    clear_pending: bool = False
    full: dict[int, str] = field(default_factory=dict)  # index -> JSON of a replaced output


class DocumentOutputs:
    """Output writer for one notebook document (see the module docstring).

    ``doc``/``cells`` are the room's pycrdt Doc and the YNotebook's ``cells`` Array;
    ``spill`` makes the store for the full text of a truncated stream.
    """

    def __init__(
        self,
        file_id: str,
        doc: Doc[Any],
        cells: Any,
        *,
        spill: Callable[[], Spill] = MemorySpill,
        max_stream_bytes: int = 1 << 20,
        max_stream_lines: int = 20_000,
        max_output_bytes: int = MAX_OUTPUT_BYTES,
    ) -> None:
        self.file_id = file_id
        self.doc = doc
        self.cells = cells
        self._spill = spill
        self._max_stream_bytes = max_stream_bytes
        self._max_stream_lines = max_stream_lines
        self._max_output_bytes = max_output_bytes
        self._state: dict[str, _Cell] = {}
        self._displays: dict[str, list[tuple[str, int]]] = {}
        self._dirty = False
        # id -> cell Map, rebuilt after the cells Array itself changes (insert, delete, move):
        # a run-all of n cells looks cells up O(n) times.
        self._index: dict[str, Any] | None = None
        self._watch = cells.observe(self._cells_changed) if hasattr(cells, "observe") else None

    # -- cells -----------------------------------------------------------------------------

    def find_cell(self, cell_id: str) -> Any | None:
        """The cell Map with ``id`` == ``cell_id`` (cells move: found through an index that
        the Array's own changes invalidate, checked on each hit)."""
        index = self._index
        if index is not None:
            ycell = index.get(cell_id)
            if ycell is not None and ycell.get("id") == cell_id:
                return ycell
        index = {}
        for ycell in self.cells:
            key = ycell.get("id")
            if isinstance(key, str):
                index.setdefault(key, ycell)
        if self._watch is not None:
            self._index = index
        return index.get(cell_id)

    def _cells_changed(self, _event: Any) -> None:
        self._index = None

    def _outputs(self, cell_id: str) -> Any | None:
        ycell = self.find_cell(cell_id)
        if ycell is None or ycell.get("cell_type") != "code":
            return None
        outputs = ycell.get("outputs")
        if outputs is None:
            from pycrdt import Array

            ycell["outputs"] = outputs = Array()
        return outputs

    @property
    def dirty(self) -> bool:
        """Stream text is waiting for :meth:`flush`."""
        return self._dirty

    # -- writing ---------------------------------------------------------------------------

    def clear(self, cell_id: str) -> None:
        """Remove a cell's outputs (in place: the shared Array stays) and forget its state."""
        self._forget(cell_id)
        outputs = self._outputs(cell_id)
        if outputs is not None and len(outputs):
            with self.doc.transaction(origin=ORIGIN):
                del outputs[:]

    def _forget(self, cell_id: str) -> None:
        state = self._state.pop(cell_id, None)
        if state is not None:
            for stream in state.streams:
                stream.text.close()
        for display_id in list(self._displays):
            places = [p for p in self._displays[display_id] if p[0] != cell_id]
            if places:
                self._displays[display_id] = places
            else:
                del self._displays[display_id]

    def clear_output(self, cell_id: str, *, wait: bool) -> None:
        """``clear_output``: now, or (``wait``) just before the cell's next output."""
        if wait:
            self._cell(cell_id).clear_pending = True
        else:
            self.flush()
            self.clear(cell_id)

    def _cell(self, cell_id: str) -> _Cell:
        state = self._state.get(cell_id)
        if state is None:
            state = self._state[cell_id] = _Cell()
        return state

    def _before_output(self, cell_id: str) -> None:
        state = self._state.get(cell_id)
        if state is not None and state.clear_pending:
            state.clear_pending = False
            self.flush()
            self.clear(cell_id)

    def stream(self, cell_id: str, name: str, text: str) -> None:
        """Buffer stream text for the cell; written at the next :meth:`flush`."""
        if not text:
            return
        self._before_output(cell_id)
        outputs = self._outputs(cell_id)
        if outputs is None:
            return
        state = self._cell(cell_id)
        stream = self._current_stream(state, outputs, name) or self._adopt(state, outputs, name)
        if stream is None:
            self.flush()
            with self.doc.transaction(origin=ORIGIN):
                outputs.append(Map({"output_type": "stream", "name": name, "text": Text()}))
            stream = _Stream(
                name,
                len(outputs) - 1,
                StreamText(
                    max_bytes=self._max_stream_bytes,
                    max_lines=self._max_stream_lines,
                    spill=self._spill,
                ),
            )
            state.streams.append(stream)
        stream.text.feed(text)
        state.stream_chars += len(text)
        stream.dirty = True
        self._dirty = True

    def _current_stream(self, state: _Cell, outputs: Any, name: str) -> _Stream | None:
        """The stream output that ``name`` text continues, if any."""
        count = len(outputs)
        candidates = [s for s in state.streams if s.name == name]
        if not candidates:
            return None
        last = candidates[-1]
        if last.index == count - 1 and self._is_stream_at(outputs, last):
            return last
        crowded = count >= _MAX_OUTPUTS or state.stream_chars > self._max_stream_bytes
        if crowded and self._is_stream_at(outputs, last):
            return last
        return None

    def _adopt(self, state: _Cell, outputs: Any, name: str) -> _Stream | None:
        """Continue the cell's last output if it is a stream of ``name`` written earlier
        (late output of a background thread, after its run's state was let go)."""
        if not len(outputs):
            return None
        last = outputs[len(outputs) - 1]
        if not (
            isinstance(last, Map)
            and last.get("output_type") == "stream"
            and last.get("name") == name
            and isinstance(last.get("text"), Text)
        ):
            return None
        text = StreamText(
            max_bytes=self._max_stream_bytes, max_lines=self._max_stream_lines, spill=self._spill
        )
        text.feed(str(last["text"]))
        text.take_edits()  # that is what the document holds already
        stream = _Stream(name, len(outputs) - 1, text)
        state.streams.append(stream)
        return stream

    @staticmethod
    def _is_stream_at(outputs: Any, stream: _Stream) -> bool:
        if stream.index >= len(outputs):
            return False
        output = outputs[stream.index]
        return (
            isinstance(output, Map)
            and output.get("output_type") == "stream"
            and output.get("name") == stream.name
            and isinstance(output.get("text"), Text)
        )

    def flush(self) -> None:
        """Write buffered stream text into the document, in one transaction."""
        if not self._dirty:
            return
        self._dirty = False
        with self.doc.transaction(origin=ORIGIN):
            for cell_id, state in list(self._state.items()):
                for stream in state.streams:
                    if stream.dirty:
                        stream.dirty = False
                        self._write_stream(cell_id, stream)

    def _write_stream(self, cell_id: str, stream: _Stream) -> None:
        outputs = self._outputs(cell_id)
        if outputs is None:
            return
        if not self._is_stream_at(outputs, stream):
            # Someone cleared or replaced the output meanwhile: start a new one.
            outputs.append(Map({"output_type": "stream", "name": stream.name, "text": Text()}))
            stream.index = len(outputs) - 1
            stream.text.reset_edits()
            stream.truncated_written = (0, 0)
        output = outputs[stream.index]
        ytext = output["text"]
        if len(ytext) != stream.text.synced_bytes:
            # Not the text we wrote (the cell was reloaded from disk meanwhile): rewrite it.
            del ytext[0 : len(ytext)]
            stream.text.reset_edits()
        for edit in stream.text.take_edits():
            if edit.delete:
                del ytext[edit.offset : edit.offset + edit.delete]
            if edit.insert:
                ytext.insert(edit.offset, edit.insert)
        counts = (stream.text.omitted_lines, stream.text.omitted_bytes)
        if stream.text.truncated and counts != stream.truncated_written:
            stream.truncated_written = counts
            output["metadata"] = {
                "carnet_truncated": {
                    "omitted_lines": counts[0],
                    "omitted_bytes": counts[1],
                    "head_lines": stream.text.head_lines,
                    "url": output_url(self.file_id, cell_id, stream.index),
                }
            }

    def add(self, cell_id: str, output: dict[str, Any], display_id: str | None = None) -> None:
        """Append a non-stream output (display_data, execute_result, error)."""
        self._before_output(cell_id)
        self.flush()
        outputs = self._outputs(cell_id)
        if outputs is None:
            return
        state = self._cell(cell_id)
        index = len(outputs)
        output = self._bounded(cell_id, index, output, state)
        with self.doc.transaction(origin=ORIGIN):
            outputs.append(Map(output))
        if display_id is not None:
            self._displays.setdefault(display_id, []).append((cell_id, index))

    def _bounded(
        self, cell_id: str, index: int, output: dict[str, Any], state: _Cell
    ) -> dict[str, Any]:
        text = json.dumps(output, ensure_ascii=False)
        size = len(text.encode("utf-8", "surrogatepass"))
        if size <= self._max_output_bytes:
            state.full.pop(index, None)
            return output
        state.full[index] = text
        mib = size / (1 << 20)
        return {
            "output_type": "display_data",
            "data": {"text/plain": f"[output of {mib:.1f} MiB not shown: too large]"},
            "metadata": {
                "carnet_truncated": {
                    "omitted_lines": 0,
                    "omitted_bytes": size,
                    "url": output_url(self.file_id, cell_id, index),
                }
            },
        }

    def update_display(self, display_id: str, output: dict[str, Any]) -> None:
        """``update_display_data``: replace data and metadata of every output with that id."""
        places = self._displays.get(display_id)
        if not places:
            return
        self.flush()
        with self.doc.transaction(origin=ORIGIN):
            for cell_id, index in places:
                outputs = self._outputs(cell_id)
                if outputs is None or index >= len(outputs):
                    continue
                current = outputs[index]
                if not isinstance(current, Map) or current.get("output_type") not in (
                    "display_data",
                    "execute_result",
                ):
                    continue
                bounded = self._bounded(cell_id, index, output, self._cell(cell_id))
                current["data"] = bounded["data"]
                current["metadata"] = bounded["metadata"]

    def stdin_echo(self, cell_id: str, text: str) -> None:
        """Show an answered ``input()`` prompt, as JupyterLab does (a ``stdin`` stream)."""
        self.stream(cell_id, "stdin", text)
        self.flush()

    # -- reading ---------------------------------------------------------------------------

    def full_output(self, cell_id: str, index: int) -> tuple[str, str] | None:
        """(text, media type) of a truncated output, or None if there is none."""
        state = self._state.get(cell_id)
        if state is None:
            return None
        for stream in state.streams:
            if stream.index == index and stream.text.truncated:
                return stream.text.full_text(), "text/plain"
        if index in state.full:
            return state.full[index], "application/json"
        return None

    def finish(self, cell_id: str) -> None:
        """The cell's run ended: write what is buffered and keep only what the full-text
        URLs need (the visible text of the other streams is in the document)."""
        self.flush()
        state = self._state.get(cell_id)
        if state is None:
            return
        state.clear_pending = False
        kept = []
        for stream in state.streams:
            if stream.text.truncated:
                kept.append(stream)
            else:
                stream.text.close()
        state.streams = kept

    def forget_all(self) -> None:
        for cell_id in list(self._state):
            self._forget(cell_id)
        if self._watch is not None:
            with contextlib.suppress(Exception):  # the document may be gone already
                self.cells.unobserve(self._watch)
            self._watch = None
            self._index = None
