"""Reading the signed-in person on every request.

Django reads the user named by the session with `get_user`; every signed-in page then needs their
agency and area (what they may see), their roles (the header's links and every access rule) and,
on most case pages, whether they are cleared for Category 4 in their own area. This backend reads
all of them in the one statement that reads the user, instead of four.

It checks passwords exactly as Django's ModelBackend does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.contenttypes.models import ContentType
from django.db.models import Aggregate, CharField, Exists, OuterRef, QuerySet, Subquery

from agencies.models import Area, AreaUserObjectPermission, Role, RoleGrant, User
from agencies.selectors import OWN_AREA_CLEARANCE


class _RoleList(Aggregate):
    """The roles of a person as one comma-separated text (no role's value holds a comma)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def signed_in_people() -> QuerySet[User]:
    """People with what each request needs of them: agency, area, roles and own-area clearance."""
    roles = (
        RoleGrant.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(listed=_RoleList("role"))
        .values("listed")
    )
    cleared = AreaUserObjectPermission.objects.filter(
        user=OuterRef("pk"),
        content_object=OuterRef("agency__area"),
        permission__codename="handle_category4",
        permission__content_type=ContentType.objects.get_for_model(Area),  # cached: one join fewer
    )
    return User.objects.select_related("agency__area").annotate(
        role_list=Subquery(roles), **{OWN_AREA_CLEARANCE: Exists(cleared)}
    )


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = signed_in_people().filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        listed = user.role_list  # type: ignore[attr-defined]
        user.roles = frozenset(Role(value) for value in listed.split(",")) if listed else frozenset()
        return user
