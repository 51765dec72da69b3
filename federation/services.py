"""Every write of sign-in through an agency's provider: linking a person, approving the link,
signing in, and ending the sessions of people their provider no longer knows. Each leaves an audit
entry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login

from agencies.models import Role, User
from agencies.services import user_deactivate, user_save
from federation.client import still_known
from federation.models import IdentityProvider, LinkedIdentity, ProviderSecondFactor
from federation.secrets import seal, unseal
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_actor, audit_record

logger = logging.getLogger(__name__)

# What is kept for a person whose refresh token is dropped (signed out, or gone).
NO_REFRESH_TOKEN = ""  # (no secret: the absence of one)  # nosec B105


def provider_for_email(email: str) -> IdentityProvider | None:
    """The active provider of the agency whose staff have addresses at the e-mail's domain."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    for provider in IdentityProvider.objects.filter(is_active=True, agency__is_active=True).select_related("agency"):
        if domain in provider.domains:
            return provider
    return None


def provider_origins() -> set[str]:
    """Where the active providers' sign-in pages are (scheme, host and port of each issuer; a
    provider's authorization endpoint is on its issuer's origin in practice)."""
    origins = set()
    for issuer in IdentityProvider.objects.filter(is_active=True).values_list("issuer", flat=True):
        parts = urlsplit(issuer)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins


def refuse_token(*, request: HttpRequest, provider: IdentityProvider | None, reason: str, attempted: str = "") -> None:
    audit_record(
        event=AuditEvent.SIGN_IN_FAILED,
        actor=None,
        subject=provider or IdentityProvider,
        request=request,
        attempted_username=attempted[:150],
        details={"via": "identity provider", "issuer": provider.issuer if provider else "", "refused": reason},
    )


@dataclass(frozen=True)
class Arrival:
    """What a sign-in through a provider came to."""

    identity: LinkedIdentity
    signed_in: bool  # False: the link waits for approval, or the account is deactivated
    second_factor_done: bool = False


def _claim_email(claims: dict[str, Any]) -> str:
    return str(claims.get("email") or claims.get("preferred_username") or claims.get("upn") or "").strip().lower()


@transaction.atomic
def provider_arrival(
    *, request: HttpRequest, provider: IdentityProvider, claims: dict[str, Any], refresh_token: str
) -> Arrival:
    """A person the provider vouches for arrives. Known and approved: they are signed in, with the
    provider's second factor if the token says it asked for one. Unknown: their account is made (or
    an existing account of the agency with their address is found) and linked, waiting for an
    administrator's approval, with no role and unable to sign in until then. The agency is always
    the provider's, never a claim."""
    subject = str(claims.get(provider.subject_claim) or "")
    email = _claim_email(claims)
    if not subject:
        raise ValidationError(f"The token has no '{provider.subject_claim}' claim to identify the person")
    if email and email.rpartition("@")[2] not in provider.domains:
        raise ValidationError("The address the provider gave is not one of the agency's")
    identity = LinkedIdentity.objects.select_related("user").filter(provider=provider, subject=subject).first()
    if identity is None:
        identity = _link(request=request, provider=provider, subject=subject, email=email, claims=claims)
    if not identity.approved or not identity.user.is_active:
        return Arrival(identity=identity, signed_in=False)
    identity.last_sign_in_at = timezone.now()
    identity.refresh_token = seal(refresh_token)
    identity.save(update_fields=["last_sign_in_at", "refresh_token"])
    user = identity.user
    vouched = provider.counts_as_second_factor(claims)
    request.sign_in_details = {  # type: ignore[attr-defined]  # for the sign-in's audit entry
        "via": "identity provider",
        "issuer": provider.issuer,
        "provider_second_factor": vouched,
    }
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if vouched:
        device, _ = ProviderSecondFactor.objects.get_or_create(
            user=user, defaults={"name": f"{provider.agency} sign-in", "confirmed": True}
        )
        otp_login(request, device)
    return Arrival(identity=identity, signed_in=True, second_factor_done=vouched)


def _link(
    *, request: HttpRequest, provider: IdentityProvider, subject: str, email: str, claims: dict[str, Any]
) -> LinkedIdentity:
    existing = User.objects.filter(agency=provider.agency, email__iexact=email).first() if email else None
    if existing is not None and hasattr(existing, "linked_identity"):
        existing = None  # already linked to another identity: the new one gets an account of its own
    with audit_actor(None):
        user = existing or _pending_account(provider=provider, subject=subject, email=email, claims=claims)
        identity = LinkedIdentity.objects.create(provider=provider, subject=subject, user=user, email=email)
    audit_record(
        event=AuditEvent.IDENTITY_LINKED,
        actor=None,
        subject=user,
        request=request,
        details={
            "issuer": provider.issuer,
            "subject": subject,
            "email": email,
            "existing_account": existing is not None,
        },
    )
    return identity


def _pending_account(*, provider: IdentityProvider, subject: str, email: str, claims: dict[str, Any]) -> User:
    base = (email or f"{provider.agency_id}-{subject}")[:140]
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base[:140]}-{number}"
    user = User(
        username=username,
        email=email,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
        agency=provider.agency,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def identity_approve(*, actor: User, identity: LinkedIdentity, roles: list[Role]) -> LinkedIdentity:
    """An administrator of the provider's area lets the linked person in, with the roles they choose."""
    if not identity_manageable_by(actor).filter(pk=identity.pk).exists():
        raise ValidationError("Only an administrator of the agency's area may approve this person")
    if identity.approved:
        raise ValidationError("This person is already approved")
    user = identity.user
    keep = list(user.roles) if user.roles else []
    if not keep and not roles:
        raise ValidationError("Choose at least one role for this person")
    user.is_active = True
    user_save(actor=actor, user=user, roles=keep or roles)
    with audit_actor(actor):
        identity.approved_at, identity.approved_by = timezone.now(), actor
        identity.save(update_fields=["approved_at", "approved_by"])
    audit_record(
        event=AuditEvent.IDENTITY_APPROVED,
        actor=actor,
        subject=user,
        details={"issuer": identity.provider.issuer, "roles": [str(role) for role in (keep or roles)]},
    )
    return identity


def identity_manageable_by(actor: User) -> QuerySet[LinkedIdentity]:
    """The links an administrator may approve: those of providers of their own area (all, for the
    bootstrap superuser)."""
    identities = LinkedIdentity.objects.select_related("provider__agency", "user")
    if actor.is_superuser:
        return identities
    if not actor.has_role(Role.SYSTEM_ADMINISTRATOR) or actor.agency is None:
        return identities.none()
    return identities.filter(provider__agency__area_id=actor.agency.area_id)


def identity_sign_out(*, identity: LinkedIdentity, reason: str, request: HttpRequest | None = None) -> None:
    """The provider says the person signed out everywhere: their sessions here end too. Their
    refresh token is dropped with them, so that the leavers' check does not take the sign-out for
    a departure."""
    identity.user.end_sessions()
    LinkedIdentity.objects.filter(pk=identity.pk).update(refresh_token=NO_REFRESH_TOKEN)
    audit_record(
        event=AuditEvent.SIGNED_OUT_BY_PROVIDER,
        actor=None,
        subject=identity.user,
        request=request,
        details={"issuer": identity.provider.issuer, "reason": reason, "deactivated": False},
    )


def identity_end(*, identity: LinkedIdentity, reason: str, request: HttpRequest | None = None) -> None:
    """The provider no longer knows the person, or has signed them out everywhere: their sessions end
    and their account is deactivated until an administrator looks at it."""
    user = identity.user
    if user.is_active:
        user_deactivate(actor=None, user=user)
    LinkedIdentity.objects.filter(pk=identity.pk).update(refresh_token=NO_REFRESH_TOKEN)
    audit_record(
        event=AuditEvent.SIGNED_OUT_BY_PROVIDER,
        actor=None,
        subject=user,
        request=request,
        details={"issuer": identity.provider.issuer, "reason": reason, "deactivated": True},
    )


def leavers_check() -> dict[str, int]:
    """Ask each provider, with each approved person's refresh token, whether it still knows them;
    end the sessions of, and deactivate, those it refuses. A provider that cannot be reached is left
    for the next run (and logged): an outage is not a leaver."""
    counts = {"checked": 0, "ended": 0, "unreachable": 0}
    identities = LinkedIdentity.objects.filter(approved_at__isnull=False, user__is_active=True).exclude(
        refresh_token=NO_REFRESH_TOKEN
    )
    for identity in identities.select_related("provider", "user"):
        token = unseal(identity.refresh_token)
        if not token:
            continue
        counts["checked"] += 1
        try:
            known, renewed = still_known(identity.provider, token)
        except requests.RequestException:
            logger.warning("Leavers' check: %s did not answer", identity.provider.issuer, exc_info=True)
            counts["unreachable"] += 1
            continue
        if not known:
            identity_end(identity=identity, reason="the provider refused the person's refresh token")
            counts["ended"] += 1
        elif renewed != token:
            LinkedIdentity.objects.filter(pk=identity.pk).update(refresh_token=seal(renewed))
    return counts
