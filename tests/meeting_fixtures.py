"""A Level 2 nominal on a Maidstone panel day, with police and housing as standing members."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from cases.models import Source
from cases.services import nominal_level_change
from meetings.models import Meeting, MeetingKind, PanelDay
from meetings.services import meeting_schedule, panel_days_schedule
from tests.conftest import People
from tests.factories import AgencyFactory
from tests.nominal_fixtures import Cases

MEETING_DAY = timezone.localdate() - datetime.timedelta(days=2)


@dataclass
class Setting:
    panel_day: PanelDay
    meeting: Meeting
    childrens: Agency
    mental_health: Agency


@pytest.fixture
def setting(people: People, cases: Cases) -> Setting:
    childrens = AgencyFactory(area=people.area, name="Children's Services", kind=AgencyKind.CHILDRENS_SERVICES)
    mental_health = AgencyFactory(area=people.area, name="Mental Health Trust", kind=AgencyKind.MENTAL_HEALTH)
    nominal_level_change(
        actor=people.coordinator,
        nominal=cases.own,
        level=2,
        start=datetime.date(2024, 1, 10),
        reason="Screened",
        source=Source.SCREENING,
    )
    cases.own.refresh_from_db()
    (panel_day,) = panel_days_schedule(
        actor=people.coordinator,
        district=people.housing.district,
        first=MEETING_DAY,
        months=1,
        place="Maidstone police station",
        video_link="",
        standing_agencies=[people.police, people.housing],
    )
    meeting = meeting_schedule(
        actor=people.coordinator,
        nominal=cases.own,
        kind=MeetingKind.REVIEW,
        chair=people.chair,
        minute_taker=people.coordinator,
        starts_at=timezone.make_aware(datetime.datetime.combine(MEETING_DAY, datetime.time(10, 30))),
        panel_day=panel_day,
        invite=[mental_health],
    )
    return Setting(panel_day=panel_day, meeting=meeting, childrens=childrens, mental_health=mental_health)
