"""The annual report's counting rules one at a time, each on a person built for it, in the reporting
year 1 April 2024 to 31 March 2025. docs/counting-rules.md states each rule and its source; the
expected figures here are worked out from those rules by hand, not read off the code."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Conviction, EventKind, OrderKind
from reporting.annual import AnnualReport, annual_report
from tests.conftest import People
from tests.reporting.histories import Person

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime.date(2024, 4, 1)
LAST_DAY = datetime.date(2025, 3, 31)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def report(people: People, *, other_area: bool = False) -> AnnualReport:
    return annual_report(people.other_area if other_area else people.area, 2024)


def cells(people: People, key: str, *, other_area: bool = False) -> list[list[object]]:
    return [list(row.cells) for row in report(people, other_area=other_area).table(key).rows]


def test_a_person_managed_in_two_areas_in_the_year_is_counted_in_each(people: People) -> None:
    Person(people, category=2, level=2, area=people.other_area).transfer(d("2024-10-01"), people.area)

    assert cells(people, "managed") == [[0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]]
    assert cells(people, "managed", other_area=True) == [[0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]]
    assert cells(people, "eligible")[1] == [0, 1, 0, 1]  # in Kent on 31 March
    assert cells(people, "eligible", other_area=True)[3] == [0, 0, 0, 0]


def test_the_highest_level_in_an_area_is_counted_under_the_category_held_at_it(people: People) -> None:
    # Category 2 at Level 3 until September, then Level 2; Category 1 from November.
    Person(people, category=2, level=3).level(2, d("2024-10-01")).category(1, d("2024-11-01"))

    assert cells(people, "managed") == [[0, 0, 0, 0], [0, 1, 0, 1], [0, 1, 0, 1]]
    assert cells(people, "eligible")[1] == [1, 0, 0, 1]  # on 31 March: Level 2, Category 1


def test_days_in_custody_at_level_3_do_not_count(people: People) -> None:
    # In custody from March 2024; raised to Level 3 in custody in May, lowered to Level 2 in August,
    # released in September: every day at Level 3 was in custody.
    person = Person(people, category=2, level=2).event(EventKind.CUSTODY, d("2024-03-01"))
    person.level(3, d("2024-05-01")).level(2, d("2024-08-01")).event(EventKind.RELEASE, d("2024-09-01"))

    assert cells(people, "managed") == [[0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]]


def test_someone_in_custody_all_year_is_not_counted_as_managed(people: People) -> None:
    Person(people, category=2, level=3).event(EventKind.CUSTODY, d("2024-03-01"))

    assert cells(people, "managed")[2] == [0, 0, 0, 0]


def test_an_shpo_made_at_sentencing_before_the_category_1_period_is_counted(people: People) -> None:
    # Sentenced on 1 May 2024 with an SHPO; the MAPPA record (Category 1) opens on 1 June.
    Person(people, category=1, level=1, since=d("2024-06-01")).order(
        OrderKind.SHPO, d("2024-05-01"), end=d("2029-04-30"), foreign_travel_restriction=True
    )
    interim = Person(people, category=1, level=1).order(OrderKind.SHPO, d("2024-07-01"), interim=True)
    interim.order(OrderKind.NOTIFICATION_ORDER, d("2024-08-01"), interim=True)

    assert cells(people, "orders") == [[2], [1], [1]]


def test_orders_of_category_4_people_and_of_other_areas_are_not_counted(people: People) -> None:
    Person(people, category=4, level=2).order(OrderKind.SHPO, d("2024-07-01"))
    Person(people, category=1, level=1, area=people.other_area).order(OrderKind.SHPO, d("2024-07-01"))

    assert cells(people, "orders") == [[0], [0], [0]]


def test_breaches_of_notification_count_people_not_events(people: People) -> None:
    repeated = Person(people, category=1, level=1)
    for day in ("2024-05-01", "2024-08-01", "2025-01-01"):
        repeated.event(EventKind.BREACH_NOTIFICATION_CAUTIONED, d(day))
    repeated.event(EventKind.BREACH_NOTIFICATION_CONVICTED, d("2025-02-01"))
    Person(people, category=1, level=1).event(EventKind.BREACH_NOTIFICATION_CONVICTED, d("2024-06-01"))

    assert cells(people, "notification")[:2] == [[1], [2]]


def test_a_revocation_counts_when_the_person_was_category_1_the_day_before(people: People) -> None:
    # Revoked on application on 10 October, and exited that day: Category 1 until 9 October.
    revoked = Person(people, category=1, level=1, grounds=False)
    revoked.order(OrderKind.NOTIFICATION_REQUIREMENTS, d("2005-01-01"), indefinite=True, revoked_on=d("2024-10-10"))
    revoked.exit(d("2024-10-10"))
    # Revoked while in Category 2 (reclassified earlier): not counted.
    other = Person(people, category=2, level=1)
    other.order(OrderKind.NOTIFICATION_REQUIREMENTS, d("2005-01-01"), indefinite=True, revoked_on=d("2024-11-11"))

    assert cells(people, "notification")[2] == [1]


def test_category_1_whose_notification_ended_before_31_march_is_not_in_the_snapshot(people: People) -> None:
    Person(people, category=1, level=1, grounds=False).grounds(1, d("2015-03-01"), until=d("2025-02-28"))
    Person(people, category=1, level=1, grounds=False).grounds(1, d("2015-04-01"), until=LAST_DAY)  # last day

    assert cells(people, "eligible")[0] == [1, 0, "-", 1]


def test_category_2_is_in_the_snapshot_while_on_licence_or_serving_a_suspended_sentence(people: People) -> None:
    Person(people, category=2, level=1, grounds=False).grounds(2, d("2022-01-01"), until=d("2025-01-31"))
    suspended = Person(people, category=2, level=1, grounds=False)
    Conviction.objects.create(
        nominal=suspended.nominal,
        offence_code="wounding-with-intent",
        offence="Wounding with intent",
        conviction_date=d("2024-01-10"),
        sentence_type="suspended",
        custodial_months=24,
        sentence_expiry_date=d("2026-01-09"),
    )
    Person(people, category=2, level=1)  # on licence to 2040

    assert cells(people, "eligible")[0] == [0, 2, "-", 2]


def test_the_exit_day_is_the_first_day_out(people: People) -> None:
    Person(people, category=2, level=1).exit(LAST_DAY)  # not a MAPPA case on 31 March
    Person(people, category=2, level=1).exit(d("2025-04-01"))  # still one on 31 March

    assert cells(people, "eligible")[0] == [0, 1, "-", 1]


def test_a_breach_of_shpo_counts_only_those_returned_to_custody_for_it(people: People) -> None:
    returned = Person(people, category=1, level=2).order(OrderKind.SHPO, d("2023-01-01"))
    returned.event(EventKind.BREACH_SHPO, d("2024-09-01"), returned_to_custody=True)
    returned.event(EventKind.BREACH_SHPO, d("2024-11-01"), returned_to_custody=True)  # the same person again
    Person(people, category=1, level=3).event(EventKind.BREACH_SHPO, d("2024-09-01"))  # warned, not returned

    assert cells(people, "shpo_breaches") == [[1], [0], [1]]
