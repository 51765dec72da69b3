"""Writing notifications. Call `notify` inside the service whose change causes them: the rows commit
(or roll back) with that change, and delivery is queued only after the commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from agencies.models import Agency, Role, User
from notifications.models import EmailState, Kind, Notification
from notifications.tasks import queue_delivery

logger = logging.getLogger(__name__)

AGENCY_ROLES = (Role.RA_PRACTITIONER, Role.DTC_STAFF, Role.CHAIR, Role.COORDINATOR)


def agency_staff(agency: Agency) -> list[User]:
    """The people who act for an agency and so hear about its work (not its auditors)."""
    return list(User.objects.filter(agency=agency, is_active=True, role_grants__role__in=AGENCY_ROLES).distinct())


def area_coordinators(area_id: int) -> list[User]:
    return area_people(area_id, Role.COORDINATOR)


def area_people(area_id: int, role: Role) -> list[User]:
    return list(User.objects.filter(agency__area_id=area_id, is_active=True, role_grants__role=role).distinct())


def notify(*, recipients: Iterable[User], kind: Kind, title: str, url: str, dedupe_key: str) -> list[Notification]:
    """Write one notification per recipient (none twice for the same `dedupe_key`) and queue their
    emails for after the surrounding transaction commits."""
    unique = {user.pk: user for user in recipients if user.is_active}
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            title=title[:200],
            url=url,
            dedupe_key=dedupe_key,
            email_state=EmailState.PENDING if user.email else EmailState.NO_ADDRESS,
        )
        for user in unique.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            recipient_id__in=unique, dedupe_key=dedupe_key, email_state=EmailState.PENDING
        ).values_list("pk", flat=True)
    )
    if created:
        transaction.on_commit(lambda: queue_delivery(created), robust=True)
    return rows
