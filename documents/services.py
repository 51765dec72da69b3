"""Every write to documents, and the audit entries of reading them. Each is atomic; an upload is
checked in full before anything is stored, and its audit entry keeps the file's SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, User
from documents.content import RefusedFile, identify, safe_filename
from documents.models import Audience, Document
from documents.policy import Parent, parent_access, parent_field
from documents.store import store_file
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record
from mappa.dates import add_months

DETAIL_FIELDS = ("title", "kind", "provided_by", "dated", "marking", "note", "audience")
RETENTION_MONTHS = 72  # a withdrawn document's record is reviewed for retention after six years


def read_upload(upload: UploadedFile) -> bytes:
    """The uploaded file's bytes, refused (ValidationError on `file`) if it is too large."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": f"The selected file must be smaller than {limit // (1024 * 1024)} MB"})
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": f"The selected file must be smaller than {limit // (1024 * 1024)} MB"})
    return data


@transaction.atomic
def document_upload(
    *,
    actor: User,
    parent: Parent,
    values: Mapping[str, Any],
    data: bytes,
    filename: str,
    agencies: Iterable[Agency] = (),
    request: HttpRequest | None = None,
) -> Document:
    """Store a document on a nominal, referral or meeting. Refused, with nothing stored, when the
    actor may not add to the record, when the file is empty, too large or not an accepted kind (by
    its content), or when the named agencies are missing."""
    access = parent_access(actor, parent)
    if access is None or not access.may_add:
        raise ValidationError("You cannot add documents to this record")
    if len(data) > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": "The selected file is too large"})
    try:
        kind = identify(data)
    except RefusedFile as refused:
        raise ValidationError({"file": str(refused)}) from refused
    agencies = list(agencies)
    if values.get("audience") == Audience.NAMED_AGENCIES and not agencies:
        raise ValidationError({"agencies": "Select the agencies that may see it"})
    if values.get("dated") and values["dated"] > timezone.localdate():
        raise ValidationError({"dated": "The date of the document must be today or in the past"})
    document = Document(
        uploaded_by=actor,
        filename=safe_filename(filename, kind),
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        **{_parent_field(parent): parent},
    )
    for field in DETAIL_FIELDS:
        if field in values:
            setattr(document, field, values[field])
    document.full_clean(exclude=["file"])
    store_file(document, data)  # StoreUnavailable, with nothing left behind, if the store refuses it
    try:
        document.save()
        if document.audience == Audience.NAMED_AGENCIES:
            document.agencies.set(agencies)
        audit_record(
            event=AuditEvent.DOCUMENT_UPLOADED,
            actor=actor,
            subject=document,
            request=request,
            ground=access.ground,
            nominal_id=document.audit_nominal_id,
            details=_described(document),
        )
    except Exception:
        document.file.delete(save=False)  # an upload that did not save, or went unaudited, leaves no file
        raise
    return document


def _parent_field(parent: Parent) -> str:
    return parent_field(parent)


def _described(document: Document) -> dict[str, object]:
    """What an audit entry keeps of a document: enough to name it and check its file, never its content."""
    return {
        "document": str(document.pk),
        "title": document.title,
        "kind": document.kind,
        "filename": document.filename,
        "size": document.size,
        "sha256": document.sha256,
        "parent": f"{_parent_field(document.parent)} {document.parent}",
    }


def document_read(*, actor: User, document: Document, ground: str, preview: bool, request: HttpRequest) -> None:
    """Record that the actor downloaded or previewed the document."""
    audit_record(
        event=AuditEvent.DOCUMENT_PREVIEWED if preview else AuditEvent.DOCUMENT_DOWNLOADED,
        actor=actor,
        subject=document,
        request=request,
        ground=ground,
        nominal_id=document.audit_nominal_id,
        details={"document": str(document.pk), "title": document.title, "sha256": document.sha256},
    )


def document_refused(*, actor: User, document_id: str, request: HttpRequest) -> None:
    """Record an attempt to reach a document the actor may not see (or that does not exist)."""
    audit_record(
        event=AuditEvent.VIEW_REFUSED,
        actor=actor,
        subject=Document,
        request=request,
        details={"document": document_id, "path": request.path},
    )


@transaction.atomic
def document_withdraw(*, actor: User, document: Document, reason: str, ground: str) -> Document:
    """Hide the document from everyone. Its file and record are kept until the retention review."""
    if document.withdrawn:
        raise ValidationError("This document has already been withdrawn")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the document is being withdrawn"})
    today = timezone.localdate()
    current = Document.objects.select_for_update().get(pk=document.pk)
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = actor
    current.withdrawal_reason = reason
    current.review_retention_on = add_months(today, RETENTION_MONTHS)
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "review_retention_on"])
    audit_record(
        event=AuditEvent.DOCUMENT_WITHDRAWN,
        actor=actor,
        subject=current,
        ground=ground,
        nominal_id=current.audit_nominal_id,
        details={"document": str(current.pk), "title": current.title, "reason": reason},
    )
    return current
