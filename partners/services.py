"""Registering, renewing and revoking partner systems, and the writes their calls make. Every write
to case records goes through the same services as the pages (cases.services), as the system's
account, so the same rules, notifications and audit apply."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, User
from cases.models import BREACHES, Event, EventKind, Location, Nominal, Status
from cases.services import event_record, nominal_update
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_actor, audit_record
from partners.models import IdempotentRequest, PartnerSystem, Scope

TOKEN_PREFIX = "mappa"  # (names the kind of token; no secret)  # noqa: S105  # nosec B105
# A token is valid for at most a year: long enough for an integration, short enough to be renewed.
LONGEST_VALIDITY = datetime.timedelta(days=366)


@dataclass(frozen=True)
class IssuedToken:
    partner: PartnerSystem
    token: str  # shown once, never stored


def _new_token() -> tuple[str, str, str]:
    """A token, its public prefix (to find the system) and the SHA-256 of the whole (to check it).
    The secret part is 256 random bits, so a plain hash is as strong as a slow one would be."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_terms(*, scopes: Iterable[str], expires_at: datetime.datetime) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = set(chosen) - set(Scope.values)
    errors: dict[str, str] = {}
    if unknown:
        errors["scopes"] = f"Unknown scopes: {', '.join(sorted(unknown))}"
    elif not chosen:
        errors["scopes"] = "Choose at least one thing the system may do"
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = "The expiry must be in the future"
    elif expires_at > now + LONGEST_VALIDITY:
        errors["expires_at"] = "A token may be valid for a year at most"
    if errors:
        raise ValidationError(errors)
    return chosen


@transaction.atomic
def partner_register(
    *,
    actor: User,
    name: str,
    agency: Agency,
    scopes: Iterable[str],
    expires_at: datetime.datetime,
    requests_per_minute: int = 120,
) -> IssuedToken:
    """Register a partner system and issue its first token, which is returned once and only its
    hash kept. The system acts through an account of its own in `agency` that has no role and no
    password, so it can never sign in to the pages."""
    chosen = check_terms(scopes=scopes, expires_at=expires_at)
    if not agency.is_active:
        raise ValidationError({"agency": "That agency is no longer active"})
    token, prefix, digest = _new_token()
    with audit_actor(actor):
        account = User(
            username=f"partner-{prefix}",
            first_name=name[:150],
            agency=agency,
            job_title="Partner system",
            is_machine=True,
        )
        account.set_unusable_password()
        account.full_clean()
        account.save()
        partner = PartnerSystem(
            name=name,
            agency=agency,
            account=account,
            scopes=chosen,
            requests_per_minute=requests_per_minute,
            token_prefix=prefix,
            token_hash=digest,
            expires_at=expires_at,
            created_by=actor,
        )
        partner.full_clean()
        partner.save()
    return IssuedToken(partner=partner, token=token)


@transaction.atomic
def partner_update(
    *,
    actor: User,
    partner: PartnerSystem,
    scopes: Iterable[str],
    expires_at: datetime.datetime,
    requests_per_minute: int,
) -> PartnerSystem:
    chosen = check_terms(scopes=scopes, expires_at=expires_at)
    with audit_actor(actor):
        current = PartnerSystem.objects.select_for_update().get(pk=partner.pk)
        if expires_at > current.expires_at:
            # A token lives no longer than it was issued for: a later expiry comes with a new token.
            raise ValidationError({"expires_at": "To work for longer, the system needs a new token: issue one"})
        current.scopes, current.expires_at, current.requests_per_minute = chosen, expires_at, requests_per_minute
        current.full_clean()
        current.save()
    return current


@transaction.atomic
def partner_renew_token(*, actor: User, partner: PartnerSystem, expires_at: datetime.datetime) -> IssuedToken:
    """Issue a new token; the old one stops working at once."""
    check_terms(scopes=partner.scopes, expires_at=expires_at)
    token, prefix, digest = _new_token()
    with audit_actor(actor):
        current = PartnerSystem.objects.select_for_update().get(pk=partner.pk)
        if current.revoked_at is not None:
            raise ValidationError("A revoked partner system cannot be given a new token; register it again")
        current.token_prefix, current.token_hash, current.expires_at = prefix, digest, expires_at
        current.save()
    return IssuedToken(partner=current, token=token)


@transaction.atomic
def partner_revoke(*, actor: User, partner: PartnerSystem) -> PartnerSystem:
    """Stop the token working, for good. The record and its account stay, for the audit log."""
    with audit_actor(actor):
        current = PartnerSystem.objects.select_for_update().get(pk=partner.pk)
        if current.revoked_at is None:
            current.revoked_at = timezone.now()
            current.save()
    return current


def partner_for_token(token: str) -> tuple[PartnerSystem | None, str]:
    """The partner system a presented token belongs to, and why it is refused (empty if it is not).
    (None, reason) when the token is no token of ours at all."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None, "The token is not a token of this service."
    partner = PartnerSystem.objects.select_related("agency", "account").filter(token_prefix=parts[1]).first()
    if partner is None or not hmac.compare_digest(partner.token_hash, token_digest(token)):
        return None, "The token is not known."
    return partner, partner.refusal()


def partner_call_audit(
    *,
    partner: PartnerSystem,
    request: HttpRequest,
    operation: str,
    status: int,
    details: dict[str, object],
    nominal_id: int | None = None,
    refused: str = "",
) -> None:
    """One audit entry per call: who called (the system, through its account), what, and the answer."""
    audit_record(
        event=AuditEvent.API_REFUSED if refused else AuditEvent.API_CALL,
        actor=partner.account,
        subject=partner,
        request=request,
        ground=f"partner system of {partner.agency.name}",
        nominal_id=nominal_id,
        details={
            "partner": partner.name,
            "partner_id": partner.pk,
            "operation": operation,
            "status": status,
            **({"refused": refused} if refused else {}),
            **details,
        },
    )


# The events that begin a spell in custody or hospital: a report of custody from that day is recorded.
HELD_FROM = Q(kind__in=[EventKind.CUSTODY, EventKind.RECALL, EventKind.HOSPITAL_DETENTION]) | Q(
    kind__in=BREACHES, returned_to_custody=True
)


@dataclass(frozen=True)
class CustodyOutcome:
    nominal: Nominal
    recorded: list[str]  # the events recorded by this report, by kind


@transaction.atomic
def custody_report(
    *,
    partner: PartnerSystem,
    nominal: Nominal,
    custody_start: datetime.date,
    expected_release_date: datetime.date | None,
    released_on: datetime.date | None,
    establishment: str,
) -> CustodyOutcome:
    """A custody period as the prison service knows it: the custody event on `custody_start`, the
    release on `released_on` if the person is out, else the expected release date. What is already
    recorded is left as it is, so the same report twice records nothing new. The events go through
    `cases.services.event_record`, so where the person is follows their latest event by date."""
    errors: dict[str, str] = {}
    if released_on is not None and expected_release_date is not None:
        errors["expected_release_date"] = "Give the release date or the expected release date, not both"
    if released_on is not None and released_on < custody_start:
        errors["released_on"] = "The release cannot be before the custody began"
    if expected_release_date is not None and expected_release_date < custody_start:
        errors["expected_release_date"] = "The expected release cannot be before the custody began"
    if errors:
        raise ValidationError(errors)
    actor = partner.account
    # The record is locked first, so that two reports (or a report and a person on the pages) of the
    # same custody, at the same moment, record it once.
    nominal = Nominal.objects.select_for_update().get(pk=nominal.pk)
    if nominal.status != Status.ACTIVE:
        raise ValidationError("This person has exited MAPPA; tell the co-ordination unit instead")
    source = f"Reported by {partner.name}" + (f": {establishment}" if establishment else "")
    recorded = []
    events = Event.objects.filter(nominal=nominal)
    if not events.filter(HELD_FROM, date=custody_start).exists():
        event_record(
            actor=actor, nominal=nominal, values={"kind": EventKind.CUSTODY, "date": custody_start, "notes": source}
        )
        recorded.append(EventKind.CUSTODY.value)
    if released_on is not None and not events.filter(kind=EventKind.RELEASE, date=released_on).exists():
        event_record(
            actor=actor, nominal=nominal, values={"kind": EventKind.RELEASE, "date": released_on, "notes": source}
        )
        recorded.append(EventKind.RELEASE.value)
    current = Nominal.objects.get(pk=nominal.pk)
    still_held = current.location in (Location.CUSTODY, Location.HOSPITAL)
    if expected_release_date is not None and not still_held:
        raise ValidationError(
            {
                "expected_release_date": "The record shows the person released since; an expected release no longer applies"
            }
        )
    if expected_release_date is not None and current.expected_release_date != expected_release_date:
        current = nominal_update(
            actor=actor,
            nominal=current,
            details={"expected_release_date": expected_release_date},
            expected_version=current.version,
        )
        recorded.append("expected_release_date")
    return CustodyOutcome(nominal=current, recorded=recorded)


@transaction.atomic
def lead_agency_change(*, partner: PartnerSystem, nominal: Nominal, agency: Agency, expected_version: int) -> Nominal:
    """Record that another agency of the area now leads the case, as a co-ordinator would on the
    nominal's page (raises StaleRecordError if the record changed since `expected_version`)."""
    if agency.area_id != nominal.area_id:
        raise ValidationError({"agency_id": "Select an agency of the person's MAPPA area"})
    if not agency.is_active:
        raise ValidationError({"agency_id": "That agency is no longer active"})
    return nominal_update(
        actor=partner.account, nominal=nominal, details={"lead_agency": agency}, expected_version=expected_version
    )


# How long the answer to a write is kept under its caller's key: far longer than any retry takes.
IDEMPOTENCY_KEY_DAYS = 30


def idempotency_keys_forget(*, now: datetime.datetime | None = None) -> int:
    """Drop the answers kept under keys older than IDEMPOTENCY_KEY_DAYS; a key that old may be used again."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=IDEMPOTENCY_KEY_DAYS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
