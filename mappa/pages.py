"""The page shapes the apps share: a GOV.UK question page holding one or more forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_page(
    request: HttpRequest,
    *,
    title: str,
    forms: list[tuple[str, BaseForm]],
    submit: str,
    back: str,
    nominal: Model | None = None,
    status: int = 200,
    warning: str = "",
    intro: str = "",
    conflicts: list[tuple[str, str]] | None = None,
    draft_button: str = "",
) -> HttpResponse:
    """Render a form page: error summary first, then the heading (captioned with the record's
    reference when there is one), any warning, and the forms with their buttons."""
    context = {
        "title": title,
        "forms": forms,
        "submit": submit,
        "back": back,
        "nominal": nominal,
        "warning": warning,
        "intro": intro,
        "conflicts": conflicts or [],
        "draft_button": draft_button,
        "errors": any(form.errors for _, form in forms),
    }
    return render(request, "form_page.html", context, status=status)


def put_errors(error: ValidationError, forms: list[BaseForm]) -> None:
    """Put a service's validation errors next to the fields they are about."""
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = next((form for form in forms if field in form.fields), None)
        if target is None:
            forms[0].add_error(None, errors)
        else:
            target.add_error(field, errors)
