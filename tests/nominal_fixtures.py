"""Nominals of every kind the access rules distinguish, made through the real services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from agencies.models import Agency, Area, User
from cases.models import Category, Level, Nominal, OrderKind, SentenceType, Stream
from cases.services import nominal_create, nominal_share, order_add
from tests.conftest import People

_serial = iter(range(100_000, 999_999))
CONVICTED = datetime.date(2020, 3, 2)
# An index offence that makes each category (48 months' custody: indefinite notification for Category 1).
OFFENCE_OF: dict[int, str] = {
    Category.REGISTERED_SEXUAL_OFFENDER: "sexual-assault",
    Category.VIOLENT_OFFENDER: "wounding-with-intent",
    Category.OTHER_DANGEROUS_OFFENDER: "harassment",
    Category.TERRORISM: "preparation-of-terrorist-acts",
}


def make_nominal(
    *,
    actor: User,
    area: Area,
    lead_agency: Agency,
    category: int = Category.VIOLENT_OFFENDER,
    level: int = Level.LEVEL_1,
    **details: Any,
) -> Nominal:
    serial = next(_serial)
    values: dict[str, Any] = {
        "first_name": "Test",
        "last_name": f"Person{serial}",
        "date_of_birth": datetime.date(1980, 5, 17),
        "gender": "male",
        "crn": f"T{serial:06d}",
        "lead_agency": lead_agency,
        "address": f"{serial} Secret Street, Maidstone",
        "restricted_notes": "Victim lives nearby",
        **details,
    }
    conviction = {
        "offence_code": OFFENCE_OF[category],
        "conviction_date": CONVICTED,
        "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
        "custodial_months": 48,
        "terrorism": category == Category.TERRORISM,
        "disposal": "conviction",
    }
    if category == Category.VIOLENT_OFFENDER:
        # A life sentence, on life licence since 2022: eligible whatever the day the tests run.
        conviction.update(sentence_type=SentenceType.LIFE, custodial_months=None)
    nominal = nominal_create(
        actor=actor,
        area=area,
        details=values,
        conviction=conviction,
        category=category,
        level=level,
        reason="Initial assessment",
        start=CONVICTED,
    )
    if category == Category.VIOLENT_OFFENDER:
        licence = {"kind": OrderKind.LICENCE, "start": datetime.date(2022, 3, 2), "indefinite": True}
        order_add(actor=actor, nominal=nominal, values=licence)
    return nominal


@dataclass
class Cases:
    own: Nominal  # led by Kent Police, shared with nobody
    shared: Nominal  # led by the unit; shared with housing (not restricted) and police (restricted)
    other_area: Nominal  # in Sussex
    category4: Nominal  # Category 4, led by Kent Police
    unshared: Nominal  # led by the unit, shared with nobody


@pytest.fixture
def cases(people: People) -> Cases:
    coordinator = people.coordinator
    own = make_nominal(actor=coordinator, area=people.area, lead_agency=people.police, last_name="Ownsworth")
    shared = make_nominal(actor=coordinator, area=people.area, lead_agency=people.unit, last_name="Sharland")
    nominal_share(actor=coordinator, nominal=shared, agency=people.housing, include_restricted=False)
    nominal_share(actor=coordinator, nominal=shared, agency=people.police, include_restricted=True)
    other_area = make_nominal(
        actor=people.other_area_coordinator,
        area=people.other_area,
        lead_agency=people.other_area_coordinator.agency,  # type: ignore[arg-type]
        last_name="Elsewhere",
    )
    category4 = make_nominal(
        actor=coordinator,
        area=people.area,
        lead_agency=people.police,
        category=Category.TERRORISM,
        stream=Stream.COUNTER_TERRORISM,
        last_name="Restrictedcase",
    )
    unshared = make_nominal(actor=coordinator, area=people.area, lead_agency=people.unit, last_name="Unshared")
    return Cases(own=own, shared=shared, other_area=other_area, category4=category4, unshared=unshared)
