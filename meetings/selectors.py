"""Reads of meetings: panel days, a meeting with everything its page shows, reviews due."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from agencies.models import Role, User
from cases.models import Level, Nominal, Status
from cases.policy import nominals_visible_to
from mappa.panels import Panel
from meetings.models import Action, ActionStatus, Meeting, MeetingStatus, PanelDay
from meetings.policy import may_use_agency_workspace


def panel_days_for(user: User) -> QuerySet[PanelDay]:
    return (
        PanelDay.objects.filter(area_id=user.agency.area_id)  # type: ignore[union-attr]
        .select_related("district")
        .annotate(cases=Count("meetings"))
    )


def panel_day_meetings(panel_day: PanelDay) -> QuerySet[Meeting]:
    return panel_day.meetings.select_related("nominal", "chair").order_by("starts_at", "pk")


def meeting_page(meeting_pk: int) -> Meeting:
    """A meeting with everything its page shows, in a fixed number of queries."""
    return (
        Meeting.objects.select_related("nominal", "chair", "minute_taker", "area", "panel_day__district", "rmp")
        .prefetch_related(
            "invitations__agency",
            "decisions",
            "disclosures",
            "minutes_requests",
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owning_agency", "owner").prefetch_related("updates__by"),
            ),
        )
        .get(pk=meeting_pk)
    )


def reviews_due(
    user: User, *, within_days: int, today: datetime.date, district_id: int | None = None
) -> QuerySet[Nominal]:
    """Level 2/3 nominals whose review is due within `within_days`, overdue, or never yet held."""
    nominals = (
        nominals_visible_to(user)
        .filter(status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3], area_id=user.agency.area_id)  # type: ignore[union-attr]
        .filter(Q(next_review_due__isnull=True) | Q(next_review_due__lte=today + datetime.timedelta(days=within_days)))
        .select_related("district", "lead_agency")
        .annotate(
            last_meeting=Max("meetings__starts_at", filter=~Q(meetings__status=MeetingStatus.SCHEDULED)),
            next_meeting=Max("meetings__starts_at", filter=Q(meetings__status=MeetingStatus.SCHEDULED)),
        )
    )
    if district_id is not None:
        nominals = nominals.filter(district_id=district_id)
    return nominals.order_by("district__name", "next_review_due", "last_name")


OPEN_ACTIONS = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


def actions_due_between(first: datetime.date, last: datetime.date) -> QuerySet[Action]:
    """Open actions of every area due from `first` to `last`, for the reminders."""
    return Action.objects.filter(status__in=OPEN_ACTIONS, due__range=(first, last)).select_related(
        "owning_agency", "owner", "meeting"
    )


def actions_overdue(today: datetime.date) -> QuerySet[Action]:
    return Action.objects.filter(status__in=OPEN_ACTIONS, due__lt=today).select_related(
        "owning_agency", "owner", "meeting"
    )


def _managed() -> QuerySet[Nominal]:
    return Nominal.objects.filter(status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3])


def reviews_overdue(today: datetime.date) -> QuerySet[Nominal]:
    """Level 2/3 nominals of every area whose review date has passed."""
    return _managed().filter(next_review_due__lt=today)


def reviews_due_between(first: datetime.date, last: datetime.date) -> QuerySet[Nominal]:
    """Level 2/3 nominals whose review falls due from `first` to `last` with no meeting booked."""
    booked = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__date__gte=first).values("nominal_id")
    return _managed().filter(next_review_due__range=(first, last)).exclude(pk__in=booked)


@dataclass(frozen=True)
class ActionFilters:
    status: str = ""
    due: str = ""  # "overdue", "week", "month" or empty for any
    nominal: str = ""  # a case reference
    order: str = "due"


def agency_actions(user: User, filters: ActionFilters, *, today: datetime.date) -> QuerySet[Action]:
    """The actions owned by the user's agency, on cases it has been brought into; only for those
    who act for the agency (an auditor in the same agency reads, but does not act)."""
    if not may_use_agency_workspace(user):
        return Action.objects.none()
    actions = (
        Action.objects.filter(owning_agency_id=user.agency_id, nominal__in=nominals_visible_to(user))
        .select_related("nominal", "meeting", "owner")
        .prefetch_related("updates__by")
    )
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.due == "overdue":
        actions = actions.filter(due__lt=today, status__in=OPEN_ACTIONS)
    elif filters.due in ("week", "month"):
        horizon = today + datetime.timedelta(days=7 if filters.due == "week" else 31)
        actions = actions.filter(due__gte=today, due__lte=horizon)
    if filters.nominal:
        actions = actions.filter(nominal__case_reference__iexact=filters.nominal.strip())
    return actions.order_by("-due" if filters.order == "-due" else "due", "pk")


def agency_meetings(user: User, *, now: datetime.datetime) -> QuerySet[Meeting]:
    """Meetings the user's agency is invited to, from today on."""
    return (
        Meeting.objects.filter(invitations__agency=user.agency, starts_at__gte=now - datetime.timedelta(hours=12))
        .select_related("nominal", "panel_day__district")
        .order_by("starts_at", "pk")
    )


def current_plan(user: User, nominal: Nominal) -> Meeting | None:
    """The nominal's latest meeting with a plan, if the user may read its minutes; with its actions."""
    from meetings.policy import meeting_access

    meeting = (
        Meeting.objects.filter(nominal=nominal)
        .exclude(status=MeetingStatus.SCHEDULED)
        .select_related("rmp", "area")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owning_agency").prefetch_related("updates__by"))
        )
        .order_by("-starts_at")
        .first()
    )
    if meeting is None:
        return None
    access = meeting_access(user, meeting)
    return meeting if access is not None and access.sees_minutes else None


def plan_panel(user: User, nominal: Nominal) -> Panel | None:
    """The current risk management plan, for the risk tab of the nominal's page."""
    meeting = current_plan(user, nominal)
    return Panel("meetings/_nominal_plan.html", {"meeting": meeting}) if meeting is not None else None


def chaired_nominal_ids(user: User) -> QuerySet[Meeting, Any] | None:
    """The nominals on the meetings a chair chairs: a ground on which they see them."""
    if not user.has_role(Role.CHAIR):
        return None
    return Meeting.objects.filter(chair=user).values("nominal_id")
