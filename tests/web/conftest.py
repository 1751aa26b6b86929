"""Browser fixtures for the pages' browser tests: Playwright (sync API) driving Chromium.

Tests marked `browser` are skipped, with the reason, when Debian's chromium is missing
(tests/conftest.py; CI fails instead).
"""

import os
import shutil

import pytest

from revdesk.testing import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# while one is running unless told that this is fine (it is: nothing here is async).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab on the test server; page.base is the server's address."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def sign_in():
    """sign_in(page, username[, password]): the login form, then the home page."""

    def sign_in(page, username, password=PASSWORD):
        page.goto(f"{page.base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{page.base}/")

    return sign_in
