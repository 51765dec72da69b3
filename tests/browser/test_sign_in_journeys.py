"""Each demo user signs in and sees their role's home page; every page visited passes axe-core."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from devtools.demo.agencies import DEMO_PASSWORD, seed_agencies_and_users
from mappa.audit.models import AuditEntry, AuditEvent
from tests.browser.conftest import assert_accessible, next_code, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_PAGES = {
    "coordinator": "You manage your area's MAPPA work",
    "chair": "You chair Level 2 and 3 meetings",
    "probation": "You manage the cases your agency leads",
    "police": "You manage the cases your agency leads",
    "housing": "You see the cases and meetings your agency has been brought into",
    "childrens": "You see the cases and meetings your agency has been brought into",
    "auditor": "You review who has seen and changed what",
    "admin": "You manage users, agencies and reference data",
}


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    seed_agencies_and_users()


def test_every_demo_user_signs_in_to_their_home_page(page: Any, demo_data: None) -> None:
    for username, summary in HOME_PAGES.items():
        sign_in(page, username, DEMO_PASSWORD)

        assert page.get_by_text(summary).is_visible(), username
        assert page.locator("#security-marking-top").inner_text() == "OFFICIAL-SENSITIVE"
        assert_accessible(page)

        page.get_by_role("button", name="Sign out").click()
        signed_out = page.get_by_role("heading", name="You have signed out")
        signed_out.wait_for()  # the click does not wait for the page it leads to
        assert signed_out.is_visible()
        assert_accessible(page)

    assert AuditEntry.objects.filter(event=AuditEvent.SIGN_IN).count() == len(HOME_PAGES)
    assert AuditEntry.objects.filter(event=AuditEvent.SIGN_OUT).count() == len(HOME_PAGES)


def test_wrong_password_shows_an_error_summary_that_links_to_the_field(page: Any, demo_data: None) -> None:
    sign_in(page, "coordinator", "not the password")

    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)


def test_coordinator_finds_an_agency_in_the_directory(page: Any, demo_data: None) -> None:
    sign_in(page, "coordinator", DEMO_PASSWORD)

    page.get_by_role("link", name="Agencies", exact=True).first.click()
    assert_accessible(page)
    page.get_by_label("Kind of agency").select_option(label="Housing authority or social landlord")
    page.get_by_role("button", name="Apply filters").click()
    assert page.get_by_text("13 agencies").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Maidstone Council Housing").click()
    assert page.get_by_role("heading", name="Maidstone Council Housing").is_visible()
    assert page.get_by_text("Casey Penfold").is_visible()
    assert_accessible(page)


def test_signed_out_visitor_is_sent_to_sign_in_and_back(page: Any, demo_data: None) -> None:
    page.goto("/account/")
    assert "/sign-in/" in page.url

    page.get_by_label("Username").fill("housing")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Enter your sign-in code").is_visible()
    page.get_by_label("Code").fill(next_code("housing"))
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", name="Your account").is_visible()
    assert_accessible(page)


def test_first_sign_in_sets_up_the_authenticator_and_gives_recovery_codes(page: Any, demo_data: None) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__username="chair").delete()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("chair")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Set up two-factor sign-in").is_visible()
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    assert_accessible(page)

    device = TOTPDevice.objects.get(user__username="chair", confirmed=False)
    shown = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key
    page.get_by_label("Code").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()
    assert "/sign-in" not in page.url
