"""A year of demo panel days with minutes, plans and actions in every state, made through the services."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Area, User
from cases.models import Level, LevelPeriod, Nominal, Status
from meetings.models import (
    Action,
    ActionStatus,
    Attendance,
    LevelDecision,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PanelDay,
    Pillar,
)
from meetings.services import (
    action_add,
    action_update,
    meeting_approve,
    meeting_decision_add,
    meeting_disclosure_add,
    meeting_distribute,
    meeting_mark_held,
    meeting_minutes_update,
    meeting_record_attendance,
    meeting_schedule,
    meeting_submit,
    panel_days_schedule,
    rmp_update,
)
from referrals.services import add_months

PLAN = {
    "supervision": "Weekly reporting to the probation practitioner; home visits by police offender manager monthly.",
    "monitoring_and_control": "Licence exclusion zone around the victim's address; electronic monitoring of curfew.",
    "interventions_and_treatment": "Building Better Relationships programme; substance misuse support.",
    "victim_safety_planning": "Victim liaison officer to update the victim; target hardening of her home.",
    "contingency": "Any approach to the victim: immediate recall and police attendance.",
}
ACTIONS = [
    (Pillar.SUPERVISION, AgencyKind.PROBATION, "Increase reporting to twice weekly for four weeks."),
    (Pillar.MONITORING_AND_CONTROL, AgencyKind.POLICE, "Add the victim's address to the force's priority list."),
    (Pillar.INTERVENTIONS_AND_TREATMENT, AgencyKind.MENTAL_HEALTH, "Offer an assessment appointment."),
    (Pillar.VICTIM_SAFETY_PLANNING, AgencyKind.HOUSING, "Find suitable move-on accommodation away from the victim."),
    (
        Pillar.VICTIM_SAFETY_PLANNING,
        AgencyKind.CHILDRENS_SERVICES,
        "Review the child protection plan for the victim's children.",
    ),
]
STATES = [
    ActionStatus.COMPLETE,
    ActionStatus.IN_PROGRESS,
    ActionStatus.OPEN,
    ActionStatus.NOT_DONE,
    ActionStatus.COMPLETE,
]


@transaction.atomic
def seed_demo_meetings(*, area: Area, coordinator: User, chair: User, today: datetime.date) -> int:
    """Does nothing if the area already has panel days."""
    if PanelDay.objects.filter(area=area).exists():
        return 0
    rng = random.Random(11)  # noqa: S311  (reproducible demo data)  # nosec B311
    agencies = {kind: Agency.objects.filter(area=area, kind=kind).first() for kind in AgencyKind}
    nominals = list(
        Nominal.objects.filter(area=area, status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3])
        .exclude(district__isnull=True)
        .select_related("district")
    )
    districts = {nominal.district for nominal in nominals if nominal.district is not None}
    made = 0
    for district in sorted(districts, key=lambda d: d.name):
        housing = Agency.objects.filter(area=area, kind=AgencyKind.HOUSING, district=district).first()
        standing = [
            a
            for a in (
                agencies[AgencyKind.POLICE],
                agencies[AgencyKind.PROBATION],
                agencies[AgencyKind.CHILDRENS_SERVICES],
                housing,
            )
            if a
        ]
        first = add_months(today, -12).replace(day=min(10 + district.pk % 15, 28))
        days = panel_days_schedule(
            actor=coordinator,
            district=district,
            first=first,
            months=14,
            place=f"{district.name} police station",
            video_link="",
            standing_agencies=standing,
        )
        for panel_day in days:
            for nominal in [n for n in nominals if n.district_id == district.pk]:
                interval = 2 if nominal.level == Level.LEVEL_3 else 4
                started = LevelPeriod.objects.get(nominal=nominal, end__isnull=True).start
                if panel_day.date <= started or (panel_day.date.month - first.month) % interval:
                    continue
                made += 1
                _meeting(rng, panel_day, nominal, coordinator, chair, today, agencies)
    _every_state_for(agency=User.objects.get(username="housing").agency, coordinator=coordinator, today=today)
    return made


def _every_state_for(*, agency: Agency | None, coordinator: User, today: datetime.date) -> None:
    """Give the demo housing officer's agency an action in each state, on the latest held meeting."""
    meeting = (
        Meeting.objects.filter(area=coordinator.area, status__in=[MeetingStatus.HELD, MeetingStatus.SUBMITTED])
        .order_by("-starts_at")
        .first()
    )
    if agency is None or meeting is None:
        return
    held = set(Action.objects.filter(owning_agency=agency).values_list("status", flat=True))
    for number, state in enumerate(ActionStatus):
        if state in held:
            continue
        action = action_add(
            actor=coordinator,
            meeting=meeting,
            values={
                "pillar": Pillar.VICTIM_SAFETY_PLANNING,
                "description": "Check the tenancy conditions with the landlord.",
                "owning_agency": agency,
                "owner": None,
                "due": timezone.localdate(meeting.starts_at) + datetime.timedelta(days=7 * (number + 1)),
            },
        )
        if state != ActionStatus.OPEN:
            action_update(actor=coordinator, action=action, status=state, note="Demo update.")


def _meeting(
    rng: random.Random,
    panel_day: PanelDay,
    nominal: Nominal,
    coordinator: User,
    chair: User,
    today: datetime.date,
    agencies: dict[AgencyKind, Agency | None],
) -> None:
    starts = timezone.make_aware(datetime.datetime.combine(panel_day.date, datetime.time(10 + rng.randint(0, 5))))
    meeting = meeting_schedule(
        actor=coordinator,
        nominal=nominal,
        kind=MeetingKind.REVIEW,
        chair=chair,
        minute_taker=coordinator,
        starts_at=starts,
        panel_day=panel_day,
        invite=[a for a in (agencies[AgencyKind.MENTAL_HEALTH],) if a],
    )
    if panel_day.date >= today:
        return
    rows = {}
    for invitation in meeting.invitations.select_related("agency"):
        attendance = rng.choice(
            [
                Attendance.ATTENDED,
                Attendance.ATTENDED,
                Attendance.APOLOGIES,
                Attendance.REPORT,
                Attendance.DID_NOT_ATTEND,
            ]
        )
        rows[invitation] = {
            "attendance": attendance,
            "attendee_name": "Demo attendee" if attendance == Attendance.ATTENDED else "",
            "attendee_role": "Practitioner" if attendance == Attendance.ATTENDED else "",
            "information_shared": "Engaging with supervision; no new concerns."
            if attendance == Attendance.ATTENDED
            else "",
        }
    meeting_record_attendance(actor=coordinator, meeting=meeting, rows=rows)
    meeting_mark_held(actor=coordinator, meeting=meeting)
    meeting = type(meeting).objects.get(pk=meeting.pk)
    meeting = meeting_minutes_update(
        actor=coordinator,
        meeting=meeting,
        expected_version=meeting.minutes_version,
        values={
            "confidentiality_statement_read": True,
            "at_risk": ["known_adults", "children"],
            "risk_nature": "Violence towards a former partner, and emotional harm to her children.",
            "imminence": "could_happen",
            "rosh_level": "high" if nominal.level == 2 else "very_high",
            "level_decision": LevelDecision.CONTINUE,
            "level_rationale": "Risk remains high; the plan is working and needs multi-agency oversight.",
            "offender_informed": True,
            **_next_review(rng, panel_day, nominal),
            "executive_summary": "The panel reviewed the risk management plan and agreed to continue at the same level.",
        },
    )
    meeting_decision_add(
        actor=coordinator,
        meeting=meeting,
        values={
            "decision": "Continue the exclusion zone.",
            "rationale": "Victim remains in the area.",
            "dissent": "",
        },
    )
    if rng.random() < 0.2:
        meeting_disclosure_add(
            actor=coordinator,
            meeting=meeting,
            values={
                "recipient": "New partner",
                "what": "Previous convictions for violence against a partner",
                "why_necessary": "She and her children are at risk of serious harm.",
                "who_discloses": "Police offender manager",
                "offender_told_first": True,
                "not_told_reason": "",
                "undertaking_signed": True,
                "outcome": "",
            },
        )
    plan = meeting.rmp
    rmp_update(actor=coordinator, plan=plan, values=PLAN, expected_version=plan.version)
    for number, (pillar, kind, text) in enumerate(ACTIONS):
        agency = (
            agencies.get(kind)
            if kind != AgencyKind.HOUSING
            else Agency.objects.filter(
                area=meeting.area, kind=kind, district=meeting.panel_day.district if meeting.panel_day else None
            ).first()
        )
        if agency is None:
            continue
        action = action_add(
            actor=coordinator,
            meeting=meeting,
            values={
                "pillar": pillar,
                "description": text,
                "owning_agency": agency,
                "owner": None,
                "due": panel_day.date + datetime.timedelta(days=14 + 7 * number),
            },
        )
        state = STATES[(number + meeting.pk) % len(STATES)]
        if state != ActionStatus.OPEN:
            action_update(
                actor=coordinator,
                action=action,
                status=state,
                note="Updated at the review." if state != ActionStatus.NOT_DONE else "Could not be arranged in time.",
            )
    meeting_submit(actor=coordinator, meeting=meeting)
    if (today - panel_day.date).days > 10:
        meeting_approve(actor=meeting.chair, meeting=meeting)
        meeting_distribute(actor=coordinator, meeting=meeting)
    _as_it_happened(rng, meeting, today)


def _next_review(rng: random.Random, panel_day: PanelDay, nominal: Nominal) -> dict[str, object]:
    """Most reviews go to the district's panel day after the interval; a few keep the default date
    and so fall due before the panel meets."""
    default = panel_day.date + datetime.timedelta(weeks=8 if nominal.level == 3 else 16)
    interval = 2 if nominal.level == Level.LEVEL_3 else 4
    panel = add_months(panel_day.date, interval)
    if rng.random() < 0.15 or panel <= default:
        return {"next_review": default}
    return {
        "next_review": panel,
        "next_review_rationale": "Reviewed at the district's next panel day after the interval.",
    }


def _as_it_happened(rng: random.Random, meeting: Meeting, today: datetime.date) -> None:
    """The services stamp the moment they run; the demo dates the steps from the meeting's day, so
    that minutes and actions are distributed and completed on time or late as in real life."""
    starts = meeting.starts_at
    latest = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))
    distributed = min(starts + datetime.timedelta(days=rng.choice([3, 5, 7, 8, 9, 12, 16])), latest)
    meeting.refresh_from_db(fields=["approved_at", "distributed_at"])
    changes = {"held_at": starts + datetime.timedelta(hours=2)}
    if meeting.approved_at:
        changes["approved_at"] = distributed - datetime.timedelta(days=1)
    if meeting.distributed_at:
        changes["distributed_at"] = distributed
    Meeting.objects.filter(pk=meeting.pk).update(**changes)
    for action in Action.objects.filter(meeting=meeting, status=ActionStatus.COMPLETE):
        done = min(action.due + datetime.timedelta(days=rng.choice([-9, -5, -3, -1, 0, 2, 6])), today)
        Action.objects.filter(pk=action.pk).update(completed_on=done)
