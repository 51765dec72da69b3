"""The meeting workflow and its refusals."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import LevelPeriod, Nominal, Source
from cases.policy import nominal_access
from mappa.audit.models import AuditEntry, AuditEvent
from mappa.errors import StaleRecordError
from meetings.models import Action, ActionStatus, Attendance, LevelDecision, Meeting, MeetingKind, MeetingStatus, Pillar
from meetings.policy import meeting_access
from meetings.services import (
    action_add,
    action_update,
    meeting_approve,
    meeting_distribute,
    meeting_mark_held,
    meeting_minutes_update,
    meeting_record_attendance,
    meeting_schedule,
    meeting_submit,
    rmp_update,
)
from tests.conftest import People
from tests.meeting_fixtures import MEETING_DAY, Setting
from tests.nominal_fixtures import Cases

pytestmark = [pytest.mark.django_db, pytest.mark.dated]


def hold(people: People, setting: Setting, attendance: dict[str, str] | None = None) -> Meeting:
    meeting = setting.meeting
    attendance = attendance or {}
    rows = {
        invitation: {
            "attendance": attendance.get(invitation.agency.name, Attendance.ATTENDED),
            "attendee_name": "Someone",
            "attendee_role": "Officer",
            "information_shared": f"{invitation.agency.name} update",
        }
        for invitation in meeting.invitations.select_related("agency")
    }
    meeting_record_attendance(actor=people.coordinator, meeting=meeting, rows=rows)
    return meeting_mark_held(actor=people.coordinator, meeting=meeting)


def minutes(people: People, meeting: Meeting, **values) -> Meeting:
    fresh = Meeting.objects.get(pk=meeting.pk)
    defaults = {
        "confidentiality_statement_read": True,
        "rosh_level": "high",
        "level_decision": LevelDecision.CONTINUE,
        "level_rationale": "Plan is working",
        "next_review": MEETING_DAY + datetime.timedelta(weeks=16),
    }
    return meeting_minutes_update(
        actor=people.coordinator, meeting=fresh, values={**defaults, **values}, expected_version=fresh.minutes_version
    )


def test_only_level_2_or_3_nominals_have_meetings(people: People, cases: Cases, setting: Setting) -> None:
    with pytest.raises(ValidationError) as excinfo:
        meeting_schedule(
            actor=people.coordinator,
            nominal=cases.unshared,
            kind=MeetingKind.REVIEW,
            chair=people.chair,
            minute_taker=people.coordinator,
            starts_at=setting.meeting.starts_at,
            panel_day=setting.panel_day,
        )

    assert "Level 2 or 3" in str(excinfo.value)


def test_a_meeting_outside_a_panel_day_must_be_urgent(people: People, cases: Cases, setting: Setting) -> None:
    with pytest.raises(ValidationError):
        meeting_schedule(
            actor=people.coordinator,
            nominal=cases.own,
            kind=MeetingKind.REVIEW,
            chair=people.chair,
            minute_taker=people.coordinator,
            starts_at=setting.meeting.starts_at,
        )
    urgent = meeting_schedule(
        actor=people.coordinator,
        nominal=cases.own,
        kind=MeetingKind.URGENT,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=setting.meeting.starts_at,
        place="Video call",
    )

    assert urgent.panel_day is None


def test_standing_and_invited_agencies_get_the_agenda_and_the_nominal(
    people: People, cases: Cases, setting: Setting
) -> None:
    invited = set(setting.meeting.invitations.values_list("agency__name", "standing"))

    assert invited == {("Kent Police", True), ("Maidstone Housing", True), ("Mental Health Trust", False)}
    assert nominal_access(people.housing_officer, cases.own) is not None
    assert meeting_access(people.housing_officer, setting.meeting) is not None
    assert not meeting_access(people.housing_officer, setting.meeting).sees_minutes


def test_held_needs_every_attendance_recorded(people: People, setting: Setting) -> None:
    with pytest.raises(ValidationError, match="attendance"):
        meeting_mark_held(actor=people.coordinator, meeting=setting.meeting)


def test_attended_needs_a_name(people: People, setting: Setting) -> None:
    invitation = setting.meeting.invitations.first()

    with pytest.raises(ValidationError):
        meeting_record_attendance(
            actor=people.coordinator, meeting=setting.meeting, rows={invitation: {"attendance": Attendance.ATTENDED}}
        )


def test_minutes_refusals(people: People, setting: Setting) -> None:
    meeting = hold(people, setting)

    with pytest.raises(ValidationError) as late_review:
        minutes(people, meeting, next_review=MEETING_DAY + datetime.timedelta(weeks=20))
    with pytest.raises(ValidationError) as withheld:
        minutes(people, meeting, offender_informed=False, withheld_reason="")
    with pytest.raises(ValidationError) as same_level:
        minutes(people, meeting, level_decision=LevelDecision.RAISE, new_level=2)
    with pytest.raises(ValidationError) as no_rationale:
        minutes(people, meeting, level_rationale="")

    assert "next_review_rationale" in late_review.value.message_dict
    assert "withheld_reason" in withheld.value.message_dict
    assert "new_level" in same_level.value.message_dict
    assert "level_rationale" in no_rationale.value.message_dict
    assert minutes(
        people, meeting, next_review=MEETING_DAY + datetime.timedelta(weeks=20), next_review_rationale="Summer leave"
    ).next_review


def test_workflow_refusals(people: People, setting: Setting) -> None:
    meeting = hold(people, setting)

    with pytest.raises(ValidationError, match="confidentiality"):
        meeting_submit(actor=people.coordinator, meeting=Meeting.objects.get(pk=meeting.pk))
    meeting = minutes(people, meeting)
    with pytest.raises(ValidationError, match="sent to the chair"):
        meeting_approve(actor=people.chair, meeting=meeting)
    with pytest.raises(ValidationError, match="approved"):
        meeting_distribute(actor=people.coordinator, meeting=meeting)
    meeting = meeting_submit(actor=people.coordinator, meeting=meeting)
    with pytest.raises(ValidationError, match="Only the chair"):
        meeting_approve(actor=people.coordinator, meeting=meeting)
    with pytest.raises(ValidationError, match="approved"):
        meeting_distribute(actor=people.coordinator, meeting=meeting)


def test_approval_writes_the_level_decision_into_the_history(people: People, cases: Cases, setting: Setting) -> None:
    meeting = minutes(
        people,
        hold(people, setting),
        level_decision=LevelDecision.RAISE,
        new_level=3,
        level_rationale="Threats escalating",
        next_review=MEETING_DAY + datetime.timedelta(weeks=8),
    )
    meeting_submit(actor=people.coordinator, meeting=meeting)

    meeting_approve(actor=people.chair, meeting=Meeting.objects.get(pk=meeting.pk))

    nominal = Nominal.objects.get(pk=cases.own.pk)
    period = LevelPeriod.objects.get(nominal=nominal, end__isnull=True)
    assert (nominal.level, period.level, period.source, period.start) == (3, 3, Source.MEETING, MEETING_DAY)
    assert "Threats escalating" in period.reason
    assert nominal.next_review_due == MEETING_DAY + datetime.timedelta(weeks=8)


def test_continuing_at_the_same_level_is_also_in_the_history(people: People, cases: Cases, setting: Setting) -> None:
    meeting = minutes(people, hold(people, setting))
    meeting_submit(actor=people.coordinator, meeting=meeting)

    meeting_approve(actor=people.chair, meeting=Meeting.objects.get(pk=meeting.pk))

    periods = list(LevelPeriod.objects.filter(nominal=cases.own).order_by("start").values_list("level", "source"))
    assert periods[-1] == (2, Source.MEETING)
    assert len(periods) == 3


def test_distribution_reaches_attendees_and_action_owners_only(people: People, setting: Setting) -> None:
    meeting = hold(
        people, setting, {"Maidstone Housing": Attendance.APOLOGIES, "Mental Health Trust": Attendance.DID_NOT_ATTEND}
    )
    meeting = minutes(people, meeting)
    action_add(
        actor=people.coordinator,
        meeting=meeting,
        values={
            "pillar": Pillar.INTERVENTIONS_AND_TREATMENT,
            "description": "Assess",
            "owning_agency": setting.childrens,
            "owner": None,
            "due": MEETING_DAY + datetime.timedelta(days=10),
        },
    )
    meeting_submit(actor=people.coordinator, meeting=meeting)
    meeting_approve(actor=people.chair, meeting=Meeting.objects.get(pk=meeting.pk))

    meeting_distribute(actor=people.coordinator, meeting=Meeting.objects.get(pk=meeting.pk))

    from meetings.models import MeetingGroupObjectPermission
    from meetings.policy import VIEW_MINUTES

    groups = set(
        MeetingGroupObjectPermission.objects.filter(
            content_object=meeting, permission__codename=VIEW_MINUTES
        ).values_list("group__agency__name", flat=True)
    )
    assert groups == {"Kent Police", "Children's Services"}
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.DISTRIBUTED


def test_stale_minutes_save_is_refused_and_changes_nothing(people: People, setting: Setting) -> None:
    meeting = hold(people, setting)
    version = Meeting.objects.get(pk=meeting.pk).minutes_version
    meeting_minutes_update(
        actor=people.coordinator, meeting=meeting, values={"risk_nature": "First"}, expected_version=version
    )

    with pytest.raises(StaleRecordError):
        meeting_minutes_update(
            actor=people.chair, meeting=meeting, values={"risk_nature": "Second"}, expected_version=version
        )

    assert Meeting.objects.get(pk=meeting.pk).risk_nature == "First"


def test_stale_plan_save_is_refused(people: People, setting: Setting) -> None:
    meeting = hold(people, setting)
    plan = meeting.rmp
    rmp_update(actor=people.coordinator, plan=plan, values={"supervision": "Weekly"}, expected_version=plan.version)

    with pytest.raises(StaleRecordError):
        rmp_update(actor=people.chair, plan=plan, values={"supervision": "Daily"}, expected_version=plan.version)


def test_changes_to_minutes_plans_and_actions_are_in_the_audit_log_under_the_nominal(
    people: People, setting: Setting
) -> None:
    meeting = hold(people, setting)
    meeting_minutes_update(
        actor=people.coordinator, meeting=meeting, values={"risk_nature": "Stalking"}, expected_version=1
    )
    rmp_update(actor=people.chair, plan=meeting.rmp, values={"supervision": "Weekly"}, expected_version=1)
    action = action_add(
        actor=people.coordinator,
        meeting=meeting,
        values={
            "pillar": Pillar.SUPERVISION,
            "description": "Home visit",
            "owning_agency": people.housing,
            "owner": None,
            "due": MEETING_DAY + datetime.timedelta(days=5),
        },
    )
    action_update(
        actor=people.housing_officer, action=action, status=ActionStatus.COMPLETE, note="Done", expected_version=1
    )

    entries = AuditEntry.objects.filter(nominal_id=meeting.nominal_id, event__in=[AuditEvent.CREATE, AuditEvent.CHANGE])
    logged = {
        (entry.content_type.model, entry.event, entry.actor.username, tuple(sorted(entry.changes or {})))
        for entry in entries.select_related("content_type", "actor")
    }
    assert ("meeting", AuditEvent.CHANGE, "coordinator", ("risk_nature",)) in logged
    assert ("riskmanagementplan", AuditEvent.CHANGE, "chair", ("supervision",)) in logged
    assert ("action", AuditEvent.CREATE, "coordinator") in {entry[:3] for entry in logged}
    assert ("action", AuditEvent.CHANGE, "housing", ("completed_on", "status")) in logged
    assert ("actionupdate", AuditEvent.CREATE, "housing") in {entry[:3] for entry in logged}
    assert entries.filter(area_id=meeting.area_id).count() == entries.count()


def test_plan_is_carried_forward_into_the_next_review(people: People, cases: Cases, setting: Setting) -> None:
    meeting = hold(people, setting)
    rmp_update(
        actor=people.coordinator, plan=meeting.rmp, values={"supervision": "Weekly reporting"}, expected_version=1
    )

    later = meeting_schedule(
        actor=people.coordinator,
        nominal=cases.own,
        kind=MeetingKind.URGENT,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=meeting.starts_at + datetime.timedelta(days=7),
    )

    assert later.rmp.supervision == "Weekly reporting"


def test_action_updates_are_kept_and_completion_is_final(people: People, setting: Setting) -> None:
    meeting = hold(people, setting)
    action = action_add(
        actor=people.coordinator,
        meeting=meeting,
        values={
            "pillar": Pillar.SUPERVISION,
            "description": "Home visit",
            "owning_agency": people.housing,
            "owner": None,
            "due": MEETING_DAY + datetime.timedelta(days=5),
        },
    )

    def update(status: ActionStatus, note: str, expected_version: int) -> Action:
        return action_update(
            actor=people.housing_officer, action=action, status=status, note=note, expected_version=expected_version
        )

    with pytest.raises(ValidationError):
        update(ActionStatus.NOT_DONE, "", 1)
    assert update(ActionStatus.IN_PROGRESS, "Booked", 1).version == 2
    with pytest.raises(StaleRecordError):  # made from the page as it was before "Booked"
        update(ActionStatus.COMPLETE, "Done", 1)
    done = update(ActionStatus.COMPLETE, "Done", 2)
    with pytest.raises(ValidationError):
        update(ActionStatus.OPEN, "Oops", 3)

    assert list(action.updates.values_list("status", "note")) == [("in_progress", "Booked"), ("complete", "Done")]
    assert done.completed_on is not None
    assert Action.objects.get(pk=action.pk).version == 3


def test_action_owner_must_work_for_the_owning_agency(people: People, setting: Setting) -> None:
    meeting = hold(people, setting)

    with pytest.raises(ValidationError):
        action_add(
            actor=people.coordinator,
            meeting=meeting,
            values={
                "pillar": Pillar.SUPERVISION,
                "description": "x",
                "owning_agency": people.housing,
                "owner": people.practitioner,
                "due": MEETING_DAY + datetime.timedelta(days=5),
            },
        )
