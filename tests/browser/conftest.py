"""A real headless Chromium (Debian's) driven by Playwright, against the live test server."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.builders import use_language

# axe-core's rules of WCAG 2.1 levels A and AA, which every page must pass.
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
# make between page loads are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def language(settings):
    """Pages in the browser are in Finnish, the default, as residents see them."""
    with use_language(settings, "fi"):
        yield


def finnish(text):
    with translation.override("fi"):
        return translation.gettext(text)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: browser tests need Debian's Chromium "
            "(apt-get install -y chromium), see README"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def live_db(transactional_db):
    """Committed data for the live server. Each such test ends by emptying every table,
    so the role groups that a migration creates are created again, by the same code."""
    from django.apps import apps

    from reports.roles import create_groups

    create_groups(apps)


@pytest.fixture
def demo(live_db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def world_live(live_db):
    from tests.builders import World

    return World()
