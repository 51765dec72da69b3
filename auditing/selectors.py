"""Reads of the audit log for auditors: searches with keyset pagination (no counting millions of rows)
and the access reports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

from agencies.models import Agency, User
from cases.models import Category, Nominal
from mappa.audit.models import AuditEntry, AuditEvent, Report, ReportReview

PAGE_SIZE = 50
# What a page of entries shows of each (not the stored request details and changes, which can be long).
LISTED_FIELDS = [
    "timestamp",
    "event",
    "content_type__app_label",
    "content_type__model",
    "object_repr",
    "changes",
    "ground",
    "remote_addr",
    "nominal_id",
    "attempted_username",
    "actor__username",
    "actor__agency__name",
]
WORKING_HOURS = (8, 18)  # 08:00 to 17:59, Monday to Friday


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: entries strictly older than this one come next."""

    timestamp: datetime.datetime
    pk: int

    def encode(self) -> str:
        return f"{self.timestamp.isoformat()}_{self.pk}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        stamp, _, pk = value.rpartition("_")
        try:
            timestamp = datetime.datetime.fromisoformat(stamp)
            return cls(timestamp, int(pk)) if timestamp.tzinfo else None
        except ValueError:
            return None


@dataclass(frozen=True)
class AuditFilters:
    area_id: int
    actor: User | None = None
    nominal: Nominal | None = None
    agency: Agency | None = None
    event: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


def audit_entries(filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Entries of one area matching the filters, newest first. Every filter maps onto an index."""
    entries = AuditEntry.objects.filter(area_id=filters.area_id)
    if filters.nominal is not None:
        entries = entries.filter(nominal_id=filters.nominal.pk)
    if filters.actor is not None:
        entries = entries.filter(actor=filters.actor)
    if filters.agency is not None:
        entries = entries.filter(actor__agency=filters.agency)
    if filters.event:
        entries = entries.filter(event=filters.event)
    zone = ZoneInfo(settings.TIME_ZONE)
    if filters.since:
        entries = entries.filter(timestamp__gte=datetime.datetime.combine(filters.since, datetime.time(), zone))
    if filters.until:
        end = datetime.datetime.combine(filters.until + datetime.timedelta(days=1), datetime.time(), zone)
        entries = entries.filter(timestamp__lt=end)
    return entries.order_by("-timestamp", "-pk")


def audit_page(entries: QuerySet[AuditEntry], cursor: Cursor | None) -> tuple[list[AuditEntry], Cursor | None]:
    """One page of entries after `cursor`, and the cursor for the next page (None at the end)."""
    if cursor is not None:
        entries = entries.filter(Q(timestamp__lt=cursor.timestamp) | Q(timestamp=cursor.timestamp, pk__lt=cursor.pk))
    rows = list(entries.select_related("actor__agency", "content_type").only(*LISTED_FIELDS)[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (Cursor(rows[-1].timestamp, rows[-1].pk) if more else None)


def case_references(entries: list[AuditEntry]) -> dict[int, str]:
    ids = {entry.nominal_id for entry in entries if entry.nominal_id}
    return dict(Nominal.objects.filter(pk__in=ids).values_list("pk", "case_reference"))


def _window(area_id: int, since: datetime.date, until: datetime.date) -> QuerySet[AuditEntry]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return AuditEntry.objects.filter(
        area_id=area_id,
        event=AuditEvent.VIEW,
        nominal_id__isnull=False,
        timestamp__gte=datetime.datetime.combine(since, datetime.time(), zone),
        timestamp__lt=datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(), zone),
    )


def many_views(area_id: int, *, since: datetime.date, until: datetime.date, threshold: int) -> list[dict[str, object]]:
    """People who viewed more than `threshold` records in a day other than through their own lead agency."""
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = (
        _window(area_id, since, until)
        .exclude(ground__startswith="Lead agency")
        .annotate(day=TruncDate("timestamp", tzinfo=zone))
        .values("actor_id", "day")
        .annotate(records=Count("nominal_id", distinct=True))
        .filter(records__gt=threshold)
        .order_by("-day", "-records")
    )
    found = list(rows[:500])
    people = User.objects.in_bulk([row["actor_id"] for row in found])
    for row in found:
        row["actor"] = people.get(row["actor_id"])
        row["key"] = f"{row['actor_id']}:{row['day']:%Y-%m-%d}"
    return found


def out_of_hours(area_id: int, *, since: datetime.date, until: datetime.date) -> QuerySet[AuditEntry]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = WORKING_HOURS
    return (
        _window(area_id, since, until)
        .annotate(hour=ExtractHour("timestamp", tzinfo=zone), weekday=ExtractIsoWeekDay("timestamp", tzinfo=zone))
        .filter(Q(hour__lt=start) | Q(hour__gte=end) | Q(weekday__gte=6))
        .select_related("actor__agency")
        .order_by("-timestamp", "-pk")
    )


def category4_views(area_id: int, *, since: datetime.date, until: datetime.date) -> QuerySet[AuditEntry]:
    category4 = Nominal.objects.filter(category=Category.TERRORISM).values("pk")
    return (
        _window(area_id, since, until)
        .filter(nominal_id__in=category4)
        .select_related("actor__agency")
        .order_by("-timestamp", "-pk")
    )


def reviews_of(report: Report, keys: list[str]) -> dict[str, ReportReview]:
    return {
        review.key: review
        for review in ReportReview.objects.filter(report=report, key__in=keys).select_related("reviewer")
    }
