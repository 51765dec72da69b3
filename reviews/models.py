"""Serious case reviews. A nominal charged with a serious further offence while managed under MAPPA
opens one: the area notifies its Strategic Management Board and the national MAPPA team within five
working days of the charge, the board decides whether to hold a review, and a review has terms of
reference, a panel, milestones, a report, recommendations and an action plan the board follows to
completion."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse

from agencies.models import Agency, Area, User
from cases.models import Category, Event, Level, Nominal

NOTIFICATION_WORKING_DAYS = 5


class Stage(models.TextChoices):
    TO_NOTIFY = "to_notify", "To notify the board and the national team"
    AWAITING_DECISION = "awaiting_decision", "Awaiting the board's decision"
    NO_REVIEW = "no_review", "No review: closed"
    IN_REVIEW = "in_review", "Review under way"
    ACTION_PLAN = "action_plan", "Report received: action plan under way"
    COMPLETE = "complete", "Complete"


OPEN_STAGES = (Stage.TO_NOTIFY, Stage.AWAITING_DECISION, Stage.IN_REVIEW, Stage.ACTION_PLAN)


class Decision(models.TextChoices):
    REVIEW = "review", "Hold a serious case review"
    NO_REVIEW = "no_review", "No review"


class SeriousCaseReview(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="serious_case_reviews")
    nominal = models.ForeignKey(Nominal, on_delete=models.PROTECT, related_name="serious_case_reviews")
    charge = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="serious_case_review")
    offence = models.CharField("Offence charged", max_length=200)
    category = models.PositiveSmallIntegerField(choices=Category.choices)
    level = models.PositiveSmallIntegerField("Level when charged", choices=Level.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.TO_NOTIFY)
    notification_due = models.DateField(editable=False)
    notified_on = models.DateField("Date the board and the national team were told", null=True, blank=True)
    national_reference = models.CharField("National MAPPA team reference", max_length=40, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decided_on = models.DateField("Date of the board's decision", null=True, blank=True)
    decided_by = models.CharField("Who decided", max_length=150, blank=True, help_text="As the board minuted it.")
    decision_rationale = models.TextField("Rationale", blank=True)
    terms_of_reference = models.TextField(blank=True)
    panel = models.TextField("Review panel", blank=True, help_text="Who sits on the review panel, one per line.")
    terms_version = models.PositiveIntegerField(default=1, editable=False)
    report_received_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", editable=False)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-charge__date", "-pk"]
        indexes = [models.Index(fields=["area", "stage"], name="reviews_scr_area_stage_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_on__isnull=False, notified_on__isnull=False),
                name="reviews_scr_decided_after_notice",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("reviews:review-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"SCR-{self.pk:05d}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.nominal_id}


class Milestone(models.Model):
    review = models.ForeignKey(SeriousCaseReview, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=200)
    due = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.review.nominal_id}


class Recommendation(models.Model):
    review = models.ForeignKey(SeriousCaseReview, on_delete=models.PROTECT, related_name="recommendations")
    number = models.PositiveSmallIntegerField(editable=False)
    text = models.TextField("Recommendation")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="reviews_recommendation_numbered_once")
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.review.nominal_id}


class ReviewAction(models.Model):
    """An action of a review's plan: what an agency will do about a recommendation, and by when."""

    review = models.ForeignKey(SeriousCaseReview, on_delete=models.PROTECT, related_name="actions")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField("Action")
    owning_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.CharField("Named owner", max_length=150, blank=True)
    due = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    progress = models.TextField("Progress", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["completed_on", "due"], name="reviews_action_open_due_idx")]

    def __str__(self) -> str:
        return self.description[:60]

    def get_additional_data(self) -> dict[str, Any]:
        return {"nominal_id": self.review.nominal_id}
