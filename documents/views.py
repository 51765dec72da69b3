"""Upload, download, preview and withdraw documents. Every view fetches through `documents.policy`;
a document the person may not see is not found, and the attempt is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from agencies.auth import signed_in_user
from agencies.models import Agency, User
from cases.models import Nominal
from documents import services
from documents.forms import DocumentForm, WithdrawForm
from documents.models import Document, DocumentKind
from documents.policy import DocumentAccess, Parent, document_access, parent_access
from documents.store import StoreUnavailable, open_file
from mappa.errors import UNAVAILABLE_RETRY_AFTER_SECONDS
from mappa.pages import form_and_save, form_page, put_errors
from meetings.models import Meeting
from referrals.models import Referral
from reviews.models import SeriousCaseReview

STORE_REFUSED = (
    "The document could not be stored because the document store is not accepting files at the moment. "
    "Nothing has been saved. Try again in a few minutes; if it keeps happening, contact your system administrator."
)


def _parent(kind: str, key: str) -> Parent:
    try:
        if kind == "nominal":
            return Nominal.objects.select_related("area").get(case_reference=key)
        if kind == "referral":
            return Referral.objects.select_related("area").get(reference=key)
        if kind == "meeting" and key.isdigit():
            return Meeting.objects.select_related("area", "nominal").get(pk=int(key))
        if kind == "review" and key.isdigit():
            return SeriousCaseReview.objects.select_related("area", "nominal").get(pk=int(key))
    except (Nominal.DoesNotExist, Referral.DoesNotExist, Meeting.DoesNotExist, SeriousCaseReview.DoesNotExist):
        pass
    raise Http404


def _page_of(parent: Parent) -> str:
    if isinstance(parent, Nominal):
        return reverse("cases:nominal-records", args=[parent.case_reference])
    return parent.get_absolute_url()


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if allowed and target.startswith("/") else fallback


def upload(request: HttpRequest, kind: str, reference: str = "", pk: int | None = None) -> HttpResponse:
    user = signed_in_user(request)
    parent = _parent(kind, reference or str(pk))
    access = parent_access(user, parent)
    if access is None:
        raise Http404
    if not access.may_add:
        raise PermissionDenied
    agencies = Agency.objects.filter(area_id=parent.area_id, is_active=True).order_by("name")
    data = request.POST if request.method == "POST" else None
    asked = request.GET.get("kind", "")
    initial = {"provided_by": user.agency, "kind": asked if asked in DocumentKind.values else ""}
    form = DocumentForm(data, request.FILES if data is not None else None, agencies=agencies, initial=initial)
    back = _next_or(request, _page_of(parent))
    status = 400 if data is not None else 200
    if data is not None and form.is_valid():
        try:
            upload_file = form.cleaned_data["file"]
            services.document_upload(
                actor=user,
                parent=parent,
                values=form.cleaned_data,
                data=services.read_upload(upload_file),
                filename=upload_file.name or "",
                agencies=form.cleaned_data["agencies"],
                request=request,
            )
        except ValidationError as error:
            put_errors(error, [form])
        except StoreUnavailable:
            form.add_error(None, STORE_REFUSED)
            status = 503
        else:
            messages.success(request, "The document has been added.")
            return redirect(back)
    return form_page(
        request,
        title="Add a document",
        forms=[("", form)],
        submit="Add the document",
        back=back,
        nominal=parent if isinstance(parent, Nominal | SeriousCaseReview) else getattr(parent, "nominal", None),
        status=status,
        intro="Only those who may see this record will see the document, unless you narrow it further below.",
        hidden={"next": back},
    )


def _document_for(request: HttpRequest, pk: uuid.UUID) -> tuple[User, Document, DocumentAccess]:
    user = signed_in_user(request)
    document = (
        Document.objects.select_related(
            "nominal", "referral", "meeting__nominal", "review__nominal", "uploaded_by", "provided_by"
        )
        .filter(pk=pk)
        .first()
    )
    access = document_access(user, document) if document is not None else None
    if document is None or access is None:
        services.document_refused(actor=user, document_id=str(pk), request=request)
        raise Http404
    return user, document, access


def _purpose_first(request: HttpRequest, document: Document, access: DocumentAccess) -> HttpResponseBase | None:
    """An auditor reads a nominal's documents, as its record, after stating why."""
    nominal = document.nominal_of_parent
    if not access.needs_purpose or nominal is None or f"purpose:{nominal.pk}" in request.session:
        return None
    records = reverse("cases:nominal-records", args=[nominal.case_reference])
    return redirect(f"{reverse('cases:nominal-purpose', args=[nominal.case_reference])}?next={records}")


def _file_response(document: Document, opened: FieldFile, *, inline: bool) -> FileResponse:
    response = FileResponse(
        opened,
        as_attachment=not inline,
        filename=document.filename,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'"
    return response


def download(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    return _read(request, pk, inline=False)


def preview(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """PDFs and images shown in the browser rather than saved; other kinds are not found here."""
    return _read(request, pk, inline=True)


def _read(request: HttpRequest, pk: uuid.UUID, *, inline: bool) -> HttpResponseBase:
    user, document, access = _document_for(request, pk)
    if inline and not document.previewable:
        raise Http404
    elsewhere = _purpose_first(request, document, access)
    if elsewhere is not None:
        return elsewhere
    try:
        opened = open_file(document)
    except StoreUnavailable:
        response = render(request, "documents/unavailable.html", {"document": document}, status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
        return response
    try:
        services.document_read(actor=user, document=document, ground=access.ground, preview=inline, request=request)
    except BaseException:
        opened.close()  # a read that cannot be recorded is not given
        raise
    return _file_response(document, opened, inline=inline)


def withdraw(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user, document, access = _document_for(request, pk)
    if not access.can_withdraw:
        raise PermissionDenied
    page: Any = _page_of(document.parent)
    return form_and_save(
        request,
        WithdrawForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.document_withdraw(
            actor=user, document=document, reason=data["reason"], ground=access.ground
        ),
        saved="The document has been withdrawn. No one will see it again; it is kept for its retention review.",
        then=page,
        title=f"Withdraw “{document.title}”",
        submit="Withdraw the document",
        back=page,
        warning="Withdrawing hides the document from everyone, for good.",
    )
