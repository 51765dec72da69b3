from __future__ import annotations

import pytest
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD
from agencies.models import Agency, AgencyKind, Area, Role, User
from cases.models import Nominal
from mappa.notifications.models import Notification
from meetings.models import Action, ActionStatus, Meeting
from referrals.models import Referral, ReferralStatus, ScreeningPanel

pytestmark = pytest.mark.django_db

DEMO_ROLES = {
    "coordinator": Role.COORDINATOR,
    "chair": Role.CHAIR,
    "probation": Role.RA_PRACTITIONER,
    "police": Role.RA_PRACTITIONER,
    "housing": Role.DTC_STAFF,
    "childrens": Role.DTC_STAFF,
    "auditor": Role.AUDITOR,
    "admin": Role.SYSTEM_ADMINISTRATOR,
}


def test_seed_demo_creates_a_kent_like_area_a_caseload_and_one_user_per_role_and_is_idempotent() -> None:
    call_command("seed_demo")

    kent = Area.objects.get(code="KENT")
    assert kent.districts.count() == 13
    assert Area.objects.count() == 2
    kinds = set(Agency.objects.filter(area=kent).values_list("kind", flat=True))
    assert kinds == {kind.value for kind in AgencyKind}
    assert Agency.objects.filter(area=kent, kind=AgencyKind.HOUSING).count() == 13
    for username, role in DEMO_ROLES.items():
        user = User.objects.get(username=username)
        assert role in user.roles, username
        assert user.check_password(DEMO_PASSWORD)
    housing = User.objects.get(username="housing")
    assert housing.agency.kind == AgencyKind.HOUSING
    assert housing.agency.district is not None
    assert Nominal.objects.filter(area=kent).count() >= 3000  # and the people accepted at screening
    assert Nominal.objects.filter(area=kent, category=4).exists()
    assert set(Referral.objects.values_list("status", flat=True)) == {status.value for status in ReferralStatus}
    assert ScreeningPanel.objects.filter(area=kent, status="closed").count() >= 11
    assert set(Action.objects.filter(owning_agency=housing.agency).values_list("status", flat=True)) == {
        status.value for status in ActionStatus
    }
    assert Notification.objects.filter(recipient=housing, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=housing, read_at__isnull=False).exists()
    counts = [model.objects.count() for model in (Area, Agency, User, Nominal, Referral, Meeting, Notification)]

    call_command("seed_demo")

    assert [model.objects.count() for model in (Area, Agency, User, Nominal, Referral, Meeting, Notification)] == counts
