"""Reads of serious case reviews: the area's register, what is overdue, and the board's figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from agencies.models import Area, Role, User
from cases.models import Nominal
from mappa.panels import Panel
from reviews.models import OPEN_STAGES, ReviewAction, SeriousCaseReview, Stage
from reviews.policy import may_see_reviews, reviews_visible_to

SORTS = {
    "charged": ("-charge__date", "-pk"),
    "due": ("notification_due", "pk"),
    "reference": ("pk",),
}


def register(user: User, *, stage: str = "open", sort: str = "charged") -> QuerySet[SeriousCaseReview]:
    """The area's reviews the user may see: the open ones (the default), all, or those at one stage."""
    reviews = (
        reviews_visible_to(user)
        .select_related("charge", "nominal")
        .annotate(
            actions_total=Count("actions", distinct=True),
            actions_done=Count("actions", filter=Q(actions__completed_on__isnull=False), distinct=True),
        )
    )
    if stage == "open":
        reviews = reviews.filter(stage__in=OPEN_STAGES)
    elif stage in Stage.values:
        reviews = reviews.filter(stage=stage)
    return reviews.order_by(*SORTS.get(sort, SORTS["charged"]))


def notifications_overdue(today: datetime.date) -> QuerySet[SeriousCaseReview]:
    """Reviews whose board and national team have not been told by the fifth working day."""
    return SeriousCaseReview.objects.filter(stage=Stage.TO_NOTIFY, notification_due__lt=today).select_related("area")


def review_actions_overdue(today: datetime.date) -> QuerySet[ReviewAction]:
    return ReviewAction.objects.filter(
        completed_on__isnull=True, due__lt=today, review__stage=Stage.ACTION_PLAN
    ).select_related("review", "owning_agency")


@dataclass(frozen=True)
class BoardFigures:
    """A year's serious further offence notifications and reviews in an area, in figures only."""

    notified: int
    notified_on_time: int
    reviews_opened: int
    no_review: int
    open_reviews: int
    completed: int
    actions: int
    actions_done: int
    actions_overdue: int


def board_figures(area: Area, start: datetime.date, end: datetime.date, today: datetime.date) -> BoardFigures:
    """From `start` to `end` (inclusive): the charges whose review opened then, how many were notified
    within the five working days, the board's decisions, and the action plans as they stand today."""
    opened = SeriousCaseReview.objects.filter(area=area, charge__date__range=(start, end))
    counts = opened.aggregate(
        notified=Count("pk", filter=Q(notified_on__isnull=False)),
        on_time=Count("pk", filter=Q(notified_on__lte=F("notification_due"))),
        reviews=Count("pk", filter=Q(decision="review")),
        no_review=Count("pk", filter=Q(decision="no_review")),
        open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
        completed=Count("pk", filter=Q(stage=Stage.COMPLETE)),
    )
    actions = ReviewAction.objects.filter(review__area=area, review__charge__date__range=(start, end)).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(completed_on__isnull=False)),
        overdue=Count("pk", filter=Q(completed_on__isnull=True, due__lt=today)),
    )
    return BoardFigures(
        notified=counts["notified"],
        notified_on_time=counts["on_time"],
        reviews_opened=counts["reviews"],
        no_review=counts["no_review"],
        open_reviews=counts["open"],
        completed=counts["completed"],
        actions=actions["total"],
        actions_done=actions["done"],
        actions_overdue=actions["overdue"],
    )


def nominal_reviews_panel(user: User, nominal: Nominal) -> Panel | None:
    """The serious case reviews of a nominal, on their orders-and-events tab, for those who run them."""
    if not may_see_reviews(user) or not user.has_role(Role.COORDINATOR):
        return None
    reviews = list(reviews_visible_to(user).filter(nominal=nominal).select_related("charge"))
    may_record = user.agency is not None and user.agency.area_id == nominal.area_id
    return Panel("reviews/_nominal_reviews.html", {"reviews": reviews, "nominal": nominal, "may_record": may_record})
