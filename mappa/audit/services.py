"""Writing audit entries for what django-auditlog does not see by itself: sign-ins, views, disclosures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from mappa.audit.models import AuditEntry, AuditEvent
from mappa.client_address import client_address

if TYPE_CHECKING:
    from agencies.models import User


def audit_record(
    *,
    event: AuditEvent,
    actor: User | None,
    subject: models.Model,
    request: HttpRequest | None = None,
    ground: str = "",
    attempted_username: str = "",
    details: dict[str, object] | None = None,
) -> AuditEntry:
    """Write one audit entry about `subject` (a nominal viewed, a user signing in, ...)."""
    pk = subject.pk
    entry: AuditEntry = AuditEntry.objects.create(
        event=event,
        action=AuditEntry.Action.ACCESS,
        actor=actor,
        actor_email=actor.email if actor else None,
        content_type=ContentType.objects.get_for_model(subject),
        object_pk=str(pk) if pk is not None else "",
        object_id=pk if isinstance(pk, int) else None,
        object_repr=str(subject),
        remote_addr=client_address(request) if request else None,
        ground=ground,
        attempted_username=attempted_username,
        additional_data=details,
    )
    return entry
