"""Nominals with hand-built histories: categories, levels, events, orders and transfers on chosen days.

The statistics read histories as they stand, however they were recorded, so the tests write them
directly to reach any past state (a level lowered last June, a transfer in January) in few queries.
Each person is eligible from `since` on the ground their category needs (indefinite notification
requirements for Category 1, a licence for Category 2) unless the test says otherwise.
"""

from __future__ import annotations

import datetime
from itertools import count

from agencies.models import Agency, Area
from cases.models import (
    LOCATION_AFTER_EVENT,
    CategoryPeriod,
    Episode,
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
LICENCE_ENDS = datetime.date(2040, 1, 1)
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
        grounds: bool = True,
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
        self.episode = Episode.objects.create(nominal=self.nominal, start=since, reason="Test")
        self._open(CategoryPeriod, since, category=category)
        self._open(LevelPeriod, since, level=level)
        if grounds:
            self.grounds(category, since)

    def grounds(self, category: int, start: datetime.date, *, until: datetime.date | None = None) -> Person:
        """What keeps someone in the category eligible, from `start` (to `until`, if given)."""
        if category == 1:
            self.order(OrderKind.NOTIFICATION_REQUIREMENTS, start, end=until, indefinite=until is None)
        elif category == 2:
            self.order(OrderKind.LICENCE, start, end=until or LICENCE_ENDS)
        return self

    def _open(self, model: type[CategoryPeriod] | type[LevelPeriod], start: datetime.date, **value: int) -> None:
        model.objects.create(
            nominal=self.nominal, episode=self.episode, start=start, reason="Test", source=Source.INITIAL, **value
        )

    def _change(self, model: type[CategoryPeriod] | type[LevelPeriod], start: datetime.date, **value: int) -> Person:
        model.objects.filter(nominal=self.nominal, end__isnull=True).update(end=start - datetime.timedelta(days=1))
        self._open(model, start, **value)
        Nominal.objects.filter(pk=self.nominal.pk).update(**value)
        return self

    def level(self, level: int, start: datetime.date) -> Person:
        return self._change(LevelPeriod, start, level=level)

    def category(self, category: int, start: datetime.date) -> Person:
        self.grounds(category, start)
        return self._change(CategoryPeriod, start, category=category)

    def event(self, kind: EventKind, date: datetime.date, *, returned_to_custody: bool = False) -> Person:
        Event.objects.create(nominal=self.nominal, kind=kind, date=date, returned_to_custody=returned_to_custody)
        where = "custody" if returned_to_custody else LOCATION_AFTER_EVENT.get(kind)
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
        """Exit on `date`: the histories end the day before, as `nominal_exit` ends them."""
        last = date - datetime.timedelta(days=1)
        for model in (CategoryPeriod, LevelPeriod, Episode):
            model.objects.filter(nominal=self.nominal, end__isnull=True).update(end=last)  # type: ignore[attr-defined]
        Exit.objects.create(
            nominal=self.nominal,
            episode=self.episode,
            reason=ExitReason.RISK_REDUCED,
            date=date,
            decided_by=self.people.coordinator,
            rationale="Test",
            review_retention_on=date + datetime.timedelta(days=2000),
        )
        Nominal.objects.filter(pk=self.nominal.pk).update(status=Status.EXITED)
        return self

    def reenter(self, start: datetime.date, *, category: int, level: int) -> Person:
        """A new episode from `start`, as `nominal_reenter` opens it."""
        self.episode = Episode.objects.create(nominal=self.nominal, start=start, reason="Referred again")
        self._open(CategoryPeriod, start, category=category)
        self._open(LevelPeriod, start, level=level)
        self.grounds(category, start)
        Nominal.objects.filter(pk=self.nominal.pk).update(status=Status.ACTIVE, category=category, level=level)
        return self


def people_at(people: People, n: int, *, category: int, level: int, **kwargs: object) -> list[Person]:
    return [Person(people, category=category, level=level, **kwargs) for _ in range(n)]  # type: ignore[arg-type]
