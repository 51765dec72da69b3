"""Every page that shows case data, every export and every PDF writes an audit entry.

The check walks a list of those views (each with a user entitled to it) and fails if any request
writes nothing; another test makes sure every URL of the service is in that list or is declared to
show no case data, so a new view cannot slip through unclassified.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from agencies.models import User
from documents.models import Document
from documents.services import document_upload
from governance.models import MeetingAudit
from mappa.audit.models import AuditEntry, AuditEvent
from mappa.authorization import rule_for
from meetings.models import Meeting, MinutesRequest
from meetings.services import (
    action_add,
    meeting_approve,
    meeting_distribute,
    meeting_submit,
    minutes_request_record,
    minutes_request_release,
)
from referrals.models import PanelItem, Referral
from referrals.services import panel_agenda_add, panel_create, panel_member_add, panel_set_status, referral_submit
from reviews.models import SeriousCaseReview
from reviews.services import serious_further_offence_record
from tests.conftest import People, client_for
from tests.documents.files import pdf
from tests.mappa.test_sign_in_required import ALL_URLS
from tests.meeting_fixtures import MEETING_DAY, Setting
from tests.meetings.test_services import hold, minutes
from tests.nominal_fixtures import Cases
from tests.referrals.conftest import make_referral
from transfers.models import Transfer
from transfers.services import transfer_request

pytestmark = pytest.mark.django_db


@dataclass
class World:
    people: People
    cases: Cases
    meeting: Meeting
    request: MinutesRequest
    referral: Referral
    draft: Referral
    item: PanelItem
    document: Document
    review: SeriousCaseReview
    transfer: Transfer
    audit: MeetingAudit

    @property
    def ref(self) -> str:
        return self.cases.own.case_reference


@pytest.fixture
def world(people: People, cases: Cases, setting: Setting) -> World:
    meeting = minutes(people, hold(people, setting), executive_summary="Summary")
    action = action_add(
        actor=people.coordinator,
        meeting=meeting,
        values={
            "pillar": "supervision",
            "description": "Visit",
            "owning_agency": people.housing,
            "owner": None,
            "due": MEETING_DAY + datetime.timedelta(days=3),
        },
    )
    assert action.pk
    meeting_submit(actor=people.coordinator, meeting=meeting)
    meeting_approve(actor=people.chair, meeting=Meeting.objects.get(pk=meeting.pk))
    meeting = meeting_distribute(actor=people.coordinator, meeting=Meeting.objects.get(pk=meeting.pk))
    request = minutes_request_record(
        actor=people.coordinator,
        meeting=meeting,
        values={
            "requester_kind": "lawyer",
            "requester": "Solicitors",
            "received_on": MEETING_DAY,
        },
    )
    minutes_request_release(actor=people.coordinator, request=request)
    referral = referral_submit(
        actor=people.housing_officer, referral=make_referral(people.housing_officer, lead_agency=people.police)
    )
    draft = make_referral(people.housing_officer, lead_agency=people.police, last_name="Draftson")
    panel = panel_create(actor=people.coordinator, area=people.area, date=MEETING_DAY)
    panel_member_add(actor=people.coordinator, panel=panel, agency=people.unit, name="Robin", user=None)
    item = panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)
    panel_set_status(actor=people.coordinator, panel=panel, status="open")
    document = document_upload(
        actor=people.coordinator,
        parent=cases.own,
        values={"title": "Licence", "kind": "licence", "provided_by": people.unit, "dated": MEETING_DAY},
        data=pdf(),
        filename="licence.pdf",
    )
    review = serious_further_offence_record(
        actor=people.coordinator,
        nominal=cases.own,
        values={"date": MEETING_DAY, "offence": "Robbery", "open_review": True},
    )
    assert review is not None
    transfer = transfer_request(
        actor=people.coordinator,
        nominal=cases.shared,
        values={"to_area": people.other_area, "moving_on": MEETING_DAY, "reason": "Moving", "lead_agency": None},
    )
    audit = MeetingAudit.objects.create(
        area=people.area, quarter=MEETING_DAY.replace(day=1), meeting=meeting, drawn_by=people.coordinator
    )
    return World(people, cases, meeting, request, referral, draft, item, document, review, transfer, audit)


View = Callable[[World], tuple[User, str]]
CONSULTATION = [
    AuditEvent.VIEW,
    AuditEvent.SEARCH,
    AuditEvent.EXPORT,
    AuditEvent.DISCLOSURE,
    AuditEvent.DOCUMENT_DOWNLOADED,
    AuditEvent.DOCUMENT_PREVIEWED,
]

CASE_DATA_VIEWS: dict[str, View] = {
    "cases:nominal-list": lambda w: (w.people.coordinator, "/nominals/"),
    "cases:nominal-export": lambda w: (w.people.coordinator, "/nominals/export.csv"),
    "cases:nominal-detail": lambda w: (w.people.coordinator, f"/nominals/{w.ref}/"),
    "cases:nominal-records": lambda w: (w.people.coordinator, f"/nominals/{w.ref}/orders-and-events/"),
    "cases:nominal-risk": lambda w: (w.people.coordinator, f"/nominals/{w.ref}/risk/"),
    "cases:nominal-history": lambda w: (w.people.coordinator, f"/nominals/{w.ref}/history/"),
    "cases:nominal-audit": lambda w: (w.people.coordinator, f"/nominals/{w.ref}/audit/"),
    "cases:nominal-edit": lambda w: (w.people.coordinator, f"/nominals/{w.ref}/edit/"),
    "referrals:referral-list": lambda w: (w.people.housing_officer, "/referrals/"),
    "referrals:queue": lambda w: (w.people.coordinator, "/referrals/queue/"),
    "referrals:referral-detail": lambda w: (w.people.coordinator, f"/referrals/{w.referral.reference}/"),
    "referrals:referral-step": lambda w: (w.people.housing_officer, f"/referrals/{w.draft.reference}/person/"),
    "referrals:referral-matches": lambda w: (w.people.housing_officer, f"/referrals/{w.draft.reference}/matches/"),
    "referrals:referral-check": lambda w: (w.people.housing_officer, f"/referrals/{w.draft.reference}/check/"),
    "referrals:panel-detail": lambda w: (w.people.coordinator, f"/screening/{w.item.panel_id}/"),
    "referrals:panel-decide": lambda w: (
        w.people.coordinator,
        f"/screening/{w.item.panel_id}/items/{w.item.pk}/decision/",
    ),
    "referrals:panel-agenda-add": lambda w: (w.people.coordinator, f"/screening/{w.item.panel_id}/agenda/"),
    "meetings:my-meetings": lambda w: (w.people.chair, "/meetings/"),
    "meetings:work": lambda w: (w.people.housing_officer, "/meetings/work/"),
    "meetings:work-action-update": lambda w: (
        w.people.housing_officer,
        f"/meetings/work/actions/{w.meeting.actions.get().pk}/",
    ),
    "meetings:panel-day-detail": lambda w: (w.people.coordinator, f"/meetings/panel-days/{w.meeting.panel_day_id}/"),
    "meetings:meeting-add": lambda w: (w.people.coordinator, f"/meetings/panel-days/{w.meeting.panel_day_id}/add/"),
    "meetings:meeting-urgent": lambda w: (w.people.coordinator, "/meetings/urgent/"),
    "meetings:reviews": lambda w: (w.people.coordinator, "/meetings/reviews/"),
    "meetings:meeting-detail": lambda w: (w.people.housing_officer, f"/meetings/{w.meeting.pk}/"),
    "meetings:minutes-pdf": lambda w: (w.people.housing_officer, f"/meetings/{w.meeting.pk}/minutes.pdf"),
    "meetings:executive-summary-pdf": lambda w: (
        w.people.coordinator,
        f"/meetings/{w.meeting.pk}/requests/{w.request.pk}/executive-summary.pdf",
    ),
    "meetings:action-update": lambda w: (
        w.people.coordinator,
        f"/meetings/{w.meeting.pk}/actions/{w.meeting.actions.get().pk}/",
    ),
    "audit:search": lambda w: (w.people.auditor, "/audit/"),
    "audit:export": lambda w: (w.people.auditor, "/audit/export.csv"),
    "audit:nominal-history": lambda w: (w.people.auditor, f"/audit/nominals/{w.ref}/"),
    "audit:user-activity": lambda w: (w.people.auditor, "/audit/users/coordinator/"),
    "audit:report": lambda w: (w.people.auditor, "/audit/reports/category_4/"),
    "statistics:kpi-cases": lambda w: (w.people.coordinator, "/statistics/kpis/actions/"),
    "documents:download": lambda w: (w.people.coordinator, f"/documents/{w.document.pk}/"),
    "documents:preview": lambda w: (w.people.coordinator, f"/documents/{w.document.pk}/preview/"),
    "reviews:register": lambda w: (w.people.coordinator, "/serious-case-reviews/"),
    "reviews:review-detail": lambda w: (w.people.coordinator, f"/serious-case-reviews/{w.review.pk}/"),
    "transfers:transfer-list": lambda w: (w.people.coordinator, "/transfers/"),
    "transfers:transfer-detail": lambda w: (w.people.coordinator, f"/transfers/{w.transfer.pk}/"),
    "governance:audit-list": lambda w: (
        w.people.coordinator,
        f"/board/meeting-audits/?quarter={w.audit.quarter:%Y-%m-%d}",
    ),
    "governance:audit-record": lambda w: (w.people.coordinator, f"/board/meeting-audits/{w.audit.pk}/"),
}

# Views whose GET shows no case data (at most a case reference), or which only act on a POST.
NO_CASE_DATA = {
    "home",
    "sign-in",
    "sign-out",
    "second-factor",
    "second-factor-setup",
    "recovery-codes",
    "account",
    "healthz",
    "readyz",
    "agencies:agency-list",
    "agencies:agency-detail",
    "cases:nominal-create",
    "cases:nominal-purpose",
    "cases:nominal-exit",
    "cases:nominal-reenter",
    "cases:nominal-share",
    "cases:nominal-unshare",
    "cases:nominal-decision",
    "cases:nominal-record-add",
    "referrals:referral-start",
    "referrals:referral-request-information",
    "referrals:referral-withdraw",
    "referrals:panel-list",
    "referrals:panel-create",
    "referrals:panel-member-add",
    "referrals:panel-status",
    "meetings:panel-day-list",
    "meetings:panel-day-schedule",
    "meetings:meeting-invite",
    "meetings:meeting-attendance",
    "meetings:meeting-transition",
    "meetings:minutes-request-add",
    "meetings:minutes-request-release",
    "meetings:meeting-record-add",
    "notifications:list",
    "notifications:open",
    "notifications:read-all",
    "notifications:failures",
    "notifications:retry",
    "audit:report-review",
    # Figures and tables of counts, which name nobody; the annual report's download is logged.
    "statistics:dashboard",
    "statistics:engagement",
    "statistics:annual-reports",
    "statistics:annual-report-run",
    "statistics:annual-report-csv",
    "documents:upload-for-nominal",
    "documents:upload-for-referral",
    "documents:upload-for-meeting",
    "documents:upload-for-review",
    "documents:withdraw",
    # The steps of a serious case review and of a transfer: forms captioned with a reference.
    "reviews:record-charge",
    "reviews:review-notify",
    "reviews:review-decide",
    "reviews:review-terms",
    "reviews:milestone-add",
    "reviews:milestone-done",
    "reviews:report-received",
    "reviews:recommendation-add",
    "reviews:action-add",
    "reviews:action-update",
    "reviews:review-complete",
    "transfers:transfer-request",
    "transfers:transfer-accept",
    "transfers:transfer-decline",
    "transfers:transfer-withdraw",
    # The board's figures name nobody; drawing a sample only acts on a POST.
    "governance:board",
    "governance:audit-draw",
    # Signing in through an agency's identity provider.
    "federation:start",
    "federation:callback",
    "federation:back-channel-logout",
    # The partner API's schema and reference page describe it and show no record.
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
}
# Pages that show the minutes or plan only to those editing them; checked with the editor.
EDITOR_VIEWS: dict[str, View] = {
    "meetings:meeting-minutes": lambda w: (w.people.coordinator, f"/meetings/{w.meeting.pk}/minutes/"),
    "meetings:meeting-rmp": lambda w: (w.people.coordinator, f"/meetings/{w.meeting.pk}/plan/"),
}


def consultations_missing(world: World, views: dict[str, View]) -> list[str]:
    """The views whose request wrote no audit entry."""
    missing = []
    for name, build in views.items():
        user, path = build(world)
        client = client_for(user)  # signing in writes an entry of its own, before counting starts
        consultations = AuditEntry.objects.filter(actor=user, event__in=CONSULTATION)
        before = consultations.count()
        response = client.get(path)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert response.status_code in (200, 302), f"{name}: {path} answered {response.status_code}"
        if consultations.count() == before:
            missing.append(name)
    return missing


def test_every_view_that_shows_case_data_records_a_consultation(world: World) -> None:
    assert consultations_missing(world, CASE_DATA_VIEWS) == []


def test_minutes_and_plan_editors_are_recorded_too(world: World, people: People) -> None:
    held = Meeting.objects.create(
        area=world.meeting.area,
        nominal=world.meeting.nominal,
        kind="urgent",
        level=2,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=world.meeting.starts_at,
        status="held",
    )
    from meetings.models import RiskManagementPlan

    RiskManagementPlan.objects.create(meeting=held)
    world.meeting = held

    assert consultations_missing(world, EDITOR_VIEWS) == []


def test_every_url_is_classified() -> None:
    # The partner API's operations write an entry for every call, whatever it shows (tests/partners).
    names = {name for name, _ in ALL_URLS if not name.startswith("admin:") and not rule_for(name).scopes}
    classified = set(CASE_DATA_VIEWS) | set(EDITOR_VIEWS) | NO_CASE_DATA

    assert names - classified == set(), "classify these views: do they show case data?"


def test_the_check_fails_when_a_views_logging_is_removed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    import cases.views

    monkeypatch.setattr(cases.views, "_viewed", lambda *args, **kwargs: None)

    missing = consultations_missing(world, CASE_DATA_VIEWS)

    assert {"cases:nominal-detail", "cases:nominal-records", "cases:nominal-risk", "cases:nominal-history"} <= set(
        missing
    )
