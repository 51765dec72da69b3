"""Small factories for tests. People are made through the real services, so that their groups,
roles and clearances are set exactly as in the running service."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from agencies.models import Agency, AgencyKind, Area, District, Role, User
from agencies.services import user_save

PASSWORD = "correct-horse-battery-staple"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Area {n}")
    code = factory.Sequence(lambda n: f"AREA{n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"District {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.POLICE
    area = factory.SubFactory(AreaFactory)
    group = factory.LazyAttribute(lambda agency: Group.objects.create(name=f"agency:{agency.area.code}:{agency.name}"))


def make_user(
    username: str,
    *,
    agency: Agency,
    roles: tuple[Role, ...] = (),
    category4_cleared: bool = False,
    is_active: bool = True,
) -> User:
    user = User(
        username=username,
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.org",
        agency=agency,
        is_active=is_active,
    )
    user.set_password(PASSWORD)
    return user_save(actor=None, user=user, roles=roles, category4_cleared=category4_cleared)
