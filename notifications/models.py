"""Notifications: written in the same transaction as the change that causes them (an outbox), shown
in the service, and emailed by a background task that sends each at most once."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from agencies.models import User


class Kind(models.TextChoices):
    MEETING_INVITATION = "meeting_invitation", "Meeting invitation"
    MINUTES_DISTRIBUTED = "minutes_distributed", "Minutes distributed"
    ACTION_ASSIGNED = "action_assigned", "Action assigned"
    ACTION_DUE_SOON = "action_due_soon", "Action due soon"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    REFERRAL_DECISION = "referral_decision", "Referral decision"
    MORE_INFORMATION = "more_information", "More information requested"
    REVIEW_DUE = "review_due", "Review due"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    RELEASE_WITHOUT_REFERRAL = "release_without_referral", "Release within 6 months, no referral"
    REFERRAL_WAITING = "referral_waiting", "Referral waiting for screening"
    ELIGIBILITY_ENDED = "eligibility_ended", "Eligibility ended: exit to record"
    DOCUMENT_ALTERED = "document_altered", "A stored document failed its check"
    AUDIT_CHAIN_BROKEN = "audit_chain_broken", "Audit log check failed"
    SCR_NOTICE_DUE = "scr_notice_due", "Serious further offence: notification due"
    SCR_NOTICE_OVERDUE = "scr_notice_overdue", "Serious further offence: notification overdue"
    SCR_DECISION_NEEDED = "scr_decision_needed", "Serious case review: the board's decision"
    SCR_ACTION_OVERDUE = "scr_action_overdue", "Serious case review: action overdue"
    TRANSFER_REQUESTED = "transfer_requested", "Transfer requested"
    TRANSFER_DECIDED = "transfer_decided", "Transfer accepted or declined"


class EmailState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    NO_ADDRESS = "no_address", "No email address"


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # Shown only inside the service; emails carry neither of these.
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    # Makes a reminder idempotent: the same reminder is never written twice for one person.
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=20, choices=EmailState.choices, default=EmailState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notifications_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notifications_unread_idx"),
            models.Index(fields=["email_state", "created_at"], name="notifications_outbox_idx"),
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.pk])
