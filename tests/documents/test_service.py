"""DocumentService in-process: autosave guards, room lifetime and lineages (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycrdt import Map

from carnet.contents import ContentsManager
from carnet.documents import DocumentService, NotebookRoom, TextRoom
from tests.documents.samples import file_text, rich_notebook


def _service(tmp_path: Path) -> tuple[DocumentService, Path]:
    root = tmp_path / "root"
    root.mkdir()
    contents = ContentsManager(root_dir=root)
    service = DocumentService(
        contents, tmp_path / "state", save_delay=0, max_save_interval=0, idle_timeout=0
    )
    return service, root


@pytest.mark.asyncio
async def test_idle_rooms_are_saved_and_freed_unless_held(tmp_path: Path) -> None:
    service, root = _service(tmp_path)
    (root / "t.txt").write_text("abc")
    session = await service.open_session("t.txt", "text", "file")
    room = await service.get_document(session["fileId"], "file")
    assert isinstance(room, TextRoom)
    with room.hold():
        with room.server_write():
            room.ytext.set("held")
        await service._tick()
        assert (root / "t.txt").read_text() == "held"
        assert service.rooms == [room]  # held: kept
    await service._tick()
    assert service.rooms == []  # idle: freed (after its save)
    again = await service.get_document(session["fileId"], "file")
    assert again is not room and again.epoch == room.epoch  # the lineage continues
    assert str(again.ytext.get()) == "held"
    await service.close()


@pytest.mark.asyncio
async def test_an_emptied_notebook_is_not_saved_over_the_file(tmp_path: Path) -> None:
    service, root = _service(tmp_path)
    data = file_text(rich_notebook())
    (root / "a.ipynb").write_text(data)
    session = await service.open_session("a.ipynb", "json", "notebook")
    room = await service.get_room(session["fileId"])
    assert isinstance(room, NotebookRoom)
    with room.hold():
        with room.server_write():
            room.ynotebook.ycells.clear()
        assert not await service.save(room)
        assert "empty or damaged" in room.doc.get("carnet", type=Map)["last_error"]
    assert (root / "a.ipynb").read_text() == data
    await service.close()


@pytest.mark.asyncio
async def test_a_changed_file_starts_a_new_lineage(tmp_path: Path) -> None:
    service, root = _service(tmp_path)
    (root / "t.txt").write_text("one")
    session = await service.open_session("t.txt", "text", "file")
    await service.close()
    restarted = DocumentService(ContentsManager(root_dir=root), tmp_path / "state")
    assert (await restarted.open_session("t.txt", "text", "file")) == session
    await restarted.close()
    (root / "t.txt").write_text("two")
    third = DocumentService(ContentsManager(root_dir=root), tmp_path / "state")
    fresh = await third.open_session("t.txt", "text", "file")
    assert fresh["fileId"] == session["fileId"]
    assert fresh["sessionId"] != session["sessionId"]
    await third.close()
