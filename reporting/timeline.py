"""A person's year, day by day, in Python: where they were, in which category and at which level.

The annual report's count of people managed at Level 2 or 3 during the year needs every day of the
year of each such person (a few hundred in an area), not one day of everyone: they are counted in
each area where they spent a day at Level 2 or 3 in the community, at the highest level they
reached there, under the category they had on their last day at that level there. The rules for
one day are those of `history` (periods cover their last day; a move takes effect on its date;
before a person's first move they were where it moved them from; of two records on one day, the
one recorded last counts).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cases.models import LOCATION_AFTER_EVENT, CategoryPeriod, Event, EventKind, LevelPeriod, Location, Nominal
from reporting.history import LOCATION_BEFORE_EVENT

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Spell:
    """Days from `start` to `end` (both included) on which nothing about the person changed."""

    start: datetime.date
    end: datetime.date
    area_id: int
    location: str
    category: int | None
    level: int | None


def _covering(periods: Sequence[CategoryPeriod] | Sequence[LevelPeriod], day: datetime.date) -> object | None:
    covering = [p for p in periods if p.start <= day and (p.end is None or day <= p.end)]
    return max(covering, key=lambda p: (p.start, p.pk), default=None)


def _moves(events: Iterable[Event]) -> list[Event]:
    moving = [e for e in events if e.kind in LOCATION_AFTER_EVENT or e.returned_to_custody]
    return sorted(moving, key=lambda e: (e.date, e.pk))


def location_on(nominal: Nominal, moves: list[Event], day: datetime.date) -> str:
    earlier = [e for e in moves if e.date <= day]
    if earlier:
        last = earlier[-1]
        return Location.CUSTODY if last.returned_to_custody else LOCATION_AFTER_EVENT[EventKind(last.kind)]
    if moves:
        first = moves[0]
        if first.returned_to_custody:
            return Location.COMMUNITY
        return LOCATION_BEFORE_EVENT.get(EventKind(first.kind), Location.COMMUNITY)
    return nominal.location


def area_on(nominal: Nominal, transfers: list[Event], day: datetime.date) -> int:
    earlier = [e for e in transfers if e.date <= day]
    if earlier:
        return earlier[-1].to_area_id or nominal.area_id
    if transfers:
        return transfers[0].from_area_id or nominal.area_id
    return nominal.area_id


def spells(
    nominal: Nominal,
    *,
    categories: Sequence[CategoryPeriod],
    levels: Sequence[LevelPeriod],
    events: Iterable[Event],
    start: datetime.date,
    end: datetime.date,
) -> list[Spell]:
    """The person's days from `start` to `end`, cut wherever their area, location, category or level
    could change."""
    events = list(events)
    moves = _moves(events)
    transfers = sorted((e for e in events if e.kind == EventKind.TRANSFER), key=lambda e: (e.date, e.pk))
    cuts = {start, end + ONE_DAY}
    for period in (*categories, *levels):
        cuts.update({period.start, (period.end or end) + ONE_DAY})
    cuts.update(event.date for event in (*moves, *transfers))
    days = sorted(day for day in cuts if start <= day <= end + ONE_DAY)
    result = []
    for first, after in itertools.pairwise(days):
        category = _covering(categories, first)
        level = _covering(levels, first)
        result.append(
            Spell(
                start=first,
                end=after - ONE_DAY,
                area_id=area_on(nominal, transfers, first),
                location=location_on(nominal, moves, first),
                category=getattr(category, "category", None),
                level=getattr(level, "level", None),
            )
        )
    return result


def highest_in_area(found: Iterable[Spell], area_id: int, *, categories: Iterable[int]) -> tuple[int, int] | None:
    """The highest level at which the person was managed in the area in the community, and their
    category on the last day at that level there (None if they never were at Level 2 or 3 there)."""
    counted = set(categories)
    managed = [
        s
        for s in found
        if s.area_id == area_id and s.location == Location.COMMUNITY and s.level in (2, 3) and s.category is not None
    ]
    if not managed:
        return None
    top = max(s.level for s in managed if s.level is not None)
    last = max((s for s in managed if s.level == top), key=lambda s: s.end)
    if last.category not in counted:
        return None
    return top, last.category
