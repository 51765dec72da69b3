"""Referrals to Level 2/3 management (the content of the national MAPPA A form) and the weekly
multi-agency screening panels that decide them."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse

from agencies.models import Agency, Area, User
from cases.models import (
    CRN,
    PNC_ID,
    PRISON_NUMBER,
    VISOR_REFERENCE,
    Category,
    Gender,
    Location,
    Nominal,
    RiskLevel,
    RiskTool,
    SentenceType,
)


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for screening"
    MORE_INFORMATION = "more_information", "More information requested"
    ACCEPTED = "accepted", "Accepted"
    LEVEL_1 = "level_1", "Managed at Level 1"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Outcome(models.TextChoices):
    CONVICTION = "conviction", "Convicted"
    CAUTION = "caution", "Cautioned"
    NONE = "none", "No conviction or caution"


# Custodial cases should be referred at least this many months before release; later is flagged late.
LATE_MONTHS_BEFORE_RELEASE = 6


class Referral(models.Model):
    reference = models.CharField(max_length=30, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="referrals")
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_made")
    referrer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="referrals_made")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="referrals", null=True, blank=True)
    no_match_confirmed = models.BooleanField(default=False, editable=False)

    # The person
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    other_names = models.CharField("Other names and aliases", max_length=300, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    pnc_id = models.CharField("PNC ID", max_length=14, blank=True, validators=[PNC_ID])
    crn = models.CharField("Probation CRN", max_length=7, blank=True, validators=[CRN])
    visor_reference = models.CharField("ViSOR reference", max_length=10, blank=True, validators=[VISOR_REFERENCE])
    prison_number = models.CharField(max_length=7, blank=True, validators=[PRISON_NUMBER])
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    # Offending and where they are
    category = models.PositiveSmallIntegerField("MAPPA category", choices=Category.choices, null=True, blank=True)
    outcome = models.CharField("Conviction or caution", max_length=20, choices=Outcome.choices, blank=True)
    index_offence_code = models.CharField("Index offence", max_length=60, blank=True)
    index_offence = models.CharField("Index offence as charged", max_length=200, blank=True)
    conviction_date = models.DateField("Date of conviction or caution", null=True, blank=True)
    sentence_type = models.CharField(max_length=20, choices=SentenceType.choices, blank=True)
    custodial_months = models.PositiveSmallIntegerField(
        "Length of sentence in months", null=True, blank=True, validators=[MaxValueValidator(1200)]
    )
    notification_start = models.DateField("Subject to notification requirements since", null=True, blank=True)
    location = models.CharField("Where they are now", max_length=20, choices=Location.choices, blank=True)
    expected_release_date = models.DateField(null=True, blank=True)
    hospital_detention = models.TextField("Detention under the Mental Health Act", blank=True)

    # Risk
    reason = models.TextField("Reason for referral", blank=True)
    risk_tool = models.CharField("Risk assessment tool", max_length=20, choices=RiskTool.choices, blank=True)
    risk_result = models.CharField("Risk assessment result", max_length=20, choices=RiskLevel.choices, blank=True)
    risk_date = models.DateField("Date of risk assessment", null=True, blank=True)
    victims = models.TextField("Victims and others at risk", blank=True)

    # Management
    requested_level = models.PositiveSmallIntegerField(choices=[(2, "Level 2"), (3, "Level 3")], null=True, blank=True)
    multi_agency_value = models.TextField("What multi-agency management would add", blank=True)
    level3_justification = models.TextField("Why Level 2 cannot manage the risk", blank=True)
    diversity_needs = models.TextField(blank=True)
    agencies_involved = models.ManyToManyField(Agency, related_name="+", blank=True)

    late = models.BooleanField(default=False, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_meeting_due = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["area", "status", "submitted_at"], name="referrals_queue_idx"),
            models.Index(fields=["referring_agency", "-created_at"], name="referrals_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral-detail", args=[self.reference])

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or "Not yet named"

    @property
    def audit_nominal_id(self) -> int | None:
        return self.nominal_id

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.nominal_id}


class NoteKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    INFORMATION_REQUESTED = "information_requested", "More information requested"
    RESUBMITTED = "resubmitted", "Resubmitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECIDED = "decided", "Screening decision"


class ReferralNote(models.Model):
    """The referral's story: submissions, requests for information and their answers, decisions."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=30, choices=NoteKind.choices)
    text = models.TextField(blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral} {self.kind}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.referral.nominal_id}


class PanelStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "In progress"
    CLOSED = "closed", "Closed"


class ScreeningPanel(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="screening_panels")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=PanelStatus.choices, default=PanelStatus.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["area", "date"], name="referrals_panel_one_per_day")]

    def __str__(self) -> str:
        return f"Screening panel {self.area.code} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:panel-detail", args=[self.pk])


class PanelMember(models.Model):
    """Someone present at a screening panel, by agency and name."""

    panel = models.ForeignKey(ScreeningPanel, on_delete=models.PROTECT, related_name="members")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=150)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="panel_seats", null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.agency}"


class Decision(models.TextChoices):
    ACCEPT_LEVEL_2 = "accept_level_2", "Accept at Level 2"
    ACCEPT_LEVEL_3 = "accept_level_3", "Accept at Level 3"
    LEVEL_1 = "level_1", "Manage at Level 1"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    MORE_INFORMATION = "more_information", "More information needed"


class PanelItem(models.Model):
    """A referral on a panel's agenda, and the panel's decision on it."""

    panel = models.ForeignKey(ScreeningPanel, on_delete=models.PROTECT, related_name="items")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="panel_items")
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "referral"], name="referrals_panelitem_once_per_panel"),
        ]

    def __str__(self) -> str:
        return f"{self.panel} item {self.pk}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.referral.nominal_id}
