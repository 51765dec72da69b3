"""The KPI dashboard's figures are cached per area and indicator, and an indicator's are forgotten whenever
a record of the area it counts changes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Action, ActionStatus, Invitation
from referrals.models import Referral
from reporting.freshness import versions
from reporting.kpis import KPIS, KPIS_BY_KEY
from tests.conftest import client_for
from tests.reporting.histories import Person
from tests.reporting.kpi_world import World, referral

pytestmark = pytest.mark.django_db

QUARTER = "/statistics/?since=2025-01-01&until=2025-03-01"


@pytest.fixture(autouse=True)
def on_20_april_2025() -> Any:
    with time_machine.travel(datetime.datetime(2025, 4, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _queries(client: Any, path: str) -> tuple[str, int]:
    """The page (without its per-response form token) and the number of queries it took."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode()), len(
        captured.captured_queries
    )


def _versions(area_id: int) -> dict[str, str]:
    return versions(area_id, KPIS_BY_KEY)


def _forgotten(area_id: int, change: Callable[[], object]) -> set[str]:
    """The indicators whose figures the change forgot in the area."""
    before = _versions(area_id)
    change()
    after = _versions(area_id)
    return {key for key in KPIS_BY_KEY if after[key] != before[key]}


def test_the_figures_are_kept_until_a_record_they_count_changes(world: World) -> None:
    client = client_for(world.people.coordinator)
    first, computed = _queries(client, QUARTER)
    again, cached = _queries(client, QUARTER)
    assert 'id="kpi-actions-figure">60% (3 of 5)<' in first
    assert again == first
    assert cached == computed - len(KPIS)

    late = Action.objects.filter(meeting__area=world.people.area, due__lt=datetime.date(2025, 4, 1)).exclude(
        status=ActionStatus.COMPLETE
    )[0]
    late.status, late.completed_on = ActionStatus.COMPLETE, late.due
    late.save()
    changed, recomputed = _queries(client, QUARTER)
    assert 'id="kpi-actions-figure">80% (4 of 5)<' in changed
    assert recomputed == cached + 1  # the actions indicator alone is worked out again
    assert _figures(changed) == {**_figures(first), "actions": "80% (4 of 5)"}


def _figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'id="kpi-(\w+)-figure">([^<]*)<', page))


def test_each_kind_of_record_counted_forgets_the_indicators_that_count_it(world: World) -> None:
    area = world.people.area
    meeting = next(iter(world.meetings.values()))
    area.refresh_from_db()
    person = Person(world.people, category=2, level=2)
    every = set(KPIS_BY_KEY)
    meetings = {"first_meeting", "reviews", "attendance", "minutes", "actions"}
    changes: list[tuple[Callable[[], object], set[str]]] = [
        (lambda: area.save(), every),
        (lambda: meeting.nominal.save(), every),
        (lambda: referral(world.people), {"screening", "custodial", "first_meeting"}),
        (lambda: meeting.save(), meetings),
        (lambda: Invitation.objects.filter(meeting__area=area)[0].save(), {"attendance"}),
        (lambda: Invitation.objects.filter(meeting__area=area)[0].delete(), {"attendance"}),
        (lambda: Action.objects.filter(meeting__area=area)[0].save(), {"actions"}),
        (lambda: person.exit(datetime.date(2025, 4, 1)), {"reviews"}),
    ]
    for change, indicators in changes:
        assert _forgotten(area.pk, change) == indicators


def test_a_change_in_another_area_leaves_this_areas_figures(world: World) -> None:
    here, there = world.people.area, world.people.other_area
    before = _versions(here.pk), _versions(there.pk)
    Referral.objects.create(
        reference="REF-SUSSEX", area=there, referring_agency=world.people.housing, referrer=world.people.housing_officer
    )
    assert _versions(here.pk) == before[0]
    assert _versions(there.pk)["screening"] != before[1]["screening"]


def test_a_transfer_forgets_the_area_left_and_the_area_joined(world: World) -> None:
    here, there = world.people.area, world.people.other_area
    person = Person(world.people, category=2, level=2)
    before = _versions(here.pk), _versions(there.pk)
    person.nominal.area = there
    person.nominal.save()
    for area, versions_before in zip((here, there), before, strict=True):
        assert all(_versions(area.pk)[key] != versions_before[key] for key in KPIS_BY_KEY)


def test_figures_worked_out_before_the_change_commits_are_forgotten_when_it_does(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    area = world.people.area
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral(world.people)
    during = _versions(area.pk)  # as a dashboard worked out from the uncommitted records would be kept
    assert callbacks
    for callback in callbacks:
        callback()
    assert _versions(area.pk)["screening"] != during["screening"]
