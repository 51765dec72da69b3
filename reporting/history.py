"""Where a nominal stood on a given day, as SQL expressions built from the effective-dated histories.

Each function returns an expression for use in `annotate()` or `filter()` on a queryset, so that a
count over thousands of people is one query with the history looked up per row by the database.
`nominal` names the nominal's id in the outer query (`OuterRef("pk")` on nominals,
`OuterRef("nominal_id")` on events or orders) and `on` the day (a date value or an outer column).

- Category and level: the period that covers the day (periods include their last day).
- Area: a transfer moves a person from its date; before their first transfer they were in the
  area it moved them from; with no transfer, where the record says they are now.
- Location: custody, release and hospital events, and breaches that returned the person to
  custody, move a person from their date; before their first such event they were where it moved
  them from (in custody before a release, say); with no such event, where the record says they are
  now. Of two on one day, the one recorded last counts.

`timeline` answers the same questions in Python for the few hundred people whose every day of a
year is looked at; the two must agree (tests/reporting/test_timeline.py).
"""

from __future__ import annotations

import datetime
from typing import TypeAlias

from django.db.models import Case, CharField, Expression, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from cases.models import (
    LOCATION_AFTER_EVENT,
    MOVING_EVENTS,
    CategoryPeriod,
    Event,
    EventKind,
    LevelPeriod,
    Location,
)

Day: TypeAlias = datetime.date | OuterRef | F

# Where a person was before an event that moved them out: custody before a release, say.
LOCATION_BEFORE_EVENT = {EventKind.RELEASE: Location.CUSTODY, EventKind.HOSPITAL_DISCHARGE: Location.HOSPITAL}


def _place(locations: dict[EventKind, Location], *, breach: Location) -> Case:
    """The location an event stands for: its kind's, or `breach` for a breach that returned the person
    to custody (the community for any kind not listed)."""
    whens = [When(kind=kind, then=Value(place)) for kind, place in locations.items()]
    return Case(
        When(returned_to_custody=True, then=Value(breach)),
        *whens,
        default=Value(Location.COMMUNITY),
        output_field=CharField(),
    )


def _covering(model: type[CategoryPeriod] | type[LevelPeriod], nominal: OuterRef, on: Day, field: str) -> Subquery:
    periods = model.objects.filter(nominal_id=nominal, start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))
    return Subquery(periods.order_by("-start", "-pk").values(field)[:1])


def category_on(nominal: OuterRef, on: Day) -> Subquery:
    return _covering(CategoryPeriod, nominal, on, "category")


def level_on(nominal: OuterRef, on: Day) -> Subquery:
    return _covering(LevelPeriod, nominal, on, "level")


def area_on(nominal: OuterRef, on: Day, current_area: F) -> Expression:
    transfers = Event.objects.filter(nominal_id=nominal, kind=EventKind.TRANSFER)
    moved_to = transfers.filter(date__lte=on).order_by("-date", "-pk").values("to_area_id")[:1]
    came_from = transfers.filter(date__gt=on).order_by("date", "pk").values("from_area_id")[:1]
    return Coalesce(Subquery(moved_to), Subquery(came_from), current_area, output_field=IntegerField())


def location_on(nominal: OuterRef, on: Day, current_location: F) -> Expression:
    moves = Event.objects.filter(MOVING_EVENTS, nominal_id=nominal)
    last = (
        moves.filter(date__lte=on)
        .order_by("-date", "-pk")
        .annotate(place=_place(LOCATION_AFTER_EVENT, breach=Location.CUSTODY))
    )
    following = (
        moves.filter(date__gt=on)
        .order_by("date", "pk")
        .annotate(place=_place(LOCATION_BEFORE_EVENT, breach=Location.COMMUNITY))
    )
    return Coalesce(
        Subquery(last.values("place")[:1]),
        Subquery(following.values("place")[:1]),
        current_location,
        output_field=CharField(),
    )
