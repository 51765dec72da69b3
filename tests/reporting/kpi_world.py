"""Records with fixed dates behind every KPI: January to March 2025, seen on 20 April 2025.

Targets: screening 14 days, first meeting 20 days, minutes 10 days.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import Agency, District
from meetings.models import Action, ActionStatus, Attendance, Invitation, Meeting, MeetingKind, MeetingStatus
from referrals.models import Referral, ReferralStatus
from reporting.kpis import Period
from tests.conftest import People
from tests.reporting.histories import Person

TODAY = datetime.date(2025, 4, 20)
QUARTER = Period(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
_serial = count(1)


def at(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour)))


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


@dataclass
class World:
    people: People
    maidstone: District
    meetings: dict[str, Meeting]
    category4: Person


def referral(people: People, **values: Any) -> Referral:
    return Referral.objects.create(
        reference=f"REF-{next(_serial):05d}",
        area=people.area,
        referring_agency=people.housing,
        referrer=people.housing_officer,
        status=values.pop("status", ReferralStatus.SUBMITTED),
        **values,
    )


def meeting(people: People, person: Person, starts: str, **values: object) -> Meeting:
    values.setdefault("level", 2)
    return Meeting.objects.create(
        area=people.area,
        nominal=person.nominal,
        kind=MeetingKind.REVIEW,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=at(starts),
        **values,  # type: ignore[arg-type]
    )


def held(people: People, person: Person, starts: str, **values: object) -> Meeting:
    values.setdefault("status", MeetingStatus.HELD)
    return meeting(people, person, starts, held_at=at(starts, 12), **values)


def action(people: People, on: Meeting, agency: Agency, due: str, **values: Any) -> Action:
    return Action.objects.create(
        meeting=on,
        nominal=on.nominal,
        pillar="supervision",
        description="Visit",
        owning_agency=agency,
        due=d(due),
        recorded_by=people.coordinator,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
def world(people: People) -> World:
    area = people.area
    area.screening_target_days, area.first_meeting_target_days, area.minutes_target_days = 14, 20, 10
    area.save()
    maidstone = people.housing.district
    assert maidstone is not None
    in_maidstone = Person(people, category=2, level=2)
    in_maidstone.nominal.district = maidstone
    in_maidstone.nominal.save()
    n1, n2, n3, n4 = (Person(people, category=2, level=2) for _ in range(4))

    # Screening: met in January twice (one exactly on the 14th day), missed in February; the
    # four accepted referrals below are each screened in 5 days.
    referral(
        people,
        first_submitted_at=at("2025-01-02"),
        decided_at=at("2025-01-10"),
        status=ReferralStatus.ACCEPTED,
        nominal=in_maidstone.nominal,
    )
    referral(
        people, first_submitted_at=at("2024-12-20"), decided_at=at("2025-01-03"), status=ReferralStatus.NOT_ELIGIBLE
    )
    referral(people, first_submitted_at=at("2025-01-01"), decided_at=at("2025-02-20"), status=ReferralStatus.LEVEL_1)
    referral(
        people, first_submitted_at=at("2025-03-20"), decided_at=at("2025-04-01"), status=ReferralStatus.LEVEL_1
    )  # April
    referral(people, first_submitted_at=at("2025-03-25"))  # not decided

    # Custodial referrals: one in time, one late, one from the community (not counted).
    referral(people, first_submitted_at=at("2025-03-05"), location="custody", late=False)
    referral(people, first_submitted_at=at("2025-03-06"), location="custody", late=True)
    referral(people, first_submitted_at=at("2025-03-07"), location="community")

    # First meetings: held in time; held late; never held, deadline passed; not yet due (left out).
    f1, f2, f3, f4 = (Person(people, category=2, level=2) for _ in range(4))
    for person, accepted, due in [
        (f1, "2025-01-15", "2025-02-04"),
        (f2, "2025-02-10", "2025-03-02"),
        (f3, "2025-03-25", "2025-04-14"),
        (f4, "2025-03-30", "2025-04-30"),
    ]:
        referral(
            people,
            first_submitted_at=at(accepted) - datetime.timedelta(days=5),
            decided_at=at(accepted, 15),
            status=ReferralStatus.ACCEPTED,
            nominal=person.nominal,
            first_meeting_due=d(due),
        )
    first_of_f1 = held(people, f1, "2025-02-01", distributed_at=None)
    first_of_f2 = held(people, f2, "2025-03-10", distributed_at=at("2025-03-20"))
    meeting(people, f4, "2025-04-25")  # scheduled, not held

    # Reviews, due within the level's interval of the meeting before (16 weeks at Level 2, 8 at
    # Level 3): held in time (due 21 January); held late although the minutes set a later date, with
    # a reason (due 9 February, minutes said 25 February, held 20 February); not due, the person
    # having left MAPPA first (due 12 March); never held at Level 3 (due 14 February); due after the
    # quarter (22 April).
    approved = {"status": MeetingStatus.DISTRIBUTED}
    held(people, n1, "2024-10-01", next_review=d("2025-01-21"), **approved)
    m2 = held(people, n1, "2025-01-15", distributed_at=at("2025-01-20"))
    held(
        people,
        n2,
        "2024-10-20",
        next_review=d("2025-02-25"),
        next_review_rationale="The district's next panel day.",
        **approved,
    )
    m4 = held(people, n2, "2025-02-20", distributed_at=at("2025-03-15"))
    held(people, n3, "2024-11-20", next_review=d("2025-03-12"), **approved)
    n3.exit(d("2025-02-15"))
    held(people, n4, "2024-12-31", next_review=d("2025-04-22"), **approved)
    held(people, n4, "2025-04-15")  # after the quarter
    n5 = Person(people, category=2, level=3)
    held(people, n5, "2024-12-20", level=3, next_review=d("2025-02-14"), **approved)

    # Attendance at meetings held in the quarter (the three review-setting meetings before it aside).
    for on, agency, attendance in [
        (m2, people.police, Attendance.ATTENDED),
        (m2, people.housing, Attendance.APOLOGIES),
        (m4, people.police, Attendance.REPORT),
        (m4, people.housing, Attendance.DID_NOT_ATTEND),
        (first_of_f1, people.police, Attendance.ATTENDED),
    ]:
        Invitation.objects.create(meeting=on, agency=agency, attendance=attendance)

    # Actions: done early; done late; still open; done on the day; due after the quarter.
    action(people, m2, people.police, "2025-01-10", status=ActionStatus.COMPLETE, completed_on=d("2025-01-09"))
    action(people, m2, people.police, "2025-02-10", status=ActionStatus.COMPLETE, completed_on=d("2025-02-12"))
    action(people, m4, people.housing, "2025-03-10")
    action(people, m4, people.housing, "2025-03-31", status=ActionStatus.COMPLETE, completed_on=d("2025-03-31"))
    action(people, m4, people.housing, "2025-04-30")

    # A Category 4 case's action, counted in the figures, listed only for those cleared.
    category4 = Person(people, category=4, level=2)
    m_cat4 = held(people, category4, "2024-12-01")
    action(people, m_cat4, people.police, "2025-03-15", status=ActionStatus.COMPLETE, completed_on=d("2025-03-01"))
    return World(
        people, maidstone, {"m2": m2, "m4": m4, "first_of_f1": first_of_f1, "first_of_f2": first_of_f2}, category4
    )
