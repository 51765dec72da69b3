"""Forms for serious case reviews. They validate and normalise; reviews.services writes."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from mappa.forms import DateField, GovForm
from reviews.models import Decision, Recommendation, SeriousCaseReview, Stage

TEXT = {"rows": 4}


class ChargeForm(GovForm):
    date = DateField(label="Date charged")
    offence = forms.CharField(label="Offence charged", max_length=200)
    notes = forms.CharField(label="Notes", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT))
    open_review = forms.BooleanField(
        label="Open a serious case review notification although the person was managed at Level 1",
        required=False,
        help_text="At Level 2 or 3 one always opens. At Level 1, only where the board has asked for it.",
    )


class NotifyForm(GovForm):
    notified_on = DateField(label="Date the board and the national MAPPA team were told")
    national_reference = forms.CharField(label="National MAPPA team reference", required=False, max_length=40)


class DecisionForm(GovForm):
    decision = forms.ChoiceField(label="The board's decision", choices=Decision.choices, widget=forms.RadioSelect)
    decided_on = DateField(label="Date of the decision")
    decided_by = forms.CharField(label="Who decided", max_length=150, help_text="As the board minuted it.")
    decision_rationale = forms.CharField(label="Rationale", max_length=8000, widget=forms.Textarea(attrs=TEXT))


class TermsForm(GovForm):
    terms_of_reference = forms.CharField(
        label="Terms of reference", max_length=20000, widget=forms.Textarea(attrs=TEXT)
    )
    panel = forms.CharField(
        label="Review panel",
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Who sits on the review panel, one per line.",
    )


class MilestoneForm(GovForm):
    title = forms.CharField(label="Milestone", max_length=200)
    due = DateField(label="Due")


class DoneForm(GovForm):
    done_on = DateField(label="Date done")


class ReportForm(GovForm):
    received_on = DateField(label="Date the report was received")


class CompleteForm(GovForm):
    completed_on = DateField(label="Date the board signed the review off")


class RecommendationForm(GovForm):
    text = forms.CharField(label="Recommendation", max_length=4000, widget=forms.Textarea(attrs=TEXT))


class ReviewActionForm(GovForm):
    recommendation = forms.ModelChoiceField(label="Recommendation", queryset=Recommendation.objects.none())
    description = forms.CharField(label="Action", max_length=4000, widget=forms.Textarea(attrs=TEXT))
    owning_agency = forms.ModelChoiceField(label="Agency that owns it", queryset=Agency.objects.none())
    owner = forms.CharField(label="Named owner", required=False, max_length=150)
    due = DateField(label="Due")

    def __init__(self, *args: Any, review: SeriousCaseReview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].queryset = review.recommendations.all()  # type: ignore[attr-defined]
        self.fields["recommendation"].label_from_instance = lambda r: f"{r.number}. {r.text[:80]}"  # type: ignore[attr-defined]
        agencies = Agency.objects.filter(area_id=review.area_id, is_active=True).order_by("name")
        self.fields["owning_agency"].queryset = agencies  # type: ignore[attr-defined]


class ReviewActionUpdateForm(GovForm):
    progress = forms.CharField(label="Progress", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT))
    completed_on = DateField(label="Date completed", required=False, help_text="Leave empty while it is under way.")


class RegisterFilterForm(GovForm):
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("open", "Open"), ("all", "All"), *Stage.choices],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("charged", "Most recent charge"), ("due", "Notification due"), ("reference", "Reference")],
    )
