"""The audit log: one append-only table for every change, consultation, disclosure and sign-in."""

from typing import Any

from auditlog.models import AbstractLogEntry
from django.db import models


class AuditEvent(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    DISCLOSURE = "disclosure", "Disclosed"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    PERMISSION_GRANTED = "permission_granted", "Permission granted"
    PERMISSION_REVOKED = "permission_revoked", "Permission revoked"


_EVENT_FOR_ACTION = {
    AbstractLogEntry.Action.CREATE: AuditEvent.CREATE,
    AbstractLogEntry.Action.UPDATE: AuditEvent.CHANGE,
    AbstractLogEntry.Action.DELETE: AuditEvent.DELETE,
    AbstractLogEntry.Action.ACCESS: AuditEvent.VIEW,
}


class AuditEntry(AbstractLogEntry):
    """django-auditlog's entry with the kinds of event the Data Protection Act 2018 s.62 asks for.

    `event` refines auditlog's four actions (sign-ins, searches, exports and disclosures are all
    'access' to auditlog). `ground` is the basis on which the actor could see what they consulted.
    """

    event: "models.CharField[str, str]" = models.CharField(max_length=30, choices=AuditEvent.choices)
    ground: "models.CharField[str, str]" = models.CharField(max_length=200, blank=True)
    attempted_username: "models.CharField[str, str]" = models.CharField(max_length=150, blank=True)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["content_type", "object_pk", "-timestamp"], name="audit_object_time_idx"),
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time_idx"),
            models.Index(fields=["event", "-timestamp"], name="audit_event_time_idx"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.event:
            self.event = _EVENT_FOR_ACTION[self.action]
        super().save(*args, **kwargs)
