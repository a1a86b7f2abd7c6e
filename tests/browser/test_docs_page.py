"""The smallest page that calls a Hub method (the Hub guide), served by gunicorn, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.serving.live import serving
from tests.test_docs import block_after

pytestmark = pytest.mark.timeout(60)


def test_the_guides_page_calls_the_hub_from_the_browser(
    tmp_path: Path, new_page: Callable[[], Any]
) -> None:
    (tmp_path / "guide_client.py").write_text(block_after("## Browser client"))
    with serving("guide_client:app", cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)}) as server:
        page = new_page()
        page.goto(f"http://127.0.0.1:{server.port}/")
        expect(page.locator("#out")).to_have_text("5")
