"""Who may see transfers: the co-ordinators of the sending and of the receiving area, Category 4
only where they are cleared for it in their area. The receiving area's co-ordinators see, on the
transfer, what they need to decide (who the person is, their category, level, convictions and the
plan in force) before the record is theirs; the record itself they see once they accept."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from agencies.models import Role, User
from agencies.selectors import category4_cleared_area_ids
from cases.models import Category
from transfers.models import Transfer, TransferStatus


@dataclass(frozen=True)
class TransferAccess:
    ground: str
    can_decide: bool = False  # accept or decline: the receiving area
    can_withdraw: bool = False  # the sending area


def may_transfer(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.COORDINATOR)


def transfers_visible_to(user: User) -> QuerySet[Transfer]:
    if not may_transfer(user):
        return Transfer.objects.none()
    area = user.agency.area_id  # type: ignore[union-attr]
    cleared_in = category4_cleared_area_ids(user)
    cleared = ~Q(category=Category.TERRORISM) | Q(from_area_id__in=cleared_in) | Q(to_area_id__in=cleared_in)
    return Transfer.objects.filter((Q(from_area_id=area) | Q(to_area_id=area)) & cleared)


def transfer_access(user: User, transfer: Transfer) -> TransferAccess | None:
    if not transfers_visible_to(user).filter(pk=transfer.pk).exists():
        return None
    open_ = transfer.status == TransferStatus.REQUESTED
    if transfer.to_area_id == user.agency.area_id:  # type: ignore[union-attr]
        return TransferAccess(ground=f"Co-ordinator in {transfer.to_area}, the receiving area", can_decide=open_)
    return TransferAccess(ground=f"Co-ordinator in {transfer.from_area}, the sending area", can_withdraw=open_)
