"""The folder format: which files, which columns in each, and how a value is written in a cell.

Columns are named after the model fields they fill wherever there is one, so that a validation
error on a field names its column. Records of a nominal name it by its case reference; an episode
or a conviction is named, within its nominal, by the number it has in its own file.
"""

from __future__ import annotations

import datetime

AREAS = "areas.csv"
DISTRICTS = "districts.csv"
AGENCIES = "agencies.csv"
AREA_POPULATIONS = "area_populations.csv"
NOMINALS = "nominals.csv"
ALIASES = "aliases.csv"
EPISODES = "episodes.csv"
CATEGORY_PERIODS = "category_periods.csv"
LEVEL_PERIODS = "level_periods.csv"
EXITS = "exits.csv"
CONVICTIONS = "convictions.csv"
ORDERS = "orders.csv"
EVENTS = "events.csv"
RISK_ASSESSMENTS = "risk_assessments.csv"

AREA_SETTINGS = (
    "level2_review_weeks",
    "level3_review_weeks",
    "screening_weekday",
    "screening_target_days",
    "first_meeting_target_days",
    "minutes_target_days",
)

# Every file and its columns, in the order they are read: a file names only what comes before it.
COLUMNS: dict[str, tuple[str, ...]] = {
    AREAS: ("code", "name", *AREA_SETTINGS),
    DISTRICTS: ("area", "name"),
    AGENCIES: ("area", "name", "kind", "district", "is_active"),
    AREA_POPULATIONS: ("area", "year", "population_aged_10_plus"),
    NOMINALS: (
        "case_reference",
        "first_name",
        "middle_names",
        "last_name",
        "date_of_birth",
        "gender",
        "ethnicity",
        "pnc_id",
        "visor_reference",
        "crn",
        "prison_number",
        "area",
        "district",
        "lead_agency_area",
        "lead_agency",
        "location",
        "expected_release_date",
        "stream",
        "category",
        "level",
        "status",
        "next_review_due",
        "address",
        "restricted_notes",
    ),
    ALIASES: ("case_reference", "first_name", "last_name", "kind"),
    EPISODES: ("case_reference", "episode", "start", "end", "reason"),
    CATEGORY_PERIODS: ("case_reference", "episode", "category", "start", "end", "source", "reason"),
    LEVEL_PERIODS: ("case_reference", "episode", "level", "start", "end", "source", "reason"),
    EXITS: ("case_reference", "episode", "date", "reason", "rationale", "review_retention_on"),
    CONVICTIONS: (
        "case_reference",
        "conviction",
        "offence_code",
        "offence",
        "offence_date",
        "conviction_date",
        "disposal",
        "sentence_type",
        "custodial_months",
        "restriction_order",
        "sentence_expiry_date",
        "controlling_or_coercive",
        "terrorism",
    ),
    ORDERS: (
        "case_reference",
        "kind",
        "conviction",
        "start",
        "end",
        "indefinite",
        "interim",
        "foreign_travel_restriction",
        "revoked_on",
        "review_from",
        "conditions",
    ),
    EVENTS: ("case_reference", "date", "kind", "returned_to_custody", "from_area", "to_area", "notes"),
    RISK_ASSESSMENTS: ("case_reference", "date", "tool", "result", "agency_area", "agency", "notes"),
}
FILES = tuple(COLUMNS)
NOMINAL_RECORD_FILES = FILES[FILES.index(ALIASES) :]

YES, NO = "yes", "no"
# A spreadsheet runs a cell starting with one of these as a formula: such text is written after an
# apostrophe, which reading takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def _needs_guard(text: str) -> bool:
    return text[:1] in FORMULA_STARTS or (text[:1] == GUARD and text[1:2] in (*FORMULA_STARTS, GUARD))


def guarded(text: str) -> str:
    return f"{GUARD}{text}" if _needs_guard(text) else text


def unguarded(text: str) -> str:
    return text[1:] if text[:1] == GUARD and _needs_guard(text[1:]) else text


def cell(value: object) -> str:
    """A value as it is written in a cell: dates as YYYY-MM-DD, yes or no, numbers as digits, text
    kept from running as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return guarded(str(value))
