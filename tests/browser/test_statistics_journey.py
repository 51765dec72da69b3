"""A co-ordinator reads the performance indicators, follows a figure to its cases, and prepares the
annual report."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from agencies.models import User
from devtools.demo.agencies import DEMO_PASSWORD, seed_agencies_and_users
from devtools.demo.cases import generate_nominals
from devtools.demo.meetings import seed_demo_meetings
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_reads_the_indicators_and_prepares_the_annual_report(page: Any) -> None:
    areas = seed_agencies_and_users()
    coordinator = User.objects.get(username="coordinator")
    today = timezone.localdate()
    generate_nominals(area=areas["KENT"], count=600, seed=7, today=today, decided_by=coordinator)
    seed_demo_meetings(
        area=areas["KENT"], coordinator=coordinator, chair=User.objects.get(username="chair"), today=today
    )

    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.get_by_role("link", name="Statistics").first.click()
    assert page.get_by_role("heading", name="Minutes distributed within the target").is_visible()
    assert page.locator("svg[role=img]").count() == 7
    page.get_by_text("Minutes distributed within the target as a table").click()
    assert page.get_by_role("table", name="Minutes distributed within the target by month").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="See the").filter(has_text="minutes distributed within the target").click()
    assert page.get_by_role("heading", name="Minutes distributed within the target").is_visible()
    assert page.locator("tbody tr").count() > 0
    assert_accessible(page)

    page.get_by_role("link", name="Back to performance indicators").click()
    page.get_by_role("link", name="Agency engagement").click()
    assert page.get_by_role("table", name="Attendance at Level 2 and 3 meetings held").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Annual reports").click()
    page.get_by_label("Reporting year").select_option(str(today.year - 1 if today.month >= 4 else today.year - 2))
    page.get_by_role("button", name="Prepare the report").click()
    assert page.get_by_role("table", name="MAPPA-eligible individuals on 31 March").is_visible()
    assert page.get_by_role("link", name="Download as CSV").is_visible()
    assert_accessible(page)
