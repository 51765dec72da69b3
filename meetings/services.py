"""Every write to meetings: scheduling, invitations and attendance, minutes and their workflow,
the risk management plan and its actions, disclosures and requests for the minutes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from agencies.models import Agency, District, Role, User
from cases.models import Category, Level, Nominal, Source, Status
from cases.services import nominal_exit, nominal_level_change, nominal_share
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_actor, audit_record
from mappa.dates import add_months
from mappa.errors import StaleRecordError
from meetings.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Attendance,
    Decision,
    DisclosureDecision,
    Invitation,
    LevelDecision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesRequest,
    PanelDay,
    RiskManagementPlan,
)
from meetings.policy import VIEW_AGENDA, VIEW_MINUTES
from notifications.models import Kind
from notifications.services import agency_staff, notify

MINUTES_FIELDS = (
    "confidentiality_statement_read",
    "at_risk",
    "risk_nature",
    "imminence",
    "rosh_level",
    "level_decision",
    "new_level",
    "level_rationale",
    "offender_informed",
    "withheld_reason",
    "next_review",
    "next_review_rationale",
    "executive_summary",
)
DISCLOSURE_FIELDS = (
    "recipient",
    "what",
    "why_necessary",
    "who_discloses",
    "offender_told_first",
    "not_told_reason",
    "undertaking_signed",
    "outcome",
)
RMP_FIELDS = (
    "supervision",
    "monitoring_and_control",
    "interventions_and_treatment",
    "victim_safety_planning",
    "contingency",
    "licence_conditions",
)


@transaction.atomic
def panel_days_schedule(
    *,
    actor: User,
    district: District,
    first: datetime.date,
    months: int,
    place: str,
    video_link: str,
    standing_agencies: Iterable[Agency],
) -> list[PanelDay]:
    """A district's monthly panel days from `first`, on the same day of each month, where missing."""
    standing = list(standing_agencies)
    created = []
    with audit_actor(actor):
        for month in range(months):
            day = add_months(first, month)
            if PanelDay.objects.filter(district=district, date=day).exists():
                continue
            panel_day = PanelDay(area=district.area, district=district, date=day, place=place, video_link=video_link)
            panel_day.full_clean()
            panel_day.save()
            panel_day.standing_agencies.set(standing)
            created.append(panel_day)
    return created


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    nominal: Nominal,
    kind: MeetingKind,
    chair: User,
    minute_taker: User,
    starts_at: datetime.datetime,
    panel_day: PanelDay | None = None,
    place: str = "",
    video_link: str = "",
    invite: Iterable[Agency] = (),
) -> Meeting:
    """Put a nominal's case on a panel day, or convene an urgent meeting. Standing members and the
    agencies invited get the agenda (and the nominal shared with them); the plan starts from the
    last meeting's."""
    if nominal.status != Status.ACTIVE or nominal.level not in (Level.LEVEL_2, Level.LEVEL_3):
        raise ValidationError({"nominal": "Only someone managed at Level 2 or 3 has MAPPA meetings"})
    if panel_day is None and kind != MeetingKind.URGENT:
        raise ValidationError({"kind": "A meeting outside a panel day is convened at short notice: choose urgent"})
    if panel_day is not None and panel_day.area_id != nominal.area_id:
        raise ValidationError({"panel_day": "That panel day is in another area"})
    if not chair.has_role(Role.CHAIR, Role.COORDINATOR):
        raise ValidationError({"chair": "The chair must hold the chair or co-ordinator role"})
    with audit_actor(actor):
        meeting = Meeting(
            area=nominal.area,
            panel_day=panel_day,
            nominal=nominal,
            kind=kind,
            level=nominal.level,
            chair=chair,
            minute_taker=minute_taker,
            starts_at=starts_at,
            place=place or (panel_day.place if panel_day else ""),
            video_link=video_link or (panel_day.video_link if panel_day else ""),
        )
        meeting.full_clean()
        meeting.save()
        standing = list(panel_day.standing_agencies.all()) if panel_day else []
        for agency in standing:
            _invite(actor=actor, meeting=meeting, agency=agency, standing=True)
        for agency in invite:
            if agency not in standing:
                _invite(actor=actor, meeting=meeting, agency=agency, standing=False)
        previous = RiskManagementPlan.objects.filter(meeting__nominal=nominal).order_by("-meeting__starts_at").first()
        plan = RiskManagementPlan(meeting=meeting)
        if previous is not None:
            for field in RMP_FIELDS:
                setattr(plan, field, getattr(previous, field))
        plan.save()
    return meeting


def _invite(*, actor: User, meeting: Meeting, agency: Agency, standing: bool) -> Invitation:
    invitation = Invitation.objects.create(meeting=meeting, agency=agency, standing=standing)
    assign_perm(f"meetings.{VIEW_AGENDA}", agency.group, meeting)
    _bring_in(actor=actor, nominal=meeting.nominal, agency=agency)
    when = timezone.localtime(meeting.starts_at)
    notify(
        recipients=agency_staff(agency),
        kind=Kind.MEETING_INVITATION,
        title=f"{agency} is invited to a Level {meeting.level} meeting on {when:%-d %B %Y at %H:%M}",
        url=meeting.get_absolute_url(),
        dedupe_key=f"meeting-invitation:{meeting.pk}",
    )
    return invitation


def _bring_in(*, actor: User, nominal: Nominal, agency: Agency) -> None:
    """Share the nominal with an agency brought into the case, unless it already leads it."""
    if agency.pk != nominal.lead_agency_id:
        nominal_share(actor=actor, nominal=nominal, agency=agency, include_restricted=False)


@transaction.atomic
def meeting_invite(*, actor: User, meeting: Meeting, agency: Agency) -> Invitation:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError({"agency": "Agencies are invited before the meeting is held"})
    if meeting.invitations.filter(agency=agency).exists():
        raise ValidationError({"agency": "That agency is already invited"})
    with audit_actor(actor):
        return _invite(actor=actor, meeting=meeting, agency=agency, standing=False)


@transaction.atomic
def meeting_record_attendance(*, actor: User, meeting: Meeting, rows: Mapping[Invitation, Mapping[str, Any]]) -> None:
    """Record each invited agency's attendance and what it shared."""
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.HELD):
        raise ValidationError("Attendance is recorded before the minutes go to the chair")
    with audit_actor(actor):
        for invitation, values in rows.items():
            for field in ("attendance", "attendee_name", "attendee_role", "information_shared"):
                setattr(invitation, field, values.get(field, getattr(invitation, field)))
            if invitation.attendance == Attendance.ATTENDED and not invitation.attendee_name:
                raise ValidationError({"attendee_name": f"Enter who attended for {invitation.agency}"})
            invitation.full_clean()
            invitation.save()


@transaction.atomic
def meeting_mark_held(*, actor: User, meeting: Meeting) -> Meeting:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be marked as held")
    if meeting.invitations.filter(attendance=Attendance.INVITED).exists():
        raise ValidationError("Record every invited agency's attendance first")
    with audit_actor(actor):
        meeting.status = MeetingStatus.HELD
        meeting.held_at = timezone.now()
        meeting.save()
    return meeting


def _interval_weeks(meeting: Meeting, level: int) -> int:
    return meeting.area.level3_review_weeks if level == Level.LEVEL_3 else meeting.area.level2_review_weeks


def default_next_review(meeting: Meeting) -> datetime.date:
    level = meeting.new_level or meeting.level
    return timezone.localdate(meeting.starts_at) + datetime.timedelta(weeks=_interval_weeks(meeting, level))


@transaction.atomic
def meeting_minutes_update(
    *, actor: User, meeting: Meeting, values: Mapping[str, Any], expected_version: int
) -> Meeting:
    """Save the minutes; refused with StaleRecordError if someone saved them since `expected_version`."""
    with audit_actor(actor):
        current = Meeting.objects.select_for_update().select_related("area").get(pk=meeting.pk)
        if current.status not in (MeetingStatus.HELD, MeetingStatus.SUBMITTED):
            raise ValidationError("Minutes can be written once the meeting is held, until the chair approves them")
        if current.minutes_version != expected_version:
            raise StaleRecordError
        for field in MINUTES_FIELDS:
            if field in values:
                setattr(current, field, values[field])
        _check_minutes(current)
        current.minutes_version += 1
        current.full_clean()
        current.save()
    return current


def _check_minutes(meeting: Meeting) -> None:
    errors: dict[str, str] = {}
    decision = meeting.level_decision
    if decision == LevelDecision.RAISE and (meeting.new_level or 0) <= meeting.level:
        errors["new_level"] = "Select a level higher than the current one"
    if decision == LevelDecision.LOWER and not (meeting.new_level and meeting.new_level < meeting.level):
        errors["new_level"] = "Select a level lower than the current one"
    if decision in (LevelDecision.CONTINUE, LevelDecision.EXIT, "") and meeting.new_level:
        errors["new_level"] = "Only a decision to raise or lower the level sets a new level"
    if (
        decision == LevelDecision.LOWER
        and meeting.new_level == Level.LEVEL_1
        and meeting.nominal.category == Category.OTHER_DANGEROUS_OFFENDER
    ):
        errors["new_level"] = (
            "Category 3 is only managed at Level 2 or 3: if Level 2 or 3 management is no longer needed, "
            "record the decision as exit"
        )
    if decision and not meeting.level_rationale.strip():
        errors["level_rationale"] = "Enter the rationale for the level decision"
    if not meeting.offender_informed and not meeting.withheld_reason.strip():
        errors["withheld_reason"] = "Enter why the person will not be told they were discussed"
    if meeting.next_review:
        if meeting.next_review <= timezone.localdate(meeting.starts_at):
            errors["next_review"] = "The next review must be after this meeting"
        elif meeting.next_review > default_next_review(meeting) and not meeting.next_review_rationale.strip():
            errors["next_review_rationale"] = (
                f"Explain why the review is later than {default_next_review(meeting):%-d %B %Y}, "
                "the level's review interval"
            )
    if errors:
        raise ValidationError(errors)


def _minutes_problems(meeting: Meeting) -> dict[str, str]:
    problems = {}
    if not meeting.confidentiality_statement_read:
        problems["confidentiality_statement_read"] = "Record that the confidentiality statement was read"
    if not meeting.level_decision:
        problems["level_decision"] = "Record the level decision"
    if not meeting.next_review and meeting.level_decision != LevelDecision.EXIT:
        problems["next_review"] = "Enter the date of the next review"
    if not meeting.rosh_level:
        problems["rosh_level"] = "Record the current risk of serious harm"
    return problems


@transaction.atomic
def meeting_submit(*, actor: User, meeting: Meeting) -> Meeting:
    """Send the draft minutes to the chair for approval."""
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError("Only draft minutes of a held meeting can go to the chair")
    problems = _minutes_problems(meeting)
    if problems:
        raise ValidationError(problems)
    with audit_actor(actor):
        meeting.status = MeetingStatus.SUBMITTED
        meeting.save()
    return meeting


@transaction.atomic
def meeting_approve(*, actor: User, meeting: Meeting) -> Meeting:
    """The chair signs off the minutes. The level decision goes into the nominal's level history and
    the next review date onto the nominal."""
    if actor.pk != meeting.chair_id:
        raise ValidationError("Only the chair of the meeting can approve its minutes")
    if meeting.status != MeetingStatus.SUBMITTED:
        raise ValidationError("Only minutes sent to the chair can be approved")
    problems = _minutes_problems(meeting)
    if problems:
        raise ValidationError(problems)
    day = timezone.localdate(meeting.starts_at)
    with audit_actor(actor):
        nominal = Nominal.objects.select_for_update().get(pk=meeting.nominal_id)
        reason = f"{meeting.get_level_decision_display()} (meeting {day:%-d %B %Y}): {meeting.level_rationale}"
        if meeting.level_decision == LevelDecision.EXIT:
            if nominal.category == Category.OTHER_DANGEROUS_OFFENDER:
                nominal_exit(
                    actor=actor,
                    nominal=nominal,
                    reason="risk_reduced",
                    date=day,
                    rationale=meeting.level_rationale,
                    review_retention_on=add_months(day, 72),
                )
            else:
                nominal_level_change(
                    actor=actor, nominal=nominal, level=Level.LEVEL_1, start=day, reason=reason, source=Source.MEETING
                )
            Nominal.objects.filter(pk=nominal.pk).update(next_review_due=None)
        else:
            level = meeting.new_level or nominal.level
            nominal_level_change(
                actor=actor,
                nominal=nominal,
                level=level,
                start=day,
                reason=reason,
                source=Source.MEETING,
                same_level_review=level == nominal.level,
            )
            Nominal.objects.filter(pk=nominal.pk).update(next_review_due=meeting.next_review)
        meeting.status = MeetingStatus.APPROVED
        meeting.approved_at = timezone.now()
        meeting.save()
    return meeting


@transaction.atomic
def meeting_distribute(*, actor: User, meeting: Meeting) -> Meeting:
    """Send the approved minutes to the agencies that attended (or sent a report) and those with an
    action to carry out."""
    if meeting.status != MeetingStatus.APPROVED:
        raise ValidationError("Only minutes the chair has approved can be distributed")
    recipients = set(
        Agency.objects.filter(
            invitations__meeting=meeting, invitations__attendance__in=[Attendance.ATTENDED, Attendance.REPORT]
        )
    ) | set(Agency.objects.filter(actions__meeting=meeting))
    with audit_actor(actor):
        for agency in recipients:
            assign_perm(f"meetings.{VIEW_MINUTES}", agency.group, meeting)
        meeting.status = MeetingStatus.DISTRIBUTED
        meeting.distributed_at = timezone.now()
        meeting.save()
        audit_record(
            event=AuditEvent.PERMISSION_GRANTED,
            actor=actor,
            subject=meeting,
            nominal_id=meeting.nominal_id,
            details={"minutes distributed to": sorted(agency.name for agency in recipients)},
        )
        notify(
            recipients=[user for agency in recipients for user in agency_staff(agency)],
            kind=Kind.MINUTES_DISTRIBUTED,
            title=f"Minutes of the meeting on {timezone.localtime(meeting.starts_at):%-d %B %Y} are available",
            url=meeting.get_absolute_url(),
            dedupe_key=f"minutes-distributed:{meeting.pk}",
        )
    return meeting


def _check_minutes_open(meeting: Meeting) -> None:
    if meeting.status not in (MeetingStatus.HELD, MeetingStatus.SUBMITTED):
        raise ValidationError("This can be recorded once the meeting is held, until the minutes are approved")


@transaction.atomic
def meeting_decision_add(*, actor: User, meeting: Meeting, values: Mapping[str, Any]) -> Decision:
    _check_minutes_open(meeting)
    with audit_actor(actor):
        decision = Decision(
            meeting=meeting, recorded_by=actor, **{k: values[k] for k in ("decision", "rationale", "dissent")}
        )
        decision.full_clean()
        decision.save()
    return decision


@transaction.atomic
def meeting_disclosure_add(*, actor: User, meeting: Meeting, values: Mapping[str, Any]) -> DisclosureDecision:
    _check_minutes_open(meeting)
    with audit_actor(actor):
        disclosure = DisclosureDecision(
            meeting=meeting, recorded_by=actor, **{field: values[field] for field in DISCLOSURE_FIELDS}
        )
        if not disclosure.offender_told_first and not disclosure.not_told_reason.strip():
            raise ValidationError({"not_told_reason": "Enter why the person will not be told first"})
        disclosure.full_clean()
        disclosure.save()
    return disclosure


@transaction.atomic
def rmp_update(
    *, actor: User, plan: RiskManagementPlan, values: Mapping[str, Any], expected_version: int
) -> RiskManagementPlan:
    with audit_actor(actor):
        current = RiskManagementPlan.objects.select_for_update().select_related("meeting").get(pk=plan.pk)
        _check_minutes_open(current.meeting)
        if current.version != expected_version:
            raise StaleRecordError
        for field in RMP_FIELDS:
            if field in values:
                setattr(current, field, values[field])
        current.version += 1
        current.full_clean()
        current.save()
    return current


@transaction.atomic
def action_add(*, actor: User, meeting: Meeting, values: Mapping[str, Any]) -> Action:
    _check_minutes_open(meeting)
    owner: User | None = values.get("owner")
    with audit_actor(actor):
        action = Action(
            meeting=meeting,
            nominal=meeting.nominal,
            recorded_by=actor,
            pillar=values["pillar"],
            description=values["description"],
            owning_agency=values["owning_agency"],
            owner=owner,
            due=values["due"],
        )
        if owner is not None and owner.agency_id != action.owning_agency_id:
            raise ValidationError({"owner": "The named owner must work for the owning agency"})
        if action.due < timezone.localdate(meeting.starts_at):
            raise ValidationError({"due": "The due date cannot be before the meeting"})
        action.full_clean()
        action.save()
        _bring_in(actor=actor, nominal=meeting.nominal, agency=action.owning_agency)
        notify(
            recipients=agency_staff(action.owning_agency) + ([owner] if owner else []),
            kind=Kind.ACTION_ASSIGNED,
            title=f"New action for {action.owning_agency}, due {action.due:%-d %B %Y}",
            url=reverse("meetings:work"),
            dedupe_key=f"action-assigned:{action.pk}",
        )
    return action


@transaction.atomic
def action_update(*, actor: User, action: Action, status: ActionStatus, note: str, expected_version: int) -> Action:
    """Change an action's status with a note; every update is kept. Refused with StaleRecordError if
    someone updated the action since `expected_version`."""
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.version != expected_version:
        raise StaleRecordError
    if current.status == ActionStatus.COMPLETE and status != ActionStatus.COMPLETE:
        raise ValidationError({"status": "A completed action cannot be reopened; add a new action instead"})
    if status == ActionStatus.NOT_DONE and not note.strip():
        raise ValidationError({"note": "Explain why the action was not done"})
    with audit_actor(actor):
        if status != current.status:
            current.completed_on = timezone.localdate() if status == ActionStatus.COMPLETE else None
        current.status = status
        current.version += 1
        current.save(update_fields=["status", "completed_on", "version"])
        ActionUpdate.objects.create(action=current, status=status, note=note, by=actor)
    return current


@transaction.atomic
def minutes_request_record(*, actor: User, meeting: Meeting, values: Mapping[str, Any]) -> MinutesRequest:
    if meeting.status not in (MeetingStatus.APPROVED, MeetingStatus.DISTRIBUTED):
        raise ValidationError("Requests are answered from approved minutes")
    with audit_actor(actor):
        request = MinutesRequest(
            meeting=meeting,
            recorded_by=actor,
            requester_kind=values["requester_kind"],
            requester=values["requester"],
            received_on=values["received_on"],
        )
        if request.received_on > timezone.localdate():
            raise ValidationError({"received_on": "The date received must be today or in the past"})
        request.full_clean()
        request.save()
    return request


@transaction.atomic
def minutes_request_release(*, actor: User, request: MinutesRequest) -> MinutesRequest:
    """Answer a request with the executive summary: a disclosure, logged with its recipient."""
    meeting = request.meeting
    if not meeting.executive_summary.strip():
        raise ValidationError("Write the executive summary in the minutes before releasing it")
    if request.released_on:
        raise ValidationError("This request has already been answered")
    with audit_actor(actor):
        request.released_on = timezone.localdate()
        request.save()
        audit_record(
            event=AuditEvent.DISCLOSURE,
            actor=actor,
            subject=meeting,
            nominal_id=meeting.nominal_id,
            ground="Executive summary released by the MAPPA manager",
            details={
                "disclosed": "executive summary",
                "recipient": request.requester,
                "recipient_kind": request.get_requester_kind_display(),
                "request_id": request.pk,
            },
        )
    return request
