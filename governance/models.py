"""The meeting quality audit: each quarter the co-ordinators audit a sample of the Level 2 and 3
meetings held, picked by the service, against a checklist (were the right agencies there, was the
risk management plan defensible, were the actions completed on time)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.urls import reverse

from agencies.models import Area, User
from meetings.models import Meeting


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class MeetingAudit(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="meeting_audits")
    quarter = models.DateField(help_text="The first day of the quarter audited.")
    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="quality_audit")
    right_agencies = models.CharField(
        "Were the right agencies there?", max_length=10, choices=Answer.choices, blank=True
    )
    plan_defensible = models.CharField(
        "Was the risk management plan defensible?", max_length=10, choices=Answer.choices, blank=True
    )
    actions_on_time = models.CharField(
        "Were the actions completed on time?", max_length=10, choices=Answer.choices, blank=True
    )
    notes = models.TextField("Findings", blank=True)
    auditor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    completed_at = models.DateTimeField(null=True, editable=False)
    drawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["quarter", "meeting__starts_at", "pk"]
        indexes = [models.Index(fields=["area", "quarter"], name="governance_audit_quarter_idx")]

    def __str__(self) -> str:
        return f"Audit of meeting {self.meeting_id}"

    def get_absolute_url(self) -> str:
        return reverse("governance:audit-record", args=[self.pk])

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.meeting.nominal_id}


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: datetime.date) -> datetime.date:
    month = start.month + 3
    following = datetime.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def quarter_name(start: datetime.date) -> str:
    return f"{start:%B} to {quarter_end(start):%B %Y}"
