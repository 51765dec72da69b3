"""Who sees the board's pages: the area's co-ordinators, its Strategic Management Board members and
its lay advisers see its figures (never a name or a case record); only co-ordinators draw and record
the meeting quality audits, whose pages show the meetings audited."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies.models import Role, User
from governance.models import MeetingAudit

BOARD_ROLES = (Role.COORDINATOR, Role.SMB_MEMBER, Role.LAY_ADVISER)


def may_see_board(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(*BOARD_ROLES)


def may_audit_meetings(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.COORDINATOR)


def meeting_audits_visible_to(user: User) -> QuerySet[MeetingAudit]:
    """The audits of the co-ordinator's area (their samples never hold a Category 4 meeting)."""
    if not may_audit_meetings(user):
        return MeetingAudit.objects.none()
    return MeetingAudit.objects.filter(area_id=user.agency.area_id)  # type: ignore[union-attr]
