"""Reads of transfers: the area's lists in and out, and what a nominal's pages show of them."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies.models import User
from cases.models import Nominal
from mappa.panels import Panel
from meetings.selectors import current_plan
from transfers.models import Transfer, TransferStatus
from transfers.policy import may_transfer, transfers_visible_to


def area_transfers(user: User, *, direction: str = "", status: str = "") -> QuerySet[Transfer]:
    """The transfers into and out of the user's area, newest first: `direction` "in" or "out", and a
    status, narrow them."""
    transfers = transfers_visible_to(user).select_related("nominal", "from_area", "to_area")
    area = user.agency.area_id  # type: ignore[union-attr]
    if direction == "in":
        transfers = transfers.filter(to_area_id=area)
    elif direction == "out":
        transfers = transfers.filter(from_area_id=area)
    if status in TransferStatus.values:
        transfers = transfers.filter(status=status)
    return transfers.order_by("-requested_at", "-pk")


def nominal_transfers_panel(user: User, nominal: Nominal) -> Panel | None:
    """A nominal's transfers, and the way to ask for one, on their orders-and-events tab."""
    if not may_transfer(user):
        return None
    transfers = list(transfers_visible_to(user).filter(nominal=nominal).select_related("from_area", "to_area"))
    in_area = user.agency is not None and user.agency.area_id == nominal.area_id
    waiting = any(transfer.status == TransferStatus.REQUESTED for transfer in transfers)
    return Panel(
        "transfers/_nominal_transfers.html",
        {"transfers": transfers, "nominal": nominal, "may_request": in_area and not waiting},
    )


def received_plan_panel(user: User, nominal: Nominal) -> Panel | None:
    """The plan the sending area had in force, on the risk tab, until the new area has its own."""
    transfer = (
        Transfer.objects.filter(nominal=nominal, status=TransferStatus.ACCEPTED, to_area_id=nominal.area_id)
        .select_related("from_area")
        .order_by("-decided_at")
        .first()
    )
    if transfer is None or not transfer.plan or current_plan(user, nominal) is not None:
        return None
    return Panel("transfers/_received_plan.html", {"transfer": transfer})
