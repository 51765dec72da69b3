"""The housing officer, who cannot attend a meeting, sends a report in lieu from their agency's
workspace; the chair sees it arrived and downloads it."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import Agency, User
from devtools.demo.agencies import DEMO_PASSWORD
from documents.models import Document
from mappa.audit.models import AuditEntry, AuditEvent
from meetings.models import Meeting, MeetingKind
from meetings.services import meeting_schedule
from tests.browser.conftest import assert_accessible, kent_case, sign_in
from tests.documents.files import pdf

pytestmark = [pytest.mark.browser, pytest.mark.documents, pytest.mark.django_db(transaction=True)]


def _meeting_next_week() -> Meeting:
    nominal = kent_case("Lewis", "Hartfield")
    coordinator = User.objects.get(username="coordinator")
    return meeting_schedule(
        actor=coordinator,
        nominal=nominal,
        kind=MeetingKind.URGENT,
        chair=User.objects.get(username="chair"),
        minute_taker=coordinator,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="Maidstone police station",
        invite=[Agency.objects.get(name="Maidstone Council Housing")],
    )


def test_housing_sends_a_report_in_lieu_and_the_chair_downloads_it(
    page: Any, chromium: Any, live_server: Any, tmp_path: Path
) -> None:
    meeting = _meeting_next_week()
    report = tmp_path / "housing-report.pdf"
    report.write_bytes(pdf("Maidstone Council Housing: report in lieu of attendance"))

    sign_in(page, "housing", DEMO_PASSWORD)
    page.goto("/meetings/work/")
    assert_accessible(page)
    page.get_by_role("link", name="Send a report in lieu for the meeting on").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Upload a file").set_input_files(str(report))
    page.get_by_label("Title").fill("Housing report for the review")
    assert page.get_by_label("Kind of document").input_value() == "report_in_lieu"
    page.get_by_label("Day").fill(str(timezone.localdate().day))
    page.get_by_label("Month").fill(str(timezone.localdate().month))
    page.get_by_label("Year").fill(str(timezone.localdate().year))
    page.get_by_role("button", name="Add the document").click()
    page.wait_for_load_state()
    assert page.url.endswith("/meetings/work/")
    assert_accessible(page)
    assert page.locator("strong.govuk-tag--green", has_text="Sent").count() == 1
    assert page.get_by_role("link", name="Send another for the meeting on").count() == 1

    document = Document.objects.get()
    assert (document.meeting_id, document.kind, document.provided_by.name) == (
        meeting.pk,
        "report_in_lieu",
        "Maidstone Council Housing",
    )

    chair_context = chromium.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    try:
        _chair_downloads_it(chair_context.new_page(), meeting, report, tmp_path)
    finally:
        chair_context.close()


def _chair_downloads_it(chair: Any, meeting: Meeting, report: Path, tmp_path: Path) -> None:
    chair.set_default_timeout(10_000)
    sign_in(chair, "chair", DEMO_PASSWORD)
    chair.goto(f"/meetings/{meeting.pk}/")
    assert_accessible(chair)
    assert "Maidstone Council Housing: Report sent" in " ".join(
        chair.locator("#reports-received ~ ul").inner_text().split()
    )
    with chair.expect_download() as download:
        chair.get_by_role("link", name="Housing report for the review (download, logged)").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == report.read_bytes()
    assert download.value.suggested_filename == "housing-report.pdf"
    assert AuditEntry.objects.filter(event=AuditEvent.DOCUMENT_DOWNLOADED, actor__username="chair").count() == 1
