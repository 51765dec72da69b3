from __future__ import annotations

import pytest
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD
from agencies.models import Agency, AgencyKind, Area, Role, User

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


def test_seed_demo_creates_a_kent_like_area_and_one_user_per_role() -> None:
    call_command("seed_demo")

    kent = Area.objects.get(code="KENT")
    assert kent.districts.count() == 13
    assert Area.objects.count() == 2
    kinds = set(Agency.objects.filter(area=kent).values_list("kind", flat=True))
    assert kinds >= {kind.value for kind in AgencyKind} - {AgencyKind.OTHER.value} | {AgencyKind.OTHER.value}
    assert Agency.objects.filter(area=kent, kind=AgencyKind.HOUSING).count() == 13
    for username, role in DEMO_ROLES.items():
        user = User.objects.get(username=username)
        assert role in user.roles, username
        assert user.check_password(DEMO_PASSWORD)
    housing = User.objects.get(username="housing")
    assert housing.agency.kind == AgencyKind.HOUSING
    assert housing.agency.district is not None


def test_seed_demo_is_idempotent() -> None:
    call_command("seed_demo")
    counts = (Area.objects.count(), Agency.objects.count(), User.objects.count())

    call_command("seed_demo")

    assert (Area.objects.count(), Agency.objects.count(), User.objects.count()) == counts
