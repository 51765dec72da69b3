"""PDFs of minutes and executive summaries, marked OFFICIAL-SENSITIVE at the top and bottom of every page."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape  # escapes text for the PDF, parses nothing  # nosec B406

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from meetings.models import Meeting

STYLES = getSampleStyleSheet()


def _marking(canvas: Any, document: Any) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", 10)
    for y in (height - 12 * mm, 10 * mm):
        canvas.drawCentredString(width / 2, y, settings.SECURITY_MARKING)
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(width - 18 * mm, 10 * mm, f"Page {document.page}")
    canvas.restoreState()


def _p(text: str, style: str = "BodyText") -> Paragraph:
    return Paragraph(escape(text or "Not recorded").replace("\n", "<br/>"), STYLES[style])


def _build(title: str, story: list[Any]) -> bytes:
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        pageCompression=0,  # uncompressed text: the marking on each page can be checked
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    document.build(story, onFirstPage=_marking, onLaterPages=_marking)
    return buffer.getvalue()


def _heading(meeting: Meeting, title: str) -> list[Any]:
    when = timezone.localtime(meeting.starts_at)
    return [
        _p(title, "Title"),
        _p(
            f"{meeting.nominal.case_reference}: {meeting.nominal.full_name}. {meeting.get_kind_display()} meeting, "
            f"Level {meeting.level}, {when:%-d %B %Y at %H:%M}. Chair: {meeting.chair.display_name}."
        ),
        Spacer(1, 4 * mm),
    ]


def _table(rows: list[list[str]]) -> Table:
    table = Table([[_p(cell) for cell in row] for row in rows], repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)])
    )
    return table


def minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes as agreed: attendance, risk summary, decisions, level, disclosure, the plan."""
    at_risk = meeting.at_risk_display or "Not recorded"
    story = _heading(meeting, "MAPPA meeting minutes")
    story += [
        _p(
            "Confidentiality: the confidentiality statement was read."
            if meeting.confidentiality_statement_read
            else "Confidentiality statement: not recorded."
        ),
        _p("Attendance", "Heading2"),
        _table(
            [["Agency", "Attendance", "Name and role", "Information shared"]]
            + [
                [
                    i.agency.name,
                    i.get_attendance_display(),
                    f"{i.attendee_name} {i.attendee_role}".strip(),
                    i.information_shared,
                ]
                for i in meeting.invitations.all()
            ]
        ),
        _p("Risk summary", "Heading2"),
        _p(
            f"Who is at risk: {at_risk}. Imminence: {meeting.get_imminence_display() or 'not recorded'}. "
            f"Current risk of serious harm: {meeting.get_rosh_level_display() or 'not recorded'}."
        ),
        _p(meeting.risk_nature),
        _p("Decisions", "Heading2"),
    ]
    for decision in meeting.decisions.all():
        story += [_p(decision.decision), _p(f"Rationale: {decision.rationale}")]
        if decision.dissent:
            story.append(_p(f"Dissent: {decision.dissent}"))
    level = meeting.get_level_decision_display() or "Not recorded"
    if meeting.new_level:
        level += f" (to Level {meeting.new_level})"
    story += [
        _p("Level", "Heading2"),
        _p(f"{level}. {meeting.level_rationale}"),
        _p("Informing the person", "Heading2"),
        _p(
            "They will be told they were discussed."
            if meeting.offender_informed
            else f"They will not be told: {meeting.withheld_reason}"
        ),
        _p("Disclosure to third parties", "Heading2"),
    ]
    for disclosure in meeting.disclosures.all():
        told = "told first" if disclosure.offender_told_first else f"not told first ({disclosure.not_told_reason})"
        story.append(
            _p(
                f"To {disclosure.recipient}, by {disclosure.who_discloses}: {disclosure.what}. Why: {disclosure.why_necessary}. "
                f"The person will be {told}. Undertaking signed: {'yes' if disclosure.undertaking_signed else 'no'}. "
                f"Outcome: {disclosure.outcome or 'not yet known'}."
            )
        )
    plan = getattr(meeting, "rmp", None)
    story.append(_p("Risk management plan", "Heading2"))
    if plan is not None:
        for label, text in (
            ("Supervision", plan.supervision),
            ("Monitoring and control", plan.monitoring_and_control),
            ("Interventions and treatment", plan.interventions_and_treatment),
            ("Victim safety planning", plan.victim_safety_planning),
            ("Contingency", plan.contingency),
            ("Licence conditions", plan.licence_conditions),
        ):
            story += [_p(label, "Heading3"), _p(text)]
    story += [
        _p("Actions", "Heading2"),
        _table(
            [["Pillar", "Action", "Owner", "Due", "Status"]]
            + [
                [
                    a.get_pillar_display(),
                    a.description,
                    f"{a.owning_agency}{', ' + a.owner.display_name if a.owner else ''}",
                    f"{a.due:%-d %b %Y}",
                    a.get_status_display(),
                ]
                for a in meeting.actions.all()
            ]
        ),
        _p("Next review", "Heading2"),
        _p(
            f"{meeting.next_review:%-d %B %Y}"
            if meeting.next_review
            else "None: the person leaves Level 2/3 management."
        ),
    ]
    return _build(f"Minutes {meeting.nominal.case_reference}", story)


def executive_summary_pdf(meeting: Meeting, *, recipient: str) -> bytes:
    story = _heading(meeting, "MAPPA meeting: executive summary")
    story += [_p(meeting.executive_summary), Spacer(1, 6 * mm), _p(f"Released to: {recipient}.")]
    return _build(f"Executive summary {meeting.nominal.case_reference}", story)
