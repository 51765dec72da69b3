"""The Strategic Management Board's pages: the area's performance in figures (indicators, agency
engagement, serious case reviews, meeting audits), for co-ordinators, board members and lay
advisers; and the meeting quality audit, for co-ordinators."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.auth import signed_in_user
from agencies.models import Area, User
from governance import services
from governance.forms import BoardYearForm, ChecklistForm, DrawForm, ended_quarters
from governance.models import quarter_name
from governance.policy import may_audit_meetings, may_see_board, meeting_audits_visible_to
from governance.selectors import agency_summaries, quarter_audits, quarter_summaries
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record
from mappa.pages import consulted_page, form_and_save, put_errors
from reporting.charts import share_text
from reporting.engagement import agency_engagement
from reporting.kpis import Period, measure_all
from reviews.selectors import board_figures


def _area_of(user: User, allowed: bool) -> Area:
    if not allowed or user.agency is None:
        raise PermissionDenied
    return user.agency.area


def board(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    area = _area_of(user, may_see_board(user))
    today = timezone.localdate()
    form = BoardYearForm(request.GET or None, today=today)
    year = form.cleaned_data["year"] if form.is_valid() else (today.year if today.month >= 4 else today.year - 1)
    start, end = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    period = Period(since=start, until=min(end, today))
    measures = [
        {"title": m.kpi.title, "headline": share_text(m.met, m.counted), "description": m.kpi.describe(area)}
        for m in measure_all(area, period, today)
    ]
    engagement = [
        {
            "name": row.name,
            "attendance": share_text(row.attended + row.report, row.invited),
            "actions": share_text(row.on_time, row.actions_due),
            "overdue": row.overdue,
        }
        for row in agency_engagement(area, period, today)
    ]
    context = {
        "area": area,
        "form": form,
        "year": year,
        "measures": measures,
        "engagement": engagement,
        "reviews": board_figures(area, start, end, today),
        "audits": quarter_summaries(area)[:4],
    }
    return render(request, "governance/board.html", context, status=200 if form.is_valid() or not request.GET else 400)


def audit_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    area = _area_of(user, may_audit_meetings(user))
    today = timezone.localdate()
    chosen: datetime.date | None = None
    if "quarter" in request.GET:
        try:
            chosen = datetime.date.fromisoformat(request.GET["quarter"])
        except ValueError:
            raise Http404("No such quarter.") from None
    context: dict[str, object] = {
        "area": area,
        "summaries": quarter_summaries(area),
        "form": DrawForm(today=today),
        "quarters": ended_quarters(today),
    }
    if chosen is not None:
        context["quarter"] = chosen
        context["quarter_title"] = quarter_name(chosen)
        context["page"] = consulted_page(request, user, quarter_audits(area, chosen), name="meeting quality audits")
        context["agencies"] = agency_summaries(area, chosen)
    return render(request, "governance/audit_list.html", context)


@require_POST
def audit_draw(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    area = _area_of(user, may_audit_meetings(user))
    today = timezone.localdate()
    form = DrawForm(request.POST, today=today)
    if form.is_valid():
        try:
            drawn = services.audit_sample_draw(actor=user, area=area, quarter=form.cleaned_data["quarter"])
        except ValidationError as error:
            put_errors(error, [form])
        else:
            messages.success(request, f"{len(drawn)} meetings have been picked for audit.")
            return redirect(f"{reverse('governance:audit-list')}?quarter={drawn[0].quarter:%Y-%m-%d}")
    context = {
        "area": area,
        "summaries": quarter_summaries(area),
        "form": form,
        "quarters": ended_quarters(today),
    }
    return render(request, "governance/audit_list.html", context, status=400)


def audit_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    area = _area_of(user, may_audit_meetings(user))
    audit = meeting_audits_visible_to(user).select_related("meeting__nominal", "meeting__chair").filter(pk=pk).first()
    if audit is None:
        raise Http404("No such audit.")
    meeting = audit.meeting
    audit_record(
        event=AuditEvent.VIEW,
        actor=user,
        subject=meeting,
        request=request,
        ground=f"Co-ordinator in {area}: meeting quality audit",
        nominal_id=meeting.nominal_id,
        details={"page": "meeting quality audit"},
    )
    invitations = meeting.invitations.select_related("agency").order_by("agency__name")
    actions = meeting.actions.select_related("owning_agency")
    summary = [f"{invitation.agency}: {invitation.get_attendance_display().lower()}" for invitation in invitations]
    summary += [
        f"Action for {action.owning_agency}, due {action.due:%-d %b %Y}: "
        + (f"completed {action.completed_on:%-d %b %Y}" if action.completed_on else "not completed")
        for action in actions
    ]
    return form_and_save(
        request,
        ChecklistForm(request.POST if request.method == "POST" else None, instance=audit),
        save=lambda data: services.audit_checklist_record(actor=user, audit=audit, values=data),
        saved="The audit has been recorded.",
        then=f"{reverse('governance:audit-list')}?quarter={audit.quarter:%Y-%m-%d}",
        title=f"Audit of the {meeting.get_kind_display().lower()} meeting of {meeting.starts_at:%-d %B %Y}",
        submit="Record the audit",
        back=f"{reverse('governance:audit-list')}?quarter={audit.quarter:%Y-%m-%d}",
        nominal=meeting.nominal,
        intro="; ".join(summary) or "No agencies were invited.",
    )
