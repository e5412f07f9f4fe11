"""Playwright fixtures: Debian's Chromium, driven headless, with a fresh context for every page.

Nothing is downloaded: the browser is the system's ``/usr/bin/chromium`` (``./bin/test`` installs
it), launched with flags for a root user on a machine without internet.
"""

from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # Chromium's sandbox cannot run as root.
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser(monkeypatch) -> Browser:
    """A Chromium for one test. Playwright's sync API runs an asyncio loop in the test's thread,
    and Django refuses ORM calls beside a running loop unless told it is safe, which here it is;
    the permission lasts exactly as long as the loop, so the rest of the suite keeps the guard."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Install it with `apt-get install chromium` (./bin/test does this when run as root).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Beside a running event loop, Django keeps this thread's connections apart from those it
        # uses without one (asgiref's Local), so the test's own queries went through connections
        # of their own. Closed while the loop still runs, they hold no session, and no lock, when
        # the test database is flushed or dropped.
        connections.close_all()
        monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE")


@pytest.fixture
def open_page(browser):
    """``open_page(viewport=...)`` opens a page in a new browser context: no cookies, no history,
    as if on another device. Every context is closed at the end of the test."""
    contexts = []

    def open_in_new_context(viewport: dict = DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_in_new_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page) -> Page:
    return open_page()
