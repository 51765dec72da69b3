from typing import Any

from django.http import HttpRequest

from notifications.models import Notification


def unread(request: HttpRequest) -> dict[str, Any]:
    """How many of the signed-in person's notifications are unread, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
