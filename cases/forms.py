"""Forms for nominal records. They validate and normalise; the services in cases.services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from agencies.models import Agency, Area, District, User
from cases import offences
from cases.eligibility import EXIT_REASONS
from cases.models import (
    Alias,
    Category,
    Conviction,
    Event,
    EventKind,
    Level,
    Location,
    Nominal,
    Order,
    RiskAssessment,
    Status,
)
from cases.services import ALIAS_FIELDS, CONVICTION_FIELDS, DETAIL_FIELDS, ORDER_FIELDS, RISK_FIELDS
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


def _offence_choices() -> list[tuple[str, str]]:
    return [("", "Select the offence"), *offences.choices()]


def offence_field(*, label: str = "Offence", required: bool = False) -> forms.ChoiceField:
    """The offences of cases/offences.toml, each with its statute, so that the category rules can ask
    which lists the offence is on."""
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=_offence_choices,
        help_text="If it is not in the list, leave this and describe the offence below.",
    )


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
    eligibility_ended = forms.BooleanField(
        label="Only those whose notification, licence or order has ended (to consider for exit)", required=False
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
    offence_code = offence_field()
    offence = forms.CharField(label="Offence as charged, or its description if not in the list", required=False)
    offence_date = DateField(label="Date of offence", required=False)
    conviction_date = DateField(label="Date of conviction or caution")
    sentence_expiry_date = DateField(label="Sentence expiry date", required=False)

    class Meta:
        model = Conviction
        fields = list(CONVICTION_FIELDS)
        labels = {"custodial_months": "Length in months (of imprisonment, detention or a conditional discharge)"}
        widgets = {
            "custodial_months": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}
            )
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("offence_code") and not (data.get("offence") or "").strip():
            self.add_error("offence_code", "Select the offence, or describe it if it is not in the list")
        return data

    def _post_clean(self) -> None:
        pass


class InitialDecisionForm(GovForm):
    category = forms.TypedChoiceField(label="MAPPA category", coerce=int, choices=Category.choices)
    level = forms.TypedChoiceField(label="Level", coerce=int, choices=Level.choices)
    reason = forms.CharField(label="Reason for this category and level", widget=forms.Textarea(attrs={"rows": 3}))
    notification_start = DateField(
        label="Notification requirements start date",
        required=False,
        help_text=(
            "For Category 1, the notification period is worked out from the index offence's sentence. "
            "Give a start date only if it is not the date of conviction or caution."
        ),
    )

    def notification(self) -> dict[str, Any] | None:
        start = self.cleaned_data.get("notification_start")
        return {"start": start} if start else None


class OrderForm(GovModelForm):
    start = DateField(label="Start date", required=False, help_text="Not needed for notification requirements.")
    end = DateField(label="End date (for a licence, its expiry date)", required=False)
    revoked_on = DateField(label="Revoked on application on", required=False)

    class Meta:
        model = Order
        fields = list(ORDER_FIELDS)
        labels = {"conviction": "Arising from (for notification requirements, worked out from its sentence)"}
        widgets = {"conditions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, nominal: Nominal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["conviction"]
        field.queryset = Conviction.objects.filter(nominal=nominal)  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: f"{c.offence}, {c.conviction_date:%-d %B %Y}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        worked_out = data.get("kind") == "notification" and data.get("conviction")
        if not data.get("start") and not worked_out and "start" not in self.errors:
            self.add_error("start", "Enter the start date")
        return data

    def _post_clean(self) -> None:
        pass


class EventForm(GovModelForm):
    """Events recorded on the record itself. A transfer goes through the receiving area
    (`transfers`), and a charge for a serious further offence through its review (`reviews`)."""

    date = DateField(label="Date of the event")

    class Meta:
        model = Event
        fields = ["kind", "date", "returned_to_custody", "notes"]
        labels = {"returned_to_custody": "Returned to custody for this breach"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        elsewhere = (EventKind.TRANSFER, EventKind.SERIOUS_FURTHER_OFFENCE)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in EventKind.choices if value not in elsewhere
        ]

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
    reason = forms.ChoiceField(label="Reason for exit", choices=())
    date = DateField(label="Date of exit", help_text="The first day the person is no longer a MAPPA case.")
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 4}))
    review_retention_on = DateField(label="Review the record for retention on")
    confirm = forms.BooleanField(
        label=(
            "I understand that this ends this episode of MAPPA management; it cannot be undone, and the person "
            "can only become a MAPPA case again by a new referral or a new conviction"
        ),
        error_messages={"required": "Confirm that you understand this cannot be undone"},
    )

    def __init__(self, *args: Any, category: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(r.value, r.label) for r in EXIT_REASONS[category]]  # type: ignore[attr-defined]


class ReentryForm(GovForm):
    category = forms.TypedChoiceField(label="MAPPA category", coerce=int, choices=Category.choices)
    level = forms.TypedChoiceField(label="Level", coerce=int, choices=Level.choices)
    start = DateField(label="Date the person became a MAPPA case again")
    reason = forms.CharField(label="Why the person is a MAPPA case again", widget=forms.Textarea(attrs={"rows": 3}))


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
