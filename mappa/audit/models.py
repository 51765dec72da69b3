"""The audit log: one append-only table for every change, consultation, disclosure and sign-in."""

from typing import Any

from auditlog.models import AbstractLogEntry
from django.db import models


class AuditEvent(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    VIEW = "view", "Viewed"
    VIEW_REFUSED = "view_refused", "Refused access"
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
    # The nominal an entry concerns, whether it is about the nominal itself or one of its records
    # (a conviction, an order, a referral), so that "who saw or changed this person's record" is
    # one indexed query. Not a foreign key: the log outlives and outranks the tables it describes.
    nominal_id: "models.BigIntegerField[int | None, int | None]" = models.BigIntegerField(null=True, blank=True)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["content_type", "object_pk", "-timestamp"], name="audit_object_time_idx"),
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time_idx"),
            models.Index(fields=["event", "-timestamp"], name="audit_event_time_idx"),
            models.Index(fields=["nominal_id", "-timestamp"], name="audit_nominal_time_idx"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.event:
            self.event = _EVENT_FOR_ACTION[self.action]
        if self.nominal_id is None and isinstance(self.additional_data, dict):
            # Models that belong to a nominal say which in get_additional_data() (see cases.audit).
            self.nominal_id = self.additional_data.get("nominal_id")
        super().save(*args, **kwargs)
