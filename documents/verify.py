"""Check every stored file against the SHA-256 its upload recorded in the audit log.

The audit entry of an upload is part of the hash chain (`verify_audit_log` proves it unaltered), so
the SHA-256 it keeps is the witness: a file changed since, or a document row whose recorded hash was
changed with it, shows here by the document's name. A file that can no longer be read shows too."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from documents.models import Document
from mappa.audit.models import AuditEntry, AuditEvent

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    document: Document
    what: str

    def __str__(self) -> str:
        return f"Document {self.document.pk} ({self.document.title!r}, {self.document.filename}): {self.what}"


def _sha256(document: Document) -> str:
    digest = hashlib.sha256()
    with document.file.open("rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_documents() -> tuple[int, list[Problem]]:
    """How many documents were checked, and what is wrong with any of them."""
    uploads = AuditEntry.objects.filter(
        event=AuditEvent.DOCUMENT_UPLOADED, content_type=ContentType.objects.get_for_model(Document)
    ).values_list("object_pk", "additional_data")
    recorded = {pk: (data or {}).get("sha256") for pk, data in uploads}
    problems: list[Problem] = []
    checked = 0
    for document in Document.objects.order_by("uploaded_at").iterator(chunk_size=500):
        checked += 1
        witness = recorded.get(str(document.pk))
        if witness is None:
            problems.append(Problem(document, "its upload is not in the audit log"))
            continue
        if document.sha256 != witness:
            problems.append(Problem(document, "its recorded SHA-256 differs from the one its upload logged"))
        try:
            actual = _sha256(document)
        except OSError as error:
            problems.append(Problem(document, f"its file cannot be read ({error.__class__.__name__})"))
            continue
        if actual != witness:
            problems.append(Problem(document, "its file has changed since it was uploaded"))
    return checked, problems
