"""The Python timeline and the SQL history answer "where, at which level, in which category" alike."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F, OuterRef

from cases.models import Event, EventKind, Nominal
from reporting import history, timeline
from tests.conftest import People
from tests.reporting.histories import Person

pytestmark = pytest.mark.django_db

DAYS = [datetime.date(2024, 1, 1) + datetime.timedelta(days=n) for n in range(0, 500, 7)]


def test_the_timeline_agrees_with_the_sql_history_every_week(people: People) -> None:
    mover = Person(people, category=2, level=1).level(2, datetime.date(2024, 3, 3)).level(3, datetime.date(2024, 9, 9))
    mover.event(EventKind.RELEASE, datetime.date(2024, 2, 2))  # in custody before it
    mover.event(EventKind.BREACH_SHPO, datetime.date(2024, 5, 5), returned_to_custody=True)
    mover.event(EventKind.RELEASE, datetime.date(2024, 6, 6))
    mover.event(EventKind.HOSPITAL_DETENTION, datetime.date(2024, 11, 11))
    mover.transfer(datetime.date(2024, 7, 7), people.other_area).category(1, datetime.date(2024, 12, 12))
    mover.exit(datetime.date(2025, 2, 2))
    nominal = Nominal.objects.get(pk=mover.nominal.pk)
    events = list(Event.objects.filter(nominal=nominal))

    found = timeline.spells(
        nominal,
        categories=list(nominal.category_periods.all()),
        levels=list(nominal.level_periods.all()),
        events=events,
        start=DAYS[0],
        end=DAYS[-1],
    )
    for day in DAYS:
        spell = next(s for s in found if s.start <= day <= s.end)
        sql = Nominal.objects.filter(pk=nominal.pk).annotate(
            location_then=history.location_on(OuterRef("pk"), day, F("location")),
            area_then=history.area_on(OuterRef("pk"), day, F("area_id")),
            level_then=history.level_on(OuterRef("pk"), day),
            category_then=history.category_on(OuterRef("pk"), day),
        )
        expected = sql.values_list("location_then", "area_then", "level_then", "category_then").get()
        assert (spell.location, spell.area_id, spell.level, spell.category) == expected, day
