"""A housing officer refers someone; the co-ordinator screens the referral at a panel and accepts it
at Level 2; the nominal's level history shows it and the housing officer sees the decision."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from devtools.demo.agencies import DEMO_PASSWORD, seed_agencies_and_users
from referrals.models import Referral
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page: Any, name: str, day: datetime.date) -> None:
    page.locator(f"input[name={name}_0]").fill(str(day.day))
    page.locator(f"input[name={name}_1]").fill(str(day.month))
    page.locator(f"input[name={name}_2]").fill(str(day.year))


def _continue(page: Any) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def test_refer_screen_accept_and_see_the_decision(page: Any) -> None:
    seed_agencies_and_users()
    today = datetime.date.today()

    # The housing officer refers.
    sign_in(page, "housing", DEMO_PASSWORD)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Refer someone").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start a referral").click()
    _continue(page)  # nothing filled in
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Enter the person's first name" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("First name").fill("Nathan")
    page.get_by_label("Last name").fill("Colebrook")
    _fill_date(page, "date_of_birth", datetime.date(1989, 3, 30))
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Lead agency").select_option(label="Probation Service, Kent and Medway")
    _continue(page)

    assert_accessible(page)
    page.get_by_label("Category 2: violent offender").check()
    page.get_by_label("Convicted", exact=True).check()
    page.get_by_label("Index offence", exact=True).select_option("wounding-with-intent")
    _fill_date(page, "conviction_date", datetime.date(2020, 6, 8))
    page.get_by_label("Sentence type").select_option(label="Immediate custody")
    page.get_by_label("Length of sentence in months").fill("54")
    page.get_by_label("In custody").check()
    _fill_date(page, "expected_release_date", today + datetime.timedelta(days=120))
    _continue(page)

    assert_accessible(page)
    page.get_by_label("Reason for referral").fill("Has made threats to the victim's new partner from prison.")
    page.get_by_label("Risk assessment tool").select_option(label="OASys RoSH")
    page.get_by_label("Very high").check()
    page.get_by_label("Victims and others at risk").fill("Former partner and her new partner, both in Maidstone.")
    _continue(page)

    assert_accessible(page)
    page.get_by_label("Level 2", exact=True).check()
    page.get_by_label("What multi-agency management would add").fill(
        "Housing, police and probation must agree an exclusion zone and approved premises."
    )
    _continue(page)

    assert page.get_by_role("heading", name="Check your answers before sending your referral").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send referral").click()
    assert page.get_by_text("sent to the MAPPA co-ordination unit").is_visible()
    assert page.get_by_text("Late", exact=True).is_visible()  # released within 6 months
    reference = Referral.objects.get().reference
    page.get_by_role("button", name="Sign out").click()

    # The co-ordinator screens it.
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.get_by_role("link", name="Screening", exact=True).first.click()
    assert page.get_by_role("link", name=reference).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Screening panels").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a panel on another day").click()
    _fill_date(page, "date", today)
    page.get_by_role("button", name="Add panel").click()
    assert_accessible(page)

    for agency, name in (("Kent Police", "DS Jordan Hale"), ("Maidstone Council Housing", "Casey Penfold")):
        page.get_by_role("link", name="Record who is present").click()
        page.get_by_label("Agency").select_option(label=agency)
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_role("button", name="Add member").click()
    assert "DS Jordan Hale, Kent Police" in page.locator("#panel-members").inner_text()

    page.get_by_role("link", name="Add a referral to the agenda").click()
    assert_accessible(page)
    page.get_by_label("Referral").select_option(index=1)
    page.get_by_role("button", name="Add to agenda").click()
    page.get_by_role("button", name="Start the panel").click()
    page.get_by_role("link", name=f"Record decision on {reference}").click()
    assert_accessible(page)
    page.get_by_label("Accept at Level 2").check()
    page.get_by_label("Rationale").fill("Threats to a named victim; approved premises and exclusion zone needed.")
    page.get_by_role("button", name="Record decision").click()
    assert "Accept at Level 2" in page.locator("#panel-agenda").inner_text()
    assert "First meeting due by" in page.locator("#panel-agenda").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name=Referral.objects.get().nominal.case_reference).click()
    page.get_by_role("link", name="History").click()
    level_history = page.locator("#level-history").inner_text()
    assert "Level 2" in level_history
    assert "screening panel" in level_history
    assert "Threats to a named victim" in level_history
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The housing officer sees the decision.
    sign_in(page, "housing", DEMO_PASSWORD)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    assert "Accepted" in page.locator("table").inner_text()
    page.get_by_role("link", name=reference).click()
    assert "Accept at Level 2" in page.locator("#screening-decisions").inner_text()
    assert_accessible(page)
