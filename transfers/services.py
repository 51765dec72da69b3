"""Every write to transfers: asked, accepted, declined or withdrawn. Atomic, validated, audited
(django-auditlog), and each tells the other area's co-ordinators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import User
from cases.models import EventKind, Nominal, Status
from cases.services import event_record
from mappa.audit.services import audit_actor
from meetings.selectors import current_plan
from meetings.services import RMP_FIELDS
from notifications.models import Kind
from notifications.services import area_coordinators, notify
from transfers.models import Transfer, TransferStatus


def _plan_as_sent(actor: User, nominal: Nominal) -> dict[str, Any]:
    """A copy of the risk management plan in force, with its open actions, as the sending area has it."""
    meeting = current_plan(actor, nominal)
    plan = getattr(meeting, "rmp", None) if meeting is not None else None
    if meeting is None or plan is None:
        return {}
    return {
        "meeting": f"{meeting.get_kind_display()} meeting of {meeting.starts_at:%-d %B %Y}",
        "pillars": [
            [str(plan._meta.get_field(field).verbose_name).capitalize(), getattr(plan, field)] for field in RMP_FIELDS
        ],
        "actions": [
            {"description": action.description, "agency": str(action.owning_agency), "due": f"{action.due:%Y-%m-%d}"}
            for action in meeting.actions.all()
            if action.status != "complete"
        ],
    }


@transaction.atomic
def transfer_request(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Transfer:
    current = Nominal.objects.select_for_update().get(pk=nominal.pk)
    if current.status != Status.ACTIVE:
        raise ValidationError("Only an active MAPPA case can be transferred; this person has exited.")
    if Transfer.objects.filter(nominal=current, status=TransferStatus.REQUESTED).exists():
        raise ValidationError("A transfer of this person is already waiting for an answer.")
    to_area = values["to_area"]
    if to_area.pk == current.area_id:
        raise ValidationError({"to_area": "Select another MAPPA area: the person is already managed in this one"})
    lead = values.get("lead_agency")
    if lead is not None and lead.area_id != to_area.pk:
        raise ValidationError({"lead_agency": f"Select an agency of {to_area}"})
    with audit_actor(actor):
        transfer = Transfer(
            nominal=current,
            from_area_id=current.area_id,
            to_area=to_area,
            moving_on=values["moving_on"],
            reason=values["reason"],
            lead_agency=lead,
            level=current.level,
            category=current.category,
            plan=_plan_as_sent(actor, current),
            requested_by=actor,
        )
        transfer.full_clean()
        transfer.save()
    notify(
        recipients=area_coordinators(to_area.pk),
        kind=Kind.TRANSFER_REQUESTED,
        title=f"{current.area} asks {to_area} to take on a Level {current.level} case from {transfer.moving_on:%-d %B %Y}",
        url=transfer.get_absolute_url(),
        dedupe_key=f"{Kind.TRANSFER_REQUESTED}:{transfer.pk}",
    )
    return transfer


def _locked_open(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().select_related("nominal", "from_area", "to_area").get(pk=transfer.pk)
    if locked.status != TransferStatus.REQUESTED:
        raise ValidationError(f"This transfer has already been answered: {locked.get_status_display().lower()}.")
    return locked


def _decided(actor: User, transfer: Transfer, status: TransferStatus, reason: str) -> None:
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.decision_reason = reason
    transfer.save()


@transaction.atomic
def transfer_accept(*, actor: User, transfer: Transfer, values: Mapping[str, Any]) -> Transfer:
    """The receiving area takes the case on from `values["date"]`: a transfer event on the one
    record, which moves it, its documents and who may see it to the new area (`event_record`)."""
    transfer = _locked_open(transfer)
    lead = values.get("lead_agency") or transfer.lead_agency
    event = event_record(
        actor=actor,
        nominal=transfer.nominal,
        values={
            "kind": EventKind.TRANSFER,
            "date": values["date"],
            "to_area": transfer.to_area,
            "lead_agency": lead,
            "notes": f"Transfer from {transfer.from_area} accepted by {actor.display_name}.",
        },
    )
    with audit_actor(actor):
        transfer.event = event
        transfer.lead_agency = lead
        _decided(actor, transfer, TransferStatus.ACCEPTED, values.get("note", ""))
    notify(
        recipients=area_coordinators(transfer.from_area_id),
        kind=Kind.TRANSFER_DECIDED,
        title=f"{transfer.to_area} accepted the transfer of {transfer.nominal.case_reference} from {event.date:%-d %B %Y}",
        url=transfer.get_absolute_url(),
        dedupe_key=f"{Kind.TRANSFER_DECIDED}:{transfer.pk}",
    )
    return transfer


def _answered(*, actor: User, transfer: Transfer, status: TransferStatus, reason: str, what: str) -> Transfer:
    transfer = _locked_open(transfer)
    if not reason.strip():
        raise ValidationError({"reason": f"Enter why the transfer is {what}"})
    with audit_actor(actor):
        _decided(actor, transfer, status, reason)
    return transfer


@transaction.atomic
def transfer_decline(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """The receiving area will not take the case on; the sending area hears why."""
    transfer = _answered(actor=actor, transfer=transfer, status=TransferStatus.DECLINED, reason=reason, what="declined")
    notify(
        recipients=area_coordinators(transfer.from_area_id),
        kind=Kind.TRANSFER_DECIDED,
        title=f"{transfer.to_area} declined the transfer of {transfer.nominal.case_reference}",
        url=transfer.get_absolute_url(),
        dedupe_key=f"{Kind.TRANSFER_DECIDED}:{transfer.pk}",
    )
    return transfer


@transaction.atomic
def transfer_withdraw(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """The sending area no longer asks (the person stays, say)."""
    return _answered(actor=actor, transfer=transfer, status=TransferStatus.WITHDRAWN, reason=reason, what="withdrawn")
