"""Who may see which nominals, and on what ground. Every list, search, page and export uses this.

- Co-ordinators see every nominal in their area and may change it.
- RA practitioners see the nominals their agency leads (and may record on them) and those shared
  with their agency.
- DTC agency staff and chairs see only nominals shared with their agency; chairs also see those
  on the meetings they chair, while the person is in the chair's area (a ground the meetings app
  adds: see `Ground`).
- A transfer takes the record to the new area: the old area's agencies lose their shares
  (`cases.services.event_record`), and its co-ordinators, auditors and chairs their grounds.
- Auditors see the nominals of their area, read-only, after stating a purpose for each visit.
- System administrators see none.
- Category 4 nominals are seen only by users cleared for Category 4 in the nominal's area.
- Restricted details (address, victims, health) go only to co-ordinators, the lead agency,
  auditors, and agencies whose share includes them.

Shares are django-guardian object permissions granted to the agency's group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from agencies.auth import signed_in_user
from agencies.models import Role, User
from agencies.selectors import category4_cleared_area_ids
from cases.models import Category, Nominal, NominalGroupObjectPermission
from mappa.audit.services import refuse_unseen

VIEW = "view_nominal"
VIEW_RESTRICTED = "view_restricted_nominal"
SHARE_ROLES = (Role.RA_PRACTITIONER, Role.DTC_STAFF, Role.CHAIR)


@dataclass(frozen=True)
class Ground:
    """A ground on which an app above `cases` lets people see nominals: the ids of those a user sees
    on it (None where it does not apply to them), and how their access is described. Added in the
    app's AppConfig.ready() (meetings adds "chair of a meeting about this person")."""

    description: str
    nominal_ids: Callable[[User], QuerySet[Any, Any] | None]
    restricted: bool = False


_GROUNDS: list[Ground] = []


def add_ground(ground: Ground) -> None:
    if ground not in _GROUNDS:
        _GROUNDS.append(ground)


@dataclass(frozen=True)
class NominalAccess:
    """What a user may do with one nominal, and the ground on which they may see it."""

    ground: str
    restricted: bool = False
    can_record: bool = False  # edit details; add aliases, convictions, orders, events, risk assessments
    can_decide: bool = False  # change category or level, exit, share with agencies
    needs_purpose: bool = False
    is_coordinator: bool = False


def _shared_with(user: User, codename: str = VIEW) -> QuerySet[NominalGroupObjectPermission, int]:
    if user.agency is None:
        return NominalGroupObjectPermission.objects.none().values_list("content_object_id", flat=True)
    return NominalGroupObjectPermission.objects.filter(
        group_id=user.agency.group_id,
        permission__codename=codename,
        permission__content_type=ContentType.objects.get_for_model(Nominal),  # cached: one join fewer
    ).values_list("content_object_id", flat=True)


def nominals_visible_to(user: User) -> QuerySet[Nominal]:
    """Every nominal the user may see, as one query (no rows are loaded to work it out)."""
    grounds = nominal_grounds(user)
    if len(grounds) <= 1:
        return grounds[0] if grounds else Nominal.objects.none()
    return Nominal.objects.filter(pk__in=union_all([ground.values_list("pk", flat=True) for ground in grounds]))


def union_all(sets: list[QuerySet[Any, Any]]) -> QuerySet[Any, Any]:
    """The sets (at least one) joined with UNION ALL, their own orderings dropped."""
    first, *others = (rows.order_by() for rows in sets)
    return first.union(*others, all=True) if others else first


def nominal_grounds(user: User) -> list[QuerySet[Nominal]]:
    """The nominals the user may see, one set per ground on which they see them, with no nominal in
    two sets. Each set is read through its own index.

    The grounds are joined with UNION ALL, never OR: PostgreSQL can only answer an OR of them by
    reading every nominal in the country. A list that sorts and pages unions the sets themselves, so
    that each is filtered and sorted on its own before the page is taken."""
    if not user.is_active or user.agency is None:
        return []
    grounds: list[Q] = []
    if user.has_role(Role.COORDINATOR, Role.AUDITOR):
        grounds.append(Q(area_id=user.agency.area_id))
    if user.has_role(Role.RA_PRACTITIONER):
        grounds.append(Q(lead_agency_id=user.agency_id))
    if user.has_role(*SHARE_ROLES):
        grounds.append(Q(pk__in=_shared_with(user)))
    for added in _GROUNDS:
        ids = added.nominal_ids(user)
        if ids is not None:
            # Only while the person is in the user's area: a transfer takes the record away.
            grounds.append(Q(pk__in=ids, area_id=user.agency.area_id))
    not_category4_or_cleared = ~Q(category=Category.TERRORISM) | Q(area_id__in=category4_cleared_area_ids(user))
    sets = []
    for index, ground in enumerate(grounds):
        nominals = Nominal.objects.filter(ground & not_category4_or_cleared)
        for earlier in grounds[:index]:
            nominals = nominals.exclude(earlier)
        sets.append(nominals)
    return sets


def nominal_access(user: User, nominal: Nominal) -> NominalAccess | None:
    """The user's access to one nominal, or None when they may not know it exists."""
    if not user.is_active or user.agency is None:
        return None
    if nominal.category == Category.TERRORISM and not category4_cleared_area_ids(user).filter(
        content_object_id=nominal.area_id
    ):
        return None
    in_area = nominal.area_id == user.agency.area_id
    if user.has_role(Role.COORDINATOR) and in_area:
        return NominalAccess(
            ground=f"Co-ordinator in {user.agency.area}",
            restricted=True,
            can_record=True,
            can_decide=True,
            is_coordinator=True,
        )
    if user.has_role(Role.RA_PRACTITIONER) and nominal.lead_agency_id == user.agency_id:
        return NominalAccess(ground=f"Lead agency ({user.agency})", restricted=True, can_record=True)
    if user.has_role(*SHARE_ROLES):
        shares = set(
            NominalGroupObjectPermission.objects.filter(
                group_id=user.agency.group_id, content_object_id=nominal.pk
            ).values_list("permission__codename", flat=True)
        )
        if VIEW in shares:
            return NominalAccess(ground=f"Shared with {user.agency}", restricted=VIEW_RESTRICTED in shares)
    for added in _GROUNDS:
        ids = added.nominal_ids(user)
        if in_area and ids is not None and ids.filter(nominal_id=nominal.pk).exists():
            return NominalAccess(ground=added.description, restricted=added.restricted)
    if user.has_role(Role.AUDITOR) and in_area:
        return NominalAccess(ground="Auditor", restricted=True, needs_purpose=True)
    return None


def may_create_nominals(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.COORDINATOR)


def may_export_nominals(user: User) -> bool:
    return may_create_nominals(user)


def nominal_for(
    request: HttpRequest, reference: str, *, record: bool = False, decide: bool = False, coordinator: bool = False
) -> tuple[User, Nominal, NominalAccess]:
    """Fetch a nominal the user may see, or 404 (the attempt logged); 403 where they may see it but
    not do what they asked."""
    user = signed_in_user(request)
    nominal = Nominal.objects.select_related("area", "lead_agency").filter(case_reference=reference).first()
    access = nominal_access(user, nominal) if nominal else None
    if nominal is None or access is None:
        refuse_unseen(
            actor=user, record=nominal, request=request, nominal_id=nominal.pk if nominal else None, what="nominal"
        )
    if (
        (record and not access.can_record)
        or (decide and not access.can_decide)
        or (coordinator and not access.is_coordinator)
    ):
        raise PermissionDenied
    return user, nominal, access
