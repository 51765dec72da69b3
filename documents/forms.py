"""The document forms. They validate what was typed; the file's content is checked by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from agencies.models import Agency
from documents.models import Audience, DocumentKind, Marking
from mappa.forms import DateField, GovForm


class DocumentForm(GovForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, a Word, Excel or PowerPoint file (.docx, .xlsx, .pptx), or a PNG or JPEG image.",
        widget=forms.FileInput,
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    title = forms.CharField(label="Title", max_length=200)
    kind = forms.ChoiceField(label="Kind of document", choices=DocumentKind.choices)
    provided_by = forms.ModelChoiceField(label="Provided by", queryset=Agency.objects.none())
    dated = DateField(label="Date of the document")
    marking = forms.ChoiceField(
        label="Protective marking",
        choices=Marking.choices,
        initial=Marking.OFFICIAL_SENSITIVE,
        widget=forms.RadioSelect,
    )
    audience = forms.ChoiceField(
        label="Who may see it", choices=Audience.choices, initial=Audience.EVERYONE, widget=forms.RadioSelect
    )
    agencies = forms.ModelMultipleChoiceField(
        label="The agencies that may see it",
        help_text="Only if you chose the agencies named. Co-ordinators always see it.",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provided_by"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["agencies"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") == Audience.NAMED_AGENCIES and not data.get("agencies"):
            self.add_error("agencies", "Select the agencies that may see it")
        return data


class WithdrawForm(GovForm):
    reason = forms.CharField(label="Why is it being withdrawn?", widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label="I understand that no one will see this document again; it is kept only for its retention review",
        error_messages={"required": "Confirm that you understand the document will be hidden from everyone"},
    )
