"""The board's workflows in the browser, each page checked with axe-core: a serious case review from
the charge to completion, a transfer asked for by Kent and accepted by Sussex, and a quarter's
meeting quality audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import Agency, Area, User
from cases.models import Nominal
from devtools.demo.agencies import DEMO_PASSWORD
from governance.forms import ended_quarters
from governance.models import MeetingAudit
from meetings.models import Meeting, MeetingKind
from meetings.services import meeting_mark_held, meeting_record_attendance, meeting_schedule
from reviews.models import SeriousCaseReview, Stage
from tests.browser.conftest import assert_accessible, kent_case, sign_in
from transfers.models import Transfer, TransferStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _date(page: Any, day: datetime.date) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert_accessible(page)


def _open(page: Any, name: str) -> None:
    page.get_by_role("link", name=name).first.click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_a_serious_case_review_from_the_charge_to_completion(page: Any, chromium: Any, live_server: Any) -> None:
    nominal = kent_case("Dale", "Stelling")
    today = timezone.localdate()
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/nominals/{nominal.case_reference}/orders-and-events/")
    assert_accessible(page)
    _open(page, "Record a charge for a serious further offence")
    _submit(page, "Record the charge")
    assert page.locator(".govuk-error-summary").count() == 1  # nothing entered: told what is missing
    _date(page, today - datetime.timedelta(days=2))
    page.get_by_label("Offence charged").fill("Wounding with intent")
    _submit(page, "Record the charge")
    review = SeriousCaseReview.objects.get()
    assert page.url.endswith(f"/serious-case-reviews/{review.pk}/")
    _open(page, "Record the notification")
    _date(page, today)
    _submit(page, "Record the notification")
    assert SeriousCaseReview.objects.get().stage == Stage.AWAITING_DECISION

    board = chromium.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London").new_page()
    board.set_default_timeout(10_000)
    sign_in(board, "board", DEMO_PASSWORD)
    board.goto("/serious-case-reviews/")
    assert_accessible(board)
    assert "Stelling" not in board.content()
    assert "STELLING" not in board.content()
    _open(board, review.reference)
    _open(board, "Record the board's decision")
    board.get_by_label("Hold a serious case review").check()
    _date(board, today)
    board.get_by_label("Who decided").fill("SMB chair")
    board.get_by_label("Rationale").fill("Several agencies knew of the risk.")
    _submit(board, "Record the decision")
    board.context.close()

    page.reload()
    _open(page, "Record the terms of reference and panel")
    page.get_by_label("Terms of reference").fill("The year before the charge.")
    page.get_by_label("Review panel").fill("Independent chair")
    _submit(page, "Save")
    _open(page, "Add a recommendation")
    page.get_by_label("Recommendation").fill("Share address changes the same day.")
    _submit(page, "Add the recommendation")
    _open(page, "Record the report")
    _date(page, today)
    _submit(page, "Record the report")
    _open(page, "Add an action")
    page.get_by_label("Recommendation").select_option(index=1)
    page.get_by_label("Action", exact=True).fill("Brief offender managers")
    page.get_by_label("Agency that owns it").select_option(label="Kent Police")
    _date(page, today + datetime.timedelta(days=30))
    _submit(page, "Add the action")
    _open(page, "Complete the review")
    _submit(page, "Complete the review")
    assert "Every action of the plan must be completed" in page.content()  # refused, said why
    page.goto(f"/serious-case-reviews/{review.pk}/")
    _open(page, "Update")
    _date(page, today)
    _submit(page, "Save")
    _open(page, "Complete the review")
    _submit(page, "Complete the review")

    assert SeriousCaseReview.objects.get().stage == Stage.COMPLETE
    assert page.locator("strong.govuk-tag--green", has_text="Complete").count() == 1


def test_kent_asks_sussex_to_take_a_case_on_and_sussex_accepts(page: Any, chromium: Any, live_server: Any) -> None:
    nominal = kent_case("Dale", "Hothfield")
    today = timezone.localdate()
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/nominals/{nominal.case_reference}/orders-and-events/")
    assert_accessible(page)
    _open(page, "Transfer to another area")
    page.get_by_label("MAPPA area the person is moving to").select_option(label="Sussex")
    _date(page, today)
    page.get_by_label("Why the person is moving").fill("A new job in Brighton.")
    _submit(page, "Send the transfer")
    transfer = Transfer.objects.get()
    assert page.url.endswith(f"/transfers/{transfer.pk}/")

    sussex = chromium.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London").new_page()
    sussex.set_default_timeout(10_000)
    sign_in(sussex, "sussex-coordinator", DEMO_PASSWORD)
    sussex.goto("/transfers/")
    assert_accessible(sussex)
    _open(sussex, "HOTHFIELD, Dale")
    _open(sussex, "Decline")
    _submit(sussex, "Decline the transfer")
    assert sussex.locator(".govuk-error-summary").count() == 1  # a reason is needed
    sussex.goto(f"/transfers/{transfer.pk}/")
    _open(sussex, "Accept")
    _date(sussex, today)
    sussex.get_by_label("Lead agency in your area").select_option(label="Probation Service, Sussex")
    _submit(sussex, "Accept the transfer")
    _open(sussex, nominal.case_reference)
    assert "HOTHFIELD" in sussex.content()
    sussex.context.close()

    assert Transfer.objects.get().status == TransferStatus.ACCEPTED
    assert Nominal.objects.filter(last_name="Hothfield").count() == 1
    assert Nominal.objects.get().area == Area.objects.get(code="SUSSEX")


def test_the_coordinator_audits_last_quarters_meetings(page: Any) -> None:
    nominal = kent_case("Dale", "Lenham")
    coordinator = User.objects.get(username="coordinator")
    quarter = ended_quarters(timezone.localdate())[0]
    starts = timezone.make_aware(datetime.datetime.combine(quarter + datetime.timedelta(days=10), datetime.time(10)))
    meeting = meeting_schedule(
        actor=coordinator,
        nominal=nominal,
        kind=MeetingKind.URGENT,
        chair=User.objects.get(username="chair"),
        minute_taker=coordinator,
        starts_at=starts,
        place="Maidstone police station",
        invite=[Agency.objects.get(name="Maidstone Council Housing")],
    )
    rows = {
        invitation: {"attendance": "attended", "attendee_name": "A", "attendee_role": "B"}
        for invitation in meeting.invitations.all()
    }
    meeting_record_attendance(actor=coordinator, meeting=meeting, rows=rows)
    meeting_mark_held(actor=coordinator, meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(held_at=starts)

    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto("/board/meeting-audits/")
    assert_accessible(page)
    page.get_by_label("Quarter").select_option(value=quarter.isoformat())
    _submit(page, "Pick the sample")
    _open(page, f"Urgent, {starts:%-d %b %Y}")
    _submit(page, "Record the audit")
    assert page.locator(".govuk-error-summary").count() == 1
    for question in (
        "Were the right agencies there?",
        "Was the risk management plan defensible?",
        "Were the actions completed on time?",
    ):
        page.get_by_role("group", name=question).get_by_label("Yes").check()
    _submit(page, "Record the audit")

    audit = MeetingAudit.objects.get()
    assert audit.completed_at is not None
    assert audit.right_agencies == "yes"
    assert "Maidstone Council Housing" in page.locator("#agency-summary").inner_text()
    page.goto("/board/")
    assert_accessible(page)
    assert "1 of 1" in page.locator("#audit-quarters").inner_text()
