"""Who may see the unit's statistics: the co-ordinators of the area, for their own area.

The figures themselves name nobody; the lists behind them (the drill-downs) show only the cases
and referrals the person may see under the case, referral and meeting policies."""

from agencies.models import Area, Role, User


def statistics_area(user: User) -> Area | None:
    """The area whose statistics the user may see, or None."""
    if not user.is_active or user.agency is None or not user.has_role(Role.COORDINATOR):
        return None
    return user.agency.area
