"""The audit log: one append-only, hash-chained table for every change, consultation, disclosure and sign-in."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from auditlog.models import AbstractLogEntry
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from mappa.request_id import current_request_id

GENESIS = "0" * 64


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
    SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong sign-in code"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Set up two-factor sign-in"
    SECOND_FACTOR_RESET = "second_factor_reset", "Reset two-factor sign-in"
    LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
    PERMISSION_GRANTED = "permission_granted", "Permission granted"
    PERMISSION_REVOKED = "permission_revoked", "Permission revoked"
    DOCUMENT_UPLOADED = "document_uploaded", "Uploaded a document"
    DOCUMENT_DOWNLOADED = "document_downloaded", "Downloaded a document"
    DOCUMENT_PREVIEWED = "document_previewed", "Previewed a document"
    DOCUMENT_WITHDRAWN = "document_withdrawn", "Withdrew a document"
    API_CALL = "api_call", "Partner system call"
    API_REFUSED = "api_refused", "Partner system call refused"
    IDENTITY_LINKED = "identity_linked", "Linked to an agency's sign-in"
    IDENTITY_APPROVED = "identity_approved", "Agency sign-in approved"
    SIGNED_OUT_BY_PROVIDER = "signed_out_by_provider", "Signed out by the agency's identity provider"


_EVENT_FOR_ACTION = {
    AbstractLogEntry.Action.CREATE: AuditEvent.CREATE,
    AbstractLogEntry.Action.UPDATE: AuditEvent.CHANGE,
    AbstractLogEntry.Action.DELETE: AuditEvent.DELETE,
    AbstractLogEntry.Action.ACCESS: AuditEvent.VIEW,
}

# Serialises appends so that each entry's hash is chained to the one before it (PostgreSQL).
CHAIN_LOCK = 7_311_001


class AuditEntry(AbstractLogEntry):
    """django-auditlog's entry with the kinds of event the Data Protection Act 2018 s.62 asks for.

    `event` refines auditlog's four actions (sign-ins, searches, exports and disclosures are all
    'access' to auditlog). `ground` is the basis on which the actor could see what they consulted.
    Each entry carries a hash of its content and of the entry before it, so an altered or removed
    entry breaks the chain (see `manage.py verify_audit_log`).
    """

    event: models.CharField[str, str] = models.CharField(max_length=30, choices=AuditEvent.choices)
    ground: models.CharField[str, str] = models.CharField(max_length=200, blank=True)
    attempted_username: models.CharField[str, str] = models.CharField(max_length=150, blank=True)
    # The nominal an entry concerns, whether it is about the nominal itself or one of its records
    # (a conviction, an order, a referral), so that "who saw or changed this person's record" is
    # one indexed query. Not a foreign key: the log outlives and outranks the tables it describes.
    nominal_id: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(null=True, blank=True)
    # The MAPPA area the entry belongs to (the nominal's, else the actor's), for auditors' own-area views.
    area_id: models.BigIntegerField[int | None, int | None] = models.BigIntegerField(null=True, blank=True)
    prev_hash: models.CharField[str, str] = models.CharField(max_length=64, editable=False)
    entry_hash: models.CharField[str, str] = models.CharField(max_length=64, editable=False)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["content_type", "object_pk", "-timestamp"], name="audit_object_time_idx"),
            models.Index(fields=["actor", "-timestamp", "-id"], name="audit_actor_time_idx"),
            models.Index(fields=["event", "-timestamp"], name="audit_event_time_idx"),
            models.Index(fields=["nominal_id", "-timestamp", "-id"], name="audit_nominal_time_idx"),
            models.Index(fields=["area_id", "-timestamp", "-id"], name="audit_area_time_idx"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries are never changed.")
        prepare(self)
        with transaction.atomic():
            lock_chain()
            self.prev_hash = last_hash()
            self.entry_hash = entry_hash(self)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit entries are never deleted.")


def append_many(entries: list[AuditEntry]) -> None:
    """Append several entries at once, each chained to the one before."""
    for entry in entries:
        prepare(entry)
    with transaction.atomic():
        lock_chain()
        previous = last_hash()
        for entry in entries:
            entry.prev_hash = previous
            entry.entry_hash = previous = entry_hash(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=1000)


def _as_stored(value: Any) -> Any:
    """The value as the database will give it back, so the hash can be checked against a read row."""
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _apply_request_context(entry: AuditEntry) -> None:
    """Set the actor and client address from django-auditlog's request context now, as its pre_save
    receiver would do later, so that the hash covers the values that are stored."""
    from auditlog.context import auditlog_value
    from django.contrib.auth import get_user_model

    context: dict[str, Any] | None = auditlog_value.get(None)
    if not context or not _receiver_connected(context.get("signal_duid")):
        # A context whose request or block has ended is stale: django-auditlog leaves it behind.
        return
    actor = context.get("actor")
    if entry.actor_id is None and isinstance(actor, get_user_model()):
        entry.actor = actor
        entry.actor_email = getattr(actor, "email", None)
    for key, value in context.items():
        if key not in ("actor", "signal_duid") and hasattr(AuditEntry, key):
            setattr(entry, key, value() if callable(value) else value)


def context_is_live(context: dict[str, Any]) -> bool:
    """Whether a django-auditlog context belongs to a request or block still running."""
    return _receiver_connected(context.get("signal_duid"))


def _receiver_connected(signal_duid: Any) -> bool:
    from django.db.models.signals import pre_save

    return signal_duid is not None and any(key[0] == signal_duid for key, _, _ in pre_save.receivers)


def prepare(entry: AuditEntry) -> None:
    """Fill the derived columns of a new entry (its event, nominal and area) and normalise it."""
    _apply_request_context(entry)
    if not entry.cid:
        entry.cid = current_request_id()
    entry.changes = _as_stored(entry.changes)
    entry.additional_data = _as_stored(entry.additional_data)
    entry.remote_addr = AuditEntry._meta.get_field("remote_addr").get_prep_value(entry.remote_addr)
    entry.object_pk = str(entry.object_pk)
    entry.object_repr = str(entry.object_repr)
    if not entry.event:
        entry.event = _EVENT_FOR_ACTION[entry.action]
    if entry.nominal_id is None and isinstance(entry.additional_data, dict):
        # Models that belong to a nominal say which in get_additional_data() (see cases.audit).
        entry.nominal_id = entry.additional_data.get("nominal_id")
    if entry.area_id is None:
        entry.area_id = _area_of(entry)


_nominal_area: Callable[[int], int | None] | None = None


def file_by_nominal_area(area_of: Callable[[int], int | None]) -> None:
    """Say how to find a nominal's area, for the entries about one: the app that owns nominals does
    when it starts, so that the audit log, part of the core, imports no app above it."""
    global _nominal_area
    _nominal_area = area_of


def _area_of(entry: AuditEntry) -> int | None:
    """The area an entry is filed under: its nominal's, or else its actor's (see `audit_area_id` on
    the user model)."""
    if entry.nominal_id is not None and _nominal_area is not None:
        area = _nominal_area(entry.nominal_id)
        if area is not None:
            return area
    if entry.actor_id is not None:
        found: int | None = getattr(entry.actor, "audit_area_id", None)
        return found
    return None


def lock_chain() -> None:
    """Hold the chain lock until the transaction ends (PostgreSQL; SQLite allows one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def last_hash() -> str:
    last: str | None = AuditEntry.objects.order_by("-pk").values_list("entry_hash", flat=True).first()
    return last or GENESIS


def content(entry: AuditEntry) -> str:
    """The entry's content, canonically serialised; everything that identifies what happened."""
    fields = {
        "timestamp": entry.timestamp.isoformat(),
        "event": entry.event,
        "action": entry.action,
        "actor": entry.actor_id,
        "content_type": entry.content_type_id,
        "object_pk": entry.object_pk,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "ground": entry.ground,
        "remote_addr": entry.remote_addr,
        "nominal": entry.nominal_id,
        "area": entry.area_id,
        "additional_data": entry.additional_data,
        "attempted_username": entry.attempted_username,
    }
    if entry.cid:  # entries written before request ids were kept have none, and hash without it
        fields["request_id"] = entry.cid
    return json.dumps(fields, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(f"{entry.prev_hash}|{content(entry)}".encode()).hexdigest()


class Report(models.TextChoices):
    MANY_VIEWS = "many_views", "Unusually many records viewed in a day"
    OUT_OF_HOURS = "out_of_hours", "Views outside working hours"
    CATEGORY_4 = "category_4", "Views of Category 4 records"


class ReportReview(models.Model):
    """An auditor's note that one line of an access report has been looked into."""

    report = models.CharField(max_length=20, choices=Report.choices)
    key = models.CharField(max_length=100, help_text="Which line: an entry, or a user and a day.")
    reviewer = models.ForeignKey("agencies.User", on_delete=models.PROTECT, related_name="+")
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="audit_reportreview_once")]

    def __str__(self) -> str:
        return f"Review of {self.report} {self.key}"
