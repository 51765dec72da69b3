"""Referral and screening pages. Every view fetches through `_referral_for` or `_panel_for`, which
apply the access policy and answer 404 for what the user may not see."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.auth import signed_in_user
from agencies.models import Agency, User
from cases.models import Nominal
from cases.policy import nominals_visible_to
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_list_view, audit_record, refuse_unseen
from mappa.pages import consulted_page, form_and_save, form_page, put_errors
from mappa.panels import panels_for
from referrals import services
from referrals.forms import (
    STEP_TITLES,
    AgendaForm,
    DecisionForm,
    MatchForm,
    MessageForm,
    PanelForm,
    PanelMemberForm,
    QueueFilterForm,
    ScheduleForm,
    WithdrawForm,
    step_form_class,
)
from referrals.models import PanelItem, PanelStatus, Referral, ScreeningPanel
from referrals.policy import ReferralAccess, may_refer, may_screen, panels_visible_to, referral_access
from referrals.selectors import (
    agency_referrals,
    possible_matches,
    referral_kpis,
    referral_queue,
    referrals_waiting_for_a_panel,
)

PAGE_SIZE = 50
STEP_ORDER = ["person", "offending", "risk", "management"]


def _referral_for(
    request: HttpRequest, reference: str, *, edit: bool = False, screen: bool = False, withdraw: bool = False
) -> tuple[User, Referral, ReferralAccess]:
    user = signed_in_user(request)
    referral = (
        Referral.objects.select_related("area", "referring_agency", "referrer", "lead_agency", "nominal")
        .filter(reference=reference)
        .first()
    )
    access = referral_access(user, referral) if referral else None
    if referral is None or access is None:
        refuse_unseen(
            actor=user,
            record=referral,
            request=request,
            nominal_id=referral.nominal_id if referral else None,
            what="referral",
        )
    if (edit and not access.can_edit) or (screen and not access.can_screen) or (withdraw and not access.can_withdraw):
        raise PermissionDenied
    return user, referral, access


def _viewed(request: HttpRequest, user: User, referral: Referral, access: ReferralAccess, page: str) -> None:
    audit_record(
        event=AuditEvent.VIEW,
        actor=user,
        subject=referral,
        request=request,
        ground=access.ground,
        nominal_id=referral.nominal_id,
        details={"page": page},
    )


def _area_agencies(referral: Referral) -> QuerySet[Agency]:
    return Agency.objects.filter(area=referral.area, is_active=True).order_by("name")


def referral_list(request: HttpRequest) -> HttpResponse:
    """My agency's referrals, with their status and the screening decision."""
    user = signed_in_user(request)
    if not may_refer(user):
        raise PermissionDenied
    page = consulted_page(request, user, agency_referrals(user), name="agency referrals", per_page=PAGE_SIZE)
    return render(request, "referrals/referral_list.html", {"page": page, "may_screen": may_screen(user)})


def referral_start(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_refer(user):
        raise PermissionDenied
    if request.method == "POST":
        referral = services.referral_start(actor=user)
        return redirect("referrals:referral-step", reference=referral.reference, step="person")
    return render(request, "referrals/start.html")


def referral_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    if step not in STEP_ORDER:
        raise Http404
    user, referral, access = _referral_for(request, reference, edit=True)
    draft = "save_draft" in request.POST
    data = request.POST if request.method == "POST" else None
    form = step_form_class(step)(data, instance=referral, draft=draft, area_agencies=_area_agencies(referral))
    if data is not None and form.is_valid():
        try:
            services.referral_update(actor=user, referral=referral, step=step, values=form.cleaned_data)
        except ValidationError as error:
            put_errors(error, [form])
        else:
            if draft:
                messages.success(request, "Your draft has been saved.")
                return redirect(referral)
            return redirect(_next_page(user, referral, step))
    elif data is None:
        _viewed(request, user, referral, access, step)
    number = STEP_ORDER.index(step) + 1
    return form_page(
        request,
        title=STEP_TITLES[step],
        forms=[("", form)],
        submit="Save and continue",
        draft_button="Save as draft",
        back=reverse("referrals:referral-detail", args=[reference]),
        nominal=referral,
        status=400 if data is not None else 200,
        intro=f"Question page {number} of {len(STEP_ORDER)}.",
    )


def _next_page(user: User, referral: Referral, step: str) -> str:
    if step == "person" and not referral.no_match_confirmed:
        matches = possible_matches(user, referral)
        if matches.visible:
            return reverse("referrals:referral-matches", args=[referral.reference])
    position = STEP_ORDER.index(step)
    if position + 1 < len(STEP_ORDER):
        return reverse("referrals:referral-step", args=[referral.reference, STEP_ORDER[position + 1]])
    return reverse("referrals:referral-check", args=[referral.reference])


def referral_matches(request: HttpRequest, reference: str) -> HttpResponse:
    """The duplicate check: possible existing records, so the referrer links instead of duplicating."""
    user, referral, _access = _referral_for(request, reference, edit=True)
    matches = possible_matches(user, referral)
    if request.method != "POST":
        audit_list_view(request=request, actor=user, page="possible matches", model=Nominal, shown=matches.visible)
    form = MatchForm(request.POST if request.method == "POST" else None, candidates=matches.visible)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["match"]
        nominal = None if choice == "none" else next(n for n in matches.visible if str(n.pk) == choice)
        services.referral_link_nominal(actor=user, referral=referral, nominal=nominal)
        return redirect("referrals:referral-step", reference=reference, step="offending")
    intro = "These people already have MAPPA records and may be the person you are referring."
    if matches.hidden:
        intro += " The co-ordination unit will also check records you cannot see."
    return form_page(
        request,
        title="Possible existing records",
        forms=[("", form)],
        submit="Continue",
        back=reverse("referrals:referral-step", args=[reference, "person"]),
        nominal=referral,
        status=400 if form.is_bound else 200,
        intro=intro,
    )


def referral_check(request: HttpRequest, reference: str) -> HttpResponse:
    user, referral, access = _referral_for(request, reference, edit=True)
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.referral_submit(actor=user, referral=referral)
        except ValidationError as error:
            problems = {field: " ".join(messages_) for field, messages_ in error.message_dict.items()}
        else:
            messages.success(request, f"Referral {referral.reference} sent to the MAPPA co-ordination unit.")
            return redirect(referral)
    else:
        _viewed(request, user, referral, access, "check")
    sections = _answers(referral, access, editable=True, problems=problems)
    summary = [(message, f"#answer-{field}") for field, message in problems.items()]
    context = {"referral": referral, "sections": sections, "problems": summary}
    return render(request, "referrals/check.html", context, status=400 if problems else 200)


def _answers(
    referral: Referral, access: ReferralAccess, *, editable: bool, problems: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The referral's answers by question page, for check-your-answers and the referral page."""
    sections = []
    for step in STEP_ORDER:
        form = step_form_class(step)(instance=referral, draft=True, area_agencies=_area_agencies(referral))
        rows = []
        for name in form.fields:
            if name == "victims" and not access.restricted:
                continue
            value = getattr(referral, name)
            if name == "agencies_involved":
                shown = ", ".join(str(agency) for agency in referral.agencies_involved.all())
            elif hasattr(referral, f"get_{name}_display") and value not in (None, ""):
                shown = getattr(referral, f"get_{name}_display")()
            elif isinstance(value, datetime.date):
                shown = value.strftime("%-d %B %Y")
            else:
                shown = "" if value is None else str(value)
            error = (problems or {}).get(name, "")
            rows.append({"name": name, "label": form.fields[name].label, "value": shown, "error": error})
        url = reverse("referrals:referral-step", args=[referral.reference, step]) if editable else ""
        sections.append({"title": STEP_TITLES[step], "rows": rows, "change_url": url})
    return sections


def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user, referral, access = _referral_for(request, reference)
    _viewed(request, user, referral, access, "detail")
    items = referral.panel_items.select_related("panel", "decided_by").order_by("panel__date")
    context = {
        "referral": referral,
        "access": access,
        "sections": _answers(referral, access, editable=False),
        "notes": referral.notes.select_related("author"),
        "items": items,
        "nominal_visible": referral.nominal_id and nominals_visible_to(user).filter(pk=referral.nominal_id).exists(),
        "panels": panels_for("referrals:referral-detail", user, referral),
    }
    return render(request, "referrals/referral_detail.html", context)


def referral_request_information(request: HttpRequest, reference: str) -> HttpResponse:
    user, referral, access = _referral_for(request, reference, screen=True)
    return form_and_save(
        request,
        MessageForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.referral_request_information(actor=user, referral=referral, message=data["message"]),
        saved="The referral has gone back to the referrer with your question.",
        then=reverse("referrals:queue"),
        title="Ask the referrer for more information",
        submit="Send back to referrer",
        back=referral.get_absolute_url(),
        nominal=referral,
    )


def referral_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    user, referral, access = _referral_for(request, reference, withdraw=True)
    return form_and_save(
        request,
        WithdrawForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.referral_withdraw(actor=user, referral=referral, reason=data["reason"]),
        saved="The referral has been withdrawn.",
        then=referral,
        title="Withdraw this referral",
        submit="Withdraw referral",
        back=referral.get_absolute_url(),
        nominal=referral,
        warning="A withdrawn referral is kept but will not be screened.",
    )


def queue(request: HttpRequest) -> HttpResponse:
    """The co-ordinator's queue of referrals, with the screening KPIs for the last twelve months."""
    user = signed_in_user(request)
    if not may_screen(user) or user.area is None:
        raise PermissionDenied
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "referrals/queue.html", {"form": form, "page": None}, status=400)
    referrals = referral_queue(
        user, status=form.cleaned_data["status"], late_only=form.cleaned_data["late"], order=form.cleaned_data["order"]
    )
    now = timezone.now()
    context = {
        "form": form,
        "page": consulted_page(request, user, referrals, name="screening queue", per_page=PAGE_SIZE),
        "kpis": referral_kpis(user.area, since=now - datetime.timedelta(days=365), until=now),
        "area": user.area,
        "today": timezone.localdate(),
    }
    return render(request, "referrals/queue.html", context)


def _panel_for(request: HttpRequest, pk: int) -> tuple[User, ScreeningPanel]:
    user = signed_in_user(request)
    panel = panels_visible_to(user).select_related("area").filter(pk=pk).first()
    if panel is None:
        raise Http404("No such panel.")
    return user, panel


def panel_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_screen(user) or user.area is None:
        raise PermissionDenied
    schedule = ScheduleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and schedule.is_valid():
        created = services.panels_schedule(
            actor=user, area=user.area, weeks=schedule.cleaned_data["weeks"], today=timezone.localdate()
        )
        messages.success(request, f"{len(created)} panel{'s' if len(created) != 1 else ''} scheduled.")
        return redirect("referrals:panel-list")
    panels = panels_visible_to(user).prefetch_related(
        Prefetch("items", queryset=PanelItem.objects.only("pk", "panel_id", "decision"))
    )
    today = timezone.localdate()
    context = {
        "upcoming": panels.filter(date__gte=today).order_by("date")[:12],
        "past": Paginator(panels.filter(date__lt=today).order_by("-date"), 20).get_page(request.GET.get("page")),
        "schedule": schedule,
        "area": user.area,
    }
    return render(request, "referrals/panel_list.html", context, status=400 if schedule.is_bound else 200)


def panel_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_screen(user) or user.area is None:
        raise PermissionDenied
    area = user.area
    return form_and_save(
        request,
        PanelForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.panel_create(actor=user, area=area, date=data["date"]),
        saved="Screening panel added.",
        then=lambda panel: panel,
        title="Add a screening panel",
        submit="Add panel",
        back=reverse("referrals:panel-list"),
    )


def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, panel = _panel_for(request, pk)
    items = panel.items.select_related("referral__referring_agency", "decided_by", "referral__nominal").order_by("pk")
    audit_record(
        event=AuditEvent.VIEW,
        actor=user,
        subject=panel,
        request=request,
        ground=f"Co-ordinator in {panel.area}",
        details={"referrals": [item.referral.reference for item in items]},
    )
    waiting = referrals_waiting_for_a_panel(user)
    context = {
        "panel": panel,
        "items": items,
        "members": panel.members.select_related("agency", "user"),
        "has_waiting": waiting.exists(),
        "first_meeting_days": panel.area.first_meeting_target_days,
    }
    return render(request, "referrals/panel_detail.html", context)


def panel_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, panel = _panel_for(request, pk)
    agencies = Agency.objects.filter(area=panel.area, is_active=True)
    return form_and_save(
        request,
        PanelMemberForm(request.POST if request.method == "POST" else None, agencies=agencies),
        save=lambda data: services.panel_member_add(actor=user, panel=panel, **data),
        saved="Member recorded as present.",
        then=panel,
        title="Record who is present",
        submit="Add member",
        back=panel.get_absolute_url(),
        nominal=panel,
    )


def panel_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, panel = _panel_for(request, pk)
    waiting = referrals_waiting_for_a_panel(user)
    if request.method != "POST":
        audit_list_view(request=request, actor=user, page="referrals to list", model=Referral, shown=list(waiting))
    return form_and_save(
        request,
        AgendaForm(request.POST if request.method == "POST" else None, waiting=waiting),
        save=lambda data: services.panel_agenda_add(actor=user, panel=panel, referral=data["referral"]),
        saved="Referral added to the agenda.",
        then=panel,
        title="Add a referral to the agenda",
        submit="Add to agenda",
        back=panel.get_absolute_url(),
        nominal=panel,
    )


@require_POST
def panel_status(request: HttpRequest, pk: int, status: str) -> HttpResponse:
    user, panel = _panel_for(request, pk)
    if status not in (PanelStatus.OPEN, PanelStatus.CLOSED):
        raise Http404
    try:
        services.panel_set_status(actor=user, panel=panel, status=PanelStatus(status))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(panel)
    messages.success(request, "The panel has started." if status == PanelStatus.OPEN else "The panel has closed.")
    return redirect(panel)


def panel_decide(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user, panel = _panel_for(request, pk)
    item = panel.items.select_related("referral").filter(pk=item_pk).first()
    if item is None:
        raise Http404
    if request.method != "POST":
        audit_list_view(request=request, actor=user, page="screening decision", model=Referral, shown=[item.referral])
    return form_and_save(
        request,
        DecisionForm(request.POST if request.method == "POST" else None),
        save=lambda data: services.panel_item_decide(actor=user, item=item, **data),
        saved=f"Decision recorded for {item.referral}.",
        then=panel,
        title=f"Decision on {item.referral}",
        submit="Record decision",
        back=panel.get_absolute_url(),
        nominal=panel,
        intro=f"{item.referral.person_name}, referred by {item.referral.referring_agency}.",
    )
