from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from agencies.models import Role


class WorkEmailForm(forms.Form):
    email = forms.EmailField(
        label="Your work e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your work e-mail address",
            "invalid": "Enter an e-mail address like name@agency.gov.uk",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.text("email", label_size=Size.SMALL), Submit("continue", "Continue"))


class ApprovalForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=[(role.value, role.label) for role in Role if role != Role.SYSTEM_ADMINISTRATOR],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What the person does here. An account they already had keeps its roles.",
    )
