from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def signed_in(request: HttpRequest) -> AbstractBaseUser:
    """The request's active, signed-in user. LoginRequiredMiddleware lets only signed-in users reach
    views; the apps get their own user model, typed, from `agencies.auth.signed_in_user`."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not user.is_active:
        raise PermissionDenied
    return user
