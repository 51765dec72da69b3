from typing import Any

from django.conf import settings
from django.http import HttpRequest

from agencies.models import User
from mappa.navigation import tasks_for


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    navigation = tasks_for(user) if isinstance(user, User) else []
    return {
        "service_name": settings.SERVICE_NAME,
        "security_marking": settings.SECURITY_MARKING,
        "navigation": [task for task in navigation if task.in_navigation],
    }
