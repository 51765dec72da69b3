"""The main pages, as `devtools/management/commands/benchmark.py` requests them, run the same number
of SQL statements however many rows they show. Each page is requested once to fill its caches, then
counted, then counted again after more of what it lists has been added; the added rows must show.

Covered elsewhere: the plain nominal list and a nominal's page (tests/cases/test_pages.py), the
referral queue (tests/referrals/test_pages.py), the audit search (tests/audit/test_pages.py) and the
agency directory (tests/agencies/test_directory.py).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from cases.models import Level, Nominal
from cases.services import nominal_share
from meetings.models import Attendance, Meeting, MeetingKind, PanelDay, Pillar
from meetings.services import (
    action_add,
    meeting_mark_held,
    meeting_record_attendance,
    meeting_schedule,
    panel_days_schedule,
)
from referrals.services import referral_submit
from reporting import freshness
from reporting.models import ReportRun
from reporting.tasks import generate_annual_report
from tests.conftest import People, client_for
from tests.meeting_fixtures import Setting
from tests.nominal_fixtures import Cases, make_nominal
from tests.referrals.conftest import make_referral
from tests.reporting.histories import Person
from tests.reporting.kpi_world import action, held

pytestmark = [pytest.mark.django_db, pytest.mark.dated]

# Statements any of these pages may run; the count seen first is then held exactly. It is read as
# soon as its block ends: a request outside the block empties the connection's log of queries.
MOST = 60
ATTENDED = {"attendance": Attendance.ATTENDED, "attendee_name": "Someone"}


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def nominal(people: People, **details: object) -> Nominal:
    """A nominal in Kent, led by Kent Police unless `details` says otherwise."""
    return make_nominal(actor=people.coordinator, area=people.area, **{"lead_agency": people.police, **details})


def on(panel_day: PanelDay, people: People, nominal: Nominal, hour: int) -> Meeting:
    return meeting_schedule(
        actor=people.coordinator,
        nominal=nominal,
        kind=MeetingKind.REVIEW,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=timezone.make_aware(datetime.datetime.combine(panel_day.date, datetime.time(hour))),
        panel_day=panel_day,
    )


def test_name_search(
    people: People,
    cases: Cases,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # The same name on every match: words on SQLite, an exact trigram match on PostgreSQL.
    nominal(people, first_name="Dorian", last_name="Fairweather")
    client, path = client_for(people.coordinator), "/nominals/?q=Dorian+Fairweather"
    client.get(path)
    with django_assert_max_num_queries(MOST) as baseline:
        before = page(client, path)
    queries = len(baseline.captured_queries)
    for _ in range(5):
        nominal(people, first_name="Dorian", last_name="Fairweather")
    with django_assert_num_queries(queries):
        after = page(client, path)
    assert (before.count("FAIRWEATHER, Dorian"), after.count("FAIRWEATHER, Dorian")) == (1, 6)
    assert cases.own.case_reference not in after


def test_nominal_list_of_a_lead_agency_practitioner(
    people: People,
    cases: Cases,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(people.practitioner)
    client.get("/nominals/")
    with django_assert_max_num_queries(MOST) as baseline:
        before = page(client, "/nominals/")
    queries = len(baseline.captured_queries)
    led = [nominal(people, last_name=f"Led{number}") for number in range(4)]
    shared = [nominal(people, lead_agency=people.unit, last_name=f"Shared{number}") for number in range(4)]
    for each in shared:
        nominal_share(actor=people.coordinator, nominal=each, agency=people.police, include_restricted=False)
    with django_assert_num_queries(queries):
        after = page(client, "/nominals/")
    assert cases.own.case_reference in before
    assert cases.shared.case_reference in before
    assert all(each.case_reference in after for each in led + shared)


def test_panel_day(
    people: People,
    setting: Setting,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client, path = client_for(people.coordinator), f"/meetings/panel-days/{setting.panel_day.pk}/"
    client.get(path)
    with django_assert_max_num_queries(MOST) as baseline:
        page(client, path)
    queries = len(baseline.captured_queries)
    added = [nominal(people, level=Level.LEVEL_2, last_name=f"Panel{hour}") for hour in range(11, 16)]
    for hour, each in enumerate(added, start=11):
        on(setting.panel_day, people, each, hour)
    with django_assert_num_queries(queries):
        after = page(client, path)
    assert all(each.case_reference in after for each in added)


def test_agency_workspace(
    people: People,
    setting: Setting,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    (next_panel_day,) = panel_days_schedule(
        actor=people.coordinator,
        district=setting.panel_day.district,
        first=timezone.localdate() + datetime.timedelta(days=7),
        months=1,
        place="Maidstone police station",
        video_link="",
        standing_agencies=[people.housing],
    )

    def add(hour: int) -> tuple[str, str]:
        """A case held on the last panel day with an action for housing, on the agenda of the next,
        and a referral housing made."""
        case = nominal(people, level=Level.LEVEL_2)
        held = on(setting.panel_day, people, case, hour)
        attended = dict.fromkeys(held.invitations.all(), ATTENDED)
        meeting_record_attendance(actor=people.coordinator, meeting=held, rows=attended)
        meeting_mark_held(actor=people.coordinator, meeting=held)
        values = {
            "pillar": Pillar.VICTIM_SAFETY_PLANNING,
            "description": f"Task {hour}",
            "owning_agency": people.housing,
            "owner": people.housing_officer,
            "due": timezone.localdate() + datetime.timedelta(days=hour),
        }
        action_add(actor=people.coordinator, meeting=held, values=values)
        on(next_panel_day, people, case, hour)
        referral = make_referral(people.housing_officer, lead_agency=people.police)
        return case.case_reference, referral_submit(actor=people.housing_officer, referral=referral).reference

    add(11)
    client = client_for(people.housing_officer)
    client.get("/meetings/work/")
    with django_assert_max_num_queries(MOST) as baseline:
        page(client, "/meetings/work/")
    queries = len(baseline.captured_queries)
    added = [add(hour) for hour in range(12, 16)]
    with django_assert_num_queries(queries):
        after = page(client, "/meetings/work/")
    assert after.count("Update<span") == 5  # one per action
    for case, referral in added:
        assert f"the action for {case} due" in after
        assert f"{case}, Level 2 review" in after  # its next meeting
        assert referral in after


def test_my_meetings(
    people: People,
    setting: Setting,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(people.chair)
    client.get("/meetings/")
    with django_assert_max_num_queries(MOST) as baseline:
        page(client, "/meetings/")
    queries = len(baseline.captured_queries)
    added = [nominal(people, level=Level.LEVEL_2, last_name=f"Chaired{hour}") for hour in range(11, 16)]
    for hour, each in enumerate(added, start=11):
        on(setting.panel_day, people, each, hour)
    with django_assert_num_queries(queries):
        after = page(client, "/meetings/")
    assert all(f"{each.case_reference}: review meeting, Level 2" in after for each in added)


def test_audit_history_of_a_nominal(
    people: People,
    cases: Cases,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client, path = client_for(people.auditor), f"/audit/nominals/{cases.own.case_reference}/"
    client.get(path)
    with django_assert_max_num_queries(MOST) as baseline:
        before = page(client, path)
    queries = len(baseline.captured_queries)
    for user in (people.coordinator, people.practitioner) * 2:
        client_for(user).get(f"/nominals/{cases.own.case_reference}/")
    with django_assert_num_queries(queries):
        after = page(client, path)
    rows = '<tr class="govuk-table__row">'
    assert after.count(rows) >= before.count(rows) + 4
    assert 'href="/audit/users/practitioner/"' in after


def test_audit_activity_of_a_user(
    people: People,
    cases: Cases,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client, path = client_for(people.auditor), "/audit/users/practitioner/"
    practitioner = client_for(people.practitioner)
    practitioner.get(f"/nominals/{cases.own.case_reference}/")
    client.get(path)
    with django_assert_max_num_queries(MOST) as baseline:
        before = page(client, path)
    queries = len(baseline.captured_queries)
    for each in (cases.shared, cases.own, cases.shared):
        practitioner.get(f"/nominals/{each.case_reference}/")
    with django_assert_num_queries(queries):
        after = page(client, path)
    rows = '<tr class="govuk-table__row">'
    assert after.count(rows) >= before.count(rows) + 3
    assert f'href="/audit/nominals/{cases.shared.case_reference}/"' in after


@pytest.fixture
def april_2025() -> Iterator[None]:
    """The statistics are read on 20 April 2025, as in tests/reporting."""
    with time_machine.travel(datetime.datetime(2025, 4, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield


def actions_figure(dashboard: str) -> str:
    found = re.search(r'id="kpi-actions-figure">([^<]*)<', dashboard)
    assert found is not None
    return found.group(1)


def test_kpi_dashboard(
    april_2025: None,
    people: People,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # Counted with every figure worked out afresh, not read from the cache.
    meeting = held(people, Person(people, category=2, level=2), "2025-01-15")
    action(people, meeting, people.police, "2025-02-10")
    client = client_for(people.coordinator)
    client.get("/statistics/")
    freshness.forget([people.area.pk])
    with django_assert_max_num_queries(MOST) as baseline:
        before = page(client, "/statistics/")
    queries = len(baseline.captured_queries)
    for month in range(1, 4):
        meeting = held(people, Person(people, category=2, level=2), f"2025-0{month}-15")
        action(people, meeting, people.housing, f"2025-0{month}-20")
    freshness.forget([people.area.pk])
    with django_assert_num_queries(queries):
        after = page(client, "/statistics/")
    assert (actions_figure(before), actions_figure(after)) == ("0% (0 of 1)", "0% (0 of 4)")


def level_2_eligible(report: str) -> list[str]:
    """The Level 2 row of the report's first table: Categories 1, 2 and 3, and the total."""
    row = report.split('id="table-eligible"')[1].split("Level 2</th>")[1].split("</tr>")[0]
    return re.findall(r">([^<]*)</td>", row)


def test_annual_report_prepared(
    april_2025: None,
    people: People,
    django_assert_num_queries: DjangoAssertNumQueries,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    def prepared() -> str:
        run = ReportRun.objects.create(area=people.area, year=2024, requested_by=people.coordinator)
        assert generate_annual_report(run.pk) == "done"
        return f"/statistics/annual-reports/{run.pk}/"

    Person(people, category=2, level=2)
    client, first = client_for(people.coordinator), prepared()
    client.get(first)
    with django_assert_max_num_queries(MOST) as baseline:
        before = page(client, first)
    queries = len(baseline.captured_queries)
    for _ in range(6):
        Person(people, category=2, level=2)
    second = prepared()
    with django_assert_num_queries(queries):
        after = page(client, second)
    assert (level_2_eligible(before), level_2_eligible(after)) == (["0", "1", "0", "1"], ["0", "7", "0", "7"])
