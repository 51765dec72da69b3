"""Documents and the files they hold. A document belongs to exactly one nominal, referral, meeting
or serious case review; it is withdrawn, never deleted, and its file's SHA-256 is kept in its upload's audit entry,
so that an altered file shows (see `documents.verify`)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.urls import reverse

from agencies.models import Agency, User
from cases.models import Nominal
from meetings.models import Meeting
from referrals.models import Referral
from reviews.models import SeriousCaseReview


class DocumentKind(models.TextChoices):
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    PRE_SENTENCE_REPORT = "pre_sentence_report", "Pre-sentence report"
    LICENCE = "licence", "Licence"
    ORDER = "order", "Order"
    AGENCY_REPORT = "agency_report", "Agency report"
    REPORT_IN_LIEU = "report_in_lieu", "Report in lieu of attendance"
    MEETING_PAPERS = "meeting_papers", "Pre-meeting papers"
    VICTIM_LIAISON = "victim_liaison", "Victim liaison report"
    REVIEW_REPORT = "review_report", "Serious case review report"
    OTHER = "other", "Other"


class Marking(models.TextChoices):
    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone who may see the record"
    RESPONSIBLE_AUTHORITY = "responsible_authority", "Police, probation and prisons only"
    NAMED_AGENCIES = "named_agencies", "Only the agencies named"


def documents_storage() -> Storage:
    """Where files are kept: the "documents" storage of settings (the file system under var/, or an
    S3-compatible object store), never a public URL."""
    return storages["documents"]


def _stored_name(document: Document, filename: str) -> str:
    # The stored name says nothing about the person or the file: a random folder and name.
    return f"documents/{document.id.hex[:2]}/{document.id.hex}"


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="documents", null=True, blank=True)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="documents", null=True, blank=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="documents", null=True, blank=True)
    review = models.ForeignKey(
        SeriousCaseReview, on_delete=models.PROTECT, related_name="documents", null=True, blank=True
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    provided_by = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents_provided")
    dated = models.DateField("Date of the document")
    marking = models.CharField(
        "Protective marking", max_length=30, choices=Marking.choices, default=Marking.OFFICIAL_SENSITIVE
    )
    note = models.TextField(blank=True)
    audience = models.CharField("Who may see it", max_length=30, choices=Audience.choices, default=Audience.EVERYONE)
    agencies = models.ManyToManyField(Agency, related_name="+", blank=True, help_text="For the named agencies only.")
    file = models.FileField(upload_to=_stored_name, storage=documents_storage, max_length=200)
    filename = models.CharField(max_length=120, help_text="The file's name as uploaded, made safe.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    withdrawal_reason = models.TextField(blank=True, editable=False)
    review_retention_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-dated", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(nominal__isnull=False, referral__isnull=True, meeting__isnull=True, review__isnull=True)
                    | Q(nominal__isnull=True, referral__isnull=False, meeting__isnull=True, review__isnull=True)
                    | Q(nominal__isnull=True, referral__isnull=True, meeting__isnull=False, review__isnull=True)
                    | Q(nominal__isnull=True, referral__isnull=True, meeting__isnull=True, review__isnull=False)
                ),
                name="documents_document_one_parent",
            ),
        ]
        indexes = [
            models.Index(fields=["nominal", "-dated"], name="documents_nominal_idx"),
            models.Index(fields=["referral", "-dated"], name="documents_referral_idx"),
            models.Index(fields=["meeting", "-dated"], name="documents_meeting_idx"),
            models.Index(fields=["review", "-dated"], name="documents_review_idx"),
        ]

    def __str__(self) -> str:
        return f"Document {self.id.hex[:8]}"

    def get_absolute_url(self) -> str:
        return reverse("documents:download", args=[self.id])

    @property
    def parent(self) -> Nominal | Referral | Meeting | SeriousCaseReview:
        parent = self.nominal or self.referral or self.meeting or self.review
        assert parent is not None  # noqa: S101  (the constraint makes it so)  # nosec B101
        return parent

    @property
    def nominal_of_parent(self) -> Nominal | None:
        """The nominal the document is about, if there is one (a referral may name nobody yet)."""
        if self.nominal is not None:
            return self.nominal
        if self.meeting is not None:
            return self.meeting.nominal
        if self.review is not None:
            return self.review.nominal
        return self.referral.nominal if self.referral is not None else None

    @property
    def audit_nominal_id(self) -> int | None:
        nominal = self.nominal_of_parent
        return nominal.pk if nominal else None

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.audit_nominal_id}

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def previewable(self) -> bool:
        return self.content_type in ("application/pdf", "image/png", "image/jpeg")
