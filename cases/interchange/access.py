"""Who may move nominal records in and out in bulk: a system administrator, who sees every category."""

from __future__ import annotations

from agencies.models import Role, User


class NotAllowed(Exception):
    """The named person may not run an export or an import; the message says why."""


def interchange_actor(username: str) -> User:
    """The person an export or import is recorded against. Only an active system administrator (or
    the bootstrap superuser) may: the folder holds every record of every category, Category 4 included."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotAllowed(f"There is no user called {username!r}.")
    if not user.is_active:
        raise NotAllowed(f"{username} is deactivated; only an active system administrator can do this.")
    if not (user.is_superuser or user.has_role(Role.SYSTEM_ADMINISTRATOR)):
        raise NotAllowed(f"{username} is not a system administrator; only a system administrator can do this.")
    return user
