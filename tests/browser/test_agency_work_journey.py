"""The housing officer completes their agency's action; the co-ordinator sees it on the nominal's plan."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import Agency, User
from devtools.demo.agencies import DEMO_PASSWORD
from meetings.models import Attendance, MeetingKind, Pillar
from meetings.services import action_add, meeting_mark_held, meeting_record_attendance, meeting_schedule
from tests.browser.conftest import assert_accessible, kent_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _held_meeting_with_actions() -> Any:
    nominal = kent_case("Dean", "Ashworth", start=datetime.date(2025, 2, 3))
    coordinator = User.objects.get(username="coordinator")
    housing = Agency.objects.get(name="Maidstone Council Housing")
    police = Agency.objects.get(name="Kent Police")
    meeting = meeting_schedule(
        actor=coordinator,
        nominal=nominal,
        kind=MeetingKind.URGENT,
        chair=User.objects.get(username="chair"),
        minute_taker=coordinator,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        place="Video call",
        invite=[housing, police],
    )
    meeting_record_attendance(
        actor=coordinator,
        meeting=meeting,
        rows={
            invitation: {"attendance": Attendance.ATTENDED, "attendee_name": "Attendee"}
            for invitation in meeting.invitations.all()
        },
    )
    meeting_mark_held(actor=coordinator, meeting=meeting)
    due = timezone.localdate() + datetime.timedelta(days=10)
    for agency, text in (
        (housing, "Find move-on accommodation away from the victim"),
        (police, "Visit the new address"),
    ):
        action_add(
            actor=coordinator,
            meeting=meeting,
            values={
                "pillar": Pillar.VICTIM_SAFETY_PLANNING,
                "description": text,
                "owning_agency": agency,
                "owner": None,
                "due": due,
            },
        )
    return nominal


def test_housing_completes_an_action_and_the_coordinator_sees_it_on_the_plan(page: Any) -> None:
    nominal = _held_meeting_with_actions()

    sign_in(page, "housing", DEMO_PASSWORD)
    assert page.locator("#notifications-link .app-unread-count").is_visible()
    page.get_by_role("link", name="Your agency's work").first.click()
    assert_accessible(page)
    actions = page.locator("#agency-actions").inner_text()
    assert "Find move-on accommodation away from the victim" in actions
    assert "Visit the new address" not in actions
    page.locator("#agency-actions").get_by_role("link", name="Update").click()
    assert_accessible(page)
    page.get_by_label("Status").select_option(label="Complete")
    page.get_by_label("Note").fill("Tenancy signed at a flat in Aylesford.")
    page.get_by_role("button", name="Save update").click()
    assert page.get_by_text("Action updated.").is_visible()
    assert "Complete" in page.locator("#agency-actions").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Notifications").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/nominals/{nominal.case_reference}/risk/")
    plan = page.locator("#actions").inner_text()
    assert "Tenancy signed at a flat in Aylesford." in plan
    assert "Casey Penfold" in plan
    assert "Complete" in plan
    assert_accessible(page)
