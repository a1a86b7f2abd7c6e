"""Headless Chromium (Debian's, installed by ``make test``) driven by Playwright, for the tests
of what runs in a browser. A failed test leaves a screenshot of each of its pages in
``test-results/``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
CHROMIUM = next(
    (p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None
)
# As root, and on a machine whose network is closed: no sandbox, and none of the background
# connections Chromium would otherwise make to Google at each start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per module."""
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (make test installs Debian's)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def new_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[[], Any]]:
    """``new_page()``: a page in a context of its own (its own cookies), closed after the
    test; screenshotted into ``test-results/`` when the test failed."""
    contexts: list[Any] = []
    pages: list[Any] = []
    errors: list[str] = []

    def make() -> Any:
        context = browser.new_context()
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        pages.append(page)
        return page

    yield make
    try:
        if request.node.stash.get(_FAILED, False):
            RESULTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
            for number, page in enumerate(pages):
                if not page.is_closed():
                    page.screenshot(path=str(RESULTS / f"{name}-page{number}.png"))
        assert errors == [], f"uncaught errors in the page: {errors}"
    finally:
        for context in contexts:
            context.close()
