"""Forms for referrals and screening panels. They validate and normalise; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from agencies.models import Agency, User
from cases.forms import offence_field
from cases.models import Nominal
from mappa.forms import DateField, GovForm, GovModelForm
from referrals.models import Decision, Referral, ReferralStatus
from referrals.services import REQUIRED, STEPS

STEP_TITLES = {
    "person": "The person you are referring",
    "offending": "Offending, sentence and where they are",
    "risk": "Why you are referring and the risk",
    "management": "What you are asking for",
}
DATE_FIELDS = {
    "date_of_birth": "Date of birth",
    "conviction_date": "Date of conviction or caution",
    "notification_start": "Subject to notification requirements since",
    "expected_release_date": "Expected release date",
    "risk_date": "Date of risk assessment",
}
RADIOS = {"gender", "category", "outcome", "location", "requested_level", "risk_result"}


def step_form_class(step: str) -> type[GovModelForm]:
    """The ModelForm for one question page, asking exactly that page's fields."""
    fields = list(STEPS[step])
    attrs: dict[str, Any] = {
        name: DateField(label=label, required=False) for name, label in DATE_FIELDS.items() if name in fields
    }
    if "index_offence_code" in fields:
        attrs["index_offence_code"] = offence_field(label="Index offence")
        attrs["index_offence"] = forms.CharField(
            label="Index offence as charged, or its description if not in the list", required=False, max_length=200
        )
    widgets: dict[str, Any] = {
        name: forms.Textarea(attrs={"rows": 4})
        for name in (
            "reason",
            "victims",
            "multi_agency_value",
            "level3_justification",
            "diversity_needs",
            "hospital_detention",
        )
    }
    widgets.update({name: forms.RadioSelect for name in RADIOS if name in fields})
    widgets["agencies_involved"] = forms.CheckboxSelectMultiple
    widgets["custodial_months"] = forms.TextInput(
        attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}
    )
    meta = type("Meta", (), {"model": Referral, "fields": fields, "widgets": widgets})
    return type(f"{step.title()}Form", (ReferralStepForm,), {**attrs, "Meta": meta})


class ReferralStepForm(GovModelForm):
    """One page of the referral. "Save and continue" asks for the page's essential answers;
    "Save as draft" keeps whatever is there."""

    def __init__(self, *args: Any, draft: bool, area_agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = not draft and name in REQUIRED
            if name in REQUIRED:
                field.error_messages["required"] = REQUIRED[name]
        for name in ("lead_agency", "agencies_involved"):
            if name in self.fields:
                self.fields[name].queryset = area_agencies  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The service validates the instance; the form only checks what was typed.
        pass


class MatchForm(GovForm):
    match = forms.ChoiceField(
        label="Is this one of these people?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person, or say it is none of them"},
    )

    def __init__(self, *args: Any, candidates: list[Nominal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["match"].choices = [  # type: ignore[attr-defined]
            *[
                (str(n.pk), f"{n.first_name} {n.last_name}, born {n.date_of_birth:%d/%m/%Y} ({n.case_reference})")
                for n in candidates
            ],
            ("none", "None of these: this is someone new"),
        ]


class MessageForm(GovForm):
    message = forms.CharField(
        label="What do you need to know?", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class WithdrawForm(GovForm):
    reason = forms.CharField(label="Why is the referral being withdrawn?", widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label="I understand the referral will not be screened",
        error_messages={"required": "Confirm that the referral will not be screened"},
    )


class QueueFilterForm(GovForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Waiting or with the referrer"), *[c for c in ReferralStatus.choices if c[0] != "draft"]],
    )
    late = forms.BooleanField(label="Only late custodial referrals", required=False)
    order = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("oldest", "Oldest first"), ("newest", "Newest first"), ("release", "Soonest release")],
    )


class PanelForm(GovForm):
    date = DateField(label="Date of the panel")


class ScheduleForm(GovForm):
    weeks = forms.IntegerField(label="Weeks ahead to schedule", min_value=1, max_value=26, initial=4)


class PanelMemberForm(GovForm):
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.none())
    name = forms.CharField(label="Name", max_length=150)
    user = forms.ModelChoiceField(
        label="Their account in this service (if they have one)", queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(agency__in=agencies, is_active=True)
            .select_related("agency")
            .order_by("last_name", "first_name")
        )
        self.fields["user"].label_from_instance = lambda user: f"{user.display_name}, {user.agency}"  # type: ignore[attr-defined]


class AgendaForm(GovForm):
    referral = forms.ModelChoiceField(label="Referral", queryset=Referral.objects.none())

    def __init__(self, *args: Any, waiting: QuerySet[Referral], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = waiting  # type: ignore[attr-defined]
        self.fields["referral"].label_from_instance = (  # type: ignore[attr-defined]
            lambda referral: f"{referral.reference}: {referral.person_name}, from {referral.referring_agency}"
        )


class DecisionForm(GovForm):
    decision = forms.ChoiceField(label="Decision", choices=Decision.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 4}))
