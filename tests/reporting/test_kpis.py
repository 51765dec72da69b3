"""Each KPI over January to March 2025, seen on 20 April 2025, from records with fixed dates."""

from __future__ import annotations

import pytest

from meetings.models import LevelDecision, Meeting
from reporting.engagement import agency_engagement
from reporting.kpis import KPIS_BY_KEY, Measure, Period, measure
from tests.reporting.kpi_world import QUARTER, TODAY, World

pytestmark = [pytest.mark.django_db, pytest.mark.dated]


def months(result: Measure) -> list[tuple[int, int]]:
    return [(month.met, month.counted) for month in result.months]


def kpi(world: World, key: str, period: Period = QUARTER) -> Measure:
    return measure(KPIS_BY_KEY[key], world.people.area, period, TODAY)


def test_referrals_screened_within_target_by_month_of_decision(world: World) -> None:
    result = kpi(world, "screening")
    assert (result.met, result.counted) == (6, 7)
    assert months(result) == [(3, 3), (1, 2), (2, 2)]


def test_custodial_referrals_made_six_months_before_release(world: World) -> None:
    result = kpi(world, "custodial")
    assert (result.met, result.counted) == (1, 2)
    assert months(result) == [(0, 0), (0, 0), (1, 2)]


def test_first_meetings_held_within_target_leave_out_those_not_yet_due(world: World) -> None:
    result = kpi(world, "first_meeting")
    assert months(result) == [(1, 1), (0, 1), (0, 1)]


def test_reviews_are_due_within_the_levels_interval_whatever_date_the_minutes_set(world: World) -> None:
    result = kpi(world, "reviews")
    assert months(result) == [(1, 1), (0, 2), (0, 0)]


def test_a_lowered_or_exited_case_has_no_review_due(world: World, people) -> None:
    n1 = world.meetings["m2"].nominal
    Meeting.objects.filter(nominal=n1).update(new_level=1, level_decision=LevelDecision.LOWER)
    assert months(kpi(world, "reviews")) == [(0, 0), (0, 2), (0, 0)]


def test_attendance_counts_attended_or_sent_a_report(world: World) -> None:
    result = kpi(world, "attendance")
    assert months(result) == [(1, 2), (2, 3), (0, 0)]


def test_minutes_distributed_within_target(world: World) -> None:
    result = kpi(world, "minutes")
    # January: distributed in 5 days. February: one never distributed, one in 23 days.
    # March: exactly 10 days.
    assert months(result) == [(1, 1), (0, 2), (1, 1)]


def test_actions_completed_by_their_due_date(world: World) -> None:
    result = kpi(world, "actions")
    assert months(result) == [(1, 1), (0, 1), (2, 3)]  # March includes the Category 4 case's action


def test_a_district_narrows_every_indicator(world: World) -> None:
    in_maidstone = Period(QUARTER.since, QUARTER.until, world.maidstone)
    assert months(kpi(world, "screening", in_maidstone)) == [(1, 1), (0, 0), (0, 0)]
    assert kpi(world, "actions", in_maidstone).counted == 0


def test_each_indicator_is_one_query(world: World, django_assert_num_queries: object) -> None:
    for key in KPIS_BY_KEY:
        with django_assert_num_queries(1):  # type: ignore[operator]
            kpi(world, key)


def test_agency_engagement_by_agency(world: World) -> None:
    rows = {row.name: row for row in agency_engagement(world.people.area, QUARTER, TODAY)}
    police, housing = rows["Kent Police"], rows["Maidstone Housing"]
    assert (police.invited, police.attended, police.report, police.apologies, police.absent) == (3, 2, 1, 0, 0)
    assert (housing.invited, housing.attended, housing.report, housing.apologies, housing.absent) == (2, 0, 0, 1, 1)
    assert (police.actions_due, police.on_time, police.late, police.not_done, police.overdue) == (3, 2, 1, 0, 0)
    assert (housing.actions_due, housing.on_time, housing.late, housing.overdue) == (2, 1, 0, 1)
    assert police.attendance_share == 1.0
    assert housing.completion_share == 0.5
