"""The history store alone (carnet.documents.history.HistoryStore): no server."""

from __future__ import annotations

import os
from pathlib import Path

from carnet.documents.history import HistoryStore


def ids(store: HistoryStore, path: str) -> list[int]:
    return [v.id for v in store.versions(path)]


def test_versions_dedupe_and_ids_are_never_reused(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    first = store.record("a.ipynb", b"one")
    assert first is not None
    assert store.record("a.ipynb", b"one") is None  # same as the latest: skipped
    second = store.record("a.ipynb", b"two")
    assert store.record("a.ipynb", b"one") is not None  # not the latest any more
    assert store.record("b.ipynb", b"one") is not None  # another notebook
    assert len(ids(store, "a.ipynb")) == 3
    found = store.version("a.ipynb", second or 0)
    assert found is not None and found[1] == b"two" and found[0].size == 3
    assert store.version("b.ipynb", second or 0) is None  # not b's version
    store.forget("a.ipynb")
    newest = store.record("a.ipynb", b"again")
    assert newest is not None and newest > max(first, second or 0) + 2
    store.close()


def test_the_newest_version_stays_even_alone_over_the_bound(tmp_path: Path) -> None:
    store = HistoryStore(None, max_size=1000, max_versions=0)
    store.record("a.ipynb", b"small")
    big = store.record("a.ipynb", os.urandom(5000))
    assert ids(store, "a.ipynb") == [big]
    assert store.total_size() > 1000


def test_renames_and_deletes_follow_folders(tmp_path: Path) -> None:
    store = HistoryStore(None)
    for path in ("d/a.ipynb", "d/sub/b.ipynb", "d2/c.ipynb", "e/old.ipynb"):
        store.record(path, path.encode())
    store.rename("d", "e")  # e/old.ipynb's history belonged to a file that is gone
    assert ids(store, "d/a.ipynb") == []
    assert len(ids(store, "e/a.ipynb")) == 1 and len(ids(store, "e/sub/b.ipynb")) == 1
    assert ids(store, "e/old.ipynb") == []
    store.forget("e")
    assert ids(store, "e/a.ipynb") == [] and ids(store, "e/sub/b.ipynb") == []
    assert len(ids(store, "d2/c.ipynb")) == 1  # a sibling with the same prefix stays


def test_a_damaged_database_is_moved_aside(tmp_path: Path) -> None:
    target = tmp_path / "h.sqlite3"
    target.write_bytes(b"not a database" * 100)
    store = HistoryStore(target)
    assert store.record("a.ipynb", b"one") is not None
    assert (tmp_path / "h.damaged").read_bytes().startswith(b"not a database")
    store.close()
    assert len(ids(HistoryStore(target), "a.ipynb")) == 1
