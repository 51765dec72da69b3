from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from agencies.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, typed. LoginRequiredMiddleware lets only signed-in users reach views."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied
    return user
