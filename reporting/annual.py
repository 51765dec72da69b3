"""The MAPPA annual report: the published statistical tables for an area and a reporting year.

The reporting year runs from 1 April to 31 March and is named by the year it starts in. The counts
are aggregate queries over the effective-dated histories (see `history`): who was where, in which
category and at which level on the day that matters; table 2 looks at every day of the year of the
people it counts (see `timeline`). Category 4 is never counted. docs/counting-rules.md gives each
rule with its published source.

The exit day: a person's exit date is the first day they are no longer a MAPPA case, and their
episode, category and level end the day before (`cases.services.nominal_exit`). So someone who
exits on 31 March is not in that day's snapshot; someone whose last day is 31 March (exit on
1 April) is.

How each table counts:
1. People in the area and in the community on 31 March, by their category and level that day,
   while still eligible that day: Category 1 with notification requirements, a Notification Order
   or an SHPO in force; Category 2 with a licence, a hospital or guardianship order in force or a
   sentence not yet expired.
2. People managed at Level 2 or 3 in the community during the year: in each area where they were,
   once, at the highest level they reached there, under their category on their last day at that
   level there. Days in custody or hospital do not count.
3. Category 1: people cautioned, and people convicted, for breach of notification in the year
   (each person once per row), and indefinite notification requirements revoked on application in
   the year of people in Category 1 the day before the revocation.
4. Orders the courts imposed in the year on people of the area, whatever their category then
   (an SHPO made at sentencing comes before the Category 1 period it opens), interim orders
   included; the SHPO row includes those with a foreign travel restriction, which are also counted
   on their own.
5. People whose breach of a Sexual Risk Order led to notification in the year.
6. People recalled for breach of licence in the year while at Level 2 or 3, once each, at their
   highest level at recall and their category then.
7. People returned to custody for breach of an SHPO in the year while at Level 2 or 3, once each.
8. Table 1's Category 1 total per 100,000 of the area's population aged 10 and over.
9. People charged with a serious further offence in the year while at Level 2 or 3, once each, by
   their highest level at a charge; and the serious case reviews the board decided in the year to
   hold (from the reviews' own records).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DateField, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce

from agencies.models import Area, AreaPopulation
from cases.models import (
    CATEGORY_2_ORDERS,
    MOVING_EVENTS,
    NOTIFYING_ORDERS,
    Category,
    Conviction,
    Event,
    EventKind,
    LevelPeriod,
    Location,
    Nominal,
    Order,
    OrderKind,
)
from cases.selectors import orders_in_force
from reporting import timeline
from reporting.history import area_on, category_on, level_on, location_on
from reviews.models import Decision, SeriousCaseReview

Cell = int | str  # a count, or "-" where a count cannot exist

CATEGORIES = (Category.REGISTERED_SEXUAL_OFFENDER, Category.VIOLENT_OFFENDER, Category.OTHER_DANGEROUS_OFFENDER)
CATEGORY_HEADINGS = (
    "Category 1: Subject to sex offender notification requirements",
    "Category 2: Violent offenders",
    "Category 3: Other dangerous offenders",
)
RETURNED_HEADINGS = (
    "Category 1: Subject to notification requirements",
    "Category 2: Violent offenders",
    "Category 3: Other dangerous offenders",
)
TABLE_COUNT = 9


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: tuple[str, ...]  # column headings, the first above the row labels; empty for a list of figures
    rows: tuple[Row, ...]
    note: str = ""

    def cell(self, row: str, column: int = 0) -> Cell:
        return next(r.cells[column] for r in self.rows if r.label == row)


@dataclass(frozen=True)
class AnnualReport:
    area_code: str
    area_name: str
    year: int
    tables: tuple[Table, ...]

    @property
    def start(self) -> datetime.date:
        return reporting_period(self.year)[0]

    @property
    def end(self) -> datetime.date:
        return reporting_period(self.year)[1]

    @property
    def title(self) -> str:
        return f"{self.area_name} MAPPA annual report {self.year}-{str(self.year + 1)[-2:]}"

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": {"code": self.area_code, "name": self.area_name},
            "year": self.year,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "tables": [
                {
                    "key": table.key,
                    "title": table.title,
                    "header": list(table.header),
                    "rows": [{"label": row.label, "cells": list(row.cells)} for row in table.rows],
                    "note": table.note,
                }
                for table in self.tables
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnualReport:
        return cls(
            area_code=data["area"]["code"],
            area_name=data["area"]["name"],
            year=data["year"],
            tables=tuple(
                Table(
                    key=table["key"],
                    title=table["title"],
                    header=tuple(table["header"]),
                    rows=tuple(Row(row["label"], tuple(row["cells"])) for row in table["rows"]),
                    note=table["note"],
                )
                for table in data["tables"]
            ),
        )


def reporting_period(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


Progress = Callable[[int, int], None]


def annual_report(area: Area, year: int, *, progress: Progress | None = None) -> AnnualReport:
    """Compute the report; `progress(done, total)` is called as each table is finished."""
    start, end = reporting_period(year)
    snapshot = _snapshot(area, end)
    tables = [snapshot]
    steps: list[Callable[[], Table]] = [
        lambda: _managed_in_year(area, start, end),
        lambda: _notification_breaches(area, start, end),
        lambda: _restrictive_orders(area, start, end),
        lambda: _sro_breaches(area, start, end),
        lambda: _licence_recalls(area, start, end),
        lambda: _shpo_breaches(area, start, end),
        lambda: _rate(area, year, snapshot),
        lambda: _serious_further_offences(area, start, end),
    ]
    if progress:
        progress(1, TABLE_COUNT)
    for step in steps:
        tables.append(step())
        if progress:
            progress(len(tables), TABLE_COUNT)
    return AnnualReport(area_code=area.code, area_name=area.name, year=year, tables=tuple(tables))


# Expressions for "on that day" in the three kinds of outer query.
def _area_of_nominal(on: datetime.date | OuterRef) -> Any:
    return area_on(OuterRef("pk"), on, F("area_id"))


def _area_of_record(on: OuterRef) -> Any:
    return area_on(OuterRef("nominal_id"), on, F("nominal__area_id"))


def _people_ever_in(area: Area) -> QuerySet[Nominal]:
    moved = Event.objects.filter(kind=EventKind.TRANSFER).filter(Q(from_area=area) | Q(to_area=area))
    return Nominal.objects.filter(Q(area=area) | Q(pk__in=moved.values("nominal_id")))


def _grid(counts: dict[tuple[int, int], int], levels: tuple[int, ...]) -> tuple[Row, ...]:
    """Rows of levels by columns of categories, with totals; Category 3 has no Level 1."""
    rows = []
    for level in levels:
        cells: list[Cell] = [
            "-" if (level, category) == (1, 3) else counts.get((level, category), 0) for category in CATEGORIES
        ]
        rows.append(Row(f"Level {level}", (*cells, sum(c for c in cells if isinstance(c, int)))))
    totals = [
        sum(counts.get((level, category), 0) for level in levels if (level, category) != (1, 3))
        for category in CATEGORIES
    ]
    rows.append(Row("Total", (*totals, sum(totals))))
    return tuple(rows)


def _counts(rows: QuerySet[Any, dict[str, Any]]) -> dict[tuple[int, int], int]:
    return {(row["level_then"], row["category_then"]): row["n"] for row in rows}


def _snapshot(area: Area, day: datetime.date) -> Table:
    orders = Order.objects.filter(nominal_id=OuterRef("pk"))
    sentences = Conviction.objects.filter(nominal_id=OuterRef("pk"), conviction_date__lte=day)
    people = (
        _people_ever_in(area)
        .annotate(category_then=category_on(OuterRef("pk"), day))
        .filter(category_then__in=CATEGORIES)
        .annotate(
            level_then=level_on(OuterRef("pk"), day),
            area_then=_area_of_nominal(day),
            location_then=location_on(OuterRef("pk"), day, F("location")),
            notified=Exists(orders.filter(orders_in_force(day, kinds=NOTIFYING_ORDERS))),
            held=Exists(orders.filter(orders_in_force(day, kinds=CATEGORY_2_ORDERS))),
            serving=Exists(sentences.filter(sentence_expiry_date__gte=day)),
        )
        .filter(area_then=area.pk, location_then=Location.COMMUNITY, level_then__isnull=False)
        .filter(
            Q(category_then=Category.REGISTERED_SEXUAL_OFFENDER, notified=True)
            | Q(category_then=Category.VIOLENT_OFFENDER, held=True)
            | Q(category_then=Category.VIOLENT_OFFENDER, serving=True)
            | Q(category_then=Category.OTHER_DANGEROUS_OFFENDER)
        )
        .values("level_then", "category_then")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Table(
        key="eligible",
        title=f"MAPPA-eligible individuals on {day.day} {day:%B %Y}",
        header=("", *CATEGORY_HEADINGS, "Total"),
        rows=_grid(_counts(people), (1, 2, 3)),
        note="People living in the community on that day: not those in custody or detained in hospital.",
    )


def _managed_in_year(area: Area, start: datetime.date, end: datetime.date) -> Table:
    """Each person once in each area where they spent a day at Level 2 or 3 in the community
    during the year (see `timeline`): their few hundred histories are read in four queries."""
    at_level_2_or_3 = LevelPeriod.objects.filter(level__in=[2, 3], start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    people = (
        _people_ever_in(area)
        .filter(pk__in=at_level_2_or_3.values("nominal_id"))
        .prefetch_related(
            "category_periods",
            "level_periods",
            Prefetch("events", queryset=Event.objects.filter(MOVING_EVENTS | Q(kind=EventKind.TRANSFER))),
        )
    )
    counts: dict[tuple[int, int], int] = {}
    for person in people.only("pk", "area_id", "location"):
        found = timeline.spells(
            person,
            categories=list(person.category_periods.all()),
            levels=list(person.level_periods.all()),
            events=person.events.all(),
            start=start,
            end=end,
        )
        counted = timeline.highest_in_area(found, area.pk, categories=CATEGORIES)
        if counted is not None:
            counts[counted] = counts.get(counted, 0) + 1
    return Table(
        key="managed",
        title="MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)",
        header=("", *CATEGORY_HEADINGS, "Total"),
        rows=_grid(counts, (2, 3)),
        note=(
            "Each person once, at the highest level at which they were managed in the community in the area "
            "during the year."
        ),
    )


def _in_area_then(records: QuerySet[Any], area: Area, day: str) -> QuerySet[Any]:
    in_area: QuerySet[Any] = records.annotate(area_then=_area_of_record(OuterRef(day))).filter(area_then=area.pk)
    return in_area


def _notification_breaches(area: Area, start: datetime.date, end: datetime.date) -> Table:
    events = Event.objects.filter(
        kind__in=[EventKind.BREACH_NOTIFICATION_CAUTIONED, EventKind.BREACH_NOTIFICATION_CONVICTED],
        date__range=(start, end),
    )
    breaches = (
        _in_area_then(events, area, "date")
        .annotate(category_then=category_on(OuterRef("nominal_id"), OuterRef("date")))
        .filter(category_then=Category.REGISTERED_SEXUAL_OFFENDER)
        .aggregate(
            cautioned=Count("nominal_id", distinct=True, filter=Q(kind=EventKind.BREACH_NOTIFICATION_CAUTIONED)),
            convicted=Count("nominal_id", distinct=True, filter=Q(kind=EventKind.BREACH_NOTIFICATION_CONVICTED)),
        )
    )
    revocations = Order.objects.filter(
        kind=OrderKind.NOTIFICATION_REQUIREMENTS, indefinite=True, revoked_on__range=(start, end)
    ).annotate(day_before=Cast(F("revoked_on") - datetime.timedelta(days=1), DateField()))
    revoked = (
        _in_area_then(revocations, area, "revoked_on")
        .annotate(category_then=category_on(OuterRef("nominal_id"), OuterRef("day_before")))
        .filter(category_then=Category.REGISTERED_SEXUAL_OFFENDER)
        .count()
    )
    return Table(
        key="notification",
        title="Category 1 breaches of notification requirements and revocations",
        header=(),
        rows=(
            Row("Category 1 cautioned for breach of notification requirements", (breaches["cautioned"],)),
            Row("Category 1 convicted for breach of notification requirements", (breaches["convicted"],)),
            Row("Category 1 who have had their life time notification revoked on application", (revoked,)),
        ),
    )


def _restrictive_orders(area: Area, start: datetime.date, end: datetime.date) -> Table:
    """Orders made in the year for people of the area: an SHPO made at sentencing comes before the
    Category 1 period it opens, so the person's category that day is not asked, except that
    Category 4 is never counted."""
    orders = Order.objects.filter(kind__in=[OrderKind.SHPO, OrderKind.NOTIFICATION_ORDER], start__range=(start, end))
    counts = _not_category_4(_in_area_then(orders, area, "start"), "start").aggregate(
        shpo=Count("pk", filter=Q(kind=OrderKind.SHPO)),
        travel=Count("pk", filter=Q(kind=OrderKind.SHPO, foreign_travel_restriction=True)),
        notification=Count("pk", filter=Q(kind=OrderKind.NOTIFICATION_ORDER)),
    )
    return Table(
        key="orders",
        title="Restrictive orders for Category 1 offenders",
        header=(),
        rows=(
            Row("Sexual Harm Prevention Order (SHPO)", (counts["shpo"],)),
            Row("SHPO with foreign travel restriction", (counts["travel"],)),
            Row("Notification Order", (counts["notification"],)),
        ),
        note="Orders and interim orders made by the courts in the year.",
    )


def _not_category_4(records: QuerySet[Any], day: str) -> QuerySet[Any]:
    category = Coalesce(category_on(OuterRef("nominal_id"), OuterRef(day)), Value(0), output_field=IntegerField())
    kept: QuerySet[Any] = records.annotate(category_then=category).exclude(category_then=Category.TERRORISM)
    return kept


def _sro_breaches(area: Area, start: datetime.date, end: datetime.date) -> Table:
    events = Event.objects.filter(kind=EventKind.BREACH_SRO_NOTIFICATION, date__range=(start, end))
    people = _not_category_4(_in_area_then(events, area, "date"), "date").aggregate(
        n=Count("nominal_id", distinct=True)
    )
    return Table(
        key="sro",
        title="Breach of a Sexual Risk Order",
        header=(),
        rows=(
            Row(
                "Number of individuals who became subject to sex offender notification requirements following a "
                "breach(es) of a Sexual Risk Order (SRO)",
                (people["n"],),
            ),
        ),
    )


def _returned(events: QuerySet[Event], area: Area) -> QuerySet[Any, dict[str, Any]]:
    """People with one of `events` while at Level 2 or 3 in the area, once each, with their level and
    category on the day of the one at their highest level."""
    at_level_2_or_3 = (
        _in_area_then(events.filter(nominal_id=OuterRef("pk")), area, "date")
        .annotate(level_then=level_on(OuterRef("nominal_id"), OuterRef("date")))
        .filter(level_then__in=[2, 3])
        .order_by("-level_then", "-date", "-pk")
    )
    return (
        Nominal.objects.filter(pk__in=events.values("nominal_id"))
        .annotate(returned_on=Subquery(at_level_2_or_3.values("date")[:1]))
        .filter(returned_on__isnull=False)
        .annotate(
            level_then=level_on(OuterRef("pk"), OuterRef("returned_on")),
            category_then=Coalesce(
                category_on(OuterRef("pk"), OuterRef("returned_on")), Value(0), output_field=IntegerField()
            ),
        )
        .values("level_then", "category_then")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _licence_recalls(area: Area, start: datetime.date, end: datetime.date) -> Table:
    recalls = Event.objects.filter(kind=EventKind.RECALL, date__range=(start, end))
    counts = _counts(_returned(recalls, area).filter(category_then__in=CATEGORIES))
    return Table(
        key="recalls",
        title="Level 2 and 3 individuals returned to custody",
        header=("Returned to custody for breach of licence", *RETURNED_HEADINGS, "Total"),
        rows=_grid(counts, (2, 3)),
    )


def _shpo_breaches(area: Area, start: datetime.date, end: datetime.date) -> Table:
    breaches = Event.objects.filter(kind=EventKind.BREACH_SHPO, returned_to_custody=True, date__range=(start, end))
    rows = _returned(breaches, area).exclude(category_then=Category.TERRORISM)
    by_level = {2: 0, 3: 0}
    for row in rows:
        by_level[row["level_then"]] += row["n"]
    return Table(
        key="shpo_breaches",
        title="Level 2 and 3 individuals returned to custody for breach of SHPO",
        header=("Breach of SHPO", ""),
        rows=(
            Row("Level 2", (by_level[2],)),
            Row("Level 3", (by_level[3],)),
            Row("Total", (by_level[2] + by_level[3],)),
        ),
    )


def _serious_further_offences(area: Area, start: datetime.date, end: datetime.date) -> Table:
    """Level 2 and 3 individuals charged with a serious further offence in the year (once each, at
    their level on the day of the charge at their highest level), and the serious case reviews the
    board decided in the year to hold. Category 4 apart, as everywhere."""
    charges = Event.objects.filter(kind=EventKind.SERIOUS_FURTHER_OFFENCE, date__range=(start, end))
    by_level = {2: 0, 3: 0}
    for row in _returned(charges, area).exclude(category_then=Category.TERRORISM):
        by_level[row["level_then"]] += row["n"]
    reviews = (
        SeriousCaseReview.objects.filter(area=area, decision=Decision.REVIEW, decided_on__range=(start, end))
        .exclude(category=Category.TERRORISM)
        .count()
    )
    return Table(
        key="serious_further_offences",
        title="Serious further offences and serious case reviews",
        header=(),
        rows=(
            Row("Level 2 individuals charged with a serious further offence", (by_level[2],)),
            Row("Level 3 individuals charged with a serious further offence", (by_level[3],)),
            Row("Serious case reviews commenced", (reviews,)),
        ),
    )


def _rate(area: Area, year: int, snapshot: Table) -> Table:
    registered = int(snapshot.cell("Total", 0))
    population = (
        AreaPopulation.objects.filter(area=area, year=year).values_list("population_aged_10_plus", flat=True).first()
    )
    label = "Total number of individuals subject to sex offender notification requirements per 100,000 population"
    if population is None:
        return Table(
            key="rate",
            title="Category 1 per 100,000 population",
            header=(),
            rows=(Row(label, ("-",)),),
            note=f"Not calculated: the area's population aged 10 and over for {year} has not been entered.",
        )
    rate = (Decimal(registered) * 100_000 / population).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Table(
        key="rate",
        title="Category 1 per 100,000 population",
        header=(),
        rows=(Row(label, (int(rate),)),),
        note=f"Calculated using the area's population aged 10 and over for {year}: {population:,}.",
    )
