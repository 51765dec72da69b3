"""Reads for the board: the meeting quality audits summarised per quarter and per agency, in
figures only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from agencies.models import Area
from governance.models import MeetingAudit
from meetings.models import Action, Attendance, Invitation

QUESTIONS = {
    "right_agencies": "Were the right agencies there?",
    "plan_defensible": "Was the risk management plan defensible?",
    "actions_on_time": "Were the actions completed on time?",
}


@dataclass
class QuarterSummary:
    quarter: datetime.date
    sampled: int = 0
    completed: int = 0
    answers: dict[str, dict[str, int]] = field(default_factory=dict)  # question -> answer -> count

    def rows(self) -> list[tuple[str, dict[str, int]]]:
        return [(QUESTIONS[name], self.answers.get(name, {})) for name in QUESTIONS]


def quarter_summaries(area: Area) -> list[QuarterSummary]:
    """Each audited quarter, newest first: how many meetings were sampled and audited, and the
    answers to each question of the checklist."""
    summaries: dict[datetime.date, QuarterSummary] = {}
    for row in (
        MeetingAudit.objects.filter(area=area)
        .values("quarter")
        .annotate(sampled=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
    ):
        summaries[row["quarter"]] = QuarterSummary(row["quarter"], row["sampled"], row["completed"])
    for question in QUESTIONS:
        counted = (
            MeetingAudit.objects.filter(area=area, completed_at__isnull=False)
            .values("quarter", question)
            .annotate(n=Count("pk"))
        )
        for row in counted:
            summaries[row["quarter"]].answers.setdefault(question, {})[row[question]] = row["n"]
    return sorted(summaries.values(), key=lambda summary: summary.quarter, reverse=True)


@dataclass
class AgencyAuditSummary:
    name: str
    invited: int = 0
    present: int = 0  # attended, or sent a written report
    actions: int = 0
    on_time: int = 0


def agency_summaries(area: Area, quarter: datetime.date) -> list[AgencyAuditSummary]:
    """Per agency, across the quarter's audited meetings: invitations answered by attending or by a
    written report, and actions completed by their due date."""
    meetings = MeetingAudit.objects.filter(area=area, quarter=quarter).values("meeting_id")
    agencies: dict[str, AgencyAuditSummary] = {}
    invitations = (
        Invitation.objects.filter(meeting_id__in=meetings)
        .values(name=F("agency__name"))
        .annotate(
            invited=Count("pk"),
            present=Count("pk", filter=Q(attendance__in=[Attendance.ATTENDED, Attendance.REPORT])),
        )
    )
    for row in invitations:
        agencies[row["name"]] = AgencyAuditSummary(row["name"], row["invited"], row["present"])
    actions = (
        Action.objects.filter(meeting_id__in=meetings)
        .values(name=F("owning_agency__name"))
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(completed_on__lte=F("due"))))
    )
    for row in actions:
        summary = agencies.setdefault(row["name"], AgencyAuditSummary(row["name"]))
        summary.actions, summary.on_time = row["total"], row["on_time"]
    return sorted(agencies.values(), key=lambda summary: summary.name)


def quarter_audits(area: Area, quarter: datetime.date) -> QuerySet[MeetingAudit]:
    return (
        MeetingAudit.objects.filter(area=area, quarter=quarter)
        .select_related("meeting__nominal", "auditor")
        .order_by("meeting__starts_at", "pk")
    )
