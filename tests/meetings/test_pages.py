"""Meeting pages: who sees what, bad input on every form, stale saves, disclosures, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mappa.audit.models import AuditEntry, AuditEvent
from meetings.models import Attendance, Meeting, MeetingKind, MinutesRequest
from meetings.services import (
    meeting_approve,
    meeting_distribute,
    meeting_schedule,
    meeting_submit,
    minutes_request_record,
)
from tests.conftest import People, client_for
from tests.factories import make_user
from tests.meeting_fixtures import MEETING_DAY, Setting
from tests.meetings.test_services import hold, minutes
from tests.nominal_fixtures import Cases

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def distributed(people: People, setting: Setting, **attendance: str) -> Meeting:
    meeting = minutes(people, hold(people, setting, attendance), executive_summary="Plan continues; risk high.")
    meeting_submit(actor=people.coordinator, meeting=meeting)
    meeting_approve(actor=people.chair, meeting=Meeting.objects.get(pk=meeting.pk))
    return meeting_distribute(actor=people.coordinator, meeting=Meeting.objects.get(pk=meeting.pk))


def test_who_sees_the_meeting_before_the_minutes(people: People, setting: Setting) -> None:
    childrens_worker = make_user("worker", agency=setting.childrens, roles=())
    path = f"/meetings/{setting.meeting.pk}/"

    assert client_for(people.coordinator).get(path).status_code == 200
    assert client_for(people.chair).get(path).status_code == 200
    invited = client_for(people.housing_officer).get(path)
    assert invited.status_code == 200
    assert "The minutes are confidential" in invited.content.decode()
    assert client_for(childrens_worker).get(path).status_code == 404
    assert client_for(people.other_area_coordinator).get(path).status_code == 404
    assert client_for(people.auditor).get(path).status_code == 404
    assert AuditEntry.objects.filter(event=AuditEvent.VIEW_REFUSED, object_pk=str(setting.meeting.pk)).count() == 3


def test_attending_agencies_read_distributed_minutes_and_others_do_not(people: People, setting: Setting) -> None:
    meeting = distributed(people, setting, **{"Kent Police": Attendance.APOLOGIES})
    path = f"/meetings/{meeting.pk}/"

    housing = client_for(people.housing_officer).get(path).content.decode()  # attended
    police = client_for(people.practitioner).get(path).content.decode()  # sent apologies

    assert "Maidstone Housing update" in housing
    assert "Plan continues; risk high." not in housing  # the executive summary is separately permissioned
    assert "Maidstone Housing update" not in police
    assert "The minutes are confidential" in police
    assert client_for(people.practitioner).get(f"/meetings/{meeting.pk}/minutes.pdf").status_code == 403


def test_minutes_pdf_is_marked_on_every_page_and_its_download_is_a_logged_disclosure(
    people: People, setting: Setting
) -> None:
    meeting = distributed(people, setting)

    response = client_for(people.housing_officer).get(f"/meetings/{meeting.pk}/minutes.pdf")

    content = response.content
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pages = content.count(b"/Type /Page\n") or content.count(b"/Type /Page ")
    assert pages >= 1
    assert content.count(b"(OFFICIAL-SENSITIVE) Tj") >= 2 * pages
    entry = AuditEntry.objects.get(event=AuditEvent.DISCLOSURE, object_pk=str(meeting.pk))
    assert entry.actor == people.housing_officer
    assert entry.additional_data["recipient"] == "housing"
    assert entry.nominal_id == meeting.nominal_id


def test_request_for_minutes_is_answered_with_the_executive_summary_and_logged(
    people: People, setting: Setting
) -> None:
    meeting = distributed(people, setting)
    client = client_for(people.coordinator)

    client.post(
        f"/meetings/{meeting.pk}/requests/new/",
        {"requester_kind": "lawyer", "requester": "Fenwick & Co solicitors", **_date("received_on", MEETING_DAY)},
    )
    request = MinutesRequest.objects.get()
    client.post(f"/meetings/{meeting.pk}/requests/{request.pk}/release/")
    pdf = client.get(f"/meetings/{meeting.pk}/requests/{request.pk}/executive-summary.pdf")

    assert MinutesRequest.objects.get().released_on is not None
    assert pdf["Content-Type"] == "application/pdf"
    disclosures = AuditEntry.objects.filter(event=AuditEvent.DISCLOSURE, object_pk=str(meeting.pk))
    assert {entry.additional_data["recipient"] for entry in disclosures} == {"Fenwick & Co solicitors"}
    assert {entry.additional_data["disclosed"] for entry in disclosures} == {
        "executive summary",
        "executive summary PDF",
    }


def test_unreleased_executive_summary_cannot_be_downloaded(people: People, setting: Setting) -> None:
    meeting = distributed(people, setting)
    request = minutes_request_record(
        actor=people.coordinator,
        meeting=meeting,
        values={"requester_kind": "court", "requester": "Crown Court", "received_on": MEETING_DAY},
    )

    response = client_for(people.coordinator).get(f"/meetings/{meeting.pk}/requests/{request.pk}/executive-summary.pdf")

    assert response.status_code == 403


def test_second_of_two_minutes_edits_from_the_same_version_is_refused_with_input_kept(
    people: People, setting: Setting
) -> None:
    meeting = hold(people, setting)
    path = f"/meetings/{meeting.pk}/minutes/"
    form = {"version": "1", "offender_informed": "on", "imminence": "could_happen"}

    first = client_for(people.coordinator).post(path, {**form, "risk_nature": "Threats by text message"})
    second = client_for(people.chair).post(path, {**form, "risk_nature": "Seen near the victim's home"})

    assert first.status_code == 302
    assert second.status_code == 409
    content = second.content.decode()
    assert "Seen near the victim" in content
    assert "Someone else saved this while you were editing it" in content
    assert Meeting.objects.get(pk=meeting.pk).risk_nature == "Threats by text message"


def test_approving_as_anyone_but_the_chair_is_refused(people: People, setting: Setting) -> None:
    meeting = minutes(people, hold(people, setting))
    meeting_submit(actor=people.coordinator, meeting=meeting)

    response = client_for(people.coordinator).post(f"/meetings/{meeting.pk}/status/approve/", {"confirm": "yes"})

    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == "submitted"


def test_approval_needs_the_confirmation_ticked(people: People, setting: Setting) -> None:
    meeting = minutes(people, hold(people, setting))
    meeting_submit(actor=people.coordinator, meeting=meeting)

    client_for(people.chair).post(f"/meetings/{meeting.pk}/status/approve/", {})

    assert Meeting.objects.get(pk=meeting.pk).status == "submitted"


def test_distributing_unapproved_minutes_is_refused_with_a_message(people: People, setting: Setting) -> None:
    meeting = minutes(people, hold(people, setting))

    response = client_for(people.coordinator).post(
        f"/meetings/{meeting.pk}/status/distribute/", {"confirm": "yes"}, follow=True
    )

    assert "Only minutes the chair has approved can be distributed" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).status == "held"


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        (
            "minutes/",
            {"version": "1", "next_review_0": "31", "next_review_1": "2", "next_review_2": "2027"},
            "Enter a real date",
        ),
        ("minutes/", {"version": "1", "level_decision": "raise", "level_rationale": "x"}, "Select a level higher"),
        (
            "minutes/",
            {"version": "1", "rosh_level": "extreme"},
            "Select a current risk of serious harm shown in the list",
        ),
        (
            "minutes/",
            {
                "version": "1",
                **_date("next_review", MEETING_DAY + datetime.timedelta(weeks=30)),
                "offender_informed": "on",
            },
            "Explain why the review is later",
        ),
        ("plan/", {"version": "abc"}, "This page is out of date"),
        ("decision/new/", {"decision": "x", "rationale": ""}, "Enter the rationale"),
        (
            "disclosure/new/",
            {"recipient": "School", "what": "x", "why_necessary": "x", "who_discloses": "Police"},
            "Enter why the person will not be told first",
        ),
        (
            "action/new/",
            {"pillar": "supervision", "description": "x", "owning_agency": "", **_date("due", MEETING_DAY)},
            "Select the owning agency",
        ),
        (
            "action/new/",
            {"pillar": "magic", "description": "x", "owning_agency": "1", **_date("due", MEETING_DAY)},
            "Select a pillar shown in the list",
        ),
    ],
)
def test_bad_input_on_minutes_forms_is_explained_and_changes_nothing(
    people: People, setting: Setting, path: str, data: dict[str, str], message: str
) -> None:
    meeting = hold(people, setting)
    before = Meeting.objects.values().get(pk=meeting.pk)

    response = client_for(people.coordinator).post(f"/meetings/{meeting.pk}/{path}", data)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Meeting.objects.values().get(pk=meeting.pk) == before
    assert not meeting.decisions.exists()
    assert not meeting.disclosures.exists()
    assert not meeting.actions.exists()


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/meetings/panel-days/new/", {"months": "40"}, "Ensure this value is less than or equal to 12"),
        ("/meetings/panel-days/new/", {"months": "2", "video_link": "not a link"}, "Enter a valid URL"),
        ("/meetings/urgent/", {"time": "25:99"}, "Enter a valid time"),
    ],
)
def test_bad_input_on_scheduling_forms(
    people: People, setting: Setting, path: str, data: dict[str, str], message: str
) -> None:
    before = (Meeting.objects.count(), setting.panel_day.__class__.objects.count())

    response = client_for(people.coordinator).post(path, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Meeting.objects.count(), setting.panel_day.__class__.objects.count()) == before


def test_bad_attendance_and_invitation_input(people: People, setting: Setting) -> None:
    meeting = setting.meeting
    first = meeting.invitations.first()

    attendance = client_for(people.coordinator).post(
        f"/meetings/{meeting.pk}/attendance/", {f"i{first.pk}-attendance": "asleep"}
    )
    invite = client_for(people.coordinator).post(f"/meetings/{meeting.pk}/invite/", {"agency": str(people.police.pk)})

    assert attendance.status_code == 400
    assert invite.status_code == 400  # already invited, so not offered
    assert meeting.invitations.get(pk=first.pk).attendance == Attendance.INVITED


@pytest.mark.parametrize("persona", ["housing_officer", "practitioner", "auditor", "administrator"])
def test_non_coordinators_cannot_manage_meetings(people: People, setting: Setting, persona: str) -> None:
    client = client_for(getattr(people, persona))

    assert client.get("/meetings/panel-days/").status_code == 403
    assert client.get("/meetings/reviews/").status_code == 403
    assert client.get(f"/meetings/{setting.meeting.pk}/attendance/").status_code in (403, 404)
    assert client.post(f"/meetings/{setting.meeting.pk}/status/held/").status_code in (403, 404)


def test_owning_agency_updates_its_action_but_others_cannot(people: People, setting: Setting) -> None:
    from meetings.services import action_add

    meeting = hold(people, setting)
    action = action_add(
        actor=people.coordinator,
        meeting=meeting,
        values={
            "pillar": "victim_safety_planning",
            "description": "Move-on accommodation",
            "owning_agency": people.housing,
            "owner": None,
            "due": MEETING_DAY + datetime.timedelta(days=3),
        },
    )
    path = f"/meetings/{meeting.pk}/actions/{action.pk}/"

    assert client_for(people.practitioner).post(path, {"status": "complete", "version": "1"}).status_code == 403
    saving = {"status": "in_progress", "note": "Viewing booked", "version": "1"}
    assert client_for(people.housing_officer).post(path, saving).status_code == 302
    assert action.updates.get().note == "Viewing booked"


def test_panel_day_meeting_and_reviews_pages_run_constant_queries(  # type: ignore[no-untyped-def]
    people: People, cases, setting: Setting, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    from meetings.services import action_add, action_update, meeting_decision_add

    client = client_for(people.coordinator)
    meeting = hold(people, setting)

    def add_records(number: int) -> None:
        meeting_decision_add(
            actor=people.coordinator,
            meeting=meeting,
            values={"decision": f"D{number}", "rationale": "r", "dissent": ""},
        )
        action = action_add(
            actor=people.coordinator,
            meeting=meeting,
            values={
                "pillar": "supervision",
                "description": f"A{number}",
                "owning_agency": people.police,
                "owner": None,
                "due": MEETING_DAY + datetime.timedelta(days=3),
            },
        )
        action_update(actor=people.coordinator, action=action, status="in_progress", note="Started", expected_version=1)

    add_records(0)
    paths = [f"/meetings/panel-days/{setting.panel_day.pk}/", f"/meetings/{meeting.pk}/", "/meetings/reviews/"]
    counts = {}
    for path in paths:
        client.get(path)
        # The meeting page: its own reads, and the documents panels' check of access to the meeting.
        with django_assert_max_num_queries(35) as captured:
            client.get(path)
        counts[path] = len(captured.captured_queries)
    for number in range(1, 5):
        add_records(number)
    for path in paths:
        with django_assert_num_queries(counts[path]):
            client.get(path)


def test_the_chairs_meetings_show_each_meeting_in_a_constant_number_of_queries(
    people: People, cases: Cases, setting: Setting
) -> None:
    client = client_for(people.chair)

    def shown() -> tuple[str, int]:
        client.get("/meetings/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/meetings/")
        assert response.status_code == 200
        return response.content.decode(), len(captured.captured_queries)

    _, with_one = shown()
    for hour in range(11, 16):
        meeting_schedule(
            actor=people.coordinator,
            nominal=cases.own,
            kind=MeetingKind.REVIEW,
            chair=people.chair,
            minute_taker=people.coordinator,
            starts_at=timezone.make_aware(datetime.datetime.combine(MEETING_DAY, datetime.time(hour))),
            panel_day=setting.panel_day,
            invite=[],
        )
    page, with_six = shown()
    assert with_six == with_one
    assert page.count(f"{cases.own.case_reference}: review meeting, Level 2") == 6
    assert f"{MEETING_DAY.day} {MEETING_DAY:%b %Y}, 15:00" in page
