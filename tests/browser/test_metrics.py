"""The memory item of the status bar: used / limit from the server's cgroup (or MEM_LIMIT)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from carnet.hub.memory import memory_usage
from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser

GiB = 1 << 30


def test_status_bar_shows_memory_and_limit(
    carnet_factory: Callable[..., CarnetServer], new_lab: Callable[[CarnetServer], Lab]
) -> None:
    server = carnet_factory(env={"MEM_LIMIT": str(64 * GiB)})
    lab = new_lab(server)
    lab.open()
    item = lab.page.locator("[data-status=memory] .carnet-Status-memory")
    item.wait_for(timeout=15_000)
    text = item.text_content() or ""
    limit = memory_usage(environ={"MEM_LIMIT": str(64 * GiB)}).limit
    assert limit is not None
    assert re.fullmatch(r"Mem: [0-9.]+ (B|KiB|MiB|GiB|TiB) / [0-9.]+ (KiB|MiB|GiB|TiB)", text), text
    if limit == 64 * GiB:  # the cgroup has no tighter limit: the hub's MEM_LIMIT shows
        assert text.endswith(" / 64.0 GiB"), text
    assert item.get_attribute("data-warn") == "0"
