"""The eligibility rules, each from its source: notification periods from the table of Sexual
Offences Act 2003 s.82, Category 2 from Criminal Justice Act 2003 s.327, and the exits each
category allows. Dates are fixed; none depends on today."""

from __future__ import annotations

import datetime

import pytest

from cases.eligibility import (
    EXIT_REASONS,
    eligibility_ended,
    exit_error,
    notification_period,
    qualifies_for_category_2,
)
from cases.models import Conviction, Disposal, ExitReason, Location, Order, OrderKind, SentenceType
from mappa.dates import last_day_of_period

CONVICTED = datetime.date(2020, 3, 2)
ADULT = datetime.date(1980, 5, 17)
AGED_16 = datetime.date(2004, 1, 1)  # 16 on the day of conviction


def conviction(sentence: str, months: int | None = None, **details: object) -> Conviction:
    values: dict[str, object] = {
        "offence_code": "sexual-assault",
        "offence": "Sexual assault",
        "conviction_date": CONVICTED,
        "disposal": Disposal.CONVICTION,
        "sentence_type": sentence,
        "custodial_months": months,
        **details,
    }
    return Conviction(**values)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("sentence", "months", "details", "last_day"),
    [
        (SentenceType.IMMEDIATE_CUSTODY, 30, {}, None),  # 30 months or more: indefinite
        (SentenceType.LIFE, None, {}, None),
        (SentenceType.IMMEDIATE_CUSTODY, 29, {}, "2030-03-01"),  # more than 6, less than 30 months: 10 years
        (SentenceType.IMMEDIATE_CUSTODY, 7, {}, "2030-03-01"),
        (SentenceType.SUSPENDED, 12, {}, "2030-03-01"),  # a suspended sentence is imprisonment
        (SentenceType.DETENTION_AND_TRAINING, 8, {}, "2030-03-01"),
        (SentenceType.IMMEDIATE_CUSTODY, 6, {}, "2027-03-01"),  # 6 months or less: 7 years
        (SentenceType.HOSPITAL_ORDER, None, {"restriction_order": True}, None),
        (SentenceType.HOSPITAL_ORDER, None, {}, "2027-03-01"),  # without a restriction order: 7 years
        (SentenceType.CAUTION, None, {"disposal": Disposal.CAUTION}, "2022-03-01"),  # a caution: 2 years
        (SentenceType.DISCHARGE, 18, {}, "2021-09-01"),  # the period of the conditional discharge
        (SentenceType.COMMUNITY, None, {}, "2025-03-01"),  # any other: 5 years
        (SentenceType.FINE, None, {}, "2025-03-01"),
    ],
)
def test_the_notification_period_for_an_adult(sentence: str, months: int | None, details: dict, last_day: str | None):
    period = notification_period(conviction(sentence, months, **details), date_of_birth=ADULT)

    assert period.start == CONVICTED  # "beginning with the relevant date"
    assert period.end == (d(last_day) if last_day else None)
    assert period.indefinite is (last_day is None)


@pytest.mark.parametrize(
    ("sentence", "months", "details", "last_day"),
    [
        (SentenceType.DETENTION_AND_TRAINING, 24, {}, "2025-03-01"),  # 10 years halved
        (SentenceType.DETENTION_AND_TRAINING, 4, {}, "2023-09-01"),  # 7 years halved: 3 years 6 months
        (SentenceType.COMMUNITY, None, {}, "2022-09-01"),  # 5 years halved
        (SentenceType.CAUTION, None, {"disposal": Disposal.CAUTION}, "2021-03-01"),  # 2 years halved
        (SentenceType.DISCHARGE, 12, {}, "2021-03-01"),  # the discharge's own period is not halved
        (SentenceType.IMMEDIATE_CUSTODY, 36, {}, None),  # indefinite is indefinite at any age
    ],
)
def test_the_fixed_periods_are_halved_for_someone_under_18_on_the_day(
    sentence: str, months: int | None, details: dict, last_day: str | None
) -> None:
    period = notification_period(conviction(sentence, months, **details), date_of_birth=AGED_16)

    assert period.end == (d(last_day) if last_day else None)


def test_an_indefinite_period_can_first_be_reviewed_15_years_after_release_or_8_if_under_18() -> None:
    long_sentence = conviction(SentenceType.IMMEDIATE_CUSTODY, 48)

    adult = notification_period(long_sentence, date_of_birth=ADULT, released_on=d("2022-03-02"))
    young = notification_period(long_sentence, date_of_birth=AGED_16, released_on=d("2022-03-02"))
    never_in_custody = notification_period(conviction(SentenceType.LIFE), date_of_birth=ADULT)

    assert adult.review_from == d("2037-03-02")
    assert young.review_from == d("2030-03-02")
    assert never_in_custody.review_from == d("2035-03-02")


def test_a_period_ending_in_a_month_without_its_day_ends_on_the_months_last_day() -> None:
    assert last_day_of_period(d("2024-02-29"), 60) == d("2029-02-28")
    assert last_day_of_period(d("2020-03-02"), 120) == d("2030-03-01")


@pytest.mark.parametrize(
    ("code", "sentence", "months", "qualifies"),
    [
        ("wounding-with-intent", SentenceType.IMMEDIATE_CUSTODY, 12, True),
        ("wounding-with-intent", SentenceType.IMMEDIATE_CUSTODY, 11, False),
        ("wounding-with-intent", SentenceType.SUSPENDED, 12, True),
        ("wounding-with-intent", SentenceType.DETENTION_AND_TRAINING, 12, True),
        ("wounding-with-intent", SentenceType.HOSPITAL_ORDER, None, True),
        ("wounding-with-intent", SentenceType.GUARDIANSHIP_ORDER, None, True),
        ("wounding-with-intent", SentenceType.COMMUNITY, None, False),
        ("murder", SentenceType.LIFE, None, True),
        ("rape", SentenceType.IMMEDIATE_CUSTODY, 60, True),  # a specified sexual offence
        ("supplying-controlled-drug", SentenceType.IMMEDIATE_CUSTODY, 36, False),  # not specified
        ("theft", SentenceType.IMMEDIATE_CUSTODY, 24, False),
        ("controlling-or-coercive-behaviour", SentenceType.IMMEDIATE_CUSTODY, 12, True),
        ("controlling-or-coercive-behaviour", SentenceType.SUSPENDED, 18, True),
        ("controlling-or-coercive-behaviour", SentenceType.IMMEDIATE_CUSTODY, 11, False),
        ("controlling-or-coercive-behaviour", SentenceType.HOSPITAL_ORDER, None, False),
        ("", SentenceType.IMMEDIATE_CUSTODY, 48, False),  # not coded: nothing to check the lists against
    ],
)
def test_category_2_is_the_offence_and_the_sentence(code: str, sentence: str, months: int | None, qualifies: bool):
    assert qualifies_for_category_2(conviction(sentence, months, offence_code=code)) is qualifies


def test_a_caution_never_makes_category_2() -> None:
    cautioned = conviction(SentenceType.CAUTION, disposal=Disposal.CAUTION, offence_code="wounding-with-intent")

    assert not qualifies_for_category_2(cautioned)


def notification(end: str | None) -> Order:
    return Order(
        kind=OrderKind.NOTIFICATION_REQUIREMENTS, start=CONVICTED, end=d(end) if end else None, indefinite=not end
    )


def licence(end: str) -> Order:
    return Order(kind=OrderKind.LICENCE, start=CONVICTED, end=d(end))


def error(category: int, reason: str, orders: list[Order], on: str, **kwargs: object) -> str | None:
    return exit_error(
        category=category,
        reason=reason,
        orders=orders,
        convictions=kwargs.pop("convictions", []),  # type: ignore[arg-type]
        location=kwargs.pop("location", Location.COMMUNITY),  # type: ignore[arg-type]
        on=d(on),
    )


def test_category_1_on_indefinite_notification_cannot_exit_because_their_risk_is_lower() -> None:
    indefinite = [notification(None)]

    assert "can only exit for one of" in (error(1, ExitReason.RISK_REDUCED, indefinite, "2026-01-05") or "")
    assert "still subject to notification" in (error(1, ExitReason.NOTIFICATION_ENDED, indefinite, "2026-01-05") or "")
    assert error(1, ExitReason.LEFT_JURISDICTION, indefinite, "2026-01-05") is None
    assert error(1, ExitReason.DIED, indefinite, "2026-01-05") is None


def test_notification_ended_is_checked_against_the_last_day_of_notification() -> None:
    ends = [notification("2025-03-01")]

    assert error(1, ExitReason.NOTIFICATION_ENDED, ends, "2025-03-01") is not None  # still its last day
    assert error(1, ExitReason.NOTIFICATION_ENDED, ends, "2025-03-02") is None
    assert error(1, ExitReason.OTHER, ends, "2025-03-01") is not None
    shpo = Order(kind=OrderKind.SHPO, start=CONVICTED, end=d("2026-01-01"))
    assert "still subject to notification" in (
        error(1, ExitReason.NOTIFICATION_ENDED, [*ends, shpo], "2025-06-01") or ""
    )


def test_licence_ended_is_checked_against_the_licence_the_sentence_and_custody() -> None:
    on_licence = [licence("2025-06-30")]
    suspended = conviction(SentenceType.SUSPENDED, 24, sentence_expiry_date=d("2025-12-31"))

    assert "still in force" in (error(2, ExitReason.LICENCE_ENDED, on_licence, "2025-06-30") or "")
    assert error(2, ExitReason.LICENCE_ENDED, on_licence, "2025-07-01") is None
    assert "no licence on the record" in (error(2, ExitReason.LICENCE_ENDED, [], "2025-07-01") or "")
    assert "in custody" in (error(2, ExitReason.LICENCE_ENDED, on_licence, "2025-07-01", location="custody") or "")
    assert "does not expire until" in (
        error(2, ExitReason.LICENCE_ENDED, on_licence, "2025-07-01", convictions=[suspended]) or ""
    )
    assert "can only exit for one of" in (error(2, ExitReason.RISK_REDUCED, [], "2025-07-01") or "")


def test_category_3_exits_when_level_2_or_3_is_no_longer_needed() -> None:
    assert error(3, ExitReason.RISK_REDUCED, [], "2025-07-01") is None
    assert error(3, ExitReason.LICENCE_ENDED, [], "2025-07-01") is not None
    assert set(EXIT_REASONS[3]) == {
        ExitReason.RISK_REDUCED,
        ExitReason.DIED,
        ExitReason.LEFT_JURISDICTION,
        ExitReason.OTHER,
    }


def test_eligibility_ends_with_notification_for_category_1_and_with_the_sentence_for_category_2() -> None:
    def ended(category: int, orders: list[Order], on: str, convictions: list[Conviction] | None = None) -> str | None:
        return eligibility_ended(
            category=category, orders=orders, convictions=convictions or [], location=Location.COMMUNITY, on=d(on)
        )

    assert ended(1, [notification("2025-03-01")], "2025-03-01") is None
    assert ended(1, [notification("2025-03-01")], "2025-03-02") == "notification"
    assert ended(2, [licence("2025-06-30")], "2025-07-01") == "licence"
    suspended = conviction(SentenceType.SUSPENDED, 24, sentence_expiry_date=d("2025-12-31"))
    assert ended(2, [], "2025-07-01", [suspended]) is None
    assert ended(3, [], "2025-07-01") is None
