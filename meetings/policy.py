"""Who may see which meetings, and how much of each.

- Co-ordinators see every meeting in their area, and everything in it.
- The chair sees and edits the meetings they chair, and alone approves the minutes.
- The minute taker edits the minutes of the meetings they minute until they are approved.
- An invited agency sees the agenda information (who, when, where) before the meeting.
- Agencies that attended, and those with an action to carry out, read the minutes once distributed.
- The executive summary is for co-ordinators and the chair; others get it only by release.
- Nobody else, and Category 4 meetings only for users cleared for Category 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from agencies.models import Role, User
from agencies.selectors import category4_cleared_area_ids
from cases.models import Category
from meetings.models import Meeting, MeetingGroupObjectPermission, MeetingStatus

VIEW_AGENDA = "view_agenda"
VIEW_MINUTES = "view_minutes"
EDITABLE = (MeetingStatus.HELD, MeetingStatus.SUBMITTED)
# The roles whose holders act for their agency at meetings (an auditor from the same agency does not).
AGENCY_ROLES = (Role.RA_PRACTITIONER, Role.DTC_STAFF, Role.CHAIR, Role.COORDINATOR)


@dataclass(frozen=True)
class MeetingAccess:
    ground: str
    is_coordinator: bool = False
    is_chair: bool = False
    sees_minutes: bool = False
    edits_minutes: bool = False
    sees_executive_summary: bool = False


def may_manage_meetings(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.COORDINATOR)


def _agency_grants(user: User, codename: str) -> QuerySet[MeetingGroupObjectPermission, int]:
    return MeetingGroupObjectPermission.objects.filter(
        group_id=user.agency.group_id,  # type: ignore[union-attr]
        permission__codename=codename,
        permission__content_type=ContentType.objects.get_for_model(Meeting),  # cached: one join fewer
    ).values_list("content_object_id", flat=True)


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Every meeting the user may see, as one query. As for nominals, the grounds are indexed sets of
    ids joined with UNION ALL rather than OR, which PostgreSQL can only answer by reading every meeting."""
    if not user.is_active or user.agency is None:
        return Meeting.objects.none()
    grounds: list[QuerySet[Any, int]] = [
        Meeting.objects.filter(chair=user).values_list("pk", flat=True),
        Meeting.objects.filter(minute_taker=user).values_list("pk", flat=True),
    ]
    if user.has_role(*AGENCY_ROLES):
        grounds += [_agency_grants(user, VIEW_AGENDA), _agency_grants(user, VIEW_MINUTES)]
    if may_manage_meetings(user):
        grounds.append(Meeting.objects.filter(area_id=user.agency.area_id).values_list("pk", flat=True))
    first, *others = (ground.order_by() for ground in grounds)
    cleared = ~Q(nominal__category=Category.TERRORISM) | Q(area_id__in=category4_cleared_area_ids(user))
    return Meeting.objects.filter(Q(pk__in=first.union(*others, all=True)) & cleared)


def meeting_access(user: User, meeting: Meeting) -> MeetingAccess | None:
    if not meetings_visible_to(user).filter(pk=meeting.pk).exists():
        return None
    editable = meeting.status in EDITABLE
    if may_manage_meetings(user) and meeting.area_id == user.agency.area_id:  # type: ignore[union-attr]
        return MeetingAccess(
            ground=f"Co-ordinator in {meeting.area}",
            is_coordinator=True,
            sees_minutes=True,
            edits_minutes=editable,
            sees_executive_summary=True,
            is_chair=meeting.chair_id == user.pk,
        )
    if meeting.chair_id == user.pk:
        return MeetingAccess(
            ground="Chair of this meeting",
            is_chair=True,
            sees_minutes=True,
            edits_minutes=editable,
            sees_executive_summary=True,
        )
    if meeting.minute_taker_id == user.pk:
        return MeetingAccess(
            ground="Minute taker", sees_minutes=True, edits_minutes=meeting.status == MeetingStatus.HELD
        )
    distributed = meeting.status == MeetingStatus.DISTRIBUTED
    if distributed and _agency_grants(user, VIEW_MINUTES).filter(content_object_id=meeting.pk).exists():
        return MeetingAccess(ground=f"Minutes distributed to {user.agency}", sees_minutes=True)
    return MeetingAccess(ground=f"{user.agency} invited")


def may_use_agency_workspace(user: User) -> bool:
    """People who act for their agency see its actions, meetings and referrals in one place."""
    return user.is_active and user.agency is not None and user.has_role(*AGENCY_ROLES)
