"""How each agency takes part in MAPPA: attendance at meetings and completion of actions, for the
Strategic Management Board. Two grouped queries, merged by agency."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q

from agencies.models import Area
from meetings.models import Action, ActionStatus, Attendance, Invitation
from reporting.kpis import Period

OPEN = [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]


@dataclass
class AgencyEngagement:
    agency_id: int
    name: str
    invited: int = 0
    attended: int = 0
    report: int = 0
    apologies: int = 0
    absent: int = 0  # did not attend, or nothing recorded
    actions_due: int = 0
    on_time: int = 0
    late: int = 0
    not_done: int = 0
    overdue: int = 0  # still open after the due date

    @property
    def attendance_share(self) -> float | None:
        return (self.attended + self.report) / self.invited if self.invited else None

    @property
    def completion_share(self) -> float | None:
        return self.on_time / self.actions_due if self.actions_due else None


def agency_engagement(area: Area, period: Period, today: datetime.date) -> list[AgencyEngagement]:
    invitations = Invitation.objects.filter(
        meeting__area=area,
        meeting__held_at__isnull=False,
        meeting__starts_at__date__range=(period.since, period.until),
    )
    passed = min(period.until, today - datetime.timedelta(days=1))  # actions whose due date has gone by
    actions = Action.objects.filter(meeting__area=area, due__range=(period.since, passed))
    if period.district is not None:
        invitations = invitations.filter(meeting__nominal__district=period.district)
        actions = actions.filter(nominal__district=period.district)
    rows: dict[int, AgencyEngagement] = {}

    def row(values: dict[str, object]) -> AgencyEngagement:
        agency_id = int(values["agency_id"])  # type: ignore[call-overload]
        return rows.setdefault(agency_id, AgencyEngagement(agency_id, str(values["name"])))

    for values in (
        invitations.values("agency_id", name=F("agency__name"))
        .annotate(
            invited=Count("pk"),
            attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
            report=Count("pk", filter=Q(attendance=Attendance.REPORT)),
            apologies=Count("pk", filter=Q(attendance=Attendance.APOLOGIES)),
            absent=Count("pk", filter=Q(attendance__in=[Attendance.DID_NOT_ATTEND, Attendance.INVITED])),
        )
        .order_by()
    ):
        entry = row(values)
        for field in ("invited", "attended", "report", "apologies", "absent"):
            setattr(entry, field, values[field])
    for values in (
        actions.values("owning_agency_id", name=F("owning_agency__name"))
        .annotate(
            actions_due=Count("pk"),
            on_time=Count("pk", filter=Q(status=ActionStatus.COMPLETE, completed_on__lte=F("due"))),
            late=Count("pk", filter=Q(status=ActionStatus.COMPLETE, completed_on__gt=F("due"))),
            not_done=Count("pk", filter=Q(status=ActionStatus.NOT_DONE)),
            overdue=Count("pk", filter=Q(status__in=OPEN)),
        )
        .order_by()
    ):
        entry = row({"agency_id": values["owning_agency_id"], "name": values["name"]})
        for field in ("actions_due", "on_time", "late", "not_done", "overdue"):
            setattr(entry, field, values[field])
    return sorted(rows.values(), key=lambda entry: entry.name)
