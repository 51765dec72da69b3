"""One row of a nominal's file read into its record, unsaved, with the checks that need only the row
(and its nominal): the model's field checks and the rules the services apply when the same record
is entered on screen. Whoever recorded or decided something in the source is not a user here: the
importing administrator is recorded instead."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from agencies.models import Agency, Area, User
from cases.interchange.reading import Row
from cases.interchange.reference import Reference, clean
from cases.models import (
    BREACHES,
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
from cases.services import check_conviction_dates, check_nominal_dates, order_problems

# Case references appear in addresses (/nominals/KENT-000123/): letters, digits and hyphens, with a
# digit somewhere so that none can be mistaken for a page such as /nominals/new/.
CASE_REFERENCE = re.compile(r"(?=.*\d)[A-Za-z0-9][A-Za-z0-9-]*")
IDENTIFIERS = ("pnc_id", "visor_reference", "crn", "prison_number")
RECORD_FIELDS = ["nominal", "recorded_by"]


@dataclass(frozen=True)
class Context:
    reference: Reference
    actor: User
    today: datetime.date


def nominal_from(row: Row, context: Context) -> Nominal:
    area = context.reference.area(row, "area")
    values: dict[str, Any] = {
        "case_reference": row.required("case_reference"),
        "area": area,
        "district": context.reference.district(row, "district", area),
        "lead_agency": _lead_agency(row, context.reference, area),
        "date_of_birth": row.date("date_of_birth", required=True),
        "gender": row.choice("gender", Gender.values),
        "location": row.choice("location", Location.values),
        "expected_release_date": row.date("expected_release_date"),
        "stream": row.choice("stream", Stream.values),
        "category": row.choice("category", Category.values),
        "level": row.choice("level", Level.values),
        "status": row.choice("status", Status.values),
        "next_review_due": row.date("next_review_due"),
        "created_by": context.actor,
        **{name: row.text(name) for name in ("first_name", "middle_names", "last_name", "ethnicity", "address")},
        "restricted_notes": row.text("restricted_notes"),
        **{name: row.text(name).upper() for name in IDENTIFIERS},
    }
    nominal = Nominal(**values)
    if nominal.case_reference and not CASE_REFERENCE.fullmatch(nominal.case_reference):
        row.refuse("case_reference", "Use letters, digits and hyphens only, with at least one digit")
    if nominal.category == Category.OTHER_DANGEROUS_OFFENDER and nominal.level == Level.LEVEL_1:
        row.refuse("level", "Category 3 is never managed at Level 1")
    clean(row, nominal, exclude=["area", "district", "lead_agency", "offender_manager", "created_by"])
    _service_rule(row, lambda: check_nominal_dates(nominal, context.today))
    return nominal


def _lead_agency(row: Row, reference: Reference, area: Area | None) -> Agency | None:
    if area is None and not row.text("lead_agency_area"):
        return None
    return reference.agency(
        row, "lead_agency", reference.area(row, "lead_agency_area", default=getattr(area, "code", ""))
    )


def _service_rule(row: Row, check: Callable[[], None]) -> None:
    """The same rule as when the record is entered on screen (`cases.services`)."""
    try:
        check()
    except ValidationError as error:
        row.refuse_invalid(error)


def alias_from(row: Row, context: Context) -> Alias:
    values: dict[str, Any] = {
        "first_name": row.text("first_name"),
        "last_name": row.text("last_name"),
        "kind": row.choice("kind", AliasKind.values, required=False) or AliasKind.ALIAS,
        "recorded_by": context.actor,
    }
    alias = Alias(**values)
    clean(row, alias, exclude=RECORD_FIELDS)
    return alias


def episode_from(row: Row, context: Context) -> Episode:
    values: dict[str, Any] = {
        "start": row.date("start", required=True),
        "end": row.date("end"),
        "reason": row.text("reason"),
        "recorded_by": context.actor,
    }
    episode = Episode(**values)
    _in_order(row, episode.start, episode.end)
    clean(row, episode, exclude=RECORD_FIELDS)
    return episode


def _in_order(row: Row, start: datetime.date | None, end: datetime.date | None, column: str = "end") -> None:
    if start and end and end < start:
        row.refuse(column, f"{end} is before the start, {start}")


def category_period_from(row: Row, context: Context) -> CategoryPeriod:
    period = CategoryPeriod(**_period(row, context, category=row.choice("category", Category.values)))
    clean(row, period, exclude=[*RECORD_FIELDS, "episode", "decided_by"])
    return period


def level_period_from(row: Row, context: Context) -> LevelPeriod:
    period = LevelPeriod(**_period(row, context, level=row.choice("level", Level.values)))
    clean(row, period, exclude=[*RECORD_FIELDS, "episode", "decided_by"])
    return period


def _period(row: Row, context: Context, **value: int | None) -> dict[str, Any]:
    start, end = row.date("start", required=True), row.date("end")
    _in_order(row, start, end)
    return {
        "start": start,
        "end": end,
        "source": row.choice("source", Source.values),
        "reason": row.text("reason"),
        "decided_by": context.actor,
        "recorded_by": context.actor,
        **value,
    }


def exit_from(row: Row, context: Context) -> Exit:
    values: dict[str, Any] = {
        "date": row.date("date", required=True),
        "reason": row.choice("reason", ExitReason.values),
        "rationale": row.text("rationale"),
        "review_retention_on": row.date("review_retention_on", required=True),
        "decided_by": context.actor,
        "recorded_by": context.actor,
    }
    exit_ = Exit(**values)
    if exit_.date and exit_.review_retention_on and exit_.review_retention_on <= exit_.date:
        row.refuse("review_retention_on", "The retention review must be after the date of exit")
    _not_after(row, "date", exit_.date, context.today)
    clean(row, exit_, exclude=[*RECORD_FIELDS, "episode", "decided_by"])
    return exit_


def _not_after(row: Row, column: str, day: datetime.date | None, today: datetime.date) -> None:
    if day and day > today:
        row.refuse(column, f"{day} is in the future")


def conviction_from(row: Row, context: Context, nominal: Nominal | None) -> Conviction:
    code = row.text("offence_code")
    listed = offence(code) if code else None
    if code and listed is None:
        row.refuse("offence_code", f"{code!r} is not an offence of cases/offences.toml")
    values: dict[str, Any] = {
        "offence_code": code,
        "offence": row.text("offence") or (listed.title if listed else ""),
        "offence_date": row.date("offence_date"),
        "conviction_date": row.date("conviction_date", required=True),
        "disposal": row.choice("disposal", Disposal.values, required=False) or Disposal.CONVICTION,
        "sentence_type": row.choice("sentence_type", SentenceType.values),
        "custodial_months": row.number("custodial_months"),
        "restriction_order": row.yes_no("restriction_order"),
        "sentence_expiry_date": row.date("sentence_expiry_date"),
        "controlling_or_coercive": row.yes_no("controlling_or_coercive"),
        "terrorism": row.yes_no("terrorism"),
        "recorded_by": context.actor,
    }
    conviction = Conviction(**values)
    clean(row, conviction, exclude=RECORD_FIELDS)
    if nominal is not None and conviction.conviction_date is not None:
        _service_rule(row, lambda: check_conviction_dates(nominal, conviction, context.today))
    return conviction


def order_from(row: Row, context: Context) -> Order:
    values: dict[str, Any] = {
        "kind": row.choice("kind", OrderKind.values),
        "start": row.date("start", required=True),
        "end": row.date("end"),
        "indefinite": row.yes_no("indefinite"),
        "interim": row.yes_no("interim"),
        "foreign_travel_restriction": row.yes_no("foreign_travel_restriction"),
        "revoked_on": row.date("revoked_on"),
        "review_from": row.date("review_from"),
        "conditions": row.text("conditions"),
        "recorded_by": context.actor,
    }
    order = Order(**values)
    _in_order(row, order.start, order.end)
    clean(row, order, exclude=[*RECORD_FIELDS, "conviction"])
    if order.start is not None:
        for column, problem in order_problems(order).items():
            if column not in row.refused_columns:
                row.refuse(column, problem)
    return order


def event_from(row: Row, context: Context) -> Event:
    kind = row.choice("kind", EventKind.values)
    values: dict[str, Any] = {
        "kind": kind,
        "date": row.date("date", required=True),
        "returned_to_custody": row.yes_no("returned_to_custody"),
        "notes": row.text("notes"),
        "from_area": context.reference.area(row, "from_area") if row.text("from_area") else None,
        "to_area": context.reference.area(row, "to_area") if row.text("to_area") else None,
        "recorded_by": context.actor,
    }
    event = Event(**values)
    _not_after(row, "date", event.date, context.today)
    if event.returned_to_custody and kind not in BREACHES:
        row.refuse("returned_to_custody", "Only a breach returns someone to custody; record a recall")
    if kind == EventKind.TRANSFER:
        for column in ("from_area", "to_area"):
            if not row.text(column):
                row.refuse(column, "A transfer needs the area the person moved from and the area they moved to")
        if event.from_area is not None and event.from_area is event.to_area:
            row.refuse("to_area", "A transfer moves the person to another area")
    elif row.text("to_area"):
        row.refuse("to_area", "Only a transfer has an area to move to")
    clean(row, event, exclude=[*RECORD_FIELDS, "from_area", "to_area"])
    return event


def risk_assessment_from(row: Row, context: Context, home: Area | None) -> RiskAssessment:
    """An assessment by an agency of the nominal's area (`home`) unless `agency_area` names another."""
    code = row.text("agency_area") or (home.code if home is not None else "")
    area = context.reference.area(row, "agency_area", default=code) if code else None
    values: dict[str, Any] = {
        "date": row.date("date", required=True),
        "tool": row.choice("tool", RiskTool.values),
        "result": row.choice("result", RiskLevel.values),
        "agency": context.reference.agency(row, "agency", area),
        "notes": row.text("notes"),
        "recorded_by": context.actor,
    }
    assessment = RiskAssessment(**values)
    clean(row, assessment, exclude=[*RECORD_FIELDS, "agency"])
    _not_after(row, "date", assessment.date, context.today)
    return assessment
