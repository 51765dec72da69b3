"""Every write of sign-in through an agency's provider: linking a person, approving the link,
signing in, and ending the sessions of people their provider no longer knows. Each leaves an audit
entry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login

from agencies.models import Role, User
from agencies.services import user_deactivate, user_save
from federation.client import ProviderTrouble, still_known
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


@transaction.atomic
def identity_provider_save(*, actor: User, provider: IdentityProvider) -> IdentityProvider:
    """Connect an agency's provider, or change how it is connected (see `identity_provider_check`)."""
    identity_provider_check(actor=actor, provider=provider)
    provider.full_clean()
    with audit_actor(actor):
        provider.save()
    return provider


def identity_provider_check(*, actor: User, provider: IdentityProvider) -> None:
    """An administrator connects only agencies of their own area. Once people are linked through a
    provider, its agency, issuer and client are fixed (a new provider, registered afresh, relinks
    everyone with an administrator's approval), so that nobody can repoint an agency at a provider
    of their own and sign in as its people. No two agencies share an e-mail domain."""
    errors: dict[str, str] = {}
    if not actor.is_superuser and (actor.agency is None or provider.agency.area_id != actor.agency.area_id):
        errors["agency"] = "Choose an agency of your own area"
    if provider.pk is not None:
        before = IdentityProvider.objects.get(pk=provider.pk)
        moved = (before.issuer, before.client_id, before.agency_id) != (
            provider.issuer,
            provider.client_id,
            provider.agency_id,
        )
        if moved and before.identities.exists():
            errors["issuer"] = "People are linked through this provider: its agency, issuer and client cannot change"
    others = IdentityProvider.objects.exclude(pk=provider.pk)
    shared = next((other for other in others if other.domains & provider.domains), None)
    if shared is not None:
        errors["email_domains"] = f"{', '.join(sorted(shared.domains & provider.domains))} is already {shared.agency}'s"
    if errors:
        raise ValidationError(errors)


def providers_manageable_by(actor: User) -> QuerySet[IdentityProvider]:
    providers = IdentityProvider.objects.select_related("agency")
    if actor.is_superuser:
        return providers
    if actor.agency is None or not actor.has_role(Role.SYSTEM_ADMINISTRATOR):
        return providers.none()
    return providers.filter(agency__area_id=actor.agency.area_id)


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


def _address_verified(provider: IdentityProvider, claims: dict[str, Any]) -> bool:
    return provider.addresses_verified or claims.get("email_verified") is True


def _who(claims: dict[str, Any], provider: IdentityProvider) -> tuple[str, str]:
    """The person's identifier at the provider and their work address, checked: both present and
    of a sane length, the address one of the agency's."""
    subject = claims.get(provider.subject_claim)
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
        raise ValidationError(f"The token has no usable '{provider.subject_claim}' claim to identify the person")
    email = _claim_email(claims)
    if not email or len(email) > 254 or email.rpartition("@")[2] not in provider.domains:
        raise ValidationError("The token gives no address of the agency's for the person")
    return subject, email


@transaction.atomic
def provider_arrival(
    *, request: HttpRequest, provider: IdentityProvider, claims: dict[str, Any], refresh_token: str
) -> Arrival:
    """A person the provider vouches for arrives. Known and approved: they are signed in, with the
    provider's second factor if the token says it asked for one. Unknown: their account is made (or
    an existing account of the agency with their address is found) and linked, waiting for an
    administrator's approval, with no role and unable to sign in until then. The agency is always
    the provider's, never a claim."""
    subject, email = _who(claims, provider)
    identity = LinkedIdentity.objects.select_related("user").filter(provider=provider, subject=subject).first()
    if identity is None:
        try:
            with transaction.atomic():
                identity = _link(request=request, provider=provider, subject=subject, email=email, claims=claims)
        except IntegrityError:  # the same person's first sign-in, twice at once: the other one linked them
            identity = LinkedIdentity.objects.select_related("user").get(provider=provider, subject=subject)
    if not identity.approved or not identity.user.is_active:
        why = "waiting for approval" if not identity.approved else "the account here is deactivated"
        refuse_token(request=request, provider=provider, reason=why, attempted=identity.user.username)
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
    login(request, user, backend="agencies.backends.AccountBackend")
    if vouched:
        device = ProviderSecondFactor.objects.filter(user=user).first() or _provider_device(user, provider)
        otp_login(request, device)
    return Arrival(identity=identity, signed_in=True, second_factor_done=vouched)


def _provider_device(user: User, provider: IdentityProvider) -> ProviderSecondFactor:
    try:
        with transaction.atomic():
            device: ProviderSecondFactor = ProviderSecondFactor.objects.create(
                user=user, name=f"{provider.agency} sign-in", confirmed=True
            )
    except IntegrityError:  # made by a sign-in of the same person at the same moment
        device = ProviderSecondFactor.objects.get(user=user)
    return device


def _link(
    *, request: HttpRequest, provider: IdentityProvider, subject: str, email: str, claims: dict[str, Any]
) -> LinkedIdentity:
    existing = None
    if _address_verified(provider, claims):
        existing = User.objects.filter(agency=provider.agency, email__iexact=email, is_machine=False).first()
    if existing is not None and LinkedIdentity.objects.filter(user=existing).exists():
        existing = None  # already linked to another identity: the new one gets an account of its own
    with audit_actor(None):
        user = existing or _pending_account(provider=provider, subject=subject, email=email, claims=claims)
        identity = LinkedIdentity.objects.create(
            provider=provider, subject=subject, user=user, email=email, existing_account=existing is not None
        )
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
    keep = list(user.roles) if identity.existing_account else []
    if identity.existing_account and not user.is_active:
        raise ValidationError("Their account here is deactivated: reactivate it under Users first, if it should be")
    if Role.SYSTEM_ADMINISTRATOR in keep:
        raise ValidationError("System administrators sign in with their password and code, not an agency's account")
    if not keep and not roles:
        raise ValidationError("Choose at least one role for this person")
    user.is_active = True
    if identity.existing_account:
        # From now on they sign in through their agency, whose word on leavers then holds.
        user.set_unusable_password()
    user_save(actor=actor, user=user, roles=keep or roles)
    with audit_actor(actor):
        identity.approved_at, identity.approved_by = timezone.now(), actor
        identity.save(update_fields=["approved_at", "approved_by"])
    audit_record(
        event=AuditEvent.IDENTITY_APPROVED,
        actor=actor,
        subject=user,
        details={
            "issuer": identity.provider.issuer,
            "roles": [str(role) for role in (keep or roles)],
            "existing_account": identity.existing_account,
        },
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


# A provider that refuses more of its people than this in one run is more likely misconfigured than
# emptied by leavers: the run stops ending its people's sessions and says so.
MOST_LEAVERS_PER_RUN = 5
MOST_LEAVERS_SHARE = 0.2
LEAVERS_LOCK = "federation-leavers-check"


def leavers_check() -> dict[str, int]:
    """Ask each provider, with each approved person's refresh token, whether it still knows them;
    end the sessions of, and deactivate, those it refuses (`invalid_grant`). A provider in trouble
    (unreachable, refusing our client, garbled) is left for the next run and logged: an outage is not
    a leaver. One run at a time."""
    counts = {"checked": 0, "ended": 0, "unreachable": 0, "unreadable": 0, "halted": 0}
    if not cache.add(LEAVERS_LOCK, 1, timeout=15 * 60):
        logger.warning("Leavers' check: another run is still going; this one does nothing")
        return counts
    try:
        identities = LinkedIdentity.objects.filter(approved_at__isnull=False, user__is_active=True).exclude(
            refresh_token=NO_REFRESH_TOKEN
        )
        by_provider: dict[int, list[LinkedIdentity]] = {}
        for identity in identities.select_related("provider__agency", "user"):
            by_provider.setdefault(identity.provider_id, []).append(identity)
        for people in by_provider.values():
            _check_provider(people, counts)
    finally:
        cache.delete(LEAVERS_LOCK)
    return counts


def _check_provider(people: list[LinkedIdentity], counts: dict[str, int]) -> None:
    limit = max(MOST_LEAVERS_PER_RUN, int(len(people) * MOST_LEAVERS_SHARE))
    refused = 0
    for identity in people:
        token = unseal(identity.refresh_token)
        if not token:
            counts["unreadable"] += 1
            logger.warning("Leavers' check: the refresh token of linked identity %s cannot be read", identity.pk)
            continue
        counts["checked"] += 1
        try:
            known, renewed = still_known(identity.provider, token)
        except ProviderTrouble as trouble:
            logger.error(
                "Leavers' check: %s is in trouble (%s); its people are left for the next run",
                identity.provider.issuer,
                trouble,
            )
            counts["unreachable"] += 1
            return
        if known:
            if renewed != token:
                LinkedIdentity.objects.filter(pk=identity.pk).update(refresh_token=seal(renewed))
            continue
        refused += 1
        if refused > limit:
            logger.error(
                "Leavers' check: %s refused more than %s people in one run; stopped ending sessions "
                "for it until someone looks",
                identity.provider.issuer,
                limit,
            )
            counts["halted"] += 1
            return
        identity_end(identity=identity, reason="the provider no longer accepts the person's refresh token")
        counts["ended"] += 1
