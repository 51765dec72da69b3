import datetime
from collections.abc import Iterator
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.models import ModelChoiceIterator


class SignInForm(AuthenticationForm):
    """Django's authentication form with GOV.UK markup and one message for every failure.

    Whether the username exists, the password is wrong or the account is inactive, the person is
    told the same thing, so the form cannot be used to find out who has an account.
    """

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "Enter a correct username and password",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("username", label_size=Size.SMALL),
            Field.text("password", label_size=Size.SMALL),
            Submit("sign-in", "Sign in"),
        )

    def confirm_login_allowed(self, user: Any) -> None:
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="invalid_login")


class DateField(DateInputField):  # type: ignore[misc]
    """The GOV.UK date input (day, month, year) with messages that say what is wrong."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Report a missing day, month or year on its own rather than "enter the date".
        self.require_all_fields = False
        label = str(self.label or "the date")
        for part, name in zip(self.fields, ("day", "month", "year"), strict=True):
            part.required = True
            part.error_messages["incomplete"] = f"{label} must include a {name}"
            part.validators[0].message = f"{label} must be a real date"

    def compress(self, data_list: Any) -> datetime.date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(str(year)) != 4:
            raise forms.ValidationError("The year must include 4 numbers", code="invalid")
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise forms.ValidationError("Enter a real date", code="invalid") from None


class GovForm(forms.Form):
    """A form with GOV.UK-style messages ("Enter your date of birth") and crispy-forms-gds rendering.

    Fields that need a different message set their own `error_messages`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_gov_messages(self)
        read_choices_at_once(self)


class VersionForm(GovForm):
    """The version of a record the person started editing, so that a stale save can be refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "version" in self.errors:
            # A hidden field's error would be invisible; say what the person can do about it.
            del self.errors["version"]
            self.add_error(None, "This page is out of date. Open the record again and redo your changes.")
        return data


class GovModelForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_gov_messages(self)
        read_choices_at_once(self)


class ChoicesReadAtOnce(ModelChoiceIterator):
    """A field's records read with one ordinary query, and kept for the rest of the form's life.

    Django reads them through a server-side cursor, held open to the end of the transaction, which
    suits millions of rows, not the few dozen districts or agencies a form offers."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for record in self.queryset:
            yield self.choice(record)


def read_choices_at_once(form: forms.BaseForm) -> None:
    """Offer each record choice in the form through `ChoicesReadAtOnce`. A form that sets a field's
    queryset after this (as filter forms do for the user's area) keeps it: the setter reuses the
    field's iterator."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.iterator = ChoicesReadAtOnce
            field.widget.choices = field.choices


def apply_gov_messages(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        label = str(field.label or "").lower()
        choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
        verb = "Select" if choosing else "Enter"
        if field.error_messages.get("required") in (None, "This field is required.", "Enter the day, month and year"):
            field.error_messages["required"] = f"{verb} the {label}"
        if choosing and isinstance(field.widget, forms.RadioSelect) and not isinstance(field, forms.ModelChoiceField):
            # A radio button labelled "---------" is never what anyone means to offer.
            field.choices = [choice for choice in field.choices if choice[0] not in ("", None)]  # type: ignore[attr-defined]
        if choosing:
            article = "an" if label[:1] in "aeiou" else "a"
            field.error_messages["invalid_choice"] = f"Select {article} {label} shown in the list"
    helper = FormHelper()
    helper.form_tag = False
    form.helper = helper  # type: ignore[attr-defined]
