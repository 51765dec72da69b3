"""The referral and screening rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import LevelPeriod, Location, Nominal, Source
from cases.policy import nominal_access
from referrals.models import Decision, PanelStatus, Referral, ReferralStatus
from referrals.selectors import possible_matches, referral_kpis
from referrals.services import (
    NO_RISK_ASSESSMENT,
    add_months,
    panel_agenda_add,
    panel_create,
    panel_item_decide,
    panel_member_add,
    panel_set_status,
    panels_schedule,
    referral_link_nominal,
    referral_request_information,
    referral_submit,
    referral_update,
    referral_withdraw,
)
from tests.conftest import People
from tests.nominal_fixtures import Cases, make_nominal
from tests.referrals.conftest import TODAY, make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.dated]


def _submitted(people: People, **overrides) -> Referral:
    referral = make_referral(people.housing_officer, lead_agency=people.police, **overrides)
    return referral_submit(actor=people.housing_officer, referral=referral)


def test_no_conviction_or_caution_is_refused_with_a_pointer_to_marac(people: People) -> None:
    referral = make_referral(people.housing_officer, lead_agency=people.police, outcome="none")

    with pytest.raises(ValidationError) as excinfo:
        referral_submit(actor=people.housing_officer, referral=referral)

    message = " ".join(excinfo.value.message_dict["outcome"])
    assert "MARAC" in message
    assert "professionals meeting" in message
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT


@pytest.mark.parametrize("level", [2, 3])
def test_level_2_or_3_without_a_risk_assessment_is_refused(people: People, level: int) -> None:
    referral = make_referral(
        people.housing_officer,
        lead_agency=people.police,
        requested_level=level,
        risk_tool="",
        risk_result="",
        level3_justification="Exceptional resources",
    )

    with pytest.raises(ValidationError) as excinfo:
        referral_submit(actor=people.housing_officer, referral=referral)

    assert excinfo.value.message_dict["risk_tool"] == [NO_RISK_ASSESSMENT]
    assert Referral.objects.get(pk=referral.pk).submitted_at is None


@pytest.mark.parametrize(
    ("location", "release_in_days", "late"),
    [
        (Location.CUSTODY, 150, True),
        (Location.CUSTODY, 250, False),
        (Location.HOSPITAL, 30, False),  # the rule is about custodial cases
        (Location.COMMUNITY, None, False),
    ],
)
def test_custodial_referral_less_than_six_months_before_release_is_accepted_but_late(
    people: People, location: str, release_in_days: int | None, late: bool
) -> None:
    release = TODAY + datetime.timedelta(days=release_in_days) if release_in_days else None

    referral = _submitted(people, location=location, expected_release_date=release)

    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.late is late


def test_six_months_is_counted_in_calendar_months() -> None:
    assert add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), 6) == datetime.date(2026, 7, 15)


def test_level_3_needs_to_say_why_level_2_cannot_manage(people: People) -> None:
    referral = make_referral(people.housing_officer, lead_agency=people.police, requested_level=3)

    with pytest.raises(ValidationError) as excinfo:
        referral_submit(actor=people.housing_officer, referral=referral)

    assert "level3_justification" in excinfo.value.message_dict


def test_incomplete_referral_says_what_is_missing(people: People) -> None:
    from referrals.services import referral_start

    referral = referral_start(actor=people.housing_officer)

    with pytest.raises(ValidationError) as excinfo:
        referral_submit(actor=people.housing_officer, referral=referral)

    assert {"first_name", "last_name", "date_of_birth", "category", "reason", "requested_level"} <= set(
        excinfo.value.message_dict
    )


def test_more_information_goes_back_to_the_referrer_and_returns_when_resubmitted(people: People) -> None:
    referral = _submitted(people)
    first = referral.first_submitted_at

    referral_request_information(actor=people.coordinator, referral=referral, message="Which refuge?")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.MORE_INFORMATION
    referral_update(
        actor=people.housing_officer, referral=referral, step="risk", values={"victims": "Refuge in Ashford"}
    )
    referral_submit(actor=people.housing_officer, referral=referral)

    again = Referral.objects.get(pk=referral.pk)
    assert again.status == ReferralStatus.SUBMITTED
    assert again.first_submitted_at == first
    assert list(again.notes.values_list("kind", flat=True)) == ["submitted", "information_requested", "resubmitted"]


def test_submitted_referral_cannot_be_changed_and_decided_one_cannot_be_withdrawn(people: People) -> None:
    referral = _submitted(people)

    with pytest.raises(ValidationError):
        referral_update(actor=people.housing_officer, referral=referral, step="risk", values={"reason": "x"})
    referral_withdraw(actor=people.housing_officer, referral=referral, reason="Moved away")
    with pytest.raises(ValidationError):
        referral_withdraw(actor=people.housing_officer, referral=referral, reason="again")


def _open_panel(people: People, referral: Referral):
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    panel_member_add(
        actor=people.coordinator, panel=panel, agency=people.police, name="DS Field", user=people.practitioner
    )
    item = panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.OPEN)
    return panel, item


def test_accepting_a_new_person_creates_the_nominal_at_that_level_and_shares_it(people: People) -> None:
    referral = _submitted(people)
    _panel, item = _open_panel(people, referral)

    panel_item_decide(actor=people.coordinator, item=item, decision=Decision.ACCEPT_LEVEL_2, rationale="Agreed")

    referral.refresh_from_db()
    nominal = referral.nominal
    assert referral.status == ReferralStatus.ACCEPTED
    assert nominal is not None
    assert nominal.level == 2
    period = LevelPeriod.objects.get(nominal=nominal)
    assert (period.level, period.source, period.start, period.reason) == (2, Source.SCREENING, TODAY, "Agreed")
    assert nominal_access(people.housing_officer, nominal) is not None  # shared with the referring agency
    assert referral.first_meeting_due == TODAY + datetime.timedelta(days=people.area.first_meeting_target_days)


def test_accepting_a_linked_nominal_raises_their_level(people: People, cases: Cases) -> None:
    referral = make_referral(people.housing_officer, lead_agency=people.police)
    referral_link_nominal(actor=people.housing_officer, referral=referral, nominal=cases.own)
    referral_submit(actor=people.housing_officer, referral=referral)
    _panel, item = _open_panel(people, referral)

    panel_item_decide(actor=people.coordinator, item=item, decision=Decision.ACCEPT_LEVEL_3, rationale="Serious")

    assert Nominal.objects.get(pk=cases.own.pk).level == 3
    assert LevelPeriod.objects.get(nominal=cases.own, end__isnull=True).source == Source.SCREENING


def test_panel_rules(people: People) -> None:
    referral = _submitted(people)
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    item = panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)

    with pytest.raises(ValidationError, match="while the panel is in progress"):
        panel_item_decide(actor=people.coordinator, item=item, decision=Decision.LEVEL_1, rationale="x")
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.OPEN)
    with pytest.raises(ValidationError, match="Record who is present"):
        panel_item_decide(actor=people.coordinator, item=item, decision=Decision.LEVEL_1, rationale="x")
    panel_member_add(actor=people.coordinator, panel=panel, agency=people.unit, name="Robin", user=None)
    with pytest.raises(ValidationError):
        panel_item_decide(actor=people.coordinator, item=item, decision=Decision.LEVEL_1, rationale="  ")
    with pytest.raises(ValidationError, match="every referral"):
        panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.CLOSED)
    with pytest.raises(ValidationError, match="already on a panel"):
        panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)
    with pytest.raises(ValidationError, match="already a screening panel"):
        panel_create(actor=people.coordinator, area=people.area, date=TODAY)

    panel_item_decide(actor=people.coordinator, item=item, decision=Decision.LEVEL_1, rationale="Lead agency plan")
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.CLOSED)

    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.LEVEL_1


def test_weekly_panels_are_scheduled_on_the_areas_screening_day(people: People) -> None:
    monday = datetime.date(2026, 11, 23)

    panels = panels_schedule(actor=people.coordinator, area=people.area, weeks=3, today=monday)
    again = panels_schedule(actor=people.coordinator, area=people.area, weeks=3, today=monday)

    assert [panel.date for panel in panels] == [
        datetime.date(2026, 11, 25),
        datetime.date(2026, 12, 2),
        datetime.date(2026, 12, 9),
    ]
    assert again == []


def test_misspelt_name_with_the_same_date_of_birth_is_a_possible_duplicate(people: People) -> None:
    existing = make_nominal(
        actor=people.coordinator,
        area=people.area,
        lead_agency=people.police,
        first_name="Marcus",
        last_name="Whitlock",
        date_of_birth=datetime.date(1986, 4, 12),
    )
    other_birthday = make_nominal(
        actor=people.coordinator,
        area=people.area,
        lead_agency=people.police,
        first_name="Marcus",
        last_name="Whitlock",
        date_of_birth=datetime.date(1990, 1, 1),
    )
    referral = make_referral(people.coordinator, lead_agency=people.police, first_name="Markus", last_name="Whitlok")

    matches = possible_matches(people.coordinator, referral)

    assert existing in matches.visible
    assert other_birthday not in matches.visible


def test_identifier_match_is_a_possible_duplicate(people: People, cases: Cases) -> None:
    referral = make_referral(people.coordinator, lead_agency=people.police, last_name="Different", crn=cases.own.crn)

    assert cases.own in possible_matches(people.coordinator, referral).visible


def test_matches_the_referrer_may_not_see_are_only_counted(people: People, cases: Cases) -> None:
    referral = make_referral(
        people.housing_officer, lead_agency=people.police, last_name="Different", crn=cases.own.crn
    )

    matches = possible_matches(people.housing_officer, referral)

    assert matches.visible == []
    assert matches.hidden == 1


def test_screening_kpis_are_computed_from_known_dates(people: People) -> None:
    area = people.area  # screening target: 10 days
    base = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 0))
    waits = [1, 3, 5, 8, 12, 20]  # days from first submission to decision
    for number, days in enumerate(waits):
        referral = _submitted(
            people,
            location=Location.CUSTODY if number < 4 else Location.COMMUNITY,
            expected_release_date=TODAY + datetime.timedelta(days=100 if number < 1 else 400) if number < 4 else None,
        )
        Referral.objects.filter(pk=referral.pk).update(
            first_submitted_at=base, decided_at=base + datetime.timedelta(days=days), status=ReferralStatus.LEVEL_1
        )
    undecided = _submitted(people)
    Referral.objects.filter(pk=undecided.pk).update(first_submitted_at=base)

    kpis = referral_kpis(area, since=base - datetime.timedelta(days=1), until=base + datetime.timedelta(days=1))

    assert kpis.decided == 6
    assert kpis.median_days == 5.0  # nearest rank: the 3rd of 6
    assert kpis.p90_days == 20.0  # nearest rank: the 6th of 6
    assert kpis.within_target == 4  # 1, 3, 5, 8
    assert (kpis.custodial, kpis.custodial_on_time) == (4, 3)
    assert kpis.within_target_share == pytest.approx(4 / 6)
