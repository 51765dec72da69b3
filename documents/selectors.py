"""Reads of documents: a record's documents as its viewer may see them, and the panels the record's
pages show them in."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from agencies.models import Agency, User
from documents.models import Document, DocumentKind
from documents.policy import Parent, in_audience, may_withdraw, parent_access, parent_field
from mappa.panels import Panel
from meetings.models import Attendance, Invitation, Meeting, MeetingStatus
from referrals.models import Referral
from reviews.models import SeriousCaseReview


def _documents_of(parent: Parent) -> QuerySet[Document]:
    return (
        Document.objects.filter(**{parent_field(parent): parent})
        .select_related("provided_by", "uploaded_by__agency", "withdrawn_by")
        .prefetch_related("agencies")
    )


def upload_url(parent: Parent, **query: str) -> str:
    if isinstance(parent, Meeting):
        url = reverse("documents:upload-for-meeting", args=[parent.pk])
    elif isinstance(parent, Referral):
        url = reverse("documents:upload-for-referral", args=[parent.reference])
    elif isinstance(parent, SeriousCaseReview):
        url = reverse("documents:upload-for-review", args=[parent.pk])
    else:
        url = reverse("documents:upload-for-nominal", args=[parent.case_reference])
    return f"{url}?{urlencode(query)}" if query else url


def documents_panel(user: User, parent: Parent) -> Panel | None:
    """The record's documents its viewer may see (withdrawn ones, for its co-ordinators, as a note
    only), and where to add one."""
    access = parent_access(user, parent)
    if access is None:
        return None
    shown, withdrawn = [], []
    for document in _documents_of(parent):
        if document.withdrawn:
            if access.is_coordinator:
                withdrawn.append(document)
        elif in_audience(user, document, access):
            shown.append({"document": document, "can_withdraw": may_withdraw(user, document, access)})
    return Panel(
        "documents/_panel.html",
        {
            "documents": shown,
            "withdrawn": withdrawn,
            "upload_url": upload_url(parent) if access.may_add else "",
        },
    )


def reports_in_lieu_panel(user: User, agency: Agency | None) -> Panel | None:
    """For the agency's workspace: the meetings ahead it is invited to, each with the report in lieu
    of attendance it may send (or has sent) for it."""
    if agency is None:
        return None
    invitations = (
        Invitation.objects.filter(
            agency=agency,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gte=timezone.now() - datetime.timedelta(hours=12),
        )
        .select_related("meeting__nominal")
        .order_by("meeting__starts_at", "pk")[:20]
    )
    sent = set(
        Document.objects.filter(
            meeting__in=[invitation.meeting_id for invitation in invitations],
            kind=DocumentKind.REPORT_IN_LIEU,
            provided_by=agency,
            withdrawn_at__isnull=True,
        ).values_list("meeting_id", flat=True)
    )
    rows: list[dict[str, Any]] = [
        {
            "meeting": invitation.meeting,
            "sent": invitation.meeting_id in sent,
            "apologies": invitation.attendance == Attendance.APOLOGIES,
            "upload_url": upload_url(invitation.meeting, kind=DocumentKind.REPORT_IN_LIEU),
        }
        for invitation in invitations
    ]
    return Panel("documents/_reports_in_lieu.html", {"rows": rows})


def reports_received_panel(user: User, meeting: Any) -> Panel | None:
    """For the meeting's page: which invited agencies sent a report in lieu of attending."""
    access = parent_access(user, meeting)
    if access is None:
        return None
    sent = set(
        Document.objects.filter(
            meeting=meeting, kind=DocumentKind.REPORT_IN_LIEU, withdrawn_at__isnull=True
        ).values_list("provided_by_id", flat=True)
    )
    rows = [
        {"agency": invitation.agency, "sent": invitation.agency_id in sent}
        for invitation in meeting.invitations.select_related("agency").order_by("agency__name")
    ]
    return Panel("documents/_reports_received.html", {"rows": rows})
