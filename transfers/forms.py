"""Forms for transfers. They validate and normalise; transfers.services writes."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency, Area
from mappa.forms import DateField, GovForm
from transfers.models import TransferStatus


def _agency_label(agency: Agency) -> str:
    return f"{agency.name} ({agency.area})"


class TransferRequestForm(GovForm):
    to_area = forms.ModelChoiceField(label="MAPPA area the person is moving to", queryset=Area.objects.none())
    moving_on = DateField(label="Date the person moves, or moved")
    reason = forms.CharField(
        label="Why the person is moving", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency in the new area",
        required=False,
        queryset=Agency.objects.none(),
        help_text="If you know it. The receiving area confirms it when it accepts.",
    )

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_area"].queryset = Area.objects.exclude(pk=area.pk).order_by("name")  # type: ignore[attr-defined]
        agencies = Agency.objects.filter(is_active=True).exclude(area=area).select_related("area")
        self.fields["lead_agency"].queryset = agencies.order_by("area__name", "name")  # type: ignore[attr-defined]
        self.fields["lead_agency"].label_from_instance = _agency_label  # type: ignore[attr-defined]


class TransferAcceptForm(GovForm):
    date = DateField(label="Date your area takes the case on", help_text="Today or earlier.")
    lead_agency = forms.ModelChoiceField(label="Lead agency in your area", queryset=Agency.objects.none())
    note = forms.CharField(
        label="Note for the sending area", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.filter(is_active=True, area=area).order_by("name")
        self.fields["lead_agency"].queryset = agencies  # type: ignore[attr-defined]


class ReasonForm(GovForm):
    reason = forms.CharField(label="Reason", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class TransferFilterForm(GovForm):
    direction = forms.ChoiceField(
        label="Direction",
        required=False,
        choices=[("", "In and out"), ("in", "Into this area"), ("out", "Out of this area")],
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *TransferStatus.choices])
