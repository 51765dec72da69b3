"""The annual report tables from histories where every cell has its own known value.

The year is 1 April 2024 to 31 March 2025. Each person below is there for a reason, given beside
them: most are plain members of a snapshot cell; the rest are the edges (a level lowered, a
transfer, custody or hospital on 31 March, events on the first and last days and just outside).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pytest
from django.core.management import call_command

from agencies.models import AreaPopulation
from cases.models import EventKind, OrderKind
from reporting.annual import AnnualReport, annual_report
from reporting.render import as_csv, as_text
from tests.conftest import People
from tests.reporting.histories import Person, people_at

pytestmark = [pytest.mark.django_db, pytest.mark.dated]

FIRST_DAY = datetime.date(2024, 4, 1)
LAST_DAY = datetime.date(2025, 3, 31)
DAY_BEFORE = datetime.date(2024, 3, 31)
DAY_AFTER = datetime.date(2025, 4, 1)


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def recalled_and_released(person: Person, recalled: str, released: str) -> Person:
    return person.event(EventKind.RECALL, d(recalled)).event(EventKind.RELEASE, d(released))


@pytest.fixture
def histories(people: People) -> None:
    kent, sussex = people.area, people.other_area
    AreaPopulation.objects.create(area=kent, year=2024, population_aged_10_plus=12_345)

    # Table 1 snapshot, Level 1, Category 1 = 1: D, lowered from Level 2 in June.
    d_ = Person(people, category=1, level=2).level(1, d("2024-06-10"))
    d_.event(EventKind.BREACH_NOTIFICATION_CAUTIONED, FIRST_DAY)  # cautioned on the first day: counted
    recalled_and_released(d_, "2024-08-01", "2024-08-20")  # recalled at Level 1: not in table 6
    d_.event(EventKind.BREACH_SRO_NOTIFICATION, d("2024-11-11"))

    # Level 1, Category 2 = 8.
    Person(people, category=2, level=2).level(1, d("2024-09-01"))  # I: at Level 2 until September
    Person(people, category=2, level=3).level(1, FIRST_DAY)  # E: Level 3 ended the day before the year
    Person(people, category=2, level=1).level(2, DAY_AFTER)  # F: raised the day after the year
    r = Person(people, category=2, level=1).event(EventKind.CUSTODY, d("2023-05-01"))
    r.event(EventKind.RELEASE, LAST_DAY)  # R: released on 31 March, so in the community that day
    Person(people, category=2, level=1, area=sussex).transfer(d("2025-01-15"), kent)  # T: moved in
    p = Person(people, category=1, level=1).order(OrderKind.SHPO, d("2024-06-06"))
    p.category(2, d("2024-12-01"))  # P: SHPO while in Category 1, reclassified later: counted
    plain_l1c2 = people_at(people, 2, category=2, level=1)
    plain_l1c2[0].event(EventKind.BREACH_NOTIFICATION_CAUTIONED, d("2024-07-01"))  # Category 2: not counted

    # Level 2, Category 1 = 3.
    q = Person(people, category=2, level=2).order(OrderKind.SHPO, d("2024-07-07"))
    q.category(1, d("2025-01-01"))  # Q: SHPO while in Category 2: counted (an order the court made)
    l2c1 = people_at(people, 2, category=1, level=2)
    l2c1[0].order(OrderKind.SHPO, d("2024-05-05"))
    l2c1[0].event(EventKind.BREACH_NOTIFICATION_CAUTIONED, LAST_DAY)  # the last day: counted
    l2c1[0].event(EventKind.BREACH_NOTIFICATION_CAUTIONED, DAY_BEFORE)  # the year before
    l2c1[0].event(EventKind.BREACH_NOTIFICATION_CAUTIONED, DAY_AFTER)  # the year after
    l2c1[1].event(EventKind.BREACH_SRO_NOTIFICATION, d("2024-05-01"))
    l2c1[1].event(EventKind.BREACH_SRO_NOTIFICATION, d("2024-06-01"))  # the same person again
    l2c1[1].event(EventKind.BREACH_SRO_NOTIFICATION, DAY_AFTER)
    recalled_and_released(l2c1[1], DAY_BEFORE.isoformat(), "2024-05-01")  # recalled the year before
    l2c1[0].event(EventKind.RECALL, DAY_AFTER)  # recalled the year after: in the community on 31 March
    l2c1[0].event(EventKind.BREACH_SHPO, DAY_AFTER)

    # Level 2, Category 2 = 5: the mover from Level 3 and four more.
    mover = Person(people, category=2, level=3).level(2, d("2024-10-01"))
    recalled_and_released(mover, "2024-07-01", "2024-08-01")  # at Level 3
    recalled_and_released(mover, "2024-12-01", "2025-01-01")  # again at Level 2: counted once, at Level 3
    l2c2 = people_at(people, 4, category=2, level=2)
    for person in l2c2[:2]:
        recalled_and_released(person, "2024-06-01", "2024-09-01")

    # Level 2, Category 3 = 6.
    l2c3 = people_at(people, 6, category=3, level=2)
    for person in l2c3[:5]:
        recalled_and_released(person, "2024-10-01", "2024-12-01")
    l2c3[5].event(EventKind.BREACH_SHPO, LAST_DAY)  # not returned to custody for it: not in table 7
    l2c3[4].event(EventKind.BREACH_SHPO, d("2024-06-01"), returned_to_custody=True)
    l2c3[4].event(EventKind.RELEASE, d("2024-06-20"))

    # Level 3, Category 1 = 7.
    l3c1 = people_at(people, 7, category=1, level=3)
    for person in l3c1[:6]:
        recalled_and_released(person, "2024-05-01", "2024-06-01")
    for person, day in zip(l3c1[:3], ["2024-04-02", "2024-08-08", "2025-03-30"], strict=True):
        person.event(EventKind.BREACH_NOTIFICATION_CONVICTED, d(day))
    l3c1[3].order(OrderKind.NOTIFICATION_REQUIREMENTS, d("2010-01-01"), indefinite=True, revoked_on=d("2024-10-10"))
    l3c1[4].order(OrderKind.NOTIFICATION_REQUIREMENTS, d("2010-01-01"), indefinite=True, revoked_on=DAY_BEFORE)
    l3c1[4].order(OrderKind.SHPO, LAST_DAY, foreign_travel_restriction=True)
    l3c1[5].order(OrderKind.NOTIFICATION_ORDER, FIRST_DAY).order(OrderKind.NOTIFICATION_ORDER, d("2024-09-09"))
    l3c1[6].order(OrderKind.NOTIFICATION_ORDER, DAY_AFTER)
    for returned, released in (("2024-06-01", "2024-06-20"), ("2024-07-01", "2024-07-20")):  # twice: once
        l3c1[6].event(EventKind.BREACH_SHPO, d(returned), returned_to_custody=True).event(
            EventKind.RELEASE, d(released)
        )

    # Level 3, Category 2 = 2; Category 3 = 4.
    for person in people_at(people, 2, category=2, level=3):
        recalled_and_released(person, "2024-05-01", "2024-06-01")
    for person in people_at(people, 4, category=3, level=3):
        recalled_and_released(person, "2024-05-01", "2024-06-01")

    # Managed at Level 2 or 3 during the year but not in the community in Kent on 31 March.
    Person(people, category=1, level=2).event(EventKind.RECALL, d("2024-11-01"))  # A: still in custody
    Person(people, category=2, level=2).event(EventKind.HOSPITAL_DETENTION, d("2024-12-01"))  # B: in hospital
    Person(people, category=2, level=2).exit(d("2024-11-20"))  # H: exited
    Person(people, category=3, level=2).exit(d("2024-05-05"))  # J: exited
    Person(people, category=3, level=2).event(EventKind.CUSTODY, LAST_DAY)  # K: into custody on 31 March
    Person(people, category=3, level=2).event(EventKind.RECALL, d("2025-02-02"))  # L
    Person(people, category=1, level=3).event(EventKind.RECALL, FIRST_DAY)  # M: recalled on the first day
    Person(people, category=3, level=3).exit(d("2025-01-10"))  # C: exited
    Person(people, category=3, level=3).event(EventKind.HOSPITAL_DETENTION, d("2024-08-08"))  # N
    g = Person(people, category=3, level=2).event(EventKind.BREACH_SHPO, d("2024-06-01"), returned_to_custody=True)
    g.event(EventKind.RELEASE, d("2024-06-20"))  # in Kent then
    g.transfer(d("2025-02-01"), sussex)  # G: in Sussex on 31 March; managed at Level 2 in both areas

    # Never counted.
    cat4 = Person(people, category=4, level=2)
    recalled_and_released(cat4, "2024-06-01", "2024-07-01")
    cat4.event(EventKind.BREACH_SRO_NOTIFICATION, d("2024-06-01"))
    Person(people, category=1, level=1).exit(d("2020-02-02"))
    Person(people, category=1, level=1, since=DAY_AFTER)


def kent(people: People) -> AnnualReport:
    return annual_report(people.area, 2024)


def rows(report: AnnualReport, key: str) -> list[tuple[str, list[object]]]:
    return [(row.label, list(row.cells)) for row in report.table(key).rows]


def test_snapshot_on_31_march_by_category_and_level(people: People, histories: None) -> None:
    table = kent(people).table("eligible")
    assert table.title == "MAPPA-eligible individuals on 31 March 2025"
    assert table.header == (
        "",
        "Category 1: Subject to sex offender notification requirements",
        "Category 2: Violent offenders",
        "Category 3: Other dangerous offenders",
        "Total",
    )
    assert [(row.label, list(row.cells)) for row in table.rows] == [
        ("Level 1", [1, 8, "-", 9]),
        ("Level 2", [3, 5, 6, 14]),
        ("Level 3", [7, 2, 4, 13]),
        ("Total", [11, 15, 10, 36]),
    ]


def test_levels_2_and_3_during_the_year_count_each_person_once_at_their_highest_level(
    people: People, histories: None
) -> None:
    # Beyond the snapshot's people: D, I, A, B, H, J, K, L and G at Level 2 (each had days in the
    # community in Kent at that level; G moved to Sussex in February and is counted there too); the
    # mover at Level 3, his highest; N and C at Level 3; Q under Category 1, his category on his last
    # day at Level 2; E (at Level 3 only until the day before the year) not at all; M, recalled on
    # the first day of the year and in custody all year, not at all.
    assert rows(kent(people), "managed") == [
        ("Level 2", [5, 7, 10, 22]),
        ("Level 3", [7, 3, 6, 16]),
        ("Total", [12, 10, 16, 38]),
    ]


def test_category_1_breaches_revocations_and_orders(people: People, histories: None) -> None:
    report = kent(people)
    assert [cells for _, cells in rows(report, "notification")] == [[2], [3], [1]]
    assert rows(report, "orders") == [
        ("Sexual Harm Prevention Order (SHPO)", [4]),  # Q's too, made while in Category 2
        ("SHPO with foreign travel restriction", [1]),
        ("Notification Order", [2]),
    ]
    assert [cells for _, cells in rows(report, "sro")] == [[2]]


def test_returns_to_custody_by_level_and_category(people: People, histories: None) -> None:
    report = kent(people)
    assert report.table("recalls").header[0] == "Returned to custody for breach of licence"
    assert rows(report, "recalls") == [
        ("Level 2", [1, 2, 6, 9]),
        ("Level 3", [7, 3, 4, 14]),
        ("Total", [8, 5, 10, 23]),
    ]
    assert rows(report, "shpo_breaches") == [("Level 2", [2]), ("Level 3", [1]), ("Total", [3])]


def test_category_1_per_100000_uses_the_areas_population(people: People, histories: None) -> None:
    table = kent(people).table("rate")
    assert table.rows[0].cells == (89,)  # 11 / 12,345 x 100,000 = 89.1
    assert "12,345" in table.note


def test_without_a_population_the_rate_is_not_calculated(people: People, histories: None) -> None:
    AreaPopulation.objects.all().delete()
    table = kent(people).table("rate")
    assert table.rows[0].cells == ("-",)
    assert "has not been entered" in table.note


def test_a_person_is_counted_where_they_lived_on_the_day(people: People, histories: None) -> None:
    sussex = annual_report(people.other_area, 2024)
    assert rows(sussex, "eligible")[1] == ("Level 2", [0, 0, 1, 1])  # G, moved there in February
    assert rows(sussex, "eligible")[3] == ("Total", [0, 0, 1, 1])  # T moved away in January
    assert rows(sussex, "managed")[0] == ("Level 2", [0, 0, 1, 1])
    assert rows(sussex, "shpo_breaches")[2] == ("Total", [0])  # G's breach was in Kent


def test_the_report_is_a_fixed_number_of_queries(
    people: People, histories: None, django_assert_num_queries: Callable[..., object]
) -> None:
    # One per table, two for table 3, four for table 2 (the people and their histories), the
    # population, and two for table 9 (the charges, the reviews).
    with django_assert_num_queries(14):
        kent(people)


TABLE_OUTPUT = """\
Kent and Medway MAPPA annual report 2024-25
1 April 2024 to 31 March 2025

MAPPA-eligible individuals on 31 March 2025

                                                   Category 1:       Category 2: Category 3: Other             Total
                                                Subject to sex Violent offenders         dangerous
                                                      offender                           offenders
                                                  notification
                                                  requirements
Level 1                                                      1                 8                 -                 9
Level 2                                                      3                 5                 6                14
Level 3                                                      7                 2                 4                13
Total                                                       11                15                10                36

People living in the community on that day: not those in custody or detained in hospital.
"""


def test_the_table_output_follows_the_published_layout(people: People, histories: None) -> None:
    text = as_text(kent(people))
    assert text.startswith(TABLE_OUTPUT)
    lines = text.splitlines()
    grid = lines[lines.index("MAPPA-eligible individuals on 31 March 2025") + 2 :][:10]
    headings = [line for line in grid if not line.startswith(("Level", "Total"))]
    figures = [line.split() for line in grid if line.startswith(("Level", "Total"))]
    # Headings in the published order, wrapped into columns above the figures.
    assert " ".join(" ".join(line.split()) for line in headings).startswith("Category 1: Category 2: Category 3:")
    assert figures == [
        ["Level", "1", "1", "8", "-", "9"],
        ["Level", "2", "3", "5", "6", "14"],
        ["Level", "3", "7", "2", "4", "13"],
        ["Total", "11", "15", "10", "36"],
    ]
    # Each figure sits under its heading: right-aligned to the same column.
    widths = {len(line) for line in grid if line.startswith(("Level", "Total"))}
    assert len(widths) == 1
    order = [
        "MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)",
        "Category 1 cautioned for breach of",
        "Restrictive orders for Category 1 offenders",
        "Sexual Harm Prevention Order (SHPO)",
        "Level 2 and 3 individuals returned to custody",
        "Returned to custody for breach of licence",
        "Breach of SHPO",
        "Total number of individuals subject to sex",
    ]
    positions = [text.index(title) for title in order]
    assert positions == sorted(positions)


def test_the_command_prints_table_csv_and_json(
    people: People, histories: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("annual_report", "--area", "kent", "--year", "2024", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == {"start": "2024-04-01", "end": "2025-03-31"}
    assert data["tables"][0]["rows"][0] == {"label": "Level 1", "cells": [1, 8, "-", 9]}
    assert AnnualReport.from_dict(data) == kent(people)

    call_command("annual_report", "--area", "KENT", "--year", "2024", "--format", "csv")
    csv_text = capsys.readouterr().out
    assert csv_text == as_csv(kent(people))
    assert "Level 2,3,5,6,14" in csv_text.replace("\r\n", "\n")

    call_command("annual_report", "--area", "KENT", "--year", "2024")
    assert capsys.readouterr().out == as_text(kent(people))


def test_the_command_names_the_areas_when_the_code_is_wrong(people: People) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="areas: KENT, SUSSEX"):
        call_command("annual_report", "--area", "NOWHERE", "--year", "2024")
    with pytest.raises(CommandError, match="year such as 2024"):
        call_command("annual_report", "--area", "KENT", "--year", "24")
