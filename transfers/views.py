"""Transfer pages: the area's transfers in and out, asking another area to take a case on, and the
receiving area's answer. Every view fetches through `transfers.policy`; a transfer the person may not
see is not found, and the attempt is audited. Opening one is a consultation of the nominal."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from agencies.auth import signed_in_user
from agencies.models import User
from cases.policy import nominal_for
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record, refuse_unseen
from mappa.pages import consulted_page, form_and_save
from transfers import services
from transfers.forms import ReasonForm, TransferAcceptForm, TransferFilterForm, TransferRequestForm
from transfers.models import Transfer
from transfers.policy import TransferAccess, may_transfer, transfer_access
from transfers.selectors import area_transfers

PAGE_SIZE = 50


def _transfer_for(
    request: HttpRequest, pk: int, *, decide: bool = False, withdraw: bool = False
) -> tuple[User, Transfer, TransferAccess]:
    user = signed_in_user(request)
    transfer = (
        Transfer.objects.select_related("nominal__lead_agency", "from_area", "to_area", "lead_agency", "requested_by")
        .filter(pk=pk)
        .first()
    )
    access = transfer_access(user, transfer) if transfer is not None else None
    if transfer is None or access is None:
        refuse_unseen(
            actor=user,
            record=transfer,
            request=request,
            nominal_id=transfer.nominal_id if transfer else None,
            what="transfer",
        )
    if (decide and not access.can_decide) or (withdraw and not access.can_withdraw):
        raise PermissionDenied
    return user, transfer, access


def transfer_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_transfer(user):
        raise PermissionDenied
    form = TransferFilterForm(request.GET or None)
    direction = status = ""
    if form.is_valid():
        direction, status = form.cleaned_data["direction"], form.cleaned_data["status"]
    page = consulted_page(
        request,
        user,
        area_transfers(user, direction=direction, status=status),
        name="transfers",
        per_page=PAGE_SIZE,
        search={"direction": direction, "status": status} if request.GET else None,
    )
    return render(request, "transfers/transfer_list.html", {"page": page, "form": form, "area": user.area})


def transfer_request(request: HttpRequest, reference: str) -> HttpResponse:
    user, nominal, _access = nominal_for(request, reference, coordinator=True)
    records = reverse("cases:nominal-records", args=[nominal.case_reference])
    return form_and_save(
        request,
        TransferRequestForm(request.POST if request.method == "POST" else None, area=nominal.area),
        save=lambda data: services.transfer_request(actor=user, nominal=nominal, values=data),
        saved="The transfer has been sent. The receiving area's co-ordinators have been told.",
        then=lambda transfer: transfer,
        title="Ask another MAPPA area to take this case on",
        submit="Send the transfer",
        back=records,
        nominal=nominal,
        intro="The record stays one record: once the receiving area accepts, it moves there with its "
        "documents, and a copy of the current risk management plan goes with it.",
    )


def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, transfer, access = _transfer_for(request, pk)
    audit_record(
        event=AuditEvent.VIEW,
        actor=user,
        subject=transfer.nominal,
        request=request,
        ground=access.ground,
        nominal_id=transfer.nominal_id,
        details={"page": "transfer", "transfer": transfer.pk},
    )
    nominal = transfer.nominal
    context = {
        "transfer": transfer,
        "access": access,
        "nominal": nominal,
        "convictions": nominal.convictions.order_by("-conviction_date")[:10],
        "record_visible": nominal.area_id == user.agency.area_id,  # type: ignore[union-attr]
    }
    return render(request, "transfers/transfer_detail.html", context)


def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user, transfer, _access = _transfer_for(request, pk, decide=True)
    initial = {"lead_agency": transfer.lead_agency}
    return form_and_save(
        request,
        TransferAcceptForm(request.POST if request.method == "POST" else None, area=transfer.to_area, initial=initial),
        save=lambda data: services.transfer_accept(actor=user, transfer=transfer, values=data),
        saved="The transfer is accepted: the record is now your area's.",
        then=transfer,
        title="Accept the transfer",
        submit="Accept the transfer",
        back=transfer.get_absolute_url(),
        warning="Accepting moves the record to your area from the date you give: the sending area's agencies "
        "lose access to it. This cannot be undone here."
        + (" At Level 2 or 3, hold a transfer meeting with the sending area." if transfer.level > 1 else ""),
    )


def transfer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    user, transfer, _access = _transfer_for(request, pk, decide=True)
    return form_and_save(
        request,
        ReasonForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.transfer_decline(actor=user, transfer=transfer, reason=data["reason"]),
        saved="The transfer is declined. The sending area has been told why.",
        then=transfer,
        title="Decline the transfer",
        submit="Decline the transfer",
        back=transfer.get_absolute_url(),
    )


def transfer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user, transfer, _access = _transfer_for(request, pk, withdraw=True)
    return form_and_save(
        request,
        ReasonForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.transfer_withdraw(actor=user, transfer=transfer, reason=data["reason"]),
        saved="The transfer is withdrawn.",
        then=transfer,
        title="Withdraw the transfer",
        submit="Withdraw the transfer",
        back=transfer.get_absolute_url(),
    )
