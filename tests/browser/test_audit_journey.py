"""An auditor finds who looked at a record, follows one user's activity and marks a report line reviewed."""

from __future__ import annotations

from typing import Any

import pytest

from agencies.models import User
from cases.models import Category, Nominal
from devtools.demo.agencies import DEMO_PASSWORD, seed_agencies_and_users
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_nominal_journeys import _nominal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_reviews_access_to_a_record(page: Any) -> None:
    nominal = _nominal("Farrowdale", "Kent Police")
    Nominal.objects.filter(pk=nominal.pk).update(category=Category.TERRORISM)
    seed_agencies_and_users()
    audit_record(
        event=AuditEvent.VIEW,
        actor=User.objects.get(username="coordinator"),
        subject=nominal,
        ground="Co-ordinator in Kent and Medway",
        nominal_id=nominal.pk,
        details={"page": "summary"},
    )

    sign_in(page, "auditor", DEMO_PASSWORD)
    page.get_by_role("link", name="Audit log").first.click()
    assert_accessible(page)
    page.get_by_label("Case reference").fill(nominal.case_reference)
    page.get_by_role("button", name="Search").click()
    results = page.locator("#audit-results").inner_text()
    assert "coordinator" in results
    assert "Co-ordinator in Kent and Medway" in results
    assert_accessible(page)

    page.locator("#audit-results").get_by_role("link", name="coordinator").first.click()
    assert page.get_by_role("heading", name="Everything coordinator did").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Category 4 views").click()
    assert nominal.case_reference in page.locator("#report-rows").inner_text()
    page.get_by_label("Note").first.fill("Co-ordinator preparing the counter-terrorism panel.")
    page.get_by_role("button", name="Mark as reviewed").first.click()
    assert page.get_by_text("Marked as reviewed.").is_visible()
    assert "Reviewed" in page.locator("#report-rows").inner_text()
    assert_accessible(page)
