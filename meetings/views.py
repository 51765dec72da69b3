"""Meeting pages. Every view fetches through `_meeting_for` (or `_panel_day_for`), which applies the
access policy and answers 404 for what the user may not see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.auth import signed_in_user
from agencies.models import Agency, District, User
from cases.models import Nominal
from cases.policy import nominals_visible_to
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_list_view, audit_record
from mappa.pages import consulted_page, form_and_save, form_page, put_errors, versioned_form_and_save
from mappa.panels import panels_for
from meetings import services
from meetings.forms import (
    ActionFilterForm,
    ActionForm,
    ActionUpdateForm,
    AttendanceForm,
    DecisionForm,
    DisclosureForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    MinutesRequestForm,
    PanelDayForm,
    RiskPlanForm,
)
from meetings.models import Action, Meeting, MeetingKind, MeetingStatus, MinutesRequest, PanelDay
from meetings.pdf import executive_summary_pdf, minutes_pdf
from meetings.policy import (
    MeetingAccess,
    may_manage_meetings,
    may_use_agency_workspace,
    meeting_access,
    meetings_visible_to,
)
from meetings.selectors import (
    ActionFilters,
    agency_actions,
    agency_meetings,
    meeting_page,
    panel_day_meetings,
    panel_days_for,
    reviews_due,
)
from referrals.selectors import agency_referrals


def _manager(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not may_manage_meetings(user) or user.area is None:
        raise PermissionDenied
    return user


def _meeting_for(
    request: HttpRequest, pk: int, *, manage: bool = False, minutes: bool = False
) -> tuple[User, Meeting, MeetingAccess]:
    user = signed_in_user(request)
    meeting = Meeting.objects.select_related("area", "nominal", "chair").filter(pk=pk).first()
    access = meeting_access(user, meeting) if meeting else None
    if meeting is None or access is None:
        if meeting is not None:
            audit_record(
                event=AuditEvent.VIEW_REFUSED,
                actor=user,
                subject=meeting,
                request=request,
                nominal_id=meeting.nominal_id,
                details={"path": request.path},
            )
        raise Http404("No such meeting.")
    if (manage and not access.is_coordinator) or (minutes and not access.edits_minutes):
        raise PermissionDenied
    return user, meeting, access


def _viewed(request: HttpRequest, user: User, meeting: Meeting, access: MeetingAccess, page: str) -> None:
    audit_record(
        event=AuditEvent.VIEW,
        actor=user,
        subject=meeting,
        request=request,
        ground=access.ground,
        nominal_id=meeting.nominal_id,
        details={"page": page, "minutes": access.sees_minutes},
    )


def panel_day_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    today = timezone.localdate()
    days = panel_days_for(user)
    district = request.GET.get("district", "")
    if district.isdigit():
        days = days.filter(district_id=int(district))
    context = {
        "upcoming": days.filter(date__gte=today).order_by("date", "district__name")[:30],
        "past": Paginator(days.filter(date__lt=today).order_by("-date"), 30).get_page(request.GET.get("page")),
        "districts": District.objects.filter(area=user.area),
        "district": district,
        "urgent": Meeting.objects.filter(area=user.area, panel_day__isnull=True, kind=MeetingKind.URGENT)
        .select_related("nominal")
        .order_by("-starts_at")[:10],
    }
    return render(request, "meetings/panel_day_list.html", context)


def panel_day_schedule(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    if user.area is None:
        raise Http404
    form = PanelDayForm(request.POST if request.method == "POST" else None, area=user.area)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = services.panel_days_schedule(
            actor=user,
            district=data["district"],
            first=data["first"],
            months=data["months"],
            place=data["place"],
            video_link=data["video_link"],
            standing_agencies=data["standing_agencies"],
        )
        messages.success(request, f"{len(created)} panel day{'s' if len(created) != 1 else ''} scheduled.")
        return redirect("meetings:panel-day-list")
    return form_page(
        request,
        title="Schedule panel days",
        forms=[("", form)],
        submit="Schedule",
        back=reverse("meetings:panel-day-list"),
        status=400 if form.is_bound else 200,
    )


def _panel_day_for(request: HttpRequest, pk: int) -> tuple[User, PanelDay]:
    user = _manager(request)
    panel_day = PanelDay.objects.select_related("district").filter(pk=pk, area=user.area).first()
    if panel_day is None:
        raise Http404
    return user, panel_day


def panel_day_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, panel_day = _panel_day_for(request, pk)
    meetings = list(panel_day_meetings(panel_day))
    audit_list_view(request=request, actor=user, page="panel day", model=Meeting, shown=meetings)
    context = {
        "panel_day": panel_day,
        "meetings": meetings,
        "standing": panel_day.standing_agencies.all(),
    }
    return render(request, "meetings/panel_day_detail.html", context)


def _schedule(request: HttpRequest, user: User, panel_day: PanelDay | None) -> HttpResponse:
    if user.area is None:
        raise Http404
    urgent = panel_day is None
    data = request.POST if request.method == "POST" else None
    initial = {"date": panel_day.date} if panel_day else {}
    form = MeetingForm(data, initial=initial, area=user.area, nominals=nominals_visible_to(user), urgent=urgent)
    if data is None:
        shown = list(form.fields["nominal"].queryset)  # type: ignore[attr-defined]
        audit_list_view(request=request, actor=user, page="schedule a meeting", model=Nominal, shown=shown)
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=user,
                nominal=values["nominal"],
                kind=MeetingKind.URGENT if urgent else values["kind"],
                chair=values["chair"],
                minute_taker=values["minute_taker"],
                starts_at=form.starts_at(),
                panel_day=panel_day,
                place=values["place"],
                video_link=values["video_link"],
                invite=values["invite"],
            )
        except ValidationError as error:
            put_errors(error, [form])
        else:
            messages.success(request, "Meeting scheduled and agencies invited.")
            return redirect(meeting)
    return form_page(
        request,
        title="Convene an urgent meeting" if urgent else f"Add a case to {panel_day}",
        forms=[("", form)],
        submit="Schedule meeting",
        back=panel_day.get_absolute_url() if panel_day else reverse("meetings:panel-day-list"),
        status=400 if data is not None else 200,
    )


def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, panel_day = _panel_day_for(request, pk)
    return _schedule(request, user, panel_day)


def meeting_urgent(request: HttpRequest) -> HttpResponse:
    return _schedule(request, _manager(request), None)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting, access = _meeting_for(request, pk)
    _viewed(request, user, meeting, access, "meeting")
    context = {
        "meeting": meeting_page(meeting.pk),
        "access": access,
        "default_review": services.default_next_review(meeting),
        "panels": panels_for("meetings:meeting-detail", user, meeting),
    }
    return render(request, "meetings/meeting_detail.html", context)


def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting, access = _meeting_for(request, pk, manage=True)
    agencies = Agency.objects.filter(area=meeting.area, is_active=True).exclude(invitations__meeting=meeting)
    return form_and_save(
        request,
        InviteForm(request.POST if request.method == "POST" else None, agencies=agencies),
        save=lambda data: services.meeting_invite(actor=user, meeting=meeting, agency=data["agency"]),
        saved="Agency invited.",
        then=meeting,
        title="Invite an agency",
        submit="Invite",
        back=meeting.get_absolute_url(),
        nominal=meeting,
        warning="The agency will see this person's record and the meeting's details.",
    )


def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting, access = _meeting_for(request, pk, manage=True)
    invitations = list(meeting.invitations.select_related("agency"))
    data = request.POST if request.method == "POST" else None
    forms = [AttendanceForm(data, instance=invitation, prefix=f"i{invitation.pk}") for invitation in invitations]
    if data is not None and all(form.is_valid() for form in forms):
        try:
            services.meeting_record_attendance(
                actor=user,
                meeting=meeting,
                rows={inv: form.cleaned_data for inv, form in zip(invitations, forms, strict=True)},
            )
        except ValidationError as error:
            put_errors(error, list(forms))
        else:
            messages.success(request, "Attendance recorded.")
            return redirect(meeting)
    return form_page(
        request,
        title="Attendance and information shared",
        forms=[(str(invitation.agency), form) for invitation, form in zip(invitations, forms, strict=True)],
        submit="Save attendance",
        back=meeting.get_absolute_url(),
        nominal=meeting,
        status=400 if data is not None else 200,
    )


def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting, access = _meeting_for(request, pk, minutes=True)
    if request.method != "POST":
        _viewed(request, user, meeting, access, "minutes")
    return versioned_form_and_save(
        request,
        MinutesForm(
            request.POST if request.method == "POST" else None,
            instance=meeting,
            show_executive_summary=access.sees_executive_summary,
        ),
        version=meeting.minutes_version,
        current_version=lambda: Meeting.objects.get(pk=meeting.pk).minutes_version,
        save=lambda data, expected: services.meeting_minutes_update(
            actor=user, meeting=meeting, values=data, expected_version=expected
        ),
        saved="Minutes saved.",
        then=meeting,
        title="Minutes",
        submit="Save minutes",
        back=meeting.get_absolute_url(),
        nominal=meeting,
        intro=f"The level's review interval puts the next review on {services.default_next_review(meeting):%-d %B %Y}.",
    )


def meeting_rmp(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting, access = _meeting_for(request, pk, minutes=True)
    plan = meeting.rmp
    if request.method != "POST":
        _viewed(request, user, meeting, access, "risk management plan")
    return versioned_form_and_save(
        request,
        RiskPlanForm(request.POST if request.method == "POST" else None, instance=plan),
        version=plan.version,
        current_version=lambda: type(plan).objects.get(pk=plan.pk).version,
        save=lambda data, expected: services.rmp_update(actor=user, plan=plan, values=data, expected_version=expected),
        saved="Risk management plan saved.",
        then=meeting,
        title="Risk management plan",
        submit="Save plan",
        back=meeting.get_absolute_url(),
        nominal=meeting,
    )


RecordAdd = Callable[..., Any]
RECORD_PAGES: dict[str, tuple[str, RecordAdd, str]] = {
    "decision": ("Record a decision", services.meeting_decision_add, "Decision recorded."),
    "disclosure": ("Record a disclosure decision", services.meeting_disclosure_add, "Disclosure decision recorded."),
    "action": ("Add an action", services.action_add, "Action added."),
}


def _record_form(kind: str, data: Any, meeting: Meeting) -> BaseForm:
    if kind == "decision":
        return DecisionForm(data)
    if kind == "disclosure":
        return DisclosureForm(data)
    return ActionForm(data, area=meeting.area)


def meeting_record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in RECORD_PAGES:
        raise Http404
    user, meeting, access = _meeting_for(request, pk, minutes=True)
    title, service, saved = RECORD_PAGES[kind]
    return form_and_save(
        request,
        _record_form(kind, request.POST if request.method == "POST" else None, meeting),
        save=lambda data: service(actor=user, meeting=meeting, values=data),
        saved=saved,
        then=meeting,
        title=title,
        submit="Save",
        back=meeting.get_absolute_url(),
        nominal=meeting,
    )


TRANSITIONS: dict[str, tuple[Callable[..., Meeting], str]] = {
    "held": (services.meeting_mark_held, "The meeting is held; the minutes are in draft."),
    "submit": (services.meeting_submit, "The minutes have gone to the chair."),
    "approve": (services.meeting_approve, "The minutes are approved and the level decision is in the history."),
    "distribute": (services.meeting_distribute, "The minutes have been distributed."),
}


@require_POST
def meeting_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    if transition not in TRANSITIONS:
        raise Http404
    user, meeting, access = _meeting_for(request, pk)
    allowed = {
        "held": access.is_coordinator,
        "submit": access.edits_minutes,
        "approve": access.is_chair,
        "distribute": access.is_coordinator,
    }[transition]
    if not allowed:
        raise PermissionDenied
    if transition in ("approve", "distribute") and request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm; this cannot be undone.")
        return redirect(meeting)
    service, done = TRANSITIONS[transition]
    try:
        service(actor=user, meeting=meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(meeting)
    messages.success(request, done)
    return redirect(meeting)


def action_update(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """The co-ordinator or the owning agency updates an action's status, with a note."""
    user, meeting, access = _meeting_for(request, pk)
    action = Action.objects.filter(pk=action_pk, meeting=meeting).select_related("owning_agency").first()
    if action is None:
        raise Http404
    if not (access.is_coordinator or action.owning_agency_id == user.agency_id):
        raise PermissionDenied
    if request.method != "POST":
        _viewed(request, user, meeting, access, "action")
    return _action_update_page(request, user, action, then=meeting.get_absolute_url(), nominal=meeting)


def _action_update_page(
    request: HttpRequest, user: User, action: Action, *, then: str, nominal: Meeting | Nominal
) -> HttpResponse:
    """The form updating an action; an update made by someone else meanwhile refuses it, keeping the
    person's input and showing the action's status and note as they now are."""

    def conflicts() -> list[tuple[str, str]]:
        current = Action.objects.get(pk=action.pk)
        latest = current.updates.order_by("-at", "-pk").first()
        return [("Status", current.get_status_display()), ("Latest note", latest.note if latest else "")]

    return versioned_form_and_save(
        request,
        ActionUpdateForm(request.POST if request.method == "POST" else None, initial={"status": action.status}),
        version=action.version,
        current_version=lambda: Action.objects.get(pk=action.pk).version,
        save=lambda data, expected: services.action_update(
            actor=user, action=action, expected_version=expected, **data
        ),
        saved="Action updated.",
        then=then,
        title="Update an action",
        submit="Save update",
        back=then,
        nominal=nominal,
        intro=action.description,
        conflicts=conflicts,
    )


def minutes_download(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting, access = _meeting_for(request, pk)
    if not access.sees_minutes or meeting.status == MeetingStatus.SCHEDULED:
        raise PermissionDenied
    audit_record(
        event=AuditEvent.DISCLOSURE,
        actor=user,
        subject=meeting,
        request=request,
        ground=access.ground,
        nominal_id=meeting.nominal_id,
        details={"disclosed": "minutes PDF", "recipient": user.username},
    )
    return _pdf(minutes_pdf(meeting_page(meeting.pk)), f"minutes-{meeting.nominal.case_reference}-{meeting.pk}.pdf")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def minutes_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting, access = _meeting_for(request, pk, manage=True)
    return form_and_save(
        request,
        MinutesRequestForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.minutes_request_record(actor=user, meeting=meeting, values=data),
        saved="Request recorded.",
        then=meeting,
        title="Record a request for the minutes",
        submit="Record request",
        back=meeting.get_absolute_url(),
        nominal=meeting,
        intro="Requests from the person, a lawyer or a court are answered with the executive summary.",
    )


def _minutes_request_for(request: HttpRequest, pk: int, request_pk: int) -> tuple[User, MinutesRequest]:
    user, meeting, access = _meeting_for(request, pk, manage=True)
    minutes_request = MinutesRequest.objects.filter(pk=request_pk, meeting=meeting).select_related("meeting").first()
    if minutes_request is None:
        raise Http404
    return user, minutes_request


@require_POST
def minutes_request_release(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    user, minutes_request = _minutes_request_for(request, pk, request_pk)
    try:
        services.minutes_request_release(actor=user, request=minutes_request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Executive summary released to {minutes_request.requester}.")
    return redirect(minutes_request.meeting)


def executive_summary_download(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    user, minutes_request = _minutes_request_for(request, pk, request_pk)
    if not minutes_request.released_on:
        raise PermissionDenied
    meeting = minutes_request.meeting
    audit_record(
        event=AuditEvent.DISCLOSURE,
        actor=user,
        subject=meeting,
        request=request,
        ground="Executive summary released by the MAPPA manager",
        nominal_id=meeting.nominal_id,
        details={"disclosed": "executive summary PDF", "recipient": minutes_request.requester},
    )
    content = executive_summary_pdf(meeting, recipient=minutes_request.requester)
    return _pdf(content, f"executive-summary-{meeting.nominal.case_reference}-{meeting.pk}.pdf")


def reviews(request: HttpRequest) -> HttpResponse:
    """Level 2/3 reviews due in the next four weeks, overdue, or never held, by district."""
    user = _manager(request)
    today = timezone.localdate()
    district = request.GET.get("district", "")
    nominals = reviews_due(user, within_days=28, today=today, district_id=int(district) if district.isdigit() else None)
    page = consulted_page(request, user, nominals, name="reviews due", per_page=100)
    context = {"page": page, "today": today, "districts": District.objects.filter(area=user.area), "district": district}
    return render(request, "meetings/reviews.html", context)


def my_meetings(request: HttpRequest) -> HttpResponse:
    """The meetings the user chairs, minutes, or whose agency is invited to, soonest first."""
    user = signed_in_user(request)
    meetings = (
        meetings_visible_to(user)
        .select_related("nominal")
        .only("starts_at", "kind", "level", "place", "status", "nominal__case_reference")  # what the list shows
        .order_by("-starts_at", "pk")
    )
    if may_manage_meetings(user):
        # Co-ordinators see every meeting on the panel days; here, only those they chair or minute.
        meetings = meetings.filter(Q(chair=user) | Q(minute_taker=user))
    page = consulted_page(request, user, meetings, name="meetings")
    return render(request, "meetings/my_meetings.html", {"page": page, "now": timezone.now()})


def agency_work(request: HttpRequest) -> HttpResponse:
    """My agency's work: its actions, the meetings it is invited to, and the referrals it made."""
    user = signed_in_user(request)
    if not may_use_agency_workspace(user):
        raise PermissionDenied
    form = ActionFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "meetings/agency_work.html", {"form": form, "page": None}, status=400)
    filters = ActionFilters(**{key: value or "" for key, value in form.cleaned_data.items()})
    today = timezone.localdate()
    context = {
        "form": form,
        "page": consulted_page(request, user, agency_actions(user, filters, today=today), name="agency actions"),
        "meetings": agency_meetings(user, now=timezone.now())[:20],
        "referrals": agency_referrals(user)[:10],
        "today": today,
        "panels": panels_for("meetings:work", user, user.agency),
    }
    return render(request, "meetings/agency_work.html", context)


def agency_action_update(request: HttpRequest, pk: int) -> HttpResponse:
    """An agency updates one of its actions from its workspace."""
    user = signed_in_user(request)
    action = agency_actions(user, ActionFilters(), today=timezone.localdate()).filter(pk=pk).first()
    if action is None:
        raise Http404
    if request.method != "POST":
        audit_list_view(request=request, actor=user, page="agency action", model=Action, shown=[action])
    return _action_update_page(request, user, action, then=reverse("meetings:work"), nominal=action.nominal)
