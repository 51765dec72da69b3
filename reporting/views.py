"""The unit's statistics: the KPI dashboard with the cases behind each figure, agency engagement,
and annual reports prepared in the background.

Only co-ordinators reach these pages (everyone else gets 404), for their own area. The lists behind
the figures show only what the person may see and are logged like any other list of cases.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from agencies.auth import signed_in_user
from agencies.models import Agency, Area, User
from cases.models import Nominal
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_list_view, audit_record
from mappa.pages import put_errors
from reporting.annual import AnnualReport
from reporting.charts import monthly_chart, share_text
from reporting.engagement import AgencyEngagement, agency_engagement
from reporting.forms import AnnualReportForm, PeriodForm, latest_reporting_year
from reporting.kpis import KPIS_BY_KEY, Kpi, Period, kpi_items, measure_all, month_end
from reporting.models import ReportRun, RunStatus
from reporting.policy import statistics_area
from reporting.render import as_csv
from reporting.services import report_run_request

PAGE_SIZE = 50
MONTH = re.compile(r"^\d{4}-\d{2}$")


def _coordinator(request: HttpRequest) -> tuple[User, Area]:
    user = signed_in_user(request)
    area = statistics_area(user)
    if area is None:
        raise Http404
    return user, area


def _period(request: HttpRequest, area: Area) -> tuple[PeriodForm, Period | None]:
    today = timezone.localdate()
    data = request.GET if {"since", "until"} & set(request.GET) else None
    form = PeriodForm(data, area=area, today=today)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, form.period()


def dashboard(request: HttpRequest) -> HttpResponse:
    user, area = _coordinator(request)
    form, period = _period(request, area)
    if period is None:
        return render(request, "reporting/dashboard.html", {"form": form, "area": area}, status=400)
    measures = measure_all(area, period, timezone.localdate())
    panels = [
        {
            "measure": measure,
            "headline": share_text(measure.met, measure.counted),
            "description": measure.kpi.describe(area),
            "chart": monthly_chart(measure),
            "months": [(month, share_text(month.met, month.counted)) for month in measure.months],
        }
        for measure in measures
    ]
    query = _period_query(period)
    context = {"form": form, "area": area, "period": period, "panels": panels, "query": query}
    return render(request, "reporting/dashboard.html", {**context, "panels_drawn_from": _drawn_from(panels, query)})


def _drawn_from(panels: list[dict[str, Any]], query: str) -> str:
    """A digest of everything the indicators' panels show: the rendered panels are kept under it,
    so that they are drawn again exactly when a figure, month, description or link would change."""
    shown = [
        (measure.kpi.key, measure.kpi.title, measure.met, measure.counted, measure.months)
        for measure in (panel["measure"] for panel in panels)
    ]
    drawn = [(panel["description"], panel["headline"], panel["chart"]) for panel in panels]
    return hashlib.sha256(repr((query, shown, drawn)).encode()).hexdigest()


def _period_query(period: Period) -> str:
    query = f"since={period.since:%Y-%m-01}&until={period.until:%Y-%m-01}"
    return query + (f"&district={period.district.pk}" if period.district else "")


# How each indicator's items read in the list behind it: related rows to load, and one line each.
ITEM_RELATIONS: dict[str, list[str]] = {
    "screening": ["nominal"],
    "custodial": ["nominal"],
    "first_meeting": ["nominal"],
    "reviews": ["nominal"],
    "attendance": ["meeting__nominal", "agency"],
    "minutes": ["nominal"],
    "actions": ["nominal", "owning_agency"],
}


def _day(value: datetime.datetime | datetime.date | None) -> str:
    if value is None:
        return "not yet"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%b %Y}"


def _describe(kpi: Kpi, item: Any) -> str:
    match kpi.key:
        case "screening":
            return (
                f"Referral {item.reference}: submitted {_day(item.first_submitted_at)}, decided {_day(item.decided_at)}"
            )
        case "custodial":
            return f"Referral {item.reference}: submitted {_day(item.first_submitted_at)}, release {_day(item.expected_release_date)}"
        case "first_meeting":
            return f"Referral {item.reference}: accepted {_day(item.decided_at)}, first meeting due {_day(item.first_meeting_due)}"
        case "reviews":
            described = f"Meeting of {_day(item.starts_at)}: review due by {_day(item.day)}"
            if item.next_review and item.next_review > item.day:
                described += f"; the minutes set {_day(item.next_review)}, because: {item.next_review_rationale or 'no reason given'}"
            return described
        case "attendance":
            return (
                f"{item.agency.name} at the meeting of {_day(item.meeting.starts_at)}: {item.get_attendance_display()}"
            )
        case "minutes":
            return f"Meeting of {_day(item.starts_at)}: minutes distributed {_day(item.distributed_at)}"
        case _:
            return f"{item.owning_agency.name}: due {_day(item.due)}, {item.get_status_display().lower()}"


def _nominal_of(kpi: Kpi, item: Any) -> Nominal | None:
    target = item
    for step in kpi.nominal.split("__"):
        target = getattr(target, step)
        if target is None:
            return None
    return target if isinstance(target, Nominal) else None


def kpi_cases(request: HttpRequest, key: str) -> HttpResponse:
    """The items behind one indicator: the month, outcome and agency can narrow it."""
    user, area = _coordinator(request)
    kpi = KPIS_BY_KEY.get(key)
    if kpi is None:
        raise Http404
    form, period = _period(request, area)
    if period is None:
        return render(request, "reporting/kpi_cases.html", {"form": form, "kpi": kpi}, status=400)
    items = kpi_items(kpi, area, period, timezone.localdate())
    month = request.GET.get("month", "")
    first = None
    if MONTH.match(month):
        try:
            first = datetime.date.fromisoformat(f"{month}-01")
        except ValueError:
            month = ""
        else:
            items = items.filter(day__range=(first, month_end(first)))
    outcome = request.GET.get("outcome", "")
    if outcome in ("met", "missed"):
        items = items.filter(met=outcome == "met")
    agency = None
    if key in ("attendance", "actions") and request.GET.get("agency", "").isdigit():
        agency = Agency.objects.filter(area=area, pk=int(request.GET["agency"])).first()
        if agency is not None:
            items = items.filter(**{"agency" if key == "attendance" else "owning_agency": agency})
    visible = kpi.visible(user, items)
    hidden = items.count() - visible.count()
    page = Paginator(visible.select_related(*ITEM_RELATIONS[key]).order_by("day", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {"nominal": _nominal_of(kpi, item), "item": item, "text": _describe(kpi, item), "met": item.met}
        for item in page.object_list
    ]
    audit_list_view(
        request=request,
        actor=user,
        page=f"Statistics: {kpi.title}",
        model=Nominal,
        shown=[row["nominal"] for row in rows if row["nominal"] is not None],
        ground="Performance monitoring",
    )
    return render(
        request,
        "reporting/kpi_cases.html",
        {
            "form": form,
            "kpi": kpi,
            "description": kpi.describe(area),
            "period": period,
            "page": page,
            "rows": rows,
            "hidden": hidden,
            "month": month if first else "",
            "month_date": first,
            "outcome": outcome,
            "agency": agency,
            "extra": [("outcome", outcome)] * bool(outcome) + ([("agency", str(agency.pk))] if agency else []),
            "query": _period_query(period),
        },
    )


def engagement(request: HttpRequest) -> HttpResponse:
    user, area = _coordinator(request)
    form, period = _period(request, area)
    if period is None:
        return render(request, "reporting/engagement.html", {"form": form}, status=400)
    rows = agency_engagement(area, period, timezone.localdate())
    total = AgencyEngagement(0, "All agencies")
    for row in rows:
        for field in (
            "invited",
            "attended",
            "report",
            "apologies",
            "absent",
            "actions_due",
            "on_time",
            "late",
            "not_done",
            "overdue",
        ):
            setattr(total, field, getattr(total, field) + getattr(row, field))
    return render(
        request,
        "reporting/engagement.html",
        {"form": form, "period": period, "rows": rows, "total": total, "query": _period_query(period)},
    )


@require_http_methods(["GET", "POST"])
def annual_reports(request: HttpRequest) -> HttpResponse:
    """The area's annual reports, kept, and a form to prepare one."""
    user, area = _coordinator(request)
    today = timezone.localdate()
    form = AnnualReportForm(request.POST if request.method == "POST" else None, today=today)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                run = report_run_request(
                    actor=user, area=area, year=form.cleaned_data["year"], this_year=latest_reporting_year(today)
                )
            except ValidationError as error:
                put_errors(error, [form])
            else:
                return redirect(run)
        status = 400
    runs = Paginator(ReportRun.objects.filter(area=area).select_related("requested_by"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "reporting/annual_reports.html", {"form": form, "page": runs, "area": area}, status=status)


def _run(request: HttpRequest, pk: int) -> tuple[User, ReportRun]:
    user, area = _coordinator(request)
    return user, get_object_or_404(ReportRun.objects.select_related("area", "requested_by"), pk=pk, area=area)


def annual_report_run(request: HttpRequest, pk: int) -> HttpResponse:
    """One report: its progress while it is prepared, then its tables."""
    _, run = _run(request, pk)
    context: dict[str, Any] = {"run": run}
    if run.status == RunStatus.DONE and run.result:
        context["report"] = AnnualReport.from_dict(run.result)
    if request.headers.get("HX-Request"):
        response = render(request, "reporting/_run_status.html", context)
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            response["HX-Refresh"] = "true"  # show the finished page whole
        return response
    return render(request, "reporting/annual_report_run.html", context)


def annual_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    user, run = _run(request, pk)
    if run.status != RunStatus.DONE or not run.result:
        raise Http404
    report = AnnualReport.from_dict(run.result)
    audit_record(event=AuditEvent.EXPORT, actor=user, subject=run, request=request, details={"format": "csv"})
    response = HttpResponse(as_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="mappa-annual-report-{run.area.code.lower()}-{run.year}.csv"'
    )
    return response
