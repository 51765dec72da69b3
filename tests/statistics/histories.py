"""Nominals with hand-built histories: categories, levels, events, orders and transfers on chosen days.

The statistics read histories as they stand, however they were recorded, so the tests write them
directly to reach any past state (a level lowered last June, a transfer in January) in few queries.
"""

from __future__ import annotations

import datetime
from itertools import count

from agencies.models import Agency, Area
from cases.models import (
    LOCATION_AFTER_EVENT,
    CategoryPeriod,
    Event,
    EventKind,
    Exit,
    ExitReason,
    LevelPeriod,
    Nominal,
    Order,
    OrderKind,
    Source,
    Status,
)
from tests.conftest import People

LONG_AGO = datetime.date(2015, 1, 5)
_serial = count(1)


class Person:
    """One nominal; each change closes the open period the day before the new one starts."""

    def __init__(
        self,
        people: People,
        *,
        category: int,
        level: int,
        area: Area | None = None,
        since: datetime.date = LONG_AGO,
        lead: Agency | None = None,
    ) -> None:
        self.people = people
        serial = next(_serial)
        area = area or people.area
        self.nominal = Nominal.objects.create(
            case_reference=f"T-{serial:06d}",
            first_name="Test",
            last_name=f"Person{serial}",
            date_of_birth=datetime.date(1975, 1, 1),
            gender="male",
            area=area,
            lead_agency=lead or people.police,
            category=category,
            level=level,
        )
        self._open(CategoryPeriod, since, category=category)
        self._open(LevelPeriod, since, level=level)

    def _open(self, model: type[CategoryPeriod] | type[LevelPeriod], start: datetime.date, **value: int) -> None:
        model.objects.create(nominal=self.nominal, start=start, reason="Test", source=Source.INITIAL, **value)

    def _change(self, model: type[CategoryPeriod] | type[LevelPeriod], start: datetime.date, **value: int) -> Person:
        model.objects.filter(nominal=self.nominal, end__isnull=True).update(end=start - datetime.timedelta(days=1))
        self._open(model, start, **value)
        Nominal.objects.filter(pk=self.nominal.pk).update(**value)
        return self

    def level(self, level: int, start: datetime.date) -> Person:
        return self._change(LevelPeriod, start, level=level)

    def category(self, category: int, start: datetime.date) -> Person:
        return self._change(CategoryPeriod, start, category=category)

    def event(self, kind: EventKind, date: datetime.date) -> Person:
        Event.objects.create(nominal=self.nominal, kind=kind, date=date)
        where = LOCATION_AFTER_EVENT.get(kind)
        if where:
            Nominal.objects.filter(pk=self.nominal.pk).update(location=where)
        return self

    def transfer(self, date: datetime.date, to: Area) -> Person:
        self.nominal.refresh_from_db()
        Event.objects.create(
            nominal=self.nominal, kind=EventKind.TRANSFER, date=date, from_area=self.nominal.area, to_area=to
        )
        Nominal.objects.filter(pk=self.nominal.pk).update(area=to)
        return self

    def order(self, kind: OrderKind, start: datetime.date, **details: object) -> Person:
        Order.objects.create(nominal=self.nominal, kind=kind, start=start, **details)
        return self

    def exit(self, date: datetime.date) -> Person:
        CategoryPeriod.objects.filter(nominal=self.nominal, end__isnull=True).update(end=date)
        LevelPeriod.objects.filter(nominal=self.nominal, end__isnull=True).update(end=date)
        Exit.objects.create(
            nominal=self.nominal,
            reason=ExitReason.RISK_REDUCED,
            date=date,
            decided_by=self.people.coordinator,
            rationale="Test",
            review_retention_on=date + datetime.timedelta(days=2000),
        )
        Nominal.objects.filter(pk=self.nominal.pk).update(status=Status.EXITED)
        return self


def people_at(people: People, n: int, *, category: int, level: int, **kwargs: object) -> list[Person]:
    return [Person(people, category=category, level=level, **kwargs) for _ in range(n)]  # type: ignore[arg-type]
