"""Fictional nominal records for demonstration and benchmarks, generated in bulk.

The proportions follow a county area's published MAPPA figures (about 2,900 people in the
community on 31 March: 71% Category 1 at Level 1, 28% Category 2 at Level 1, about 1% at Levels
2 and 3), with people in custody and in hospital besides, a few Category 4, and years of history.
Each person's records follow the rules of `cases.eligibility`: a Category 1 person has the
notification requirements their sentence gives, a Category 2 person a qualifying offence and a
licence to the sentence's expiry. Some people's notification or licence ended and they exited (a
few of them came back later, in a new episode); a few whose period ended weeks ago wait for the
co-ordinator to record their exit. There are SHPOs made at sentencing, breaches, recalls,
revocations, and moves from and to a neighbouring area. Every name and identifier is generated.
Rows are written with bulk inserts: this is seed data, not anyone's activity, so it is not written
to the audit log.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from faker import Faker

from agencies.models import Agency, AgencyKind, Area, User
from cases.eligibility import notification_period
from cases.models import (
    LOCATION_AFTER_EVENT,
    Alias,
    AliasKind,
    Category,
    CategoryPeriod,
    Conviction,
    Disposal,
    Episode,
    Event,
    EventKind,
    Exit,
    ExitReason,
    Gender,
    Level,
    LevelPeriod,
    Location,
    Nominal,
    NominalName,
    Order,
    OrderKind,
    RiskAssessment,
    RiskLevel,
    RiskTool,
    SentenceType,
    Source,
    Status,
    Stream,
)
from cases.offences import offence
from cases.services import nominal_share
from mappa.dates import add_months

# (category, level, share of the area's nominals) for people in the community.
COMMUNITY_MIX = [
    (Category.REGISTERED_SEXUAL_OFFENDER, Level.LEVEL_1, 0.655),
    (Category.REGISTERED_SEXUAL_OFFENDER, Level.LEVEL_2, 0.0050),
    (Category.REGISTERED_SEXUAL_OFFENDER, Level.LEVEL_3, 0.0012),
    (Category.VIOLENT_OFFENDER, Level.LEVEL_1, 0.262),
    (Category.VIOLENT_OFFENDER, Level.LEVEL_2, 0.0010),
    (Category.VIOLENT_OFFENDER, Level.LEVEL_3, 0.0008),
    (Category.OTHER_DANGEROUS_OFFENDER, Level.LEVEL_2, 0.0042),
    (Category.OTHER_DANGEROUS_OFFENDER, Level.LEVEL_3, 0.0006),
]
CUSTODY_SHARE = 0.055
HOSPITAL_SHARE = 0.008
CATEGORY4_SHARE = 0.002
EXITED_SHARE = 0.03

# Offences (codes of cases/offences.toml) and sentences (type, months) each category is drawn from.
OFFENCES = {
    Category.REGISTERED_SEXUAL_OFFENDER: [
        "sexual-assault",
        "rape",
        "sexual-activity-with-child",
        "indecent-photographs-of-children",
        "possession-indecent-photographs-of-children",
        "exposure",
        "voyeurism",
        "meeting-child-following-grooming",
    ],
    Category.VIOLENT_OFFENDER: [
        "wounding-with-intent",
        "malicious-wounding",
        "robbery",
        "manslaughter",
        "arson-endangering-life",
        "controlling-or-coercive-behaviour",
        "threats-to-kill",
        "strangulation-or-suffocation",
    ],
    Category.OTHER_DANGEROUS_OFFENDER: ["stalking", "harassment", "assault-occasioning-abh", "criminal-damage"],
    Category.TERRORISM: ["preparation-of-terrorist-acts", "training-for-terrorism"],
}
CUSTODY, SUSPENDED, COMMUNITY = SentenceType.IMMEDIATE_CUSTODY, SentenceType.SUSPENDED, SentenceType.COMMUNITY
SENTENCES: dict[int, list[tuple[SentenceType, int | None]]] = {
    Category.REGISTERED_SEXUAL_OFFENDER: [
        (CUSTODY, 8),
        (CUSTODY, 18),
        (CUSTODY, 24),
        (CUSTODY, 36),
        (CUSTODY, 48),
        (CUSTODY, 96),
        (SUSPENDED, 12),
        (SUSPENDED, 20),
        (COMMUNITY, None),
        (COMMUNITY, None),
    ],
    Category.VIOLENT_OFFENDER: [
        (CUSTODY, 12),
        (CUSTODY, 18),
        (CUSTODY, 24),
        (CUSTODY, 36),
        (CUSTODY, 48),
        (CUSTODY, 72),
        (CUSTODY, 96),
        (SUSPENDED, 18),
    ],
    Category.OTHER_DANGEROUS_OFFENDER: [(CUSTODY, 6), (CUSTODY, 10), (SUSPENDED, 6), (COMMUNITY, None)],
    Category.TERRORISM: [(CUSTODY, 36), (CUSTODY, 60), (CUSTODY, 96)],
}
WAITING_FOR_EXIT_SHARE = 0.004  # eligibility ended in the last few weeks; the exit is not yet recorded
REENTRY_SHARE = 0.15  # of those who exited, referred again later for a new offence
MOVED_IN_SHARE = 0.015  # moved in from the neighbouring area
MOVED_OUT_SHARE = 0.008  # moved from here to the neighbouring area
LEVEL_2_OR_3_MOVES = 4  # times as likely for someone at Level 2 or 3, and within the last year
HISTORIC_SHARE = 0.1  # of indefinite notification: convicted long enough ago to have applied for review
DAY = datetime.timedelta(days=1)


@dataclass
class _Person:
    """One person's records, written in bulk once the whole batch is planned."""

    nominal: Nominal
    convictions: list[Conviction] = field(default_factory=list)
    orders: list[tuple[Order, Conviction | None]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    episodes: list[_Episode] = field(default_factory=list)
    aliases: bool = False


@dataclass
class _Episode:
    episode: Episode
    categories: list[CategoryPeriod]
    levels: list[LevelPeriod]
    exit: Exit | None = None


def _mix(rng: random.Random) -> tuple[Category, Level, str, Status]:
    roll = rng.random()
    if roll < CATEGORY4_SHARE:
        return Category.TERRORISM, rng.choice([Level.LEVEL_1, Level.LEVEL_2]), Location.COMMUNITY, Status.ACTIVE
    roll = rng.random()
    if roll < EXITED_SHARE:
        category = rng.choice([Category.REGISTERED_SEXUAL_OFFENDER, Category.VIOLENT_OFFENDER])
        return category, Level.LEVEL_1, Location.COMMUNITY, Status.EXITED
    location = Location.COMMUNITY
    roll = rng.random()
    if roll < CUSTODY_SHARE:
        location = Location.CUSTODY
    elif roll < CUSTODY_SHARE + HOSPITAL_SHARE:
        location = Location.HOSPITAL
    weights = [share for _, _, share in COMMUNITY_MIX]
    category, level, _ = rng.choices(COMMUNITY_MIX, weights=weights)[0]
    return category, level, location, Status.ACTIVE


def _identifiers(serial: int, born: datetime.date, category: Category, in_custody: bool) -> dict[str, str]:
    """Identifiers unique across every generated nominal, derived from a global serial number."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    check = letters[serial % len(letters)]
    ids = {
        "pnc_id": f"{born.year + 18:04d}/{serial:07d}{check}",
        "crn": f"{letters[serial // 1_000_000 % len(letters)]}{serial % 1_000_000:06d}",
        "visor_reference": f"{10_000_000 + serial}" if category in (Category.REGISTERED_SEXUAL_OFFENDER, 4) else "",
        "prison_number": "",
    }
    if in_custody:
        high, low = divmod(serial // 260_000, 26)
        ids["prison_number"] = (
            f"{chr(65 + serial // 10_000 % 26)}{serial % 10_000:04d}{chr(65 + high % 26)}{chr(65 + low)}"
        )
    return ids


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    span = max((end - start).days, 0)
    return start + datetime.timedelta(days=rng.randint(0, span))


@transaction.atomic
def generate_nominals(
    *,
    area: Area,
    count: int,
    seed: int,
    today: datetime.date,
    decided_by: User,
    neighbour: Area | None = None,
    every_row: bool = False,
) -> int:
    """Add `count` fictional nominals with histories to `area` (some of whom moved in from, or on
    to, `neighbour`, when given). With `every_row`, a few of them also have the events that give
    every row of the last complete year's annual report a figure, whatever the day. Returns how
    many were added."""
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not security)  # nosec B311
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    districts = list(area.districts.all())
    agencies = {kind: list(Agency.objects.filter(area=area, kind=kind)) for kind in AgencyKind}
    if not agencies[AgencyKind.POLICE] or not agencies[AgencyKind.PROBATION]:
        raise ValueError(f"{area} needs a police and a probation agency before nominals can be generated")
    elsewhere = {
        kind: list(Agency.objects.filter(area=neighbour, kind=kind)) if neighbour else []
        for kind in (AgencyKind.POLICE, AgencyKind.PROBATION)
    }
    serial_base = Nominal.objects.count()
    first_number = Area.objects.select_for_update().get(pk=area.pk).next_case_number
    Area.objects.filter(pk=area.pk).update(next_case_number=F("next_case_number") + count)

    people = []
    for index in range(count):
        category, level, location, status = _mix(rng)
        gender = Gender.MALE if rng.random() < 0.95 else Gender.FEMALE
        born = _day(rng, today - datetime.timedelta(days=365 * 80), today - datetime.timedelta(days=365 * 25))
        lead_kind = AgencyKind.POLICE if category == Category.REGISTERED_SEXUAL_OFFENDER else AgencyKind.PROBATION
        if location == Location.HOSPITAL and agencies[AgencyKind.MENTAL_HEALTH]:
            lead_kind = AgencyKind.MENTAL_HEALTH
        nominal = Nominal(
            case_reference=f"{area.code}-{first_number + index:06d}",
            first_name=fake.first_name_male() if gender == Gender.MALE else fake.first_name_female(),
            middle_names=fake.first_name_male() if rng.random() < 0.3 else "",
            last_name=fake.last_name(),
            date_of_birth=born,
            gender=gender,
            ethnicity=rng.choice(["White British", "White other", "Black British", "Asian British", "Mixed", ""]),
            area=area,
            district=rng.choice(districts) if districts else None,
            lead_agency=rng.choice(agencies[lead_kind]),
            location=location,
            stream=Stream.COUNTER_TERRORISM if category == Category.TERRORISM else Stream.LOCAL,
            address=fake.address() if rng.random() < 0.9 else "",
            restricted_notes="Previous victim lives in the area; exclusion zone applies." if rng.random() < 0.2 else "",
            category=category,
            level=level,
            status=status,
            **_identifiers(serial_base + index, born, category, location == Location.CUSTODY),
        )
        person = _Person(nominal=nominal, aliases=rng.random() < 0.2)
        _history(rng, person, today=today, decided_by=decided_by)
        if neighbour is not None and elsewhere[AgencyKind.POLICE] and elsewhere[AgencyKind.PROBATION]:
            _moves(rng, person, area=area, neighbour=neighbour, elsewhere=elsewhere, today=today)
        people.append(person)
    if every_row:
        _every_row(people, today=today, neighbour=neighbour)
    _write(rng, fake, people, agencies, today=today)
    return count


def _history(rng: random.Random, person: _Person, *, today: datetime.date, decided_by: User) -> None:
    """The person's conviction, sentence and orders, and their episodes, for their planned category,
    level, location and status."""
    nominal = person.nominal
    category, level, status = Category(nominal.category), Level(nominal.level), Status(nominal.status)
    sentence, months = rng.choice(SENTENCES[category])
    if nominal.location == Location.CUSTODY and sentence != CUSTODY:
        sentence, months = CUSTODY, rng.choice([24, 36, 48, 72])
    code = rng.choice(OFFENCES[category])
    if nominal.location == Location.HOSPITAL:
        sentence, months = SentenceType.HOSPITAL_ORDER, None
        if code == "controlling-or-coercive-behaviour":  # Category 2 only with 12 months' imprisonment
            code = "wounding-with-intent"
    conviction = Conviction(
        nominal=nominal,
        offence_code=code,
        disposal=Disposal.CONVICTION,
        sentence_type=sentence,
        custodial_months=months,
        terrorism=category == Category.TERRORISM,
        conviction_date=today,  # placeholder until the day is chosen below
    )
    listed = offence(conviction.offence_code)
    assert listed is not None  # noqa: S101  (the lists above name listed offences)  # nosec B101
    conviction.offence, conviction.controlling_or_coercive = listed.title, listed.controlling_or_coercive
    waiting = (
        status == Status.ACTIVE and nominal.location == Location.COMMUNITY and rng.random() < WAITING_FOR_EXIT_SHARE
    )
    if nominal.location == Location.CUSTODY:  # serving the first half of the sentence now
        half = datetime.timedelta(days=(months or 24) * 30 // 2)
        convicted = _day(rng, today + datetime.timedelta(days=14) - half, today - datetime.timedelta(days=30))
    else:
        convicted = _conviction_day(rng, conviction, category, status, waiting=waiting, today=today)
    convicted = max(convicted, nominal.date_of_birth + datetime.timedelta(days=365 * 18 + 5))
    conviction.conviction_date = convicted
    conviction.offence_date = convicted - datetime.timedelta(days=rng.randint(30, 300))
    if months:
        conviction.sentence_expiry_date = add_months(convicted, months) - DAY
    person.convictions.append(conviction)
    _sentence_served(rng, person, conviction, today=today)
    ends = conviction.sentence_expiry_date if category == Category.VIOLENT_OFFENDER else None
    if category == Category.REGISTERED_SEXUAL_OFFENDER:
        ends = _notification(rng, person, conviction, today=today)
    # The episode: Category 1, 2 and 4 from the conviction; Category 3 from the day the risk was
    # judged to need Level 2 or 3 management.
    started = convicted if category != Category.OTHER_DANGEROUS_OFFENDER else convicted + datetime.timedelta(days=30)
    started = min(started, today - datetime.timedelta(days=30))
    if status == Status.ACTIVE and not waiting and ends is not None and ends + DAY < today:
        status = nominal.status = Status.EXITED  # revoked, or ended sooner than planned: exited then
    exit_day = ends + DAY if status == Status.EXITED and ends is not None and ends + DAY < today else None
    if status == Status.EXITED and exit_day is None:  # the sentence left nothing to exit from yet
        nominal.status = Status.ACTIVE
    _episode(
        rng,
        person,
        category=category,
        level=level,
        start=started,
        exit_day=exit_day,
        today=today,
        decided_by=decided_by,
    )
    if exit_day is not None and rng.random() < REENTRY_SHARE:
        _reentry(rng, person, after=exit_day, today=today, decided_by=decided_by)


def _conviction_day(
    rng: random.Random,
    conviction: Conviction,
    category: Category,
    status: Status,
    *,
    waiting: bool,
    today: datetime.date,
) -> datetime.date:
    """A day of conviction that leaves the person where they are planned to be today: eligible,
    eligible until a few weeks ago (`waiting` for their exit), or no longer (exited)."""
    months = conviction.custodial_months or 0
    if category == Category.REGISTERED_SEXUAL_OFFENDER:
        conviction.conviction_date = today
        period = notification_period(conviction, date_of_birth=today - datetime.timedelta(days=365 * 40))
        length = (period.end - today) if period.end else datetime.timedelta(days=365 * 20)
    elif category == Category.VIOLENT_OFFENDER and months:
        length = add_months(today, months) - today
    else:
        length = datetime.timedelta(days=365 * rng.randint(2, 8))
    if status == Status.EXITED:
        return _day(rng, today - datetime.timedelta(days=365 * 5), today - datetime.timedelta(days=30)) - length
    if waiting and category in (Category.REGISTERED_SEXUAL_OFFENDER, Category.VIOLENT_OFFENDER):
        return _day(rng, today - datetime.timedelta(days=60), today - datetime.timedelta(days=7)) - length
    if conviction.sentence_type == CUSTODY and months and category in (Category.VIOLENT_OFFENDER, Category.TERRORISM):
        # On licence now: released at the halfway point, the sentence not yet expired.
        half = datetime.timedelta(days=months * 30 // 2)
        return _day(rng, today - length + datetime.timedelta(days=30), today - half - DAY)
    latest = today - datetime.timedelta(days=30)
    earliest = max(today - length + datetime.timedelta(days=30), today - datetime.timedelta(days=365 * 15))
    if length.days > 365 * 15 and rng.random() < HISTORIC_SHARE:
        latest, earliest = today - datetime.timedelta(days=365 * 16), today - datetime.timedelta(days=365 * 25)
    return _day(rng, earliest, latest)


def _sentence_served(rng: random.Random, person: _Person, conviction: Conviction, *, today: datetime.date) -> None:
    """Custody from the day of sentence, release at the halfway point onto licence to the sentence's
    expiry; a hospital order from the day of sentence."""
    nominal, convicted = person.nominal, conviction.conviction_date
    if conviction.sentence_type == SentenceType.HOSPITAL_ORDER:
        person.orders.append((Order(nominal=nominal, kind=OrderKind.HOSPITAL_ORDER, start=convicted), conviction))
        person.events.append(Event(nominal=nominal, kind=EventKind.HOSPITAL_DETENTION, date=convicted))
        return
    if conviction.sentence_type != CUSTODY or not conviction.custodial_months:
        return
    person.events.append(Event(nominal=nominal, kind=EventKind.CUSTODY, date=convicted))
    released = convicted + datetime.timedelta(days=conviction.custodial_months * 30 // 2)
    if nominal.location == Location.CUSTODY or released > today:
        nominal.location = Location.CUSTODY
        nominal.expected_release_date = max(released, today + datetime.timedelta(days=14))
        released = nominal.expected_release_date
    else:
        person.events.append(Event(nominal=nominal, kind=EventKind.RELEASE, date=released))
    person.orders.append(
        (
            Order(
                nominal=nominal,
                kind=OrderKind.LICENCE,
                start=released,
                end=conviction.sentence_expiry_date,
                conditions="Reside at approved premises. Not to enter the exclusion zone. Curfew 21:00 to 07:00.",
            ),
            conviction,
        )
    )


def _notification(
    rng: random.Random, person: _Person, conviction: Conviction, *, today: datetime.date
) -> datetime.date | None:
    """The notification requirements the sentence gives, and now and then an SHPO made at sentencing
    (with a foreign travel restriction, or after an interim order), a Notification Order, or a
    Sexual Risk Order whose breach led to notification. Returns the last day of notification (None
    while indefinite)."""
    nominal, convicted = person.nominal, conviction.conviction_date
    period = notification_period(conviction, date_of_birth=nominal.date_of_birth)
    requirements = Order(
        nominal=nominal,
        kind=OrderKind.NOTIFICATION_REQUIREMENTS,
        start=period.start,
        end=period.end,
        indefinite=period.indefinite,
        review_from=period.review_from,
        conditions=f"Worked out from the sentence: {period.basis}.",
    )
    last_day = period.end
    if period.indefinite and period.review_from and period.review_from < today and rng.random() < 0.25:
        requirements.revoked_on = _day(rng, max(period.review_from, today - datetime.timedelta(days=700)), today)
        last_day = requirements.revoked_on - DAY
    person.orders.append((requirements, conviction))
    if rng.random() < (0.5 if nominal.level > Level.LEVEL_1 else 0.12):
        if rng.random() < 0.1:
            person.orders.append(
                (
                    Order(
                        nominal=nominal,
                        kind=OrderKind.SHPO,
                        interim=True,
                        start=convicted - datetime.timedelta(days=60),
                        end=convicted - DAY,
                        conditions="Interim order until sentence.",
                    ),
                    None,
                )
            )
        indefinite = rng.random() < 0.3
        shpo_end = None if indefinite else add_months(convicted, 60) - DAY
        last_day = None if shpo_end is None or last_day is None else max(last_day, shpo_end)
        person.orders.append(
            (
                Order(
                    nominal=nominal,
                    kind=OrderKind.SHPO,
                    start=convicted,
                    end=shpo_end,
                    indefinite=indefinite,
                    foreign_travel_restriction=rng.random() < 0.15,
                    conditions="Not to have unsupervised contact with any child under 16.",
                ),
                conviction,
            )
        )
    if rng.random() < 0.03:
        person.orders.append(
            (Order(nominal=nominal, kind=OrderKind.NOTIFICATION_ORDER, start=convicted, end=period.end), None)
        )
    if rng.random() < 0.01:
        made = convicted - datetime.timedelta(days=400)
        person.orders.append((Order(nominal=nominal, kind=OrderKind.SRO, start=made, end=add_months(made, 24)), None))
        person.events.append(Event(nominal=nominal, kind=EventKind.BREACH_SRO_NOTIFICATION, date=convicted))
    return last_day


def _episode(
    rng: random.Random,
    person: _Person,
    *,
    category: Category,
    level: Level,
    start: datetime.date,
    exit_day: datetime.date | None,
    today: datetime.date,
    decided_by: User,
    reason: str = "Eligible on conviction.",
) -> None:
    """An episode from `start` (ended the day before `exit_day`, when given), at Level 1 then raised
    to `level` for some; with the breaches and recalls of people at Level 2 or 3."""
    nominal = person.nominal
    last = exit_day - DAY if exit_day else None
    episode = Episode(nominal=nominal, start=start, end=last, reason=reason)
    categories = [
        CategoryPeriod(
            nominal=nominal,
            episode=episode,
            category=category,
            start=start,
            end=last,
            reason=reason,
            decided_by=decided_by,
            source=Source.INITIAL,
        )
    ]
    first_level = level if level == Level.LEVEL_1 or category == Category.OTHER_DANGEROUS_OFFENDER else Level.LEVEL_1
    levels = [
        LevelPeriod(
            nominal=nominal,
            episode=episode,
            level=first_level,
            start=start,
            end=last,
            reason="Level set when the case was first recorded."
            if first_level == level
            else "Managed by the lead agency.",
            decided_by=decided_by,
            source=Source.INITIAL,
        )
    ]
    until = min(last or today, today)
    if first_level != level:
        raised = _day(rng, start + DAY, max(until, start + 2 * DAY))
        levels[0].end = raised - DAY
        levels.append(
            LevelPeriod(
                nominal=nominal,
                episode=episode,
                level=level,
                start=raised,
                end=last,
                reason="Risk escalated: multi-agency management needed.",
                decided_by=decided_by,
                source=Source.SCREENING,
            )
        )
    if level > Level.LEVEL_1:
        _level_2_or_3_events(rng, person, since=levels[-1].start, until=until)
    if category == Category.REGISTERED_SEXUAL_OFFENDER and rng.random() < 0.03:
        kind = rng.choice([EventKind.BREACH_NOTIFICATION_CONVICTED, EventKind.BREACH_NOTIFICATION_CAUTIONED])
        first = _day(rng, start, until)
        person.events.append(
            Event(nominal=nominal, kind=kind, date=first, notes="Failed to notify a change of address within 3 days.")
        )
        if rng.random() < 0.3:  # again the same year: counted once
            again = min(first + datetime.timedelta(days=rng.randint(20, 90)), until)
            person.events.append(Event(nominal=nominal, kind=kind, date=again, notes="Failed to notify travel abroad."))
    exit_ = None
    if exit_day is not None:
        exit_ = Exit(
            nominal=nominal,
            episode=episode,
            reason=ExitReason.NOTIFICATION_ENDED
            if category == Category.REGISTERED_SEXUAL_OFFENDER
            else ExitReason.LICENCE_ENDED
            if person.convictions[-1].sentence_type == CUSTODY
            else ExitReason.OTHER,
            date=exit_day,
            decided_by=decided_by,
            rationale="Eligibility ended and no further risk identified.",
            review_retention_on=add_months(exit_day, 72),
        )
    person.episodes.append(_Episode(episode, categories, levels, exit_))


def _level_2_or_3_events(rng: random.Random, person: _Person, *, since: datetime.date, until: datetime.date) -> None:
    """Recalls for breach of licence, and breaches of an SHPO that returned the person to custody,
    each followed by release."""
    nominal = person.nominal
    moved = [event.date for event in person.events if event.kind in (EventKind.CUSTODY, EventKind.RELEASE)]
    since = max([since, *(day + DAY for day in moved)])
    if nominal.location != Location.COMMUNITY or (until - since).days < 120:
        return
    has_shpo = any(order.kind == OrderKind.SHPO for order, _ in person.orders)
    for kind, share in ((EventKind.RECALL, 0.3), (EventKind.BREACH_SHPO, 0.6 if has_shpo else 0.0)):
        if rng.random() >= share:
            continue
        day = _day(rng, max(since, until - datetime.timedelta(days=800)), until - datetime.timedelta(days=100))
        person.events.append(
            Event(nominal=nominal, kind=kind, date=day, returned_to_custody=kind == EventKind.BREACH_SHPO)
        )
        person.events.append(
            Event(nominal=nominal, kind=EventKind.RELEASE, date=day + datetime.timedelta(days=rng.randint(30, 90)))
        )


def _reentry(
    rng: random.Random, person: _Person, *, after: datetime.date, today: datetime.date, decided_by: User
) -> None:
    """A new offence after the exit, and a new episode at Level 2 in Category 3 from its referral."""
    nominal = person.nominal
    if (today - after).days < 150:
        return
    convicted = _day(rng, after + datetime.timedelta(days=60), today - datetime.timedelta(days=90))
    code = rng.choice(OFFENCES[Category.OTHER_DANGEROUS_OFFENDER])
    listed = offence(code)
    assert listed is not None  # noqa: S101  (the lists above name listed offences)  # nosec B101
    person.convictions.append(
        Conviction(
            nominal=nominal,
            offence_code=code,
            offence=listed.title,
            conviction_date=convicted,
            offence_date=convicted - datetime.timedelta(days=rng.randint(20, 120)),
            disposal=Disposal.CONVICTION,
            sentence_type=COMMUNITY,
        )
    )
    nominal.status, nominal.category, nominal.level = Status.ACTIVE, Category.OTHER_DANGEROUS_OFFENDER, Level.LEVEL_2
    nominal.location = Location.COMMUNITY
    _episode(
        rng,
        person,
        category=Category.OTHER_DANGEROUS_OFFENDER,
        level=Level.LEVEL_2,
        start=convicted + datetime.timedelta(days=30),
        exit_day=None,
        today=today,
        decided_by=decided_by,
        reason="Referred again after a new conviction; the risk needs Level 2 management.",
    )


def _moves(
    rng: random.Random,
    person: _Person,
    *,
    area: Area,
    neighbour: Area,
    elsewhere: dict[AgencyKind, list[Agency]],
    today: datetime.date,
) -> None:
    """Now and then the person moved in from the neighbouring area during their current episode, or
    has moved on to it (and is now that area's, with a lead agency there)."""
    nominal = person.nominal
    current = person.episodes[-1].episode
    if nominal.status != Status.ACTIVE or (today - current.start).days < 10:
        return
    managed = nominal.level > Level.LEVEL_1
    roll = rng.random() / (LEVEL_2_OR_3_MOVES if managed else 1)
    if roll >= MOVED_IN_SHARE + MOVED_OUT_SHARE:
        return
    since = today - datetime.timedelta(days=300 if managed else 700)
    day = _day(rng, max(current.start + DAY, since), today - DAY)
    if roll < MOVED_IN_SHARE:
        person.events.append(
            Event(nominal=nominal, kind=EventKind.TRANSFER, date=day, from_area=neighbour, to_area=area)
        )
        return
    person.events.append(Event(nominal=nominal, kind=EventKind.TRANSFER, date=day, from_area=area, to_area=neighbour))
    kind = AgencyKind.POLICE if nominal.category == Category.REGISTERED_SEXUAL_OFFENDER else AgencyKind.PROBATION
    nominal.area, nominal.district, nominal.lead_agency = neighbour, None, rng.choice(elsewhere[kind])


def last_complete_year(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last reporting year (1 April to 31 March) that has ended by `today`."""
    first = today.year - 1 if today >= datetime.date(today.year, 4, 1) else today.year - 2
    return datetime.date(first, 4, 1), datetime.date(first + 1, 3, 31)


def _every_row(people: list[_Person], *, today: datetime.date, neighbour: Area | None) -> None:
    """Give some people, managed since before the last complete reporting year and in the community
    all through it, the events and orders of every row of that year's report: recalls at Level 2
    and 3 in each category, SHPO breaches that returned them to custody, breaches of notification,
    orders made in the year, a Sexual Risk Order breach, and a move between the areas."""
    start, end = last_complete_year(today)
    middle = start + datetime.timedelta(days=150)
    chosen: set[int] = set()

    def free_day(person: _Person) -> datetime.date | None:
        """A day in the year from which the person is at their current level in the community for
        two months with nothing else happening, if there is one."""
        current = person.episodes[-1]
        if person.nominal.status != Status.ACTIVE or current.episode.start >= start or id(person) in chosen:
            return None
        moves = sorted(e.date for e in person.events if e.kind in LOCATION_AFTER_EVENT or e.kind == EventKind.TRANSFER)
        settled = [day for day in moves if day <= end]
        if settled and not any(e.date == settled[-1] and e.kind == EventKind.RELEASE for e in person.events):
            return None
        day = max([middle, current.levels[-1].start + DAY, *(d + datetime.timedelta(days=10) for d in settled)])
        if day > end - datetime.timedelta(days=60) or any(day <= d <= day + datetime.timedelta(days=60) for d in moves):
            return None
        return day

    def pick(*, category: int, level: int) -> tuple[_Person, datetime.date] | None:
        """Someone of the category at the level, or at the other of Levels 2 and 3 (moved to this one)."""
        found = [
            (p, free_day(p)) for p in people if p.nominal.category == category and p.nominal.level >= min(level, 2)
        ]
        usable = [(p, day) for p, day in found if day is not None]
        usable.sort(key=lambda pair: pair[0].nominal.level != level)
        if not usable:
            return None
        person, day = usable[0]
        chosen.add(id(person))
        if person.nominal.level != level:
            person.nominal.level = person.episodes[-1].levels[-1].level = level
        return person, day

    def returned(picked: tuple[_Person, datetime.date] | None, kind: EventKind) -> _Person | None:
        if picked is None:
            return None
        person, day = picked
        nominal = person.nominal
        person.events.append(Event(nominal=nominal, kind=kind, date=day, returned_to_custody=kind != EventKind.RECALL))
        person.events.append(Event(nominal=nominal, kind=EventKind.RELEASE, date=day + datetime.timedelta(days=45)))
        return person

    for level in (Level.LEVEL_2, Level.LEVEL_3):
        for category in (
            Category.REGISTERED_SEXUAL_OFFENDER,
            Category.VIOLENT_OFFENDER,
            Category.OTHER_DANGEROUS_OFFENDER,
        ):
            returned(pick(category=category, level=level), EventKind.RECALL)
        breached = returned(pick(category=Category.REGISTERED_SEXUAL_OFFENDER, level=level), EventKind.BREACH_SHPO)
        if breached is not None:
            made = breached.convictions[-1].conviction_date
            breached.orders.append(
                (Order(nominal=breached.nominal, kind=OrderKind.SHPO, start=made, indefinite=True), None)
            )

    def pick_level_1() -> _Person | None:
        picked = pick(category=Category.REGISTERED_SEXUAL_OFFENDER, level=Level.LEVEL_1)
        return picked[0] if picked else None

    for kind in (EventKind.BREACH_NOTIFICATION_CAUTIONED, EventKind.BREACH_NOTIFICATION_CONVICTED):
        person = pick_level_1()
        if person is not None:
            person.events.append(Event(nominal=person.nominal, kind=kind, date=middle, notes="Failed to notify."))
    for details in (
        {"kind": OrderKind.SHPO, "foreign_travel_restriction": True},
        {"kind": OrderKind.NOTIFICATION_ORDER},
    ):
        person = pick_level_1()
        if person is not None:
            order = Order(nominal=person.nominal, start=middle, end=add_months(middle, 60) - DAY, **details)
            person.orders.append((order, None))
    person = pick_level_1()
    if person is not None:
        made = start - datetime.timedelta(days=200)
        person.orders.append(
            (Order(nominal=person.nominal, kind=OrderKind.SRO, start=made, end=add_months(made, 24)), None)
        )
        person.events.append(Event(nominal=person.nominal, kind=EventKind.BREACH_SRO_NOTIFICATION, date=middle))
    picked = pick(category=Category.OTHER_DANGEROUS_OFFENDER, level=Level.LEVEL_2)
    if picked is not None and neighbour is not None:
        person, day = picked
        nominal = person.nominal
        person.events.append(
            Event(nominal=nominal, kind=EventKind.TRANSFER, date=day, from_area=neighbour, to_area=nominal.area)
        )


def _write(
    rng: random.Random,
    fake: Faker,
    people: list[_Person],
    agencies: dict[AgencyKind, list[Agency]],
    *,
    today: datetime.date,
) -> None:
    """Every planned record, in bulk, parents first."""
    Nominal.objects.bulk_create([person.nominal for person in people], batch_size=2000)
    episodes = [planned for person in people for planned in person.episodes]
    Episode.objects.bulk_create([planned.episode for planned in episodes], batch_size=2000)
    CategoryPeriod.objects.bulk_create([p for planned in episodes for p in planned.categories], batch_size=2000)
    LevelPeriod.objects.bulk_create([p for planned in episodes for p in planned.levels], batch_size=2000)
    Exit.objects.bulk_create([planned.exit for planned in episodes if planned.exit], batch_size=2000)
    Conviction.objects.bulk_create([c for person in people for c in person.convictions], batch_size=2000)
    orders = []
    for person in people:
        for order, conviction in person.orders:
            order.conviction = conviction
            orders.append(order)
    Order.objects.bulk_create(orders, batch_size=2000)
    Event.objects.bulk_create([e for person in people for e in person.events], batch_size=2000)
    assessors = agencies[AgencyKind.PROBATION] + agencies[AgencyKind.POLICE]
    risks, aliases, names = [], [], []
    for person in people:
        nominal = person.nominal
        names.append(NominalName(nominal=nominal, name=" ".join(nominal.full_name.lower().split())))
        if person.aliases:
            aliases.append(
                Alias(
                    nominal=nominal,
                    first_name=fake.first_name_male(),
                    last_name=nominal.last_name,
                    kind=AliasKind.ALIAS,
                )
            )
        if nominal.level > 1 or rng.random() < 0.3:
            current = person.episodes[-1].episode
            risks.append(
                RiskAssessment(
                    nominal=nominal,
                    tool=RiskTool.OASYS_ROSH
                    if nominal.category != Category.REGISTERED_SEXUAL_OFFENDER
                    else RiskTool.ARMS,
                    # Never after today: the service refuses an assessment dated in the future.
                    date=_day(
                        rng, current.start, min(current.end or current.start + datetime.timedelta(days=365), today)
                    ),
                    result=RiskLevel.VERY_HIGH if nominal.level == 3 else rng.choice(list(RiskLevel)),
                    agency=rng.choice(assessors),
                )
            )
    RiskAssessment.objects.bulk_create(risks, batch_size=2000)
    Alias.objects.bulk_create(aliases, batch_size=2000)
    names += [NominalName(nominal=alias.nominal, alias=alias, name=alias.full_name.lower()) for alias in aliases]
    NominalName.objects.bulk_create(names, batch_size=2000)


DEMO_NOMINALS = 3000


def seed_demo_nominals(*, area: Area, coordinator: User, today: datetime.date, neighbour: Area | None = None) -> int:
    """The demo area's caseload (some of whom moved in from `neighbour`, or on to it), and shares with
    the housing and children's services demo agencies. Does nothing if the area already has nominals."""
    if Nominal.objects.filter(area=area).exists():
        return 0
    generate_nominals(
        area=area,
        count=DEMO_NOMINALS,
        seed=2025,
        today=today,
        decided_by=coordinator,
        neighbour=neighbour,
        every_row=True,
    )
    for username, count in (("housing", 15), ("childrens", 10)):
        agency = User.objects.get(username=username).agency
        assert agency is not None  # noqa: S101  (demo users always have one)  # nosec B101
        nominals = Nominal.objects.filter(area=area, status=Status.ACTIVE).exclude(category=Category.TERRORISM)
        if agency.district_id:
            nominals = nominals.filter(district_id=agency.district_id)
        for number, nominal in enumerate(nominals.order_by("case_reference")[:count]):
            nominal_share(actor=coordinator, nominal=nominal, agency=agency, include_restricted=number % 3 == 0)
    return DEMO_NOMINALS
