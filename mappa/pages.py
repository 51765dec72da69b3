"""The page shapes the apps share: a GOV.UK question page holding one or more forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mappa.audit.services import audit_list_view
from mappa.errors import StaleRecordError
from mappa.forms import VersionForm

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


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
    hidden: dict[str, str] | None = None,
) -> HttpResponse:
    """Render a form page: error summary first, then the heading (captioned with the record's
    reference when there is one), any warning, and the forms with their buttons. `hidden` values go
    back with the form; a form with a file field is sent as multipart."""
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
        "hidden": hidden or {},
        "multipart": any(form.is_multipart() for _, form in forms),
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


@dataclass(frozen=True)
class Listing:
    """Rows to page through, and a query that counts them without reading them: a union's own count
    would carry every join and column of its rows."""

    rows: QuerySet[Any]
    counted: QuerySet[Any]
    ordered = True

    @property
    def model(self) -> type[Model]:
        return self.rows.model

    def count(self) -> int:
        return self.counted.count()

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> QuerySet[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.rows[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return self.count()


def consulted_page(
    request: HttpRequest,
    actor: AbstractBaseUser,
    rows: QuerySet[Any] | Listing,
    *,
    name: str,
    per_page: int = 50,
    search: dict[str, object] | None = None,
) -> Page[Any]:
    """One page of a list that shows case data, with its consultation (and the search, if it is
    one) written to the audit log."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    audit_list_view(request=request, actor=actor, page=name, model=rows.model, shown=page.object_list, search=search)
    return page


def form_and_save(
    request: HttpRequest,
    form: BaseForm,
    *,
    save: Callable[[dict[str, Any]], Any],
    saved: str,
    then: str | Model | Callable[[Any], str | Model],
    title: str,
    submit: str,
    back: str,
    nominal: Model | None = None,
    warning: str = "",
    intro: str = "",
) -> HttpResponse:
    """The usual one-form page: on a valid POST call `save` (a service) with the cleaned data and go
    to `then` with the `saved` message; otherwise, or if the service refuses, show the form with its
    errors next to the fields."""
    return forms_and_save(
        request,
        [("", form)],
        save=lambda data: save(data[0]),
        saved=saved,
        then=then,
        title=title,
        submit=submit,
        back=back,
        nominal=nominal,
        warning=warning,
        intro=intro,
    )


def forms_and_save(
    request: HttpRequest,
    forms: list[tuple[str, BaseForm]],
    *,
    save: Callable[[list[dict[str, Any]]], Any],
    saved: str | Callable[[Any], str],
    then: str | Model | Callable[[Any], str | Model],
    title: str,
    submit: str,
    back: str,
    nominal: Model | None = None,
    warning: str = "",
    intro: str = "",
) -> HttpResponse:
    """A page of several forms under their headings, saved by one service call: `save` gets each
    form's cleaned data in order, and a refusal is put next to the fields it names."""
    bound = [form for _, form in forms]
    if request.method == "POST" and all(form.is_valid() for form in bound):
        try:
            result = save([form.cleaned_data for form in bound])
        except ValidationError as error:
            put_errors(error, bound)
        else:
            messages.success(request, saved(result) if callable(saved) else saved)
            return redirect(then(result) if callable(then) else then)  # type: ignore[arg-type]
    return form_page(
        request,
        title=title,
        forms=forms,
        submit=submit,
        back=back,
        nominal=nominal,
        status=400 if request.method == "POST" else 200,
        warning=warning,
        intro=intro,
    )


STALE_WARNING = (
    "Someone else saved this while you were editing it, so your changes have not been saved. Your changes are "
    "still below: check what it says now, then save again."
)


def versioned_form_and_save(
    request: HttpRequest,
    form: BaseForm,
    *,
    version: int,
    current_version: Callable[[], int],
    save: Callable[[dict[str, Any], int], Any],
    saved: str,
    then: str | Model,
    title: str,
    submit: str,
    back: str,
    nominal: Model | None = None,
    intro: str = "",
    conflicts: Callable[[], list[tuple[str, str]]] | None = None,
) -> HttpResponse:
    """A page editing a record several people may edit at once. `save(data, expected_version)` must
    raise StaleRecordError if the record changed since `expected_version`: the person's input is then
    kept, with a warning (and, given `conflicts`, what the record says now), and nothing is saved."""

    data = request.POST if request.method == "POST" else None
    version_form = VersionForm(data, initial={"version": version})
    stale: list[tuple[str, str]] | None = None
    if data is not None and form.is_valid() and version_form.is_valid():
        try:
            save(form.cleaned_data, version_form.cleaned_data["version"])
        except StaleRecordError:
            stale = conflicts() if conflicts else []
            form.add_error(None, "This was changed by someone else while you were editing it")
            version_form = VersionForm(initial={"version": current_version()})
        except ValidationError as error:
            put_errors(error, [form])
        else:
            messages.success(request, saved)
            return redirect(then)  # type: ignore[arg-type]
    return form_page(
        request,
        title=title,
        forms=[("", form), ("", version_form)],
        submit=submit,
        back=back,
        nominal=nominal,
        status=409 if stale is not None else (400 if data is not None else 200),
        warning=STALE_WARNING if stale is not None else "",
        conflicts=stale,
        intro=intro,
    )
