"""The interactive docs page (Swagger UI from the ``swagger`` extra, served by the app) of the
notes example, under gunicorn, in Chromium: "Try it out" creates a note."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.serving.live import serving

pytestmark = pytest.mark.timeout(60)


def test_try_it_out_posts_a_note_and_shows_the_201(
    tmp_path: Path, new_page: Callable[[], Any]
) -> None:
    env = {"WTF_NOTES_DB": str(tmp_path / "notes.db")}
    with serving("examples.notes:app", env=env) as server:
        page = new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"http://127.0.0.1:{server.port}/docs")
        operation = page.locator(".opblock-post", has_text="/notes").first
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        body = operation.locator("textarea.body-param__text")
        body.fill(json.dumps({"title": "from the docs page", "body": "clicked"}))
        operation.get_by_role("button", name="Execute").click()
        answer = operation.locator(".live-responses-table tbody .response-col_status").first
        expect(answer).to_have_text("201", timeout=10_000)
        created = json.loads(
            operation.locator(".live-responses-table tbody .microlight").first.inner_text()
        )
        assert created["title"] == "from the docs page"
        status, _, listed = server.get(f"/notes/{created['id']}")
        assert status == 200 and json.loads(listed)["body"] == "clicked"
        origin = f"http://127.0.0.1:{server.port}/"
        assert requested and all(url.startswith(origin) for url in requested)  # no CDN
