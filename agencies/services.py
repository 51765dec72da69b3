"""Every write to areas, agencies and people goes through these functions."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import Agency, Area, Role, RoleGrant, User
from agencies.selectors import CATEGORY4_PERMISSION, user_is_category4_cleared
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_actor, audit_record


@transaction.atomic
def agency_save(*, actor: User | None, agency: Agency) -> Agency:
    """Create or update an agency, giving a new one the group its object permissions are granted to."""
    with audit_actor(actor):
        agency.full_clean(exclude=["group"])
        if agency.pk is None:
            agency.group = Group.objects.create(name=f"agency:{agency.area.code}:{agency.name}"[:150])
        else:
            Group.objects.filter(pk=agency.group_id).update(name=f"agency:{agency.area.code}:{agency.name}"[:150])
        agency.save()
    return agency


@transaction.atomic
def user_save(
    *,
    actor: User | None,
    user: User,
    roles: Iterable[Role] | None = None,
    category4_cleared: bool | None = None,
) -> User:
    """Create or update a user, keeping their group membership in step with their agency.

    `roles` and `category4_cleared`, when given, replace what the user holds; each grant and
    revocation is written to the audit log with the actor who made it.
    """
    if user.is_machine and (roles or category4_cleared):
        raise ValidationError("A partner system's account holds no role and no clearance")
    with audit_actor(actor):
        user.full_clean(exclude=["password"])
        was_active = user.pk is not None and User.objects.filter(pk=user.pk, is_active=True).exists()
        if was_active and not user.is_active:
            user.session_epoch += 1  # deactivating someone ends the sessions they have open
        user.save()
        user.groups.set([user.agency.group] if user.agency else [])
        if roles is not None:
            _user_set_roles(actor=actor, user=user, roles=set(roles))
        if category4_cleared is not None:
            _user_set_category4_clearance(actor=actor, user=user, cleared=category4_cleared)
    return user


def _user_set_roles(*, actor: User | None, user: User, roles: set[Role]) -> None:
    held = {Role(grant.role): grant for grant in user.role_grants.all()}
    for role in roles - held.keys():
        RoleGrant.objects.create(user=user, role=role)
    for role in held.keys() - roles:
        held[role].delete()
    user.__dict__.pop("roles", None)


def _user_set_category4_clearance(*, actor: User | None, user: User, cleared: bool) -> None:
    area: Area | None = user.area
    if area is None or cleared == user_is_category4_cleared(user):
        return
    if cleared:
        assign_perm(CATEGORY4_PERMISSION, user, area)
        event = AuditEvent.PERMISSION_GRANTED
    else:
        remove_perm(CATEGORY4_PERMISSION, user, area)
        event = AuditEvent.PERMISSION_REVOKED
    audit_record(
        event=event,
        actor=actor,
        subject=user,
        details={"permission": CATEGORY4_PERMISSION, "area": area.code},
    )


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Stop a user signing in. Their audit entries stay attributed to them; they are never deleted."""
    with audit_actor(actor):
        user.is_active = False
        user.session_epoch += 1  # their open sessions end with it
        user.save(update_fields=["is_active", "session_epoch"])
    return user


def user_end_sessions(*, user: User) -> None:
    """End every session the user has open, on any device (signing out does this)."""
    user.end_sessions()


@transaction.atomic
def user_reset_second_factor(*, actor: User, user: User) -> None:
    """Remove the user's authenticator and recovery codes: they set up a new one at their next
    sign-in. Their open sessions end, and the reset is logged."""
    removed = [device.name for device in devices_for_user(user, confirmed=None)]
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user_end_sessions(user=user)
    audit_record(event=AuditEvent.SECOND_FACTOR_RESET, actor=actor, subject=user, details={"removed": removed})
