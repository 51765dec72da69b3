"""Auditors' pages: searching the audit log, a nominal's or a user's history, exports, access reports.

Only auditors reach them (everyone else gets 404), only for their own area, and read-only: the one
thing an auditor writes is a note that a report line has been reviewed. Every search, history and
export an auditor makes is itself logged.
"""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.auth import signed_in_user
from agencies.models import User
from auditing import selectors
from auditing.forms import AuditSearchForm, ReportPeriodForm, ReviewForm
from auditing.policy import auditable_nominals, auditable_people, may_audit
from mappa.audit.models import AuditEntry, AuditEvent, Report, ReportReview
from mappa.audit.services import audit_record

EXPORT_LIMIT = 100_000


def _auditor(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not may_audit(user):
        raise Http404
    return user


def _search(
    request: HttpRequest, user: User, preset: dict[str, Any]
) -> tuple[AuditSearchForm, selectors.AuditFilters | None]:
    if user.area is None:
        raise Http404
    form = AuditSearchForm({**request.GET.dict(), **preset} if (request.GET or preset) else None, area=user.area)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    filters = selectors.AuditFilters(
        area_id=user.area.pk,
        actor=data.get("username"),
        nominal=data.get("case_reference"),
        agency=data.get("agency"),
        event=data.get("event", ""),
        since=data.get("since"),
        until=data.get("until"),
    )
    return form, filters


def _results(
    request: HttpRequest, user: User, *, title: str, preset: dict[str, Any], template: str = "audit/search.html"
) -> HttpResponse:
    form, filters = _search(request, user, preset)
    if filters is None:
        return render(request, template, {"form": form, "title": title, "rows": None}, status=400)
    cursor = selectors.Cursor.decode(request.GET.get("before", "")) if request.GET.get("before") else None
    rows, next_cursor = selectors.audit_page(selectors.audit_entries(filters), cursor)
    references = selectors.case_references(rows)
    audit_record(
        event=AuditEvent.SEARCH if not filters.nominal else AuditEvent.VIEW,
        actor=user,
        subject=filters.nominal or AuditEntry,
        request=request,
        ground="Audit review",
        nominal_id=filters.nominal.pk if filters.nominal else None,
        details={"page": title, "filters": {k: str(v) for k, v in request.GET.dict().items()} | preset},
    )
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "form": form,
        "title": title,
        "rows": [(entry, references.get(entry.nominal_id or 0, "")) for entry in rows],
        "next": next_cursor.encode() if next_cursor else "",
        "query": query.urlencode(),
        "export_query": "&".join(part for part in (query.urlencode(), _preset_query(preset)) if part),
    }
    return render(request, template, context)


def _preset_query(preset: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(preset)


def audit_search(request: HttpRequest) -> HttpResponse:
    return _results(request, _auditor(request), title="Search the audit log", preset={})


def nominal_history(request: HttpRequest, reference: str) -> HttpResponse:
    user = _auditor(request)
    if not auditable_nominals(user).filter(case_reference=reference).exists():
        raise Http404
    return _results(request, user, title=f"Who viewed or changed {reference}", preset={"case_reference": reference})


def user_activity(request: HttpRequest, username: str) -> HttpResponse:
    user = _auditor(request)
    if not auditable_people(user).filter(username=username).exists():
        raise Http404
    return _results(request, user, title=f"Everything {username} did", preset={"username": username})


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The current search as CSV; the export is itself logged."""
    user = _auditor(request)
    form, filters = _search(request, user, {})
    if filters is None:
        return render(
            request, "audit/search.html", {"form": form, "title": "Search the audit log", "rows": None}, status=400
        )
    audit_record(
        event=AuditEvent.EXPORT,
        actor=user,
        subject=AuditEntry,
        request=request,
        ground="Audit review",
        details={"export": "audit log CSV", "filters": request.GET.dict(), "limit": EXPORT_LIMIT},
    )
    entries = selectors.audit_entries(filters).select_related("actor", "content_type")[:EXPORT_LIMIT]
    writer = csv.writer(_Echo())
    header = ["When", "Who", "Event", "What", "Object", "Nominal id", "Ground", "Client address", "Details"]

    def rows() -> Any:
        yield writer.writerow(header)
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(entry.timestamp).isoformat(),
                    entry.actor.username if entry.actor else entry.attempted_username,
                    entry.event,
                    entry.content_type.model,
                    _safe(entry.object_repr),
                    entry.nominal_id or "",
                    _safe(entry.ground),
                    entry.remote_addr or "",
                    _safe(str(entry.additional_data or entry.changes or "")),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _safe(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


REPORTS: dict[str, str] = {
    Report.MANY_VIEWS: "audit/report_many_views.html",
    Report.OUT_OF_HOURS: "audit/report_entries.html",
    Report.CATEGORY_4: "audit/report_entries.html",
}


def access_report(request: HttpRequest, report: str) -> HttpResponse:
    user = _auditor(request)
    if report not in REPORTS:
        raise Http404
    if user.area is None:
        raise Http404
    form = ReportPeriodForm(request.GET or None)
    today = timezone.localdate()
    since, until = today - datetime.timedelta(days=30), today
    if form.is_bound:
        if not form.is_valid():
            return render(request, REPORTS[report], {"form": form, "report": Report(report), "rows": []}, status=400)
        since, until = form.cleaned_data["since"] or since, form.cleaned_data["until"] or until
    kind = Report(report)
    if kind == Report.MANY_VIEWS:
        threshold = settings.AUDIT_UNUSUAL_VIEWS_PER_DAY
        rows: list[Any] = selectors.many_views(user.area.pk, since=since, until=until, threshold=threshold)
        keys = [str(row["key"]) for row in rows]
    else:
        query = selectors.out_of_hours if kind == Report.OUT_OF_HOURS else selectors.category4_views
        rows = list(query(user.area.pk, since=since, until=until)[:500])
        keys = [str(entry.pk) for entry in rows]
    audit_record(
        event=AuditEvent.SEARCH,
        actor=user,
        subject=AuditEntry,
        request=request,
        ground="Audit review",
        details={"report": kind.value, "since": since.isoformat(), "until": until.isoformat()},
    )
    context = {
        "form": form,
        "report": kind,
        "rows": rows,
        "reviews": selectors.reviews_of(kind, keys),
        "since": since,
        "until": until,
        "threshold": settings.AUDIT_UNUSUAL_VIEWS_PER_DAY,
        "references": _references(rows),
    }
    return render(request, REPORTS[report], context)


def _references(rows: list[Any]) -> dict[int, str]:
    entries = [row for row in rows if isinstance(row, AuditEntry)]
    return selectors.case_references(entries)


@require_POST
def report_review(request: HttpRequest, report: str) -> HttpResponse:
    user = _auditor(request)
    if report not in REPORTS:
        raise Http404
    form = ReviewForm(request.POST)
    back = f"{reverse('audit:report', args=[report])}?{request.GET.urlencode()}"
    if not form.is_valid():
        messages.error(request, "Write a note of what you found before marking the line as reviewed.")
        return redirect(back)
    try:
        with transaction.atomic():
            ReportReview.objects.create(
                report=report, key=form.cleaned_data["key"], reviewer=user, note=form.cleaned_data["note"]
            )
    except IntegrityError:
        messages.error(request, "That line has already been reviewed.")
    else:
        messages.success(request, "Marked as reviewed.")
    return redirect(back)
