"""A co-ordinator finds a nominal by a misspelt alias and raises their level; a housing officer
cannot reach a nominal their agency has not been brought into."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from agencies.models import Agency, User
from cases.models import SentenceType
from cases.services import alias_add, nominal_create
from devtools.demo.agencies import DEMO_PASSWORD, seed_agencies_and_users
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _nominal(last_name: str, lead: str) -> Any:
    areas = seed_agencies_and_users()
    coordinator = User.objects.get(username="coordinator")
    return nominal_create(
        actor=coordinator,
        area=areas["KENT"],
        details={
            "first_name": "Lewis",
            "last_name": last_name,
            "date_of_birth": datetime.date(1984, 7, 9),
            "gender": "male",
            "lead_agency": Agency.objects.get(name=lead),
            "address": "14 Orchard Row, Maidstone",
        },
        conviction={
            "offence_code": "wounding-with-intent",
            "conviction_date": datetime.date(2018, 11, 20),
            "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
            "custodial_months": 60,
        },
        category=2,
        level=1,
        reason="Eligible on conviction",
        start=datetime.date(2021, 4, 1),
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="finding misspelt names needs PostgreSQL trigram search")
def test_coordinator_finds_a_nominal_by_a_misspelt_alias_and_raises_the_level(page: Any) -> None:
    nominal = _nominal("Pemberton", "Probation Service, Kent and Medway")
    alias_add(
        actor=User.objects.get(username="coordinator"),
        nominal=nominal,
        values={"first_name": "Lenny", "last_name": "Brackwell", "kind": "alias"},
    )

    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.get_by_role("link", name="Nominals", exact=True).first.click()
    assert_accessible(page)
    page.get_by_label("Name, alias, PNC ID, CRN or ViSOR reference").fill("Leny Brakwell")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name="PEMBERTON, Lewis").click()
    assert page.get_by_role("heading", name="PEMBERTON, Lewis").is_visible()
    assert page.get_by_text("Lenny Brackwell").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change level").click()
    assert_accessible(page)
    page.get_by_role("button", name="Change level").click()  # nothing filled in: errors first
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("New level").select_option(label="Level 2: active multi-agency management")
    today = datetime.date.today()
    page.locator("input[name=start_0]").fill(str(today.day))
    page.locator("input[name=start_1]").fill(str(today.month))
    page.locator("input[name=start_2]").fill(str(today.year))
    page.get_by_label("Rationale").fill("Intelligence of contact with a new partner who has children")
    page.get_by_role("button", name="Change level").click()

    assert page.get_by_text("The level has been changed.").is_visible()
    history = page.locator("#level-history")
    assert "Level 2" in history.inner_text()
    assert "Intelligence of contact with a new partner who has children" in history.inner_text()
    assert_accessible(page)


def test_housing_officer_cannot_reach_a_nominal_not_shared_with_their_agency(page: Any) -> None:
    nominal = _nominal("Harcourt", "Kent Police")

    sign_in(page, "housing", DEMO_PASSWORD)
    response = page.goto(f"/nominals/{nominal.case_reference}/")

    assert response is not None
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert "HARCOURT" not in page.content()
    assert "Orchard Row" not in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Nominals", exact=True).first.click()
    assert "HARCOURT" not in page.content()
    assert_accessible(page)
