"""The statistics pages: who reaches them, the cases behind a figure, and annual reports prepared
in the background."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AreaPopulation, Role
from cases.models import EventKind
from mappa.audit.models import AuditEntry, AuditEvent
from reporting.models import ReportRun, RunStatus
from reporting.tasks import generate_annual_report, sweep_report_runs
from tests.conftest import People, client_for
from tests.factories import make_user
from tests.reporting.histories import Person
from tests.reporting.kpi_world import World

pytestmark = [pytest.mark.django_db, pytest.mark.dated]

QUARTER = "since=2025-01-01&until=2025-03-01"
PAGES = [
    "/statistics/",
    "/statistics/kpis/actions/",
    "/statistics/agencies/",
    "/statistics/annual-reports/",
]


def text(response: Any) -> str:
    """The page with its whitespace collapsed, to find sentences that wrap in the template."""
    return " ".join(response.content.decode().split())


@pytest.fixture(autouse=True)
def on_20_april_2025() -> Any:
    with time_machine.travel(datetime.datetime(2025, 4, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.mark.parametrize("path", PAGES)
def test_only_coordinators_reach_the_statistics(people: People, path: str) -> None:
    assert client_for(people.coordinator).get(path).status_code == 200
    for user in (people.chair, people.practitioner, people.housing_officer, people.auditor, people.administrator):
        assert client_for(user).get(path).status_code == 404, user.username


def test_the_dashboard_shows_each_figure_with_a_chart_and_a_table(world: World) -> None:
    response = client_for(world.people.coordinator).get(f"/statistics/?{QUARTER}")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="kpi-screening-figure">86% (6 of 7)<' in page
    assert 'id="kpi-actions-figure">60% (3 of 5)<' in page
    assert page.count('role="img"') == 7
    assert "Actions completed by their due date as a table" in page
    assert "/statistics/kpis/actions/?since=2025-01-01&amp;until=2025-03-01&amp;month=2025-03" in page


def test_a_wrong_period_is_explained_and_shows_nothing(world: World) -> None:
    client = client_for(world.people.coordinator)
    response = client.get("/statistics/?since=2025-03-01&until=2025-01-01")
    assert response.status_code == 400
    assert "The end of the period must be the same month as the start or later" in response.content.decode()
    assert client.get("/statistics/?since=2021-01-01&until=2025-01-01").status_code == 400
    assert client.get("/statistics/kpis/actions/?since=nonsense&until=2025-01-01").status_code == 400
    assert client.get("/statistics/kpis/no-such-thing/").status_code == 404


def test_the_cases_behind_a_figure_respect_category_4_clearance_and_are_logged(world: World) -> None:
    people = world.people
    uncleared = make_user("coordinator2", agency=people.unit, roles=(Role.COORDINATOR,))
    path = f"/statistics/kpis/actions/?{QUARTER}&month=2025-03"

    cleared_page = text(client_for(people.coordinator).get(path))
    assert world.category4.nominal.case_reference in cleared_page
    assert "3 actions in March 2025" in cleared_page

    page = text(client_for(uncleared).get(path))
    assert world.category4.nominal.case_reference not in page
    assert "2 actions in March 2025" in page
    assert "1 more action counts towards the figure but is not listed" in page
    entry = AuditEntry.objects.filter(actor=uncleared, event=AuditEvent.VIEW).latest("pk")
    assert entry.additional_data["page"] == "Statistics: Actions completed by their due date"
    shown = set(entry.additional_data["shown"])
    assert shown == {world.meetings["m4"].nominal_id}
    assert entry.ground == "Performance monitoring"


def test_the_cases_behind_a_figure_narrow_by_outcome_and_agency(world: World) -> None:
    client = client_for(world.people.coordinator)
    missed = text(client.get(f"/statistics/kpis/actions/?{QUARTER}&outcome=missed"))
    assert "2 actions from January 2025 to March 2025 that missed the target" in missed
    police = text(client.get(f"/statistics/kpis/attendance/?{QUARTER}&agency={world.people.police.pk}"))
    assert "3 invitations from January 2025 to March 2025 for Kent Police" in police
    other_area_agency = client.get(f"/statistics/kpis/actions/?{QUARTER}&month=2025-13").status_code
    assert other_area_agency == 200  # an impossible month is ignored


def test_a_late_review_shows_the_later_date_the_minutes_set_and_why(world: World) -> None:
    client = client_for(world.people.coordinator)
    late = html.unescape(text(client.get(f"/statistics/kpis/reviews/?{QUARTER}&outcome=missed")))

    assert "2 reviews from January 2025 to March 2025 that missed the target" in late
    assert "review due by 9 Feb 2025; the minutes set 25 Feb 2025, because: The district's next panel day." in late
    assert "review due by 14 Feb 2025" in late


def test_another_areas_coordinator_sees_only_their_own_area(world: World) -> None:
    page = client_for(world.people.other_area_coordinator).get(f"/statistics/kpis/actions/?{QUARTER}").content.decode()
    assert "0 actions" in page
    assert world.meetings["m4"].nominal.case_reference not in page


def test_drill_down_queries_do_not_grow_with_the_rows(world: World) -> None:
    client = client_for(world.people.coordinator)
    path = f"/statistics/kpis/actions/?{QUARTER}"
    with CaptureQueriesContext(connection) as before:
        client.get(path)
    m4 = world.meetings["m4"]
    for _ in range(5):
        Person(world.people, category=2, level=2)
        m4.actions.create(
            nominal=m4.nominal,
            pillar="supervision",
            description="More",
            owning_agency=world.people.police,
            due=datetime.date(2025, 2, 2),
            recorded_by=world.people.coordinator,
        )
    with CaptureQueriesContext(connection) as after:
        client.get(path)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_agency_engagement_page(world: World) -> None:
    page = client_for(world.people.coordinator).get(f"/statistics/agencies/?{QUARTER}").content.decode()
    assert "Kent Police" in page
    assert "Maidstone Housing" in page
    assert "All agencies" in page


def population(people: People) -> None:
    AreaPopulation.objects.create(area=people.area, year=2024, population_aged_10_plus=100_000)


def test_an_annual_report_is_prepared_in_the_background_and_kept(
    people: People, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    population(people)
    Person(people, category=1, level=1)
    Person(people, category=2, level=2).event(EventKind.RECALL, datetime.date(2024, 6, 1))
    client = client_for(people.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/statistics/annual-reports/", {"year": "2024"})
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/statistics/annual-reports/{run.pk}/"
    assert (run.status, run.tables_done, run.requested_by) == (RunStatus.DONE, 9, people.coordinator)
    page = client.get(response["Location"]).content.decode()
    assert "MAPPA-eligible individuals on 31 March 2025" in page
    assert "Download as CSV" in page

    csv_response = client.get(f"/statistics/annual-reports/{run.pk}/report.csv")
    assert csv_response["Content-Disposition"] == 'attachment; filename="mappa-annual-report-kent-2024.csv"'
    assert "Level 1,1,0,-,1" in csv_response.content.decode().replace("\r\n", "\n")
    assert AuditEntry.objects.filter(actor=people.coordinator, event=AuditEvent.EXPORT).count() == 1
    listing = client.get("/statistics/annual-reports/").content.decode()
    assert "1 April 2024 to 31 March 2025" in listing
    assert "Ready" in listing


def test_progress_is_shown_while_a_report_is_prepared(people: People) -> None:
    run = ReportRun.objects.create(area=people.area, year=2024, requested_by=people.coordinator)
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, tables_done=3)
    client = client_for(people.coordinator)
    page = client.get(f"/statistics/annual-reports/{run.pk}/").content.decode()
    assert "3 of 8 tables done" in page
    assert 'hx-trigger="every 2s"' in page
    assert client.get(f"/statistics/annual-reports/{run.pk}/report.csv").status_code == 404

    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, tables_done=0)
    generate_annual_report(run.pk)
    partial = client.get(f"/statistics/annual-reports/{run.pk}/", headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true"
    assert "<html" not in partial.content.decode()


def test_a_report_run_twice_is_prepared_once(people: People) -> None:
    run = ReportRun.objects.create(area=people.area, year=2024, requested_by=people.coordinator)
    assert generate_annual_report(run.pk) == "done"
    assert generate_annual_report(run.pk) == "nothing to do"


def test_the_sweep_queues_runs_the_broker_never_took(people: People) -> None:
    run = ReportRun.objects.create(area=people.area, year=2024, requested_by=people.coordinator)
    ReportRun.objects.filter(pk=run.pk).update(requested_at=datetime.datetime(2025, 4, 20, 11, tzinfo=datetime.UTC))
    assert sweep_report_runs() == 1  # tasks run eagerly in the tests
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.DONE
    assert sweep_report_runs() == 0


def test_a_failed_report_says_so(people: People, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("reporting.tasks.annual_report", broken)
    run = ReportRun.objects.create(area=people.area, year=2024, requested_by=people.coordinator)
    assert generate_annual_report(run.pk) == "failed"
    page = client_for(people.coordinator).get(f"/statistics/annual-reports/{run.pk}/").content.decode()
    assert "The report could not be prepared" in page


def test_a_year_outside_the_choices_is_refused(people: People) -> None:
    client = client_for(people.coordinator)
    for year in ("2026", "1999", "twenty"):
        response = client.post("/statistics/annual-reports/", {"year": year})
        assert response.status_code == 400, year
    assert not ReportRun.objects.exists()


def test_another_areas_report_is_not_found(people: People) -> None:
    run = ReportRun.objects.create(area=people.area, year=2024, requested_by=people.coordinator)
    sussex = client_for(people.other_area_coordinator)
    assert sussex.get(f"/statistics/annual-reports/{run.pk}/").status_code == 404
    assert sussex.get(f"/statistics/annual-reports/{run.pk}/report.csv").status_code == 404
