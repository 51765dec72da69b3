"""Eligibility as episodes of one person's record: exit, re-entry, transfers that take access with the
record, and where a person is now after events recorded late. Made through the real services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.models import Episode, EventKind, Exit, Nominal, OrderKind, SentenceType, Source, Status
from cases.policy import nominal_access, nominals_visible_to
from cases.services import event_record, nominal_create, nominal_exit, nominal_reenter, nominal_share, order_add
from meetings.models import LevelDecision
from meetings.services import meeting_minutes_update
from referrals.models import Decision, PanelStatus, ReferralStatus
from referrals.services import (
    panel_agenda_add,
    panel_create,
    panel_item_decide,
    panel_member_add,
    panel_set_status,
    referral_link_nominal,
    referral_submit,
)
from tests.conftest import People
from tests.factories import AgencyFactory, make_user
from tests.meeting_fixtures import Setting
from tests.nominal_fixtures import Cases, make_nominal
from tests.referrals.conftest import TODAY, make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.dated]

DAY = datetime.timedelta(days=1)
RETENTION = TODAY + datetime.timedelta(days=2200)


def _exit(people: People, nominal: Nominal, reason: str, on: datetime.date = TODAY) -> Exit:
    return nominal_exit(
        actor=people.coordinator,
        nominal=nominal,
        reason=reason,
        date=on,
        rationale="Recorded by the test",
        review_retention_on=RETENTION,
    )


def test_category_1_on_indefinite_notification_cannot_exit_for_lower_risk(people: People) -> None:
    nominal = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, category=1)

    with pytest.raises(ValidationError) as lower_risk:
        _exit(people, nominal, "risk_reduced")
    with pytest.raises(ValidationError) as ended:
        _exit(people, nominal, "notification_ended")

    assert "can only exit for one of" in " ".join(lower_risk.value.message_dict["reason"])
    assert "still subject to notification" in " ".join(ended.value.message_dict["reason"])
    assert Nominal.objects.get(pk=nominal.pk).status == Status.ACTIVE
    assert not Exit.objects.exists()


def test_licence_ended_needs_the_licence_and_the_sentence_to_have_ended(people: People) -> None:
    expired = TODAY - 10 * DAY
    nominal = nominal_create(
        actor=people.coordinator,
        area=people.area,
        details={
            "first_name": "Dale",
            "last_name": "Kemsley",
            "date_of_birth": datetime.date(1984, 2, 2),
            "gender": "male",
            "lead_agency": people.police,
        },
        conviction={
            "offence_code": "malicious-wounding",
            "conviction_date": expired - 730 * DAY,
            "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
            "custodial_months": 24,
            "sentence_expiry_date": expired,
        },
        category=2,
        level=1,
        reason="Released on licence",
        start=expired - 365 * DAY,
    )
    with pytest.raises(ValidationError) as no_licence:
        _exit(people, nominal, "licence_ended", on=TODAY)
    order_add(
        actor=people.coordinator,
        nominal=nominal,
        values={"kind": OrderKind.LICENCE, "start": expired - 365 * DAY, "end": expired},
    )

    with pytest.raises(ValidationError) as last_day:
        _exit(people, nominal, "licence_ended", on=expired)
    exit_ = _exit(people, nominal, "licence_ended", on=expired + DAY)

    assert "no licence on the record" in " ".join(no_licence.value.message_dict["reason"])
    assert "still in force" in " ".join(last_day.value.message_dict["reason"])
    assert exit_.episode.end == expired


def test_an_exited_person_referred_again_is_the_same_record_in_a_new_episode(people: People, cases: Cases) -> None:
    first_exit = _exit(people, cases.own, "left_jurisdiction", on=TODAY - 200 * DAY)
    referral = make_referral(
        people.housing_officer,
        lead_agency=people.police,
        crn=cases.own.crn,
        category=3,
        index_offence_code="harassment",
        conviction_date=TODAY - 60 * DAY,
        sentence_type=SentenceType.COMMUNITY,
        custodial_months=None,
    )
    referral_link_nominal(actor=people.housing_officer, referral=referral, nominal=cases.own)
    referral_submit(actor=people.housing_officer, referral=referral)
    item = _open_panel(people, referral)

    panel_item_decide(actor=people.coordinator, item=item, decision=Decision.ACCEPT_LEVEL_2, rationale="New risk")

    nominal = Nominal.objects.get(pk=cases.own.pk)
    assert Nominal.objects.filter(crn=cases.own.crn).count() == 1
    assert (nominal.status, nominal.category, nominal.level) == (Status.ACTIVE, 3, 2)
    old, new = nominal.episodes.order_by("start")
    assert old.exit == first_exit
    assert old.end == TODAY - 201 * DAY
    assert (new.start, new.end) == (TODAY, None)
    assert "KENT-R" in new.reason
    assert list(new.category_periods.values_list("category", "source")) == [(3, Source.SCREENING)]
    assert nominal.convictions.filter(offence_code="harassment").exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_a_new_episode_cannot_start_before_the_exit_or_for_a_current_case(people: People, cases: Cases) -> None:
    values = {"category": 3, "level": 2, "reason": "Again", "source": Source.REVIEW}

    with pytest.raises(ValidationError):
        nominal_reenter(actor=people.coordinator, nominal=cases.own, start=TODAY, **values)
    _exit(people, cases.own, "left_jurisdiction", on=TODAY - 20 * DAY)
    with pytest.raises(ValidationError):
        nominal_reenter(actor=people.coordinator, nominal=cases.own, start=TODAY - 21 * DAY, **values)
    nominal_reenter(actor=people.coordinator, nominal=cases.own, start=TODAY - 20 * DAY, **values)

    assert Episode.objects.filter(nominal=cases.own).count() == 2


def _open_panel(people: People, referral):  # type: ignore[no-untyped-def]
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    panel_member_add(
        actor=people.coordinator, panel=panel, agency=people.police, name="DS Field", user=people.practitioner
    )
    item = panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.OPEN)
    return item


def test_category_3_is_refused_level_1_at_screening(people: People) -> None:
    referral = make_referral(people.housing_officer, lead_agency=people.police, category=3)
    referral_submit(actor=people.housing_officer, referral=referral)
    item = _open_panel(people, referral)

    with pytest.raises(ValidationError) as excinfo:
        panel_item_decide(actor=people.coordinator, item=item, decision=Decision.LEVEL_1, rationale="Manageable")

    assert "not a MAPPA case" in " ".join(excinfo.value.message_dict["decision"])
    item.refresh_from_db()
    assert item.decision == ""
    panel_item_decide(actor=people.coordinator, item=item, decision=Decision.NOT_ELIGIBLE, rationale="Not needed")


def test_minutes_cannot_lower_category_3_to_level_1(people: People, setting: Setting) -> None:
    from tests.meetings.test_services import hold

    Nominal.objects.filter(pk=setting.meeting.nominal_id).update(category=3)
    hold(people, setting)
    meeting = type(setting.meeting).objects.get(pk=setting.meeting.pk)

    with pytest.raises(ValidationError) as excinfo:
        meeting_minutes_update(
            actor=people.coordinator,
            meeting=meeting,
            expected_version=meeting.minutes_version,
            values={"level_decision": LevelDecision.LOWER, "new_level": 1, "level_rationale": "Lower risk"},
        )

    assert "record the decision as exit" in " ".join(excinfo.value.message_dict["new_level"])


def test_a_transfer_takes_access_with_the_record(people: People, cases: Cases) -> None:
    sussex_probation = AgencyFactory(area=people.other_area, name="Probation, Sussex", kind="probation")
    sussex_housing = AgencyFactory(area=people.other_area, name="Brighton Housing", kind="housing")
    sussex_officer = make_user("brighton", agency=sussex_housing, roles=("dtc_staff",))
    shared = cases.shared
    nominal_share(actor=people.coordinator, nominal=shared, agency=sussex_housing, include_restricted=False)
    assert nominal_access(people.housing_officer, shared) is not None
    assert nominal_access(people.practitioner, shared).restricted  # police: restricted details shared

    event_record(
        actor=people.coordinator,
        nominal=shared,
        values={
            "kind": EventKind.TRANSFER,
            "date": TODAY,
            "to_area": people.other_area,
            "lead_agency": sussex_probation,
        },
    )

    moved = Nominal.objects.get(pk=shared.pk)
    for old_area_person in (people.housing_officer, people.practitioner, people.coordinator, people.auditor):
        assert nominal_access(old_area_person, moved) is None, old_area_person
        assert not nominals_visible_to(old_area_person).filter(pk=moved.pk).exists(), old_area_person
    assert nominal_access(people.other_area_coordinator, moved) is not None
    assert nominal_access(sussex_officer, moved) is not None  # shares in the new area stay


def test_a_chair_of_the_old_area_loses_the_record_when_it_moves(people: People, setting: Setting) -> None:
    nominal = setting.meeting.nominal
    sussex_probation = AgencyFactory(area=people.other_area, name="Probation, Sussex", kind="probation")
    assert nominal_access(people.chair, nominal) is not None

    event_record(
        actor=people.coordinator,
        nominal=nominal,
        values={
            "kind": EventKind.TRANSFER,
            "date": TODAY,
            "to_area": people.other_area,
            "lead_agency": sussex_probation,
        },
    )

    assert nominal_access(people.chair, Nominal.objects.get(pk=nominal.pk)) is None
    assert not nominals_visible_to(people.chair).filter(pk=nominal.pk).exists()


def test_where_a_person_is_now_follows_their_latest_event_by_date_however_late_recorded(
    people: People, cases: Cases
) -> None:
    def record(kind: EventKind, days_ago: int, **values: object) -> None:
        event_record(
            actor=people.coordinator,
            nominal=cases.own,
            values={"kind": kind, "date": TODAY - days_ago * DAY, **values},
        )

    record(EventKind.CUSTODY, 300)
    record(EventKind.RELEASE, 100)
    record(EventKind.CUSTODY, 500)  # recorded late: an earlier spell in custody

    assert Nominal.objects.get(pk=cases.own.pk).location == "community"
    record(EventKind.BREACH_SHPO, 50, returned_to_custody=True)
    assert Nominal.objects.get(pk=cases.own.pk).location == "custody"
    record(EventKind.HOSPITAL_DISCHARGE, 400)  # late again, and earlier than the breach
    assert Nominal.objects.get(pk=cases.own.pk).location == "custody"


def test_only_a_breach_returns_someone_to_custody(people: People, cases: Cases) -> None:
    with pytest.raises(ValidationError) as excinfo:
        event_record(
            actor=people.coordinator,
            nominal=cases.own,
            values={"kind": EventKind.RELEASE, "date": TODAY, "returned_to_custody": True},
        )

    assert "returned_to_custody" in excinfo.value.message_dict
