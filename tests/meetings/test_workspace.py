"""My agency's work: its actions (filterable, updatable), meetings it is invited to, referrals it made."""

from __future__ import annotations

import datetime

import pytest

from meetings.models import ActionStatus, Pillar
from meetings.services import action_add
from tests.conftest import People, client_for
from tests.meeting_fixtures import MEETING_DAY, Setting
from tests.meetings.test_services import hold

pytestmark = [pytest.mark.django_db, pytest.mark.dated]


def _action(people: People, setting: Setting, agency, description: str, due_in: int):  # type: ignore[no-untyped-def]
    return action_add(
        actor=people.coordinator,
        meeting=setting.meeting,
        values={
            "pillar": Pillar.VICTIM_SAFETY_PLANNING,
            "description": description,
            "owning_agency": agency,
            "owner": None,
            "due": MEETING_DAY + datetime.timedelta(days=due_in),
        },
    )


def test_agency_sees_only_its_own_actions(people: People, setting: Setting) -> None:
    hold(people, setting)
    _action(people, setting, people.housing, "Find move-on accommodation", 1)
    _action(people, setting, people.police, "Visit the home address", 3)

    content = client_for(people.housing_officer).get("/meetings/work/").content.decode()

    assert "Find move-on accommodation" in content
    assert "Visit the home address" not in content
    assert setting.meeting.nominal.case_reference in content


def test_filters_and_sorting(people: People, setting: Setting) -> None:
    hold(people, setting)
    overdue = _action(people, setting, people.housing, "Overdue task", 0)
    _action(people, setting, people.housing, "Later task", 30)
    client = client_for(people.housing_officer)

    overdue_only = client.get("/meetings/work/", {"due": "overdue"}).content.decode()
    latest_first = client.get("/meetings/work/", {"order": "-due"}).content.decode()
    by_status = client.get("/meetings/work/", {"status": "complete"}).content.decode()
    by_case = client.get("/meetings/work/", {"nominal": "NOPE-1"}).content.decode()

    assert overdue.due < datetime.date.today()
    assert "Overdue task" in overdue_only
    assert "Later task" not in overdue_only
    assert latest_first.index("Later task") < latest_first.index("Overdue task")
    assert "0 actions" in by_status
    assert "0 actions" in by_case


def test_bad_filter_is_a_field_error(people: People, setting: Setting) -> None:
    response = client_for(people.housing_officer).get("/meetings/work/", {"status": "lost"})

    assert response.status_code == 400
    assert "govuk-error-message" in response.content.decode()


def test_agency_updates_its_action_with_a_note_and_history_is_kept(people: People, setting: Setting) -> None:
    hold(people, setting)
    action = _action(people, setting, people.housing, "Find move-on accommodation", 5)
    client = client_for(people.housing_officer)

    path = f"/meetings/work/actions/{action.pk}/"
    assert 'name="version" value="1"' in client.get(path).content.decode()
    client.post(path, {"status": "in_progress", "note": "Viewing booked", "version": "1"})
    client.post(path, {"status": "complete", "note": "Tenancy signed", "version": "2"})

    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETE
    assert list(action.updates.values_list("note", flat=True)) == ["Viewing booked", "Tenancy signed"]
    assert client.post(path, {"status": "not_done", "note": "", "version": "3"}).status_code == 400


def test_an_update_made_from_an_out_of_date_page_is_refused_with_the_input_kept(
    people: People, setting: Setting
) -> None:
    hold(people, setting)
    action = _action(people, setting, people.housing, "Find move-on accommodation", 5)
    path = f"/meetings/work/actions/{action.pk}/"
    client_for(people.coordinator).post(
        f"/meetings/{action.meeting_id}/actions/{action.pk}/",
        {"status": "complete", "note": "Tenancy signed", "version": "1"},
    )

    stale = client_for(people.housing_officer).post(
        path, {"status": "in_progress", "note": "Viewing booked", "version": "1"}
    )

    page = stale.content.decode()
    assert stale.status_code == 409
    assert "changed by someone else" in page
    assert "Viewing booked" in page  # their input is kept
    assert "Tenancy signed" in page  # beside what the action says now
    assert 'name="version" value="2"' in page
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.COMPLETE, 2)
    assert list(action.updates.values_list("note", flat=True)) == ["Tenancy signed"]


def test_another_agencys_action_is_not_found(people: People, setting: Setting) -> None:
    hold(people, setting)
    action = _action(people, setting, people.police, "Visit", 5)

    assert client_for(people.housing_officer).get(f"/meetings/work/actions/{action.pk}/").status_code == 404


def test_upcoming_meetings_the_agency_is_invited_to_are_listed(people: People, setting: Setting) -> None:
    from django.utils import timezone

    from meetings.models import MeetingKind
    from meetings.services import meeting_schedule

    meeting_schedule(
        actor=people.coordinator,
        nominal=setting.meeting.nominal,
        kind=MeetingKind.URGENT,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        place="Sittingbourne police station",
        invite=[people.housing],
    )

    housing = client_for(people.housing_officer).get("/meetings/work/").content.decode()
    police = client_for(people.practitioner).get("/meetings/work/").content.decode()

    assert "Sittingbourne police station" in housing
    assert "Maidstone police station" not in housing  # that meeting has passed
    assert "Sittingbourne police station" not in police


@pytest.mark.parametrize("persona", ["auditor", "administrator"])
def test_workspace_is_for_agency_staff(people: People, persona: str) -> None:
    assert client_for(getattr(people, persona)).get("/meetings/work/").status_code == 403


def test_workspace_runs_a_constant_number_of_queries(
    people: People, setting: Setting, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    from meetings.services import action_update

    hold(people, setting)
    first = _action(people, setting, people.housing, "First", 5)
    action_update(actor=people.housing_officer, action=first, status="in_progress", note="Started", expected_version=1)
    client = client_for(people.housing_officer)
    client.get("/meetings/work/")
    with django_assert_max_num_queries(30) as baseline:
        client.get("/meetings/work/")
    for number in range(5):
        action = _action(people, setting, people.housing, f"Task {number}", 6 + number)
        action_update(
            actor=people.housing_officer, action=action, status="in_progress", note="Started", expected_version=1
        )
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get("/meetings/work/")
