"""Forms for nominal records. They validate and normalise; the services in cases.services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from agencies.models import Agency, Area, District, User
from cases.models import (
    Alias,
    Category,
    Conviction,
    Event,
    EventKind,
    ExitReason,
    Level,
    Location,
    Nominal,
    Order,
    RiskAssessment,
    Status,
)
from cases.services import ALIAS_FIELDS, CONVICTION_FIELDS, DETAIL_FIELDS, RISK_FIELDS
from mappa.forms import DateField, GovForm, GovModelForm

SORT_CHOICES = [
    ("", "Best match, then name"),
    ("name", "Name"),
    ("reference", "Case reference"),
    ("category", "Category"),
    ("level", "Level (highest first)"),
    ("updated", "Recently changed"),
]


def _any(label: str, choices: Any) -> list[tuple[Any, str]]:
    return [("", label), *choices]


class NominalFilterForm(GovForm):
    q = forms.CharField(label="Name, alias, PNC ID, CRN or ViSOR reference", required=False, max_length=100)
    category = forms.TypedChoiceField(
        label="Category", required=False, coerce=int, empty_value=None, choices=_any("Any category", Category.choices)
    )
    level = forms.TypedChoiceField(
        label="Level", required=False, coerce=int, empty_value=None, choices=_any("Any level", Level.choices)
    )
    district = forms.ModelChoiceField(label="District", required=False, queryset=District.objects.none())
    lead_agency = forms.ModelChoiceField(label="Lead agency", required=False, queryset=Agency.objects.none())
    location = forms.ChoiceField(label="Where they are", required=False, choices=_any("Anywhere", Location.choices))
    status = forms.ChoiceField(
        label="Status", required=False, choices=[*Status.choices, ("", "Active and exited")], initial="active"
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, area: Area | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(area=area)  # type: ignore[attr-defined]
        self.fields["district"].empty_label = "Any district"  # type: ignore[attr-defined]
        self.fields["lead_agency"].queryset = Agency.objects.filter(area=area)  # type: ignore[attr-defined]
        self.fields["lead_agency"].empty_label = "Any agency"  # type: ignore[attr-defined]


class NominalDetailsForm(GovModelForm):
    date_of_birth = DateField(label="Date of birth")
    expected_release_date = DateField(
        label="Expected release date", required=False, help_text="For someone in custody or detained in hospital."
    )

    class Meta:
        model = Nominal
        fields = list(DETAIL_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "restricted_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(area=area)  # type: ignore[attr-defined]
        self.fields["lead_agency"].queryset = Agency.objects.filter(area=area, is_active=True)  # type: ignore[attr-defined]
        self.fields["offender_manager"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            agency__area=area, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["offender_manager"].label_from_instance = lambda user: f"{user.display_name}, {user.agency}"  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # Model validation (formats, uniqueness) runs in the service, whose errors the view puts back
        # on the form; running it here too would construct and check the instance twice.
        pass


class ConvictionForm(GovModelForm):
    offence_date = DateField(label="Date of offence", required=False)
    conviction_date = DateField(label="Date of conviction or caution")

    class Meta:
        model = Conviction
        fields = list(CONVICTION_FIELDS)
        widgets = {
            "custodial_months": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}
            )
        }

    def _post_clean(self) -> None:
        pass


class InitialDecisionForm(GovForm):
    category = forms.TypedChoiceField(label="MAPPA category", coerce=int, choices=Category.choices)
    level = forms.TypedChoiceField(label="Level", coerce=int, choices=Level.choices)
    reason = forms.CharField(label="Reason for this category and level", widget=forms.Textarea(attrs={"rows": 3}))
    notification_start = DateField(
        label="Notification requirements start date",
        required=False,
        help_text="For Category 1: when the person became subject to notification requirements.",
    )
    notification_end = DateField(label="Notification requirements end date", required=False)
    notification_indefinite = forms.BooleanField(label="Notification requirements are indefinite", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("notification_end") and data.get("notification_indefinite"):
            self.add_error("notification_end", "Leave the end date empty for indefinite notification requirements")
        if (data.get("notification_end") or data.get("notification_indefinite")) and not data.get("notification_start"):
            self.add_error("notification_start", "Enter the notification requirements start date")
        return data

    def notification(self) -> dict[str, Any] | None:
        start = self.cleaned_data.get("notification_start")
        if not start:
            return None
        return {
            "start": start,
            "end": self.cleaned_data.get("notification_end"),
            "indefinite": self.cleaned_data.get("notification_indefinite", False),
        }


class OrderForm(GovModelForm):
    start = DateField(label="Start date")
    end = DateField(label="End date", required=False)
    revoked_on = DateField(label="Revoked on application on", required=False)

    class Meta:
        model = Order
        fields = ["kind", "start", "end", "indefinite", "foreign_travel_restriction", "revoked_on", "conditions"]
        widgets = {"conditions": forms.Textarea(attrs={"rows": 4})}

    def _post_clean(self) -> None:
        pass


class EventForm(GovModelForm):
    date = DateField(label="Date of the event")

    class Meta:
        model = Event
        fields = ["kind", "date", "to_area", "notes"]
        labels = {"to_area": "Area moving to (transfers only)"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_area"].queryset = Area.objects.exclude(pk=area.pk)  # type: ignore[attr-defined]
        self.fields["kind"].choices = EventKind.choices  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class RiskAssessmentForm(GovModelForm):
    date = DateField(label="Date of the assessment")

    class Meta:
        model = RiskAssessment
        fields = list(RISK_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass


class AliasForm(GovModelForm):
    class Meta:
        model = Alias
        fields = list(ALIAS_FIELDS)

    def _post_clean(self) -> None:
        pass


class CategoryChangeForm(GovForm):
    category = forms.TypedChoiceField(label="New category", coerce=int, choices=Category.choices)
    start = DateField(label="Date the change takes effect")
    reason = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 4}))


class LevelChangeForm(GovForm):
    level = forms.TypedChoiceField(label="New level", coerce=int, choices=Level.choices)
    start = DateField(label="Date the change takes effect")
    reason = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 4}))


class ExitForm(GovForm):
    reason = forms.ChoiceField(label="Reason for exit", choices=ExitReason.choices)
    date = DateField(label="Date of exit")
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 4}))
    review_retention_on = DateField(label="Review the record for retention on")
    confirm = forms.BooleanField(
        label="I understand that this ends MAPPA management of this person and cannot be undone",
        error_messages={"required": "Confirm that you understand this cannot be undone"},
    )


class ShareForm(GovForm):
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.none())
    include_restricted = forms.BooleanField(
        label="Include restricted details (address, victims, health)", required=False
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class PurposeForm(GovForm):
    purpose = forms.CharField(
        label="Why are you looking at this record?",
        help_text="For example, the audit or complaint reference you are working on.",
        min_length=10,
        max_length=200,
        error_messages={"min_length": "Describe your purpose in at least 10 characters"},
    )
