"""The per-client queue: stream output coalesces while it waits; memory stays bounded."""

from __future__ import annotations

import json

import pytest

from carnet.protocol import Message, OutputQueue, new_message

PARENT_A = new_message("shell", "execute_request", {}, session="client")
PARENT_B = new_message("shell", "execute_request", {}, session="client")


def stream(text: str, name: str = "stdout", parent: Message = PARENT_A) -> Message:
    return new_message(
        "iopub", "stream", {"name": name, "text": text}, session="k", parent=parent.parts[0]
    )


def other(msg_type: str, parent: Message = PARENT_A, channel: str = "iopub") -> Message:
    return new_message(channel, msg_type, {"x": 1}, session="k", parent=parent.parts[0])


def drain(q: OutputQueue) -> list[Message]:
    out = []
    while (m := q.pop()) is not None:
        out.append(m)
    return out


def is_notice(msg: Message) -> bool:
    return msg.msg_type == "stream" and "[carnet]" in json.loads(msg.parts[3])["text"]


def dropped_count(msg: Message) -> int:
    return int(json.loads(msg.parts[3])["text"].split()[1])


def texts(msgs: list[Message]) -> list[str]:
    return [json.loads(m.parts[3])["text"] for m in msgs]


def test_consecutive_streams_of_one_cell_merge_exactly() -> None:
    q = OutputQueue()
    chunks = [f"line {i}\n" for i in range(1000)] + ["\r50%", "\r100%\n", "é✓\n"]
    for chunk in chunks:
        q.push(stream(chunk))
    out = drain(q)
    assert len(out) == 1
    assert texts(out) == ["".join(chunks)]
    first = stream("x")
    assert out[0].msg_type == "stream"
    assert out[0].parent_msg_id == first.parent_msg_id
    assert q.nbytes == 0


def test_merged_message_keeps_the_first_header() -> None:
    q = OutputQueue()
    a, b = stream("a"), stream("b")
    q.push(a)
    q.push(b)
    (merged,) = drain(q)
    assert merged.msg_id == a.msg_id
    assert merged.parts[:3] == a.parts[:3]


def test_a_single_message_is_passed_through_untouched() -> None:
    q = OutputQueue()
    msg = stream("only")
    q.push(msg)
    assert q.pop() is msg
    assert q.pop() is None


@pytest.mark.parametrize(
    "second",
    [
        stream("b", name="stderr"),
        stream("b", parent=PARENT_B),
        other("display_data"),
        other("execute_reply", channel="shell"),
    ],
    ids=["other name", "other cell", "other message", "other channel"],
)
def test_no_merge_across_boundaries(second: Message) -> None:
    q = OutputQueue()
    q.push(stream("a"))
    q.push(second)
    q.push(stream("c"))
    out = drain(q)
    assert len(out) == 3
    assert out[1] is second
    assert texts([out[0]]) == ["a"] and texts([out[2]]) == ["c"]


def test_order_is_kept_around_merged_runs() -> None:
    q = OutputQueue()
    sequence = [
        stream("1"),
        stream("2"),
        other("display_data"),
        stream("3"),
        stream("4"),
        stream("e", name="stderr"),
        stream("5"),
    ]
    for msg in sequence:
        q.push(msg)
    out = drain(q)
    assert [m.msg_type for m in out] == ["stream", "display_data", "stream", "stream", "stream"]
    assert [json.loads(m.parts[3]).get("text") for m in out] == ["12", None, "34", "e", "5"]


def test_streams_with_extra_content_keys_or_buffers_are_not_merged() -> None:
    q = OutputQueue()
    odd = new_message(
        "iopub",
        "stream",
        {"name": "stdout", "text": "a", "extra": 1},
        session="k",
        parent=PARENT_A.parts[0],
    )
    with_buffer = Message("iopub", [*stream("b").parts, b"buf"])
    for msg in (odd, stream("x"), with_buffer, stream("y")):
        q.push(msg)
    assert len(drain(q)) == 4


def test_orphan_streams_without_parent_are_not_merged() -> None:
    q = OutputQueue()
    q.push(new_message("iopub", "stream", {"name": "stdout", "text": "a"}, session="k"))
    q.push(new_message("iopub", "stream", {"name": "stdout", "text": "b"}, session="k"))
    assert len(drain(q)) == 2


def test_memory_is_bounded_by_coalescing_not_by_message_count() -> None:
    q = OutputQueue(max_bytes=1 << 20)
    for i in range(20_000):  # 20k messages of ~300 bytes each, but only ~200 KB of text
        q.push(stream(f"{i:09d}\n"))
    assert q.nbytes < 300_000
    assert q.dropped_messages == 0
    (merged,) = drain(q)
    assert texts([merged])[0] == "".join(f"{i:09d}\n" for i in range(20_000))


def test_overflow_sheds_bulk_output_and_says_so_in_that_cell() -> None:
    q = OutputQueue(max_bytes=64 * 1024)
    reply = other("execute_reply", channel="shell")
    q.push(other("status"))
    q.push(reply)
    for i in range(200):
        q.push(other("display_data") if i % 2 else stream("x" * 1000, parent=PARENT_B))
    assert q.nbytes <= q.max_bytes
    assert q.dropped_messages > 0
    out = drain(q)
    # Control messages survive; a notice sits where output was dropped, in that cell.
    assert out[0].msg_type == "status"
    assert out[1] is reply
    notice = out[2]
    content = json.loads(notice.parts[3])
    assert content["name"] == "stderr"
    assert notice.parent_msg_id == PARENT_B.msg_id
    # Every drop is reported, where it happened; all else is the newest output, in order.
    notices = [m for m in out if is_notice(m)]
    assert sum(dropped_count(m) for m in notices) == q.dropped_messages
    assert all(m.msg_type in ("stream", "display_data") for m in out[3:])


def test_overflow_with_only_control_messages_drops_the_oldest() -> None:
    q = OutputQueue(max_bytes=4096)
    msgs = [other("comm_msg") for _ in range(100)]
    for msg in msgs:
        q.push(msg)
    out = drain(q)
    assert q.dropped_messages > 0
    # One notice (gaps next to each other merge), then the newest messages.
    assert is_notice(out[0]) and dropped_count(out[0]) == q.dropped_messages
    assert out[1:] == msgs[-(len(out) - 1) :]
    assert q.nbytes == 0


def test_notices_themselves_are_never_shed() -> None:
    q = OutputQueue(max_bytes=4096)
    for _ in range(3):
        for _ in range(40):
            q.push(stream("y" * 200, parent=PARENT_B))
            q.push(other("display_data"))
    notices = [m for m in drain(q) if is_notice(m)]
    assert notices
    assert sum(dropped_count(m) for m in notices) == q.dropped_messages


def test_bound_is_validated() -> None:
    with pytest.raises(ValueError):
        OutputQueue(max_bytes=10)
    q = OutputQueue()
    assert not q and len(q) == 0
    q.push(stream("a"))
    assert q and len(q) == 1
    q.clear()
    assert q.pop() is None and q.nbytes == 0


def test_accounting_stays_exact_through_merges_pops_and_overflows() -> None:
    q = OutputQueue(max_bytes=8192)
    for i in range(3000):
        kind = i % 7
        if kind < 3:
            q.push(stream(f"{i}\n", parent=PARENT_A if i % 2 else PARENT_B))
        elif kind < 5:
            q.push(other("display_data"))
        else:
            q.push(other("comm_msg"))
        assert q.nbytes <= q.max_bytes
        if i % 11 == 0:
            q.pop()
    assert len(q) < 100
    drain(q)
    assert q.nbytes == 0
