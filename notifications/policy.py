"""Who may see which notifications: each person their own; co-ordinators their area's failed emails."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies.models import Role, User
from notifications.models import EmailState, Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def may_see_delivery_failures(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.COORDINATOR)


def delivery_failures_visible_to(user: User) -> QuerySet[Notification]:
    """Emails that failed for people in the co-ordinator's area (none for anyone else)."""
    if not may_see_delivery_failures(user):
        return Notification.objects.none()
    return Notification.objects.filter(
        email_state=EmailState.FAILED,
        recipient__agency__area_id=user.agency.area_id,  # type: ignore[union-attr]
    )
