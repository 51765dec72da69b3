"""Reads of areas, agencies and people, filtered by what the asking user may see."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Area, AreaUserObjectPermission, Role, User

CATEGORY4_PERMISSION = "agencies.handle_category4"


def category4_cleared_area_ids(user: User) -> QuerySet[AreaUserObjectPermission, int]:
    """The areas in which the user may see Category 4 cases (as a subquery)."""
    return AreaUserObjectPermission.objects.filter(
        user=user,
        permission__codename="handle_category4",
        permission__content_type=ContentType.objects.get_for_model(Area),  # cached: one join fewer
    ).values_list("content_object_id", flat=True)


def user_is_category4_cleared(user: User, area_id: int | None = None) -> bool:
    area_id = area_id if area_id is not None else (user.agency.area_id if user.agency else None)
    return area_id is not None and category4_cleared_area_ids(user).filter(content_object_id=area_id).exists()


def agencies_visible_to(user: User) -> QuerySet[Agency]:
    """The agency directory: a user sees the agencies of their own area; administrators see all."""
    agencies = Agency.objects.select_related("area", "district")
    if user.has_role(Role.SYSTEM_ADMINISTRATOR):
        return agencies
    if user.area is None:
        return agencies.none()
    return agencies.filter(area=user.area)


def agency_for_user(user: User, pk: int) -> Agency:
    """Fetch an agency the user may see, or 404 as if it did not exist."""
    try:
        return agencies_visible_to(user).get(pk=pk)
    except Agency.DoesNotExist:
        raise Http404("No such agency.") from None


def agency_directory(
    user: User, *, search: str = "", kind: str = "", district_id: int | None = None, order: str = "name"
) -> QuerySet[Agency]:
    agencies = agencies_visible_to(user).annotate(active_users=Count("users", filter=Q(users__is_active=True)))
    if search:
        agencies = agencies.filter(name__icontains=search)
    if kind:
        agencies = agencies.filter(kind=kind)
    if district_id is not None:
        agencies = agencies.filter(district_id=district_id)
    return agencies.order_by(order, "name")


def agency_staff(agency: Agency) -> QuerySet[User]:
    return agency.users.filter(is_active=True).prefetch_related("role_grants").order_by("last_name", "first_name")
