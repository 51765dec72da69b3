from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency, Area, User
from cases.models import Nominal
from mappa.audit.models import AuditEvent
from mappa.forms import DateField, GovForm


class AuditSearchForm(GovForm):
    username = forms.CharField(label="Username", required=False, max_length=150)
    case_reference = forms.CharField(label="Case reference", required=False, max_length=30)
    agency = forms.ModelChoiceField(label="Agency", required=False, queryset=Agency.objects.none())
    event = forms.ChoiceField(label="Kind of event", required=False, choices=[("", "Any"), *AuditEvent.choices])
    since = DateField(label="From", required=False)
    until = DateField(label="To", required=False)

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        self.fields["agency"].queryset = Agency.objects.filter(area=area)  # type: ignore[attr-defined]
        self.fields["agency"].empty_label = "Any agency"  # type: ignore[attr-defined]

    def clean_username(self) -> User | None:
        username: str = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("There is no user with that username")
        return user

    def clean_case_reference(self) -> Nominal | None:
        reference: str = self.cleaned_data["case_reference"].strip().upper()
        if not reference:
            return None
        nominal = Nominal.objects.filter(case_reference=reference).first()
        if nominal is None:
            raise forms.ValidationError("There is no nominal with that case reference")
        return nominal

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date")
        return data


class ReportPeriodForm(GovForm):
    since = DateField(label="From", required=False)
    until = DateField(label="To", required=False)


class ReviewForm(GovForm):
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    note = forms.CharField(label="What you found", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
