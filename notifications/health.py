"""How long the oldest email has been waiting to go, for /readyz (a stuck worker shows here)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from notifications.models import EmailState, Notification


def oldest_unsent_email() -> dict[str, object]:
    oldest = (
        Notification.objects.filter(email_state=EmailState.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    age = None if oldest is None else int((timezone.now() - oldest).total_seconds())
    delayed = age is not None and age > settings.READY_MAX_UNSENT_EMAIL_SECONDS
    return {"oldest_unsent_email_seconds": age, "email": "delayed" if delayed else "ok"}
