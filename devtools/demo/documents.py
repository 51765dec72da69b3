"""Demo documents: one-page PDFs made here with reportlab, filed through the documents service on
the demo's cases, referrals and meetings as the agencies would file them."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from agencies.models import Agency, Area, User
from cases.models import Level, Nominal, Status
from documents.models import Audience, Document, DocumentKind, Marking
from documents.policy import Parent, document_access, parent_access
from documents.services import document_upload, document_withdraw
from meetings.models import Meeting, MeetingStatus
from referrals.models import Referral, ReferralStatus
from reviews.models import SeriousCaseReview

NOMINAL_PAPERS = [
    (DocumentKind.RISK_ASSESSMENT, "OASys risk of serious harm summary", "probation", Audience.EVERYONE),
    (DocumentKind.LICENCE, "Licence conditions", "probation", Audience.EVERYONE),
    (DocumentKind.ORDER, "Sexual harm prevention order", "police", Audience.EVERYONE),
    (DocumentKind.VICTIM_LIAISON, "Victim liaison report", "probation", Audience.RESPONSIBLE_AUTHORITY),
    (DocumentKind.AGENCY_REPORT, "Tenancy and accommodation history", "housing", Audience.NAMED_AGENCIES),
]


def pdf(*, title: str, about: str, provided_by: str, marking: str, lines: Iterable[str]) -> bytes:
    """A one-page A4 PDF headed and footed with its protective marking."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    page.setTitle(title)
    width, height = A4
    page.setFont("Helvetica-Bold", 10)
    page.drawCentredString(width / 2, height - 12 * mm, marking)
    page.drawCentredString(width / 2, 10 * mm, marking)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(20 * mm, height - 30 * mm, title)
    page.setFont("Helvetica", 11)
    y = height - 40 * mm
    for line in [f"Subject: {about}", f"Provided by: {provided_by}", "", *lines, "", "Fictional demo document."]:
        page.drawString(20 * mm, y, line)
        y -= 6 * mm
    page.showPage()
    page.save()
    return out.getvalue()


def seed_demo_documents(*, area: Area, today: datetime.date) -> int:
    """Risk assessments, licences, orders and reports on the first active Level 2/3 cases, a risk
    assessment attached to each waiting referral, pre-meeting papers and one report in lieu for the
    meetings ahead (the others still waiting for theirs), and one document withdrawn as filed in error.
    Does nothing if the area already has documents."""
    if Document.objects.filter(nominal__area=area).exists():
        return 0
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["coordinator", "probation", "police", "housing"])
    }
    coordinator = users["coordinator"]
    added = 0
    cases = Nominal.objects.filter(area=area, status=Status.ACTIVE, level__in=[Level.LEVEL_2, Level.LEVEL_3]).order_by(
        "pk"
    )
    for number, nominal in enumerate(cases[: len(NOMINAL_PAPERS)]):
        for kind, title, by, audience in NOMINAL_PAPERS[: len(NOMINAL_PAPERS) - number]:
            uploader = _first_who_may_add([users[by], coordinator], nominal)
            if uploader is None:
                continue  # a Category 4 case the demo people are not cleared for
            named = [agency for agency in (users["housing"].agency, users["police"].agency) if agency]
            _file(
                uploader,
                nominal,
                kind=kind,
                title=title,
                provided_by=users[by].agency,
                dated=today - datetime.timedelta(days=7 * (number + 1)),
                audience=audience,
                agencies=named if audience == Audience.NAMED_AGENCIES else [],
            )
            added += 1
    waiting = Referral.objects.filter(area=area, status=ReferralStatus.SUBMITTED).select_related("referrer__agency")
    for referral in waiting.order_by("pk")[:5]:
        uploader = _first_who_may_add([referral.referrer, coordinator], referral)
        if uploader is None:
            continue
        _file(
            uploader,
            referral,
            kind=DocumentKind.RISK_ASSESSMENT,
            title="Risk assessment for the referral",
            provided_by=referral.referrer.agency,
            dated=min(today, timezone.localdate(referral.submitted_at or referral.created_at)),
        )
        added += 1
    ahead = Meeting.objects.filter(area=area, status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
    for meeting in ahead.order_by("starts_at", "pk")[:6]:
        if _first_who_may_add([coordinator], meeting) is None:
            continue
        _file(
            coordinator,
            meeting,
            kind=DocumentKind.MEETING_PAPERS,
            title="Pre-meeting papers",
            provided_by=coordinator.agency,
            dated=today,
        )
        added += 1
    housing = users["housing"]
    invitations = ahead.filter(invitations__agency=housing.agency).order_by("starts_at", "pk")
    # A Category 4 meeting housing is invited to but not cleared for is no place for the demo's report.
    invited = next((m for m in invitations[:20] if _first_who_may_add([housing], m) is not None), None)
    if invited is not None:
        _file(
            housing,
            invited,
            kind=DocumentKind.REPORT_IN_LIEU,
            title="Housing report in lieu of attendance",
            provided_by=housing.agency,
            dated=today,
        )
        added += 1
    mistaken = Document.objects.filter(nominal__area=area, kind=DocumentKind.AGENCY_REPORT).order_by("pk").first()
    access = None if mistaken is None else document_access(coordinator, mistaken)
    if mistaken is not None and access is not None:
        document_withdraw(
            actor=coordinator,
            document=mistaken,
            reason="Filed on the wrong case; the housing officer is sending it again.",
            ground=access.ground,
        )
    return added


def _first_who_may_add(candidates: list[User], parent: Parent) -> User | None:
    for user in candidates:
        access = parent_access(user, parent)
        if access is not None and access.may_add:
            return user
    return None


def _file(
    uploader: User,
    parent: Parent,
    *,
    kind: str,
    title: str,
    provided_by: Agency | None,
    dated: datetime.date,
    audience: str = Audience.EVERYONE,
    agencies: list[Agency] | None = None,
) -> Document:
    if isinstance(parent, Nominal):
        about = f"{parent.full_name} ({parent.case_reference})"
    elif isinstance(parent, Referral):
        about = f"Referral {parent.reference}"
    elif isinstance(parent, SeriousCaseReview):
        about = f"Serious case review {parent.reference}"
    else:
        about = f"{parent.get_kind_display()} meeting on {timezone.localtime(parent.starts_at):%-d %B %Y} ({parent.nominal})"
    marking = Marking.OFFICIAL_SENSITIVE
    data = pdf(
        title=title,
        about=about,
        provided_by=str(provided_by or uploader.agency),
        marking=Marking(marking).label,
        lines=[f"Dated {dated:%-d %B %Y}.", f"Filed by {uploader.get_full_name()} on the MAPPA record."],
    )
    return document_upload(
        actor=uploader,
        parent=parent,
        values={
            "title": title,
            "kind": kind,
            "provided_by": provided_by,
            "dated": dated,
            "marking": marking,
            "note": "",
            "audience": audience,
        },
        data=data,
        filename=f"{title.lower().replace(' ', '-')}.pdf",
        agencies=agencies or [],
    )
