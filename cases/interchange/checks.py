"""Checking a whole import before anything is written: every row on its own (`records`), the
identifiers against each other and against the service, and each nominal's records against each
other, so that what is written is a history the service could have recorded itself."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model

from agencies.models import Area, User
from cases.interchange import columns, records
from cases.interchange.reading import Row
from cases.interchange.reference import Reference, check_reference
from cases.models import (
    LOCATION_AFTER_EVENT,
    CategoryPeriod,
    Conviction,
    Episode,
    EventKind,
    LevelPeriod,
    Location,
    Nominal,
    Order,
    Status,
)

Record = TypeVar("Record", bound=Model)
Rows = list[tuple[Row, Any]]
LOOKUP_SLICE = 900


@dataclass
class Person:
    """A nominal of the import and its records, each with the row it came from."""

    row: Row
    nominal: Nominal
    area: Area | None
    episodes: dict[int, tuple[Row, Episode]] = field(default_factory=dict)
    convictions: dict[int, tuple[Row, Conviction]] = field(default_factory=dict)
    records: dict[str, Rows] = field(default_factory=dict)

    def of(self, name: str) -> Rows:
        return self.records.setdefault(name, [])

    def rows(self) -> Iterable[Row]:
        yield self.row
        for pairs in self.records.values():
            yield from (row for row, _ in pairs)


@dataclass
class Plan:
    """Everything to write, each file's records in the order of its lines."""

    reference: Reference
    people: dict[str, Person]
    records: dict[str, list[Any]]


def check_folder(rows: dict[str, list[Row]], *, actor: User, today: datetime.date) -> Plan:
    reference = check_reference(rows)
    context = records.Context(reference=reference, actor=actor, today=today)
    plan = Plan(reference=reference, people=_people(rows[columns.NOMINALS], context), records={})
    plan.records[columns.NOMINALS] = [person.nominal for person in plan.people.values()]
    _identifiers_unique(plan.people.values())
    for name, read in _readers(context).items():
        plan.records[name] = []
        for row in rows[name]:
            person = _person_of(row, plan.people)
            record = read(row, person)
            if person is not None:
                record.nominal = person.nominal
                person.of(name).append((row, record))
                plan.records[name].append(record)
    for person in plan.people.values():
        if not any(row.refused for row in person.rows()):
            _check_history(person)
    return plan


def _readers(context: records.Context) -> dict[str, Callable[[Row, Person | None], Any]]:
    """How each file's rows are read: into their records, tied to the episode or conviction of
    their nominal they name."""
    return {
        columns.ALIASES: lambda row, person: records.alias_from(row, context),
        columns.EPISODES: lambda row, person: _numbered(row, person, "episode", records.episode_from(row, context)),
        columns.CATEGORY_PERIODS: lambda row, person: _of_episode(
            row, person, records.category_period_from(row, context)
        ),
        columns.LEVEL_PERIODS: lambda row, person: _of_episode(row, person, records.level_period_from(row, context)),
        columns.EXITS: lambda row, person: _of_episode(row, person, records.exit_from(row, context)),
        columns.CONVICTIONS: lambda row, person: _numbered(
            row, person, "conviction", records.conviction_from(row, context, person.nominal if person else None)
        ),
        columns.ORDERS: lambda row, person: _of_conviction(row, person, records.order_from(row, context)),
        columns.EVENTS: lambda row, person: records.event_from(row, context),
        columns.RISK_ASSESSMENTS: lambda row, person: records.risk_assessment_from(
            row, context, person.area if person else None
        ),
    }


def _people(rows: list[Row], context: records.Context) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for row in rows:
        nominal = records.nominal_from(row, context)
        reference = nominal.case_reference
        if reference in people:
            row.refuse("case_reference", f"{reference} is already on line {people[reference].row.line}")
        elif reference:
            area = context.reference.areas.get(row.text("area"))
            people[reference] = Person(row=row, nominal=nominal, area=area)
    for reference, _ in _in_service("case_reference", list(people)):
        people[reference].row.refuse(
            "case_reference", f"{reference} is already in the service (nothing is overwritten)"
        )
    return people


def _identifiers_unique(people: Iterable[Person]) -> None:
    """Each identifier names one person: in the file, and in the file and the service together."""
    people = list(people)
    labels = {field.name: field.verbose_name for field in Nominal._meta.concrete_fields}
    for name in records.IDENTIFIERS:
        label = labels[name]
        first: dict[str, Row] = {}
        for person in people:
            value = getattr(person.nominal, name)
            if not value:
                continue
            if value in first:
                person.row.refuse(name, f"{value} is also on line {first[value].line}")
            else:
                first[value] = person.row
        for value, reference in _in_service(name, list(first)):
            first[value].refuse(name, f"{value} is already the {label} of {reference} in the service")


def _in_service(field: str, values: list[str]) -> Iterable[tuple[str, str]]:
    """The nominals the service already has with one of `values` in `field`, with their case
    references, asked for in slices that SQLite's limit on a query's parameters allows."""
    for start in range(0, len(values), LOOKUP_SLICE):
        found = Nominal.objects.filter(**{f"{field}__in": values[start : start + LOOKUP_SLICE]})
        yield from found.values_list(field, "case_reference")


def _person_of(row: Row, people: dict[str, Person]) -> Person | None:
    reference = row.required("case_reference")
    person = people.get(reference)
    if reference and person is None:
        row.refuse("case_reference", f"No nominal {reference} in {columns.NOMINALS}: records come with their nominal")
    return person


def _numbered(row: Row, person: Person | None, column: str, record: Record) -> Record:
    """A record other files name by its number within the nominal (an episode, a conviction)."""
    number = row.number(column, required=True)
    if person is None or number is None:
        return record
    numbered: dict[int, Any] = person.episodes if column == "episode" else person.convictions
    if number in numbered:
        row.refuse(
            column, f"{person.nominal.case_reference} already has {column} {number} on line {numbered[number][0].line}"
        )
    else:
        numbered[number] = (row, record)
    return record


def _of_episode(row: Row, person: Person | None, record: Record) -> Record:
    number = row.number("episode", required=True)
    if person is not None and number is not None:
        found = person.episodes.get(number)
        if found is None:
            row.refuse("episode", f"{person.nominal.case_reference} has no episode {number} in {columns.EPISODES}")
        else:
            record.episode = found[1]  # type: ignore[attr-defined]
    return record


def _of_conviction(row: Row, person: Person | None, order: Order) -> Order:
    number = row.number("conviction")
    if person is not None and number is not None:
        found = person.convictions.get(number)
        if found is None:
            row.refuse(
                "conviction", f"{person.nominal.case_reference} has no conviction {number} in {columns.CONVICTIONS}"
            )
        else:
            order.conviction = found[1]
    return order


def _check_history(person: Person) -> None:
    """A nominal's records against each other, once each of them is right on its own."""
    if not person.episodes:
        person.row.refuse("case_reference", f"No episode in {columns.EPISODES}: every nominal has at least one")
        return
    episodes = sorted(person.episodes.values(), key=lambda pair: (pair[1].start, pair[0].line))
    _episodes_in_turn(episodes)
    _exits_close_episodes(person, episodes)
    for name, value in ((columns.CATEGORY_PERIODS, "category"), (columns.LEVEL_PERIODS, "level")):
        _periods_within_episodes(person.of(name), episodes, value)
    _category_3_never_level_1(person)
    _record_agrees(person, episodes[-1])


def _episodes_in_turn(episodes: list[tuple[Row, Episode]]) -> None:
    for (row, episode), (_, following) in itertools.pairwise(episodes):
        if episode.end is None:
            row.refuse("end", f"Only the latest episode may be open; another starts on {following.start}")
        elif episode.end >= following.start:
            row.refuse("end", f"Overlaps the next episode, which starts on {following.start}")


def _exits_close_episodes(person: Person, episodes: list[tuple[Row, Episode]]) -> None:
    """An exit for every closed episode, and none for the open one: the exit date is the first day
    out, so the episode ends the day before (or on its first day, for an exit that same day)."""
    exited: dict[int, Row] = {}
    for row, exit_ in person.of(columns.EXITS):
        episode = exit_.episode
        if id(episode) in exited:
            row.refuse(
                "episode", f"Episode {row.text('episode')} already has an exit on line {exited[id(episode)].line}"
            )
            continue
        exited[id(episode)] = row
        if episode.end is None:
            row.refuse("episode", f"Episode {row.text('episode')} is open: give it its last day in {columns.EPISODES}")
        elif exit_.date < episode.start or episode.end != max(episode.start, exit_.date - datetime.timedelta(days=1)):
            row.refuse("date", f"The episode ends on {episode.end}: its exit is the day after")
    for row, episode in episodes:
        if episode.end is not None and id(episode) not in exited:
            row.refuse("end", f"The episode is closed but has no exit in {columns.EXITS}")


def _periods_within_episodes(periods: Rows, episodes: list[tuple[Row, Episode]], value: str) -> None:
    """Each episode's category (or level) from its first day, every period within its episode, and
    one open period, in the open episode."""
    opening = {id(period.episode) for _, period in periods if period.start == period.episode.start}
    for row, episode in episodes:
        if id(episode) not in opening:
            row.refuse("start", f"No {value} from the episode's first day in {value}_periods.csv")
    open_periods = [(row, period) for row, period in periods if period.end is None]
    for row, _ in open_periods[1:]:
        row.refuse("end", f"Only one {value} period is open; line {open_periods[0][0].line} is open too")
    for row, period in periods:
        episode = period.episode
        if period.start < episode.start or (episode.end is not None and period.start > episode.end):
            row.refuse("start", f"Outside its episode ({episode.start} to {episode.end or 'now'})")
        elif episode.end is not None and (period.end is None or period.end > episode.end):
            row.refuse("end", f"Its episode ended on {episode.end}")
    if episodes[-1][1].end is None and not open_periods:
        episodes[-1][0].refuse("end", f"The episode is open but none of its {value} periods is")


def _overlap(a: CategoryPeriod | LevelPeriod, b: CategoryPeriod | LevelPeriod) -> bool:
    last = datetime.date.max
    return a.start <= (b.end or last) and b.start <= (a.end or last)


def _category_3_never_level_1(person: Person) -> None:
    threes = [(row, p) for row, p in person.of(columns.CATEGORY_PERIODS) if p.category == 3]
    for row, period in person.of(columns.LEVEL_PERIODS):
        clash = next((line for line, three in threes if period.level == 1 and _overlap(period, three)), None)
        if clash is not None:
            row.refuse("level", f"Category 3 is never managed at Level 1 (Category 3 on line {clash.line})")


def _latest(pairs: Iterable[tuple[Row, Any]], day: str) -> Any:
    ordered = sorted(pairs, key=lambda pair: (getattr(pair[1], day), pair[0].line))
    return ordered[-1][1] if ordered else None


def _record_agrees(person: Person, latest: tuple[Row, Episode]) -> None:
    """The nominal's current category, level, status, area and location are those its history
    ends with, as the services keep them."""
    row, episode = person.row, latest[1]
    now: dict[str, tuple[Any, str]] = {
        "status": (Status.ACTIVE if episode.end is None else Status.EXITED, "its latest episode"),
    }
    for name, value in ((columns.CATEGORY_PERIODS, "category"), (columns.LEVEL_PERIODS, "level")):
        period = _latest((pair for pair in person.of(name) if pair[1].episode is episode), "start")
        if period is not None:
            now[value] = (getattr(period, value), f"the latest {value} period of its latest episode")
    events = person.of(columns.EVENTS)
    transfer = _latest((pair for pair in events if pair[1].kind == EventKind.TRANSFER), "date")
    if transfer is not None:
        now["area"] = (transfer.to_area.code, "its latest transfer")
    move = _latest(
        (pair for pair in events if pair[1].kind in LOCATION_AFTER_EVENT or pair[1].returned_to_custody), "date"
    )
    if move is not None:
        place = Location.CUSTODY if move.returned_to_custody else LOCATION_AFTER_EVENT[EventKind(move.kind)]
        now["location"] = (place, f"its latest {move.kind.replace('_', ' ')} event")
    for column, (expected, source) in now.items():
        if row.text(column) != str(expected):
            row.refuse(column, f"Must be {expected}, from {source}")
