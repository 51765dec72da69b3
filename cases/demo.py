"""Fictional nominal records for demonstration and benchmarks, generated in bulk.

The proportions follow a county area's published MAPPA figures (about 2,900 people in the
community on 31 March: 71% Category 1 at Level 1, 28% Category 2 at Level 1, about 1% at Levels
2 and 3), with people in custody and in hospital besides, a few Category 4, and years of history.
Every name and identifier is generated. Rows are written with bulk inserts: this is seed data, not
anyone's activity, so it is not written to the audit log.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from faker import Faker

from agencies.models import Agency, AgencyKind, Area, User
from cases.models import (
    Alias,
    AliasKind,
    Category,
    CategoryPeriod,
    Conviction,
    Disposal,
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
from cases.services import nominal_share

# (category, level, share of the area's nominals) for people in the community.
COMMUNITY_MIX = [
    (Category.REGISTERED_SEXUAL_OFFENDER, Level.LEVEL_1, 0.655),
    (Category.REGISTERED_SEXUAL_OFFENDER, Level.LEVEL_2, 0.0028),
    (Category.REGISTERED_SEXUAL_OFFENDER, Level.LEVEL_3, 0.0006),
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

SEXUAL_OFFENCES = [
    "Sexual assault",
    "Rape",
    "Sexual activity with a child",
    "Making indecent photographs of a child",
    "Possession of indecent images of children",
    "Exposure",
    "Voyeurism",
]
VIOLENT_OFFENCES = [
    "Wounding with intent (s.18)",
    "Inflicting grievous bodily harm (s.20)",
    "Robbery",
    "Manslaughter",
    "Arson with intent to endanger life",
    "Controlling or coercive behaviour",
    "Threats to kill",
]
OTHER_OFFENCES = ["Stalking involving fear of violence", "Assault occasioning actual bodily harm", "Harassment"]
TERRORISM_OFFENCES = ["Preparation of terrorist acts", "Dissemination of terrorist publications"]


@dataclass
class _Batch:
    nominals: list[Nominal] = field(default_factory=list)
    plans: list[dict[str, object]] = field(default_factory=list)


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
def generate_nominals(*, area: Area, count: int, seed: int, today: datetime.date, decided_by: User) -> int:
    """Add `count` fictional nominals with histories to `area`. Returns how many were added."""
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not security)  # nosec B311
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    districts = list(area.districts.all())
    agencies = {kind: list(Agency.objects.filter(area=area, kind=kind)) for kind in AgencyKind}
    if not agencies[AgencyKind.POLICE] or not agencies[AgencyKind.PROBATION]:
        raise ValueError(f"{area} needs a police and a probation agency before nominals can be generated")
    serial_base = Nominal.objects.count()
    first_number = Area.objects.select_for_update().get(pk=area.pk).next_case_number
    Area.objects.filter(pk=area.pk).update(next_case_number=F("next_case_number") + count)

    batch = _Batch()
    for index in range(count):
        category, level, location, status = _mix(rng)
        gender = Gender.MALE if rng.random() < 0.95 else Gender.FEMALE
        first = fake.first_name_male() if gender == Gender.MALE else fake.first_name_female()
        born = _day(rng, today - datetime.timedelta(days=365 * 80), today - datetime.timedelta(days=365 * 19))
        adult = born + datetime.timedelta(days=365 * 18)
        started = _day(rng, max(adult, today - datetime.timedelta(days=365 * 10)), today - datetime.timedelta(days=30))
        convicted = started - datetime.timedelta(days=rng.randint(0, 400))
        convicted = max(convicted, born + datetime.timedelta(days=365 * 16))
        had_custody = location != Location.COMMUNITY or rng.random() < 0.4
        lead_kind = AgencyKind.POLICE if category == Category.REGISTERED_SEXUAL_OFFENDER else AgencyKind.PROBATION
        if location == Location.HOSPITAL and agencies[AgencyKind.MENTAL_HEALTH]:
            lead_kind = AgencyKind.MENTAL_HEALTH
        release = None
        if location != Location.COMMUNITY:
            release = _day(rng, today + datetime.timedelta(days=14), today + datetime.timedelta(days=730))
        nominal = Nominal(
            case_reference=f"{area.code}-{first_number + index:06d}",
            first_name=first,
            middle_names=fake.first_name_male() if rng.random() < 0.3 else "",
            last_name=fake.last_name(),
            date_of_birth=born,
            gender=gender,
            ethnicity=rng.choice(["White British", "White other", "Black British", "Asian British", "Mixed", ""]),
            area=area,
            district=rng.choice(districts) if districts else None,
            lead_agency=rng.choice(agencies[lead_kind]),
            location=location,
            expected_release_date=release,
            stream=Stream.COUNTER_TERRORISM if category == Category.TERRORISM else Stream.LOCAL,
            address=fake.address() if rng.random() < 0.9 else "",
            restricted_notes="Previous victim lives in the area; exclusion zone applies." if rng.random() < 0.2 else "",
            category=category,
            level=level,
            status=status,
            **_identifiers(serial_base + index, born, category, had_custody),
        )
        batch.nominals.append(nominal)
        batch.plans.append(
            {"started": started, "convicted": convicted, "had_custody": had_custody, "aliases": rng.random() < 0.2}
        )
    Nominal.objects.bulk_create(batch.nominals, batch_size=2000)
    _generate_records(rng, fake, batch, today, decided_by, agencies)
    return count


def _generate_records(
    rng: random.Random,
    fake: Faker,
    batch: _Batch,
    today: datetime.date,
    decided_by: User,
    agencies: dict[AgencyKind, list[Agency]],
) -> None:
    names: list[NominalName] = []
    aliases: list[Alias] = []
    categories: list[CategoryPeriod] = []
    levels: list[LevelPeriod] = []
    convictions: list[Conviction] = []
    orders: list[Order] = []
    events: list[Event] = []
    risks: list[RiskAssessment] = []
    exits: list[Exit] = []
    assessors = agencies[AgencyKind.PROBATION] + agencies[AgencyKind.POLICE]
    for nominal, plan in zip(batch.nominals, batch.plans, strict=True):
        started: datetime.date = plan["started"]  # type: ignore[assignment]
        convicted: datetime.date = plan["convicted"]  # type: ignore[assignment]
        names.append(NominalName(nominal=nominal, name=" ".join(nominal.full_name.lower().split())))
        if plan["aliases"]:
            aliases.append(
                Alias(
                    nominal=nominal,
                    first_name=fake.first_name_male(),
                    last_name=nominal.last_name,
                    kind=AliasKind.ALIAS,
                )
            )
        category = Category(nominal.category)
        offences = {
            Category.REGISTERED_SEXUAL_OFFENDER: SEXUAL_OFFENCES,
            Category.VIOLENT_OFFENDER: VIOLENT_OFFENCES,
            Category.OTHER_DANGEROUS_OFFENDER: OTHER_OFFENCES,
            Category.TERRORISM: TERRORISM_OFFENCES,
        }[category]
        months = rng.choice([12, 18, 24, 36, 48, 72, 96]) if plan["had_custody"] else None
        offence = rng.choice(offences)
        convictions.append(
            Conviction(
                nominal=nominal,
                offence=offence,
                offence_date=convicted - datetime.timedelta(days=rng.randint(30, 300)),
                conviction_date=convicted,
                disposal=Disposal.CONVICTION,
                sentence_type=SentenceType.IMMEDIATE_CUSTODY if months else SentenceType.COMMUNITY,
                custodial_months=months,
                controlling_or_coercive=offence == "Controlling or coercive behaviour",
                terrorism=category == Category.TERRORISM,
            )
        )
        if category == Category.VIOLENT_OFFENDER and not months:
            convictions[-1].sentence_type = SentenceType.HOSPITAL_ORDER
        if category == Category.REGISTERED_SEXUAL_OFFENDER:
            indefinite = rng.random() < 0.35
            orders.append(
                Order(
                    nominal=nominal,
                    kind=OrderKind.NOTIFICATION_REQUIREMENTS,
                    start=convicted,
                    indefinite=indefinite,
                    end=None if indefinite else convicted + datetime.timedelta(days=365 * rng.choice([5, 7, 10, 15])),
                )
            )
            if rng.random() < 0.12:
                orders.append(
                    Order(
                        nominal=nominal,
                        kind=OrderKind.SHPO,
                        start=convicted,
                        end=convicted + datetime.timedelta(days=365 * 5),
                        foreign_travel_restriction=rng.random() < 0.05,
                        conditions="Not to have unsupervised contact with any child under 16.",
                    )
                )
            if rng.random() < 0.03:
                events.append(
                    Event(
                        nominal=nominal,
                        kind=rng.choice(
                            [EventKind.BREACH_NOTIFICATION_CONVICTED, EventKind.BREACH_NOTIFICATION_CAUTIONED]
                        ),
                        date=_day(rng, started, today),
                        notes="Failed to notify a change of address within three days.",
                    )
                )
        if plan["had_custody"]:
            events.append(Event(nominal=nominal, kind=EventKind.CUSTODY, date=convicted))
            if nominal.location == Location.COMMUNITY:
                released = _day(
                    rng, convicted + datetime.timedelta(days=60), max(started, convicted + datetime.timedelta(days=61))
                )
                events.append(Event(nominal=nominal, kind=EventKind.RELEASE, date=min(released, today)))
                orders.append(
                    Order(
                        nominal=nominal,
                        kind=OrderKind.LICENCE,
                        start=min(released, today),
                        end=min(released, today) + datetime.timedelta(days=30 * (months or 12) // 2),
                        conditions="Reside at approved premises. Not to enter the exclusion zone. Curfew 21:00 to 07:00.",
                    )
                )
        if nominal.location == Location.HOSPITAL:
            events.append(Event(nominal=nominal, kind=EventKind.HOSPITAL_DETENTION, date=_day(rng, started, today)))
            orders.append(Order(nominal=nominal, kind=OrderKind.HOSPITAL_ORDER, start=convicted))

        categories.append(
            CategoryPeriod(
                nominal=nominal,
                category=category,
                start=started,
                reason="Eligible on conviction.",
                decided_by=decided_by,
                source=Source.INITIAL,
            )
        )
        level = Level(nominal.level)
        if level == Level.LEVEL_1 or category == Category.OTHER_DANGEROUS_OFFENDER:
            first_level = level
        else:
            first_level = Level.LEVEL_1
        if first_level == level:
            levels.append(
                LevelPeriod(
                    nominal=nominal,
                    level=level,
                    start=started,
                    reason="Level set when the case was first recorded.",
                    decided_by=decided_by,
                    source=Source.INITIAL,
                )
            )
        else:
            raised = _day(rng, started + datetime.timedelta(days=1), max(today, started + datetime.timedelta(days=2)))
            raised = min(raised, today)
            levels.append(
                LevelPeriod(
                    nominal=nominal,
                    level=first_level,
                    start=started,
                    end=raised - datetime.timedelta(days=1),
                    reason="Managed by the lead agency.",
                    decided_by=decided_by,
                    source=Source.INITIAL,
                )
            )
            levels.append(
                LevelPeriod(
                    nominal=nominal,
                    level=level,
                    start=raised,
                    reason="Risk escalated: multi-agency management needed.",
                    decided_by=decided_by,
                    source=Source.SCREENING,
                )
            )
            if rng.random() < 0.2:
                events.append(Event(nominal=nominal, kind=EventKind.RECALL, date=_day(rng, raised, today)))
        if nominal.level > 1 or rng.random() < 0.3:
            risks.append(
                RiskAssessment(
                    nominal=nominal,
                    tool=RiskTool.OASYS_ROSH if category != Category.REGISTERED_SEXUAL_OFFENDER else RiskTool.ARMS,
                    date=_day(rng, started, today),
                    result=RiskLevel.VERY_HIGH if nominal.level == 3 else rng.choice(list(RiskLevel)),
                    agency=rng.choice(assessors),
                )
            )
        if nominal.status == Status.EXITED:
            exit_date = _day(rng, started, today)
            categories[-1].end = exit_date
            levels[-1].end = exit_date
            exits.append(
                Exit(
                    nominal=nominal,
                    reason=ExitReason.NOTIFICATION_ENDED,
                    date=exit_date,
                    decided_by=decided_by,
                    rationale="Notification period ended and no further risk identified.",
                    review_retention_on=exit_date + datetime.timedelta(days=365 * 6),
                )
            )
    for model, rows in [
        (Alias, aliases),
        (CategoryPeriod, categories),
        (LevelPeriod, levels),
        (Conviction, convictions),
        (Order, orders),
        (Event, events),
        (RiskAssessment, risks),
        (Exit, exits),
    ]:
        model.objects.bulk_create(rows, batch_size=2000)  # type: ignore[attr-defined]
    for alias in aliases:
        names.append(NominalName(nominal=alias.nominal, alias=alias, name=alias.full_name.lower()))
    NominalName.objects.bulk_create(names, batch_size=2000)


DEMO_NOMINALS = 3000


def seed_demo_nominals(*, area: Area, coordinator: User, today: datetime.date) -> int:
    """The demo area's caseload, and shares with the housing and children's services demo agencies.
    Does nothing if the area already has nominals."""
    if Nominal.objects.filter(area=area).exists():
        return 0
    generate_nominals(area=area, count=DEMO_NOMINALS, seed=2025, today=today, decided_by=coordinator)
    for username, count in (("housing", 15), ("childrens", 10)):
        agency = User.objects.get(username=username).agency
        assert agency is not None  # noqa: S101  (demo users always have one)  # nosec B101
        nominals = Nominal.objects.filter(area=area, status=Status.ACTIVE).exclude(category=Category.TERRORISM)
        if agency.district_id:
            nominals = nominals.filter(district_id=agency.district_id)
        for number, nominal in enumerate(nominals.order_by("case_reference")[:count]):
            nominal_share(actor=coordinator, nominal=nominal, agency=agency, include_restricted=number % 3 == 0)
    return DEMO_NOMINALS
