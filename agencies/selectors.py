"""Reads of areas, agencies and people, filtered by what the asking user may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Role, User


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
