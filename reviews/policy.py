"""Who may see serious case reviews: the co-ordinators of the review's area, who run them, and the
members of its Strategic Management Board, who decide on them and follow their action plans. Board
members see a review by its case reference only: not the person's name, nor their record. Nobody
else, lay advisers included (they see the board's figures only), and Category 4 reviews only for
users cleared for Category 4 in the area."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from agencies.models import Role, User
from agencies.selectors import category4_cleared_area_ids
from cases.models import Category
from reviews.models import SeriousCaseReview

ROLES = (Role.COORDINATOR, Role.SMB_MEMBER)


@dataclass(frozen=True)
class ReviewAccess:
    ground: str
    can_edit: bool = False  # notify, terms, milestones, report, recommendations, actions, completion
    can_decide: bool = False  # record the board's decision
    shows_name: bool = False


def may_see_reviews(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(*ROLES)


def reviews_visible_to(user: User) -> QuerySet[SeriousCaseReview]:
    if not may_see_reviews(user):
        return SeriousCaseReview.objects.none()
    cleared = ~Q(category=Category.TERRORISM) | Q(area_id__in=category4_cleared_area_ids(user))
    return SeriousCaseReview.objects.filter(Q(area_id=user.agency.area_id) & cleared)  # type: ignore[union-attr]


def review_access(user: User, review: SeriousCaseReview) -> ReviewAccess | None:
    if not reviews_visible_to(user).filter(pk=review.pk).exists():
        return None
    if user.has_role(Role.COORDINATOR):
        return ReviewAccess(ground=f"Co-ordinator in {review.area}", can_edit=True, can_decide=True, shows_name=True)
    return ReviewAccess(ground=f"Strategic Management Board member in {review.area}", can_decide=True)
