"""The unit's key performance indicators, measured live from the records, month by month.

Each indicator is a set of items (referrals, meetings, invitations, actions) dated by the day that
places them in a month, and a test each item meets or misses. Items whose deadline has not yet
come and which have not yet met it are left out until they do one or the other. The thresholds
are the area's own (screening, first-meeting and minutes targets in days; the review interval of
each level in weeks).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth

from agencies.models import Area, District, User
from cases.models import Exit, Level
from meetings.models import Action, ActionStatus, Attendance, Invitation, LevelDecision, Meeting, MeetingStatus
from meetings.policy import meetings_visible_to
from referrals.models import Referral, ReferralStatus
from referrals.policy import referrals_visible_to
from reporting import freshness

CACHED_FOR = 60 * 60  # seconds; a bound on staleness should a write ever bypass the model signals


@dataclass(frozen=True)
class Period:
    """Whole months from the first day of `since`'s month to the last day of `until`'s month."""

    since: datetime.date
    until: datetime.date
    district: District | None = None

    @classmethod
    def months_to(cls, last: datetime.date, count: int, district: District | None = None) -> Period:
        first = _month_start(last)
        for _ in range(count - 1):
            first = _month_start(first - datetime.timedelta(days=1))
        return cls(since=first, until=month_end(last), district=district)

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], _month_start(self.since)
        while month <= self.until:
            months.append(month)
            month = _month_start(month + datetime.timedelta(days=32))
        return months


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return _month_start(_month_start(day) + datetime.timedelta(days=32)) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Month:
    month: datetime.date
    met: int
    counted: int

    @property
    def share(self) -> float | None:
        return self.met / self.counted if self.counted else None


@dataclass(frozen=True)
class Measure:
    kpi: Kpi
    met: int
    counted: int
    months: tuple[Month, ...]

    @property
    def share(self) -> float | None:
        return self.met / self.counted if self.counted else None


Items = Callable[[Area, datetime.date], QuerySet[Any]]


@dataclass(frozen=True)
class Kpi:
    key: str
    title: str
    describe: Callable[[Area], str]  # what is counted and the threshold, in the area's terms
    items: Items  # the area's items, annotated with `day` (a date) and `met` (a boolean)
    district: str  # the path from an item to its nominal's district
    visible: Callable[[User, QuerySet[Any]], QuerySet[Any]]  # the items this user may see
    nominal: str  # the path from an item to its nominal
    column: str  # what an item is, for the drill-down's table heading
    counts: tuple[type[Model], ...]  # the records whose changes can move it, besides the area and its nominals


def _met(condition: Q | Exists) -> ExpressionWrapper[Any]:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _screening(area: Area, today: datetime.date) -> QuerySet[Referral]:
    wait = ExpressionWrapper(F("decided_at") - F("first_submitted_at"), output_field=DurationField())
    return (
        Referral.objects.filter(area=area, decided_at__isnull=False, first_submitted_at__isnull=False)
        .annotate(day=TruncDate("decided_at"), wait=wait)
        .annotate(met=_met(Q(wait__lte=datetime.timedelta(days=area.screening_target_days))))
    )


def _custodial(area: Area, today: datetime.date) -> QuerySet[Referral]:
    return Referral.objects.filter(area=area, first_submitted_at__isnull=False, location="custody").annotate(
        day=TruncDate("first_submitted_at"), met=_met(Q(late=False))
    )


def _first_meeting(area: Area, today: datetime.date) -> QuerySet[Referral]:
    held = Meeting.objects.filter(
        nominal_id=OuterRef("nominal_id"),
        held_at__isnull=False,
        starts_at__date__gte=OuterRef("day"),
        starts_at__date__lte=OuterRef("first_meeting_due"),
    )
    return (
        Referral.objects.filter(
            area=area, status=ReferralStatus.ACCEPTED, nominal__isnull=False, first_meeting_due__isnull=False
        )
        .annotate(day=TruncDate("decided_at"))
        .annotate(met=_met(Exists(held)))
        .filter(Q(met=True) | Q(first_meeting_due__lt=today))
    )


def _reviews(area: Area, today: datetime.date) -> QuerySet[Meeting]:
    """Each approved meeting is followed by a review due within the level's maximum interval (the
    area's, by default 16 weeks at Level 2 and 8 at Level 3), whatever later date its minutes set:
    a later date with a rationale is shown beside the review, not counted as on time. It is on time
    if a later meeting was held by then. Reviews of people who left MAPPA before then are not due."""
    meeting_day = TruncDate("starts_at")
    weeks = {Level.LEVEL_2: area.level2_review_weeks, Level.LEVEL_3: area.level3_review_weeks}
    due = Case(
        *(
            When(level_after=level, then=Cast(meeting_day + datetime.timedelta(weeks=n), DateField()))
            for level, n in weeks.items()
        ),
        output_field=DateField(),
    )
    held_by_then = Meeting.objects.filter(
        nominal_id=OuterRef("nominal_id"),
        held_at__isnull=False,
        starts_at__gt=OuterRef("starts_at"),
        starts_at__date__lte=OuterRef("day"),
    )
    left_before = Exit.objects.filter(
        nominal_id=OuterRef("nominal_id"), date__gt=OuterRef("meeting_day"), date__lte=OuterRef("day")
    )
    return (
        Meeting.objects.filter(area=area, status__in=[MeetingStatus.APPROVED, MeetingStatus.DISTRIBUTED])
        .exclude(level_decision=LevelDecision.EXIT)
        .annotate(level_after=Coalesce("new_level", "level"), meeting_day=meeting_day)
        .annotate(day=due)
        .filter(day__isnull=False)
        .annotate(met=_met(Exists(held_by_then)), left=Exists(left_before))
        .filter(Q(met=True) | Q(day__lt=today))
        .exclude(met=False, left=True)
    )


def _attendance(area: Area, today: datetime.date) -> QuerySet[Invitation]:
    return Invitation.objects.filter(meeting__area=area, meeting__held_at__isnull=False).annotate(
        day=TruncDate("meeting__starts_at"),
        met=_met(Q(attendance__in=[Attendance.ATTENDED, Attendance.REPORT])),
    )


def _minutes(area: Area, today: datetime.date) -> QuerySet[Meeting]:
    target = datetime.timedelta(days=area.minutes_target_days)
    delay = ExpressionWrapper(F("distributed_at") - F("starts_at"), output_field=DurationField())
    return (
        Meeting.objects.filter(area=area, held_at__isnull=False)
        .annotate(day=TruncDate("starts_at"), delay=delay)
        .annotate(met=_met(Q(distributed_at__isnull=False, delay__lte=target)))
        .filter(Q(met=True) | Q(starts_at__date__lt=today - target))
    )


def _actions(area: Area, today: datetime.date) -> QuerySet[Action]:
    return (
        Action.objects.filter(meeting__area=area)
        .annotate(day=F("due"), met=_met(Q(status=ActionStatus.COMPLETE, completed_on__lte=F("due"))))
        .filter(Q(met=True) | Q(due__lt=today))
    )


def _referrals_seen(user: User, items: QuerySet[Any]) -> QuerySet[Any]:
    return items.filter(pk__in=referrals_visible_to(user).values("pk"))


def _meetings_seen(path: str) -> Callable[[User, QuerySet[Any]], QuerySet[Any]]:
    def visible(user: User, items: QuerySet[Any]) -> QuerySet[Any]:
        return items.filter(**{f"{path}__in": meetings_visible_to(user).values("pk")})

    return visible


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "screening",
        "Referrals screened within the target time",
        lambda area: (
            f"Referrals decided by a screening panel within {area.screening_target_days} days of first being "
            "submitted, by the month of the decision."
        ),
        _screening,
        "nominal__district",
        _referrals_seen,
        "nominal",
        "Referral",
        (Referral,),
    ),
    Kpi(
        "custodial",
        "Custodial referrals made 6 months or more before release",
        lambda area: (
            "Referrals of people in custody submitted at least 6 months before their expected release, "
            "by the month of submission."
        ),
        _custodial,
        "nominal__district",
        _referrals_seen,
        "nominal",
        "Referral",
        (Referral,),
    ),
    Kpi(
        "first_meeting",
        "First meetings held within the target after acceptance",
        lambda area: (
            f"Referrals accepted at Level 2 or 3 whose first meeting was held within "
            f"{area.first_meeting_target_days} days, by the month of acceptance."
        ),
        _first_meeting,
        "nominal__district",
        _referrals_seen,
        "nominal",
        "Referral",
        (Referral, Meeting),
    ),
    Kpi(
        "reviews",
        "Level 2 and 3 reviews held on time",
        lambda area: (
            f"Reviews held within the level's maximum interval after the previous meeting ({area.level2_review_weeks} "
            f"weeks at Level 2, {area.level3_review_weeks} at Level 3), by the month the review was due. A later date "
            "set in the minutes is shown with its rationale; it does not make a late review on time."
        ),
        _reviews,
        "nominal__district",
        _meetings_seen("pk"),
        "nominal",
        "Review",
        (Meeting, Exit),
    ),
    Kpi(
        "attendance",
        "Agencies attending or sending a report",
        lambda area: (
            "Invitations to meetings held where the agency attended or sent a written report, by the month "
            "of the meeting."
        ),
        _attendance,
        "meeting__nominal__district",
        _meetings_seen("meeting"),
        "meeting__nominal",
        "Invitation",
        (Invitation, Meeting),
    ),
    Kpi(
        "minutes",
        "Minutes distributed within the target",
        lambda area: (
            f"Meetings held whose minutes were distributed within {area.minutes_target_days} days, by the "
            "month of the meeting."
        ),
        _minutes,
        "nominal__district",
        _meetings_seen("pk"),
        "nominal",
        "Meeting",
        (Meeting,),
    ),
    Kpi(
        "actions",
        "Actions completed by their due date",
        lambda area: "Risk management plan actions completed by the day they were due, by the month they were due.",
        _actions,
        "nominal__district",
        _meetings_seen("meeting"),
        "nominal",
        "Action",
        (Action, Meeting),
    ),
)
KPIS_BY_KEY = {kpi.key: kpi for kpi in KPIS}


def kpi_items(kpi: Kpi, area: Area, period: Period, today: datetime.date) -> QuerySet[Any]:
    items = kpi.items(area, today).filter(day__range=(period.since, period.until))
    if period.district is not None:
        items = items.filter(**{kpi.district: period.district})
    return items


def measure(kpi: Kpi, area: Area, period: Period, today: datetime.date) -> Measure:
    """The indicator for the period, month by month, in one grouped query."""
    by_month = {
        row["month"]: row
        for row in kpi_items(kpi, area, period, today)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(counted=Count("pk"), met_count=Count("pk", filter=Q(met=True)))
        .order_by("month")
    }
    months = tuple(
        Month(month, by_month[month]["met_count"], by_month[month]["counted"])
        if month in by_month
        else Month(month, 0, 0)
        for month in period.months
    )
    return _measure_of(kpi, months)


def measure_all(area: Area, period: Period, today: datetime.date) -> list[Measure]:
    """Every indicator for the period. Each indicator's figures are cached until a record it counts
    changes (see `freshness`), the day ends, or an hour passes, whichever comes first; a dashboard
    works out afresh only the indicators whose figures were forgotten."""
    district = period.district.pk if period.district else ""
    versions = freshness.versions(area.pk, KPIS_BY_KEY)
    keys = {
        kpi.key: f"kpis:{area.pk}:{kpi.key}:{versions[kpi.key]}:{period.since}:{period.until}:{district}:{today}"
        for kpi in KPIS
    }
    stored: dict[str, list[tuple[datetime.date, int, int]]] = cache.get_many(keys.values())
    measures, worked_out = [], {}
    for kpi in KPIS:
        months = stored.get(keys[kpi.key])
        if months is None:
            measures.append(measure(kpi, area, period, today))
            worked_out[keys[kpi.key]] = [(month.month, month.met, month.counted) for month in measures[-1].months]
        else:
            measures.append(_measure_of(kpi, tuple(Month(*month) for month in months)))
    if worked_out:
        cache.set_many(worked_out, CACHED_FOR)
    return measures


def _measure_of(kpi: Kpi, months: tuple[Month, ...]) -> Measure:
    return Measure(
        kpi=kpi,
        met=sum(month.met for month in months),
        counted=sum(month.counted for month in months),
        months=months,
    )
