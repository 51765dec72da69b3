from typing import Any

from django.conf import settings
from django.http import HttpRequest

from agencies.models import User
from mappa.navigation import tasks_for
from mappa.notifications.models import Notification


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    navigation = tasks_for(user) if isinstance(user, User) else []
    unread = 0
    if isinstance(user, User) and user.is_authenticated:
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {
        "unread_notifications": unread,
        "service_name": settings.SERVICE_NAME,
        "security_marking": settings.SECURITY_MARKING,
        "navigation": [task for task in navigation if task.in_navigation],
    }
