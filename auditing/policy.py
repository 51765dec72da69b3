"""Who may read the audit log: auditors, for their own area, read-only; another area's people and
nominals are unknown to them (404)."""

from django.db.models import QuerySet

from agencies.models import Role, User
from cases.models import Nominal


def may_audit(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.AUDITOR)


def auditable_nominals(user: User) -> QuerySet[Nominal]:
    """The nominals whose audit history the user may read: those of their area (none if not an auditor)."""
    if not may_audit(user):
        return Nominal.objects.none()
    return Nominal.objects.filter(area_id=user.agency.area_id)  # type: ignore[union-attr]


def auditable_people(user: User) -> QuerySet[User]:
    """The people whose activity the user may read: those of their area (none if not an auditor)."""
    if not may_audit(user):
        return User.objects.none()
    return User.objects.filter(agency__area_id=user.agency.area_id)  # type: ignore[union-attr]
