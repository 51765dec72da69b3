from typing import Any

from django.http import HttpRequest

from agencies.models import User
from agencies.navigation import tasks_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The header's links: the tasks the signed-in person's roles give them."""
    user = getattr(request, "user", None)
    tasks = tasks_for(user) if isinstance(user, User) else []
    return {"navigation": [task for task in tasks if task.in_navigation]}
