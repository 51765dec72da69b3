"""A year of demo panel days with minutes, plans and actions in every state, made through the services."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Area, District, User
from cases.models import Level, LevelPeriod, Nominal, Status
from mappa.dates import add_months
from meetings.models import (
    Action,
    ActionStatus,
    Attendance,
    LevelDecision,
    Meeting,
    MeetingKind,
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


HISTORY_MONTHS = 12  # panel days from a year before the demo's day
AHEAD_MONTHS = 3  # and for the months after it
MISSED_REVIEW_SHARE = 0.1  # cases whose last review was not held: overdue today


@transaction.atomic
def seed_demo_meetings(*, area: Area, coordinator: User, chair: User, today: datetime.date) -> int:
    """A year of monthly panel days per district and the months ahead, each Level 2/3 case on them at
    its level's interval, dated from `today` so that on any day there are meetings past and to come,
    reviews due soon and overdue, and this week's meetings with minutes still open.
    Does nothing if the area already has panel days."""
    if PanelDay.objects.filter(area=area).exists():
        return 0
    rng = random.Random(11)  # noqa: S311  (reproducible demo data)  # nosec B311
    agencies = {kind: Agency.objects.filter(area=area, kind=kind).first() for kind in AgencyKind}
    nominals = list(
        Nominal.objects.filter(area=area, status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3])
        .exclude(district__isnull=True)
        .select_related("district")
        .order_by("case_reference")
    )
    started = dict(LevelPeriod.objects.filter(nominal__in=nominals, end__isnull=True).values_list("nominal", "start"))
    districts = {nominal.district for nominal in nominals if nominal.district is not None}
    made = 0
    for district in sorted(districts, key=lambda d: d.name):
        days = panel_days_schedule(
            actor=coordinator,
            district=district,
            first=add_months(today, -HISTORY_MONTHS).replace(day=min(10 + district.pk % 15, 28)),
            months=HISTORY_MONTHS + AHEAD_MONTHS + 1,
            place=f"{district.name} police station",
            video_link="",
            standing_agencies=_standing(area, district, agencies),
        )
        for nominal in [n for n in nominals if n.district_id == district.pk]:
            for panel_day in _cycle(rng, days, nominal, since=started[nominal.pk], today=today):
                made += 1
                _meeting(rng, panel_day, nominal, coordinator, chair, today, agencies)
    made += _this_week(rng, nominals=nominals, coordinator=coordinator, chair=chair, today=today, agencies=agencies)
    return made


def _standing(area: Area, district: District, agencies: dict[AgencyKind, Agency | None]) -> list[Agency]:
    housing = Agency.objects.filter(area=area, kind=AgencyKind.HOUSING, district=district).first()
    kinds = (AgencyKind.POLICE, AgencyKind.PROBATION, AgencyKind.CHILDRENS_SERVICES)
    return [agency for agency in [*(agencies[kind] for kind in kinds), housing] if agency]


def _cycle(
    rng: random.Random, days: list[PanelDay], nominal: Nominal, *, since: datetime.date, today: datetime.date
) -> list[PanelDay]:
    """The panel days a case comes to: every second month at Level 3, every fourth at Level 2, in a
    phase of its own so that the district's cases spread over its panel days; now and then the last
    review before today was missed."""
    interval = 2 if nominal.level == Level.LEVEL_3 else 4
    phase = rng.randrange(interval)
    chosen = [day for month, day in enumerate(days) if (month - phase) % interval == 0 and day.date > since]
    past = [day for day in chosen if day.date < today]
    if len(past) > 1 and rng.random() < MISSED_REVIEW_SHARE:
        chosen.remove(past[-1])
    return chosen


def _this_week(
    rng: random.Random,
    *,
    nominals: list[Nominal],
    coordinator: User,
    chair: User,
    today: datetime.date,
    agencies: dict[AgencyKind, Agency | None],
) -> int:
    """Two urgent meetings of the last few days, whatever the panel calendar: one waiting for the
    chair's approval, one whose minutes are still being written, with the demo housing officer's
    agency holding an action in every state."""
    housing = User.objects.get(username="housing").agency
    local = [n for n in nominals if housing is not None and n.district_id == housing.district_id]
    if housing is None or len(local) < 2:
        return 0
    for nominal, days_ago, submit in ((local[0], 5, True), (local[1], 2, False)):
        starts = timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=days_ago), datetime.time(14))
        )
        meeting = meeting_schedule(
            actor=coordinator,
            nominal=nominal,
            kind=MeetingKind.URGENT,
            chair=chair,
            minute_taker=coordinator,
            starts_at=starts,
            place=f"{nominal.district} police station",
            invite=[a for a in (agencies[AgencyKind.POLICE], agencies[AgencyKind.PROBATION], housing) if a],
        )
        _hold(rng, meeting, coordinator)
        if submit:
            _write_minutes(rng, meeting, nominal, coordinator)
            meeting_submit(actor=coordinator, meeting=Meeting.objects.get(pk=meeting.pk))
        else:
            _every_state_for(agency=housing, meeting=meeting, coordinator=coordinator)
        Meeting.objects.filter(pk=meeting.pk).update(held_at=starts + datetime.timedelta(hours=1))
    return 2


def _every_state_for(*, agency: Agency, meeting: Meeting, coordinator: User) -> None:
    for number, state in enumerate(ActionStatus):
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
            action_update(
                actor=coordinator, action=action, status=state, note="Demo update.", expected_version=action.version
            )


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
    _hold(rng, meeting, coordinator)
    meeting = _write_minutes(rng, meeting, nominal, coordinator)
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
                expected_version=action.version,
            )
    meeting_submit(actor=coordinator, meeting=meeting)
    if (today - panel_day.date).days > 10:
        meeting_approve(actor=meeting.chair, meeting=meeting)
        meeting_distribute(actor=coordinator, meeting=meeting)
    _as_it_happened(rng, meeting, today)


def _hold(rng: random.Random, meeting: Meeting, coordinator: User) -> None:
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
        attended = attendance == Attendance.ATTENDED
        rows[invitation] = {
            "attendance": attendance,
            "attendee_name": "Demo attendee" if attended else "",
            "attendee_role": "Practitioner" if attended else "",
            "information_shared": "Engaging with supervision; no new concerns." if attended else "",
        }
    meeting_record_attendance(actor=coordinator, meeting=meeting, rows=rows)
    meeting_mark_held(actor=coordinator, meeting=meeting)


def _write_minutes(rng: random.Random, meeting: Meeting, nominal: Nominal, coordinator: User) -> Meeting:
    meeting = Meeting.objects.get(pk=meeting.pk)
    return meeting_minutes_update(
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
            **_next_review(rng, timezone.localdate(meeting.starts_at), nominal),
            "executive_summary": "The panel reviewed the risk management plan and agreed to continue at the same level.",
        },
    )


def _next_review(rng: random.Random, day: datetime.date, nominal: Nominal) -> dict[str, object]:
    """Most reviews go to the district's panel day after the interval; a few keep the default date
    and so fall due before the panel meets."""
    default = day + datetime.timedelta(weeks=8 if nominal.level == 3 else 16)
    interval = 2 if nominal.level == Level.LEVEL_3 else 4
    panel = add_months(day, interval)
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
