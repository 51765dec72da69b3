"""Who may read the audit log: auditors, for their own area, read-only; another area's people and
nominals are unknown to them (404)."""

from agencies.models import Role, User


def may_audit(user: User) -> bool:
    return user.is_active and user.agency is not None and user.has_role(Role.AUDITOR)
