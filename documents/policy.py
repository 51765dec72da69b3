"""Who may see, add and withdraw documents: exactly those who may see the record a document belongs
to (`cases.policy`, `referrals.policy`, `meetings.policy`, `reviews.policy`, Category 4 clearance
included), narrowed
to the police, probation and prisons, or to named agencies, where the uploader says so. The
co-ordinators of the area always see their area's documents. Withdrawn documents are seen by no one."""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import User
from cases.models import Nominal
from cases.policy import nominal_access
from documents.models import Audience, Document
from meetings.models import Meeting
from meetings.policy import meeting_access
from referrals.models import Referral
from referrals.policy import referral_access
from reviews.models import SeriousCaseReview
from reviews.policy import review_access

Parent = Nominal | Referral | Meeting | SeriousCaseReview


def parent_field(parent: Parent) -> str:
    """The field of a document naming a record of the parent's kind."""
    return "review" if isinstance(parent, SeriousCaseReview) else type(parent).__name__.lower()


@dataclass(frozen=True)
class ParentAccess:
    """A user's access to a record documents may belong to, as far as documents are concerned."""

    ground: str
    may_add: bool
    is_coordinator: bool
    needs_purpose: bool = False


def parent_access(user: User, parent: Parent) -> ParentAccess | None:
    """Whether the user may see the record's documents, and add to them; None if they may not know
    the record exists."""
    if isinstance(parent, Nominal):
        access = nominal_access(user, parent)
        if access is None:
            return None
        return ParentAccess(
            ground=access.ground,
            may_add=access.can_record,
            is_coordinator=access.is_coordinator,
            needs_purpose=access.needs_purpose,
        )
    if isinstance(parent, Referral):
        found = referral_access(user, parent)
        if found is None:
            return None
        coordinator = found.can_screen
        return ParentAccess(ground=found.ground, may_add=found.can_edit or coordinator, is_coordinator=coordinator)
    if isinstance(parent, SeriousCaseReview):
        review = review_access(user, parent)
        if review is None:
            return None
        return ParentAccess(ground=review.ground, may_add=review.can_edit, is_coordinator=review.can_edit)
    seen = meeting_access(user, parent)
    if seen is None:
        return None
    invited = user.agency_id is not None and parent.invitations.filter(agency_id=user.agency_id).exists()
    return ParentAccess(
        ground=seen.ground,
        may_add=seen.is_coordinator or seen.is_chair or invited,
        is_coordinator=seen.is_coordinator,
    )


@dataclass(frozen=True)
class DocumentAccess:
    ground: str
    can_withdraw: bool
    needs_purpose: bool = False


def in_audience(user: User, document: Document, parent: ParentAccess) -> bool:
    if parent.is_coordinator or document.audience == Audience.EVERYONE:
        return True
    agency = user.agency
    if agency is None:
        return False
    if agency.pk in (document.provided_by_id, document.uploaded_by.agency_id):
        return True
    if document.audience == Audience.RESPONSIBLE_AUTHORITY:
        return agency.is_responsible_authority
    return document.agencies.filter(pk=agency.pk).exists()


def document_access(user: User, document: Document) -> DocumentAccess | None:
    """The one answer to "may this user see this document?": None when they may not (or it has been
    withdrawn), so that the views answer 404."""
    if document.withdrawn or not user.is_active:
        return None
    parent = parent_access(user, document.parent)
    if parent is None or not in_audience(user, document, parent):
        return None
    return DocumentAccess(
        ground=parent.ground, can_withdraw=may_withdraw(user, document, parent), needs_purpose=parent.needs_purpose
    )


def may_withdraw(user: User, document: Document, parent: ParentAccess) -> bool:
    """The area's co-ordinators, and whoever uploaded it (or a colleague of theirs who may add documents)."""
    return (
        parent.is_coordinator
        or document.uploaded_by_id == user.pk
        or (parent.may_add and document.uploaded_by.agency_id == user.agency_id)
    )
