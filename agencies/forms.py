from crispy_forms_gds.helper import FormHelper
from django import forms
from django.db.models import QuerySet

from agencies.models import AgencyKind, District


class AgencyFilterForm(forms.Form):
    """Filters for the agency directory. Unknown values are errors, never silently ignored."""

    ORDER_CHOICES = [("name", "Name"), ("kind", "Kind of agency"), ("district__name", "District")]

    q = forms.CharField(label="Name contains", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind of agency", required=False, choices=[("", "Any kind"), *AgencyKind.choices])
    district = forms.ModelChoiceField(
        label="District", required=False, queryset=District.objects.none(), empty_label="Any district"
    )
    order = forms.ChoiceField(label="Sort by", required=False, choices=ORDER_CHOICES)

    def __init__(self, *args: object, districts: QuerySet[District], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.helper = FormHelper()
