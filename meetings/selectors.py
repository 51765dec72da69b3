"""Reads of meetings: panel days, a meeting with everything its page shows, reviews due."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from agencies.models import User
from cases.models import Level, Nominal, Status
from cases.policy import nominals_visible_to
from meetings.models import Action, Meeting, MeetingStatus, PanelDay


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
