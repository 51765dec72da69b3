"""Each daily reminder rule, on fixed dates."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.models import EventKind, Location
from cases.services import event_record, nominal_update
from mappa.dates import add_months
from meetings.models import ActionStatus, Pillar
from meetings.services import action_add, action_update
from notifications.models import Kind, Notification
from referrals.models import Referral
from referrals.services import referral_link_nominal, referral_submit
from reminders.rules import send_reminders
from tests.conftest import People
from tests.meeting_fixtures import MEETING_DAY, Setting
from tests.meetings.test_services import hold
from tests.nominal_fixtures import Cases, make_nominal
from tests.referrals.conftest import make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.dated]


def _kinds(user) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _action(people: People, setting: Setting, due: datetime.date):  # type: ignore[no-untyped-def]
    meeting = hold(people, setting)
    action = action_add(
        actor=people.coordinator,
        meeting=meeting,
        values={
            "pillar": Pillar.SUPERVISION,
            "description": "Home visit",
            "owning_agency": people.housing,
            "owner": None,
            "due": due,
        },
    )
    Notification.objects.all().delete()
    return action


def test_action_due_soon_is_reminded_once(people: People, setting: Setting) -> None:
    action = _action(people, setting, MEETING_DAY + datetime.timedelta(days=10))

    send_reminders(today=action.due - datetime.timedelta(days=4))
    assert _kinds(people.housing_officer) == []
    send_reminders(today=action.due - datetime.timedelta(days=3))
    send_reminders(today=action.due - datetime.timedelta(days=2))

    assert _kinds(people.housing_officer) == [Kind.ACTION_DUE_SOON]


def test_action_overdue_is_reminded_unless_done(people: People, setting: Setting) -> None:
    action = _action(people, setting, MEETING_DAY + datetime.timedelta(days=5))

    send_reminders(today=action.due)
    assert Kind.ACTION_OVERDUE not in _kinds(people.housing_officer)
    send_reminders(today=action.due + datetime.timedelta(days=1))
    assert Kind.ACTION_OVERDUE in _kinds(people.housing_officer)

    Notification.objects.all().delete()
    action_update(
        actor=people.housing_officer, action=action, status=ActionStatus.COMPLETE, note="Done", expected_version=1
    )
    send_reminders(today=action.due + datetime.timedelta(days=9))
    assert _kinds(people.housing_officer) == []


def test_reminders_go_to_the_owning_agency_only(people: People, setting: Setting) -> None:
    action = _action(people, setting, MEETING_DAY + datetime.timedelta(days=5))

    send_reminders(today=action.due + datetime.timedelta(days=1))

    assert _kinds(people.practitioner) == []
    assert _kinds(people.auditor) == []


def test_custodial_release_within_six_months_with_no_referral(people: People, cases: Cases) -> None:
    today = timezone.localdate()
    event_record(actor=people.coordinator, nominal=cases.own, values={"kind": EventKind.CUSTODY, "date": today})
    cases.own.refresh_from_db()

    def release_on(day: datetime.date) -> None:
        cases.own.refresh_from_db()
        nominal_update(
            actor=people.coordinator,
            nominal=cases.own,
            details={"location": Location.CUSTODY, "expected_release_date": day},
            expected_version=cases.own.version,
        )
        Notification.objects.all().delete()
        send_reminders(today=today)

    six_months = add_months(today, 6)
    release_on(six_months + datetime.timedelta(days=1))
    assert Kind.RELEASE_WITHOUT_REFERRAL not in _kinds(people.coordinator)

    release_on(six_months)
    assert Kind.RELEASE_WITHOUT_REFERRAL in _kinds(people.coordinator)
    assert Kind.RELEASE_WITHOUT_REFERRAL in _kinds(people.practitioner)  # the lead agency (Kent Police)

    referral = make_referral(people.practitioner, lead_agency=people.police)
    referral_link_nominal(actor=people.practitioner, referral=referral, nominal=cases.own)
    referral_submit(actor=people.practitioner, referral=referral)
    Notification.objects.all().delete()
    send_reminders(today=today)
    assert Kind.RELEASE_WITHOUT_REFERRAL not in _kinds(people.coordinator)


def test_review_due_and_overdue(people: People, cases: Cases) -> None:
    from cases.models import Nominal

    today = datetime.date(2026, 5, 1)
    Nominal.objects.filter(pk=cases.own.pk).update(level=2, next_review_due=datetime.date(2026, 5, 10))

    send_reminders(today=today)
    send_reminders(today=datetime.date(2026, 5, 11))

    assert _kinds(people.coordinator) == [Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE]
    assert _kinds(people.other_area_coordinator) == []


def test_referral_waiting_past_the_screening_target(people: People) -> None:
    referral = referral_submit(
        actor=people.housing_officer, referral=make_referral(people.housing_officer, lead_agency=people.police)
    )
    submitted = referral.first_submitted_at.date()

    send_reminders(today=submitted + datetime.timedelta(days=10))  # the area's target is 10 days
    assert Kind.REFERRAL_WAITING not in _kinds(people.coordinator)
    send_reminders(today=submitted + datetime.timedelta(days=11))
    assert _kinds(people.coordinator).count(Kind.REFERRAL_WAITING) == 1
    assert Referral.objects.get().status == "submitted"


def test_the_coordinator_is_asked_once_to_exit_someone_whose_notification_has_ended(people: People) -> None:
    from cases.models import Nominal, Order

    person = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, category=1)
    notification = Order.objects.get(nominal=person, kind="notification")
    today = timezone.localdate()

    send_reminders(today=today)
    assert Kind.ELIGIBILITY_ENDED not in _kinds(people.coordinator)  # indefinite: still eligible

    Order.objects.filter(pk=notification.pk).update(indefinite=False, end=today - datetime.timedelta(days=1))
    send_reminders(today=today)
    send_reminders(today=today + datetime.timedelta(days=1))

    assert _kinds(people.coordinator).count(Kind.ELIGIBILITY_ENDED) == 1
    assert Kind.ELIGIBILITY_ENDED not in _kinds(people.practitioner)
    assert Nominal.objects.get(pk=person.pk).status == "active"  # the exit is the co-ordinator's decision
