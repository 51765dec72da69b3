"""The KPI dashboard's figures are cached per area, and forgotten whenever the area's records change."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mappa.statistics.freshness import area_version
from mappa.statistics.kpis import KPIS
from meetings.models import Action, ActionStatus, Invitation
from referrals.models import Referral
from tests.conftest import client_for
from tests.statistics.histories import Person
from tests.statistics.kpi_world import World, referral

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


def test_the_figures_are_kept_until_a_record_of_the_area_changes(world: World) -> None:
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
    assert recomputed == computed


def test_each_kind_of_record_counted_forgets_its_area(world: World) -> None:
    area = world.people.area
    meeting = next(iter(world.meetings.values()))
    area.refresh_from_db()
    changes = [
        lambda: area.save(),
        lambda: referral(world.people),
        lambda: meeting.save(),
        lambda: Invitation.objects.filter(meeting__area=area)[0].save(),
        lambda: Invitation.objects.filter(meeting__area=area)[0].delete(),
        lambda: Action.objects.filter(meeting__area=area)[0].save(),
        lambda: meeting.nominal.save(),
    ]
    for change in changes:
        before = area_version(area.pk)
        change()
        assert area_version(area.pk) != before


def test_a_change_in_another_area_leaves_this_areas_figures(world: World) -> None:
    here, there = world.people.area, world.people.other_area
    before = area_version(here.pk), area_version(there.pk)
    Referral.objects.create(
        reference="REF-SUSSEX", area=there, referring_agency=world.people.housing, referrer=world.people.housing_officer
    )
    assert area_version(here.pk) == before[0]
    assert area_version(there.pk) != before[1]


def test_a_transfer_forgets_the_area_left_and_the_area_joined(world: World) -> None:
    here, there = world.people.area, world.people.other_area
    person = Person(world.people, category=2, level=2)
    before = area_version(here.pk), area_version(there.pk)
    person.nominal.area = there
    person.nominal.save()
    assert area_version(here.pk) != before[0]
    assert area_version(there.pk) != before[1]


def test_figures_worked_out_before_the_change_commits_are_forgotten_when_it_does(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    area = world.people.area
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral(world.people)
    during = area_version(area.pk)  # as a dashboard worked out from the uncommitted records would be kept
    assert callbacks
    for callback in callbacks:
        callback()
    assert area_version(area.pk) != during
