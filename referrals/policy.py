"""Who may see which referrals and screening panels.

- The referring agency's staff who refer (not its auditors or administrators) see its referrals; the referrer's agency edits them while they are
  a draft or back with them for more information.
- Co-ordinators see every referral and panel in their area and screen them.
- Panel members (people recorded as present) see the referrals on the agenda while the panel is in
  progress; once it closes they keep a referral only if its nominal is shared with their agency.
- Category 4 referrals are seen only by users cleared for Category 4 in the area.
- Victims and others at risk are shown only to co-ordinators and the referring agency.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from agencies.models import Role, User
from agencies.selectors import category4_cleared_area_ids
from cases.models import Category
from cases.policy import nominals_visible_to
from referrals.models import PanelItem, PanelStatus, Referral, ReferralStatus, ScreeningPanel

REFERRER_ROLES = (Role.RA_PRACTITIONER, Role.DTC_STAFF, Role.COORDINATOR, Role.CHAIR)


@dataclass(frozen=True)
class ReferralAccess:
    ground: str
    restricted: bool = False
    can_edit: bool = False
    can_screen: bool = False
    can_withdraw: bool = False


def may_refer(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(*REFERRER_ROLES)


def may_screen(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.COORDINATOR)


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    if not user.is_active or user.agency is None:
        return Referral.objects.none()
    visible = Q(referring_agency_id=user.agency_id) if may_refer(user) else Q(pk__in=[])
    if may_screen(user):
        visible |= Q(area_id=user.agency.area_id) & ~Q(status=ReferralStatus.DRAFT)
    seats = PanelItem.objects.filter(panel__members__user=user)
    visible |= Q(pk__in=seats.filter(panel__status=PanelStatus.OPEN).values("referral_id"))
    visible |= Q(pk__in=seats.values("referral_id"), nominal__in=nominals_visible_to(user))
    not_category4 = ~Q(category=Category.TERRORISM) | Q(area_id__in=category4_cleared_area_ids(user))
    return Referral.objects.filter(visible & not_category4)


def referral_access(user: User, referral: Referral) -> ReferralAccess | None:
    if not referrals_visible_to(user).filter(pk=referral.pk).exists():
        return None
    editable = referral.status in (ReferralStatus.DRAFT, ReferralStatus.MORE_INFORMATION)
    if referral.referring_agency_id == user.agency_id:
        return ReferralAccess(
            ground=f"Referring agency ({user.agency})",
            restricted=True,
            can_edit=editable,
            can_screen=may_screen(user) and referral.area_id == user.agency.area_id,  # type: ignore[union-attr]
            can_withdraw=referral.status
            in (ReferralStatus.DRAFT, ReferralStatus.SUBMITTED, ReferralStatus.MORE_INFORMATION),
        )
    if may_screen(user) and referral.area_id == user.agency.area_id:  # type: ignore[union-attr]
        return ReferralAccess(
            ground=f"Co-ordinator in {user.agency.area}",  # type: ignore[union-attr]
            restricted=True,
            can_screen=True,
            can_withdraw=referral.status in (ReferralStatus.SUBMITTED, ReferralStatus.MORE_INFORMATION),
        )
    return ReferralAccess(ground="Screening panel member")


def panels_visible_to(user: User) -> QuerySet[ScreeningPanel]:
    if not may_screen(user):
        return ScreeningPanel.objects.none()
    return ScreeningPanel.objects.filter(area_id=user.agency.area_id)  # type: ignore[union-attr]
