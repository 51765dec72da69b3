"""Transfers between MAPPA areas (MAPPA guidance, chapter 17). A person who moves to another area is
transferred, never recorded twice: the sending area asks, the receiving area accepts or declines
with its reasons, and an accepted transfer is a transfer event on the one record, dated the day the
receiving area takes the case on. The record takes its documents with it, and the transfer keeps a
copy of the risk management plan the sending area had in force."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse

from agencies.models import Agency, Area, User
from cases.models import Event, Nominal


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the receiving area"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Transfer(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="transfers")
    from_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="transfers_out")
    to_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="transfers_in")
    moving_on = models.DateField("Date the person moves, or moved")
    reason = models.TextField("Why the person is moving")
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True, help_text="In the receiving area."
    )
    level = models.PositiveSmallIntegerField(editable=False)
    category = models.PositiveSmallIntegerField(editable=False)
    plan = models.JSONField(default=dict, blank=True, editable=False)  # the plan in force, as sent
    status = models.CharField(max_length=20, choices=TransferStatus.choices, default=TransferStatus.REQUESTED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    decided_at = models.DateTimeField(null=True, editable=False)
    decision_reason = models.TextField(blank=True)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="+", null=True, editable=False)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["to_area", "status"], name="transfers_to_area_status_idx"),
            models.Index(fields=["from_area", "status"], name="transfers_from_area_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nominal"], condition=Q(status="requested"), name="transfers_one_open_per_nominal"
            ),
            models.CheckConstraint(condition=~Q(from_area=models.F("to_area")), name="transfers_between_areas"),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.pk} to {self.to_area}"

    def get_absolute_url(self) -> str:
        return reverse("transfers:transfer-detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.nominal_id}
