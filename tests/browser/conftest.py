"""Browser tests: Debian's Chromium driven by Playwright, with axe-core run on every page visited.

Without Chromium they skip with the reason, except where REQUIRE_BROWSER_TESTS or CI is set, where
a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Playwright's synchronous API runs an event loop in this thread; the Django ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_required() -> bool:
    return bool(os.environ.get("REQUIRE_BROWSER_TESTS") or os.environ.get("CI"))


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    missing = [str(path) for path in (Path(CHROMIUM), AXE_SCRIPT) if not path.exists()]
    if missing:
        reason = f"browser tests need {', '.join(missing)} (apt-get install chromium; npm ci)"
        if _browser_required():
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    """Run axe-core on the page as it is now and fail on any WCAG 2.2 A or AA violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    violations = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]
    assert not violations, f"Accessibility violations on {page.url}:\n{json.dumps(violations, indent=2)}"


def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in with the password, then the code an authenticator app would show for the demo key."""
    page.goto("/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/sign-in/code/" not in page.url:
        return  # the password was refused
    assert_accessible(page)
    page.get_by_label("Code").fill(next_code(username))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def next_code(username: str) -> str:
    """The current code for the user's authenticator, or the next one if this one has been used."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = max(time.time(), (device.last_t + 1) * device.step)
    return f"{totp.token():0{device.digits}d}"


def kent_case(first_name: str, last_name: str, *, start: Any = None) -> Any:
    """The demo's areas and people, and a Level 2, Category 2 case in Maidstone led by probation,
    screened in on `start` (a month ago unless given)."""
    import datetime

    from django.utils import timezone

    from agencies.models import Agency, District, User
    from cases.models import SentenceType, Source
    from cases.services import nominal_create
    from devtools.demo.agencies import seed_agencies_and_users

    areas = seed_agencies_and_users()
    return nominal_create(
        actor=User.objects.get(username="coordinator"),
        area=areas["KENT"],
        details={
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": datetime.date(1984, 3, 9),
            "gender": "male",
            "lead_agency": Agency.objects.get(name="Probation Service, Kent and Medway"),
            "district": District.objects.get(name="Maidstone"),
        },
        conviction={
            "offence_code": "wounding-with-intent",
            "conviction_date": datetime.date(2020, 2, 4),
            "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
            "custodial_months": 48,
        },
        category=2,
        level=2,
        reason="Screened",
        start=start or timezone.localdate() - datetime.timedelta(days=30),
        source=Source.SCREENING,
    )
