"""Nominal record pages. Every view fetches through `cases.policy.nominal_for`, which applies the access policy,
answers 404 for what the user may not see (logging the attempt), and records each view."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.auth import signed_in_user
from agencies.models import Agency, User
from cases import services
from cases.eligibility import eligibility_ended
from cases.forms import (
    AliasForm,
    CategoryChangeForm,
    ConvictionForm,
    EventForm,
    ExitForm,
    InitialDecisionForm,
    LevelChangeForm,
    NominalDetailsForm,
    NominalFilterForm,
    OrderForm,
    PurposeForm,
    ReentryForm,
    RiskAssessmentForm,
    ShareForm,
)
from cases.models import Nominal, Source, Status
from cases.policy import NominalAccess, may_create_nominals, may_export_nominals, nominal_for
from cases.selectors import NominalFilters, nominal_list, nominal_record, nominal_shares
from mappa.audit.models import AuditEntry, AuditEvent
from mappa.audit.services import audit_record, audit_record_many
from mappa.pages import consulted_page, form_and_save, form_page, forms_and_save, versioned_form_and_save
from mappa.panels import panels_for

PAGE_SIZE = 50
PURPOSE_MINUTES = 15


def _purpose(request: HttpRequest, nominal: Nominal) -> str | None:
    stated = request.session.get(f"purpose:{nominal.pk}")
    if not stated:
        return None
    stated_at = datetime.datetime.fromisoformat(stated["at"])
    if timezone.now() - stated_at > datetime.timedelta(minutes=PURPOSE_MINUTES):
        return None
    return str(stated["purpose"])


def _viewed(
    request: HttpRequest, user: User, nominal: Nominal, access: NominalAccess, page: str
) -> HttpResponse | None:
    """Record a consultation of the nominal's record; auditors are first asked their purpose."""
    ground = access.ground
    if access.needs_purpose:
        purpose = _purpose(request, nominal)
        if purpose is None:
            return redirect(f"{reverse('cases:nominal-purpose', args=[nominal.case_reference])}?next={request.path}")
        ground = f"{access.ground}: {purpose}"
    audit_record(
        event=AuditEvent.VIEW,
        actor=user,
        subject=nominal,
        request=request,
        ground=ground,
        nominal_id=nominal.pk,
        details={"page": page},
    )
    return None


def _filters(form: NominalFilterForm, status_given: bool) -> NominalFilters:
    data = form.cleaned_data
    return NominalFilters(
        q=data["q"].strip(),
        category=data["category"],
        level=data["level"],
        district_id=data["district"].pk if data["district"] else None,
        lead_agency_id=data["lead_agency"].pk if data["lead_agency"] else None,
        location=data["location"],
        status=data["status"] if status_given else "active",
        eligibility_ended=data["eligibility_ended"],
        sort=data["sort"],
    )


def _filter_form(request: HttpRequest, user: User) -> tuple[NominalFilterForm, NominalFilters | None]:
    form = NominalFilterForm(request.GET, area=user.area)
    if not form.is_valid():
        return form, None
    return form, _filters(form, "status" in request.GET)


def nominal_list_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form, filters = _filter_form(request, user)
    if filters is None:
        return render(request, "cases/nominal_list.html", {"form": form, "page": None}, status=400)
    search: dict[str, object] | None = {"terms": filters.q, "filters": request.GET.dict()} if filters.q else None
    page = consulted_page(
        request, user, nominal_list(user, filters), name="nominal list", per_page=PAGE_SIZE, search=search
    )
    context = {
        "form": form,
        "page": page,
        "may_export": may_export_nominals(user),
        "may_create": may_create_nominals(user),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "cases/nominal_list.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    ("Case reference", "case_reference"),
    ("Last name", "last_name"),
    ("First name", "first_name"),
    ("Date of birth", "date_of_birth"),
    ("Category", "category"),
    ("Level", "level"),
    ("District", "district"),
    ("Lead agency", "lead_agency"),
    ("Where they are", "get_location_display"),
    ("Status", "get_status_display"),
]


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value() if callable(value) else value)
    # A spreadsheet would run a cell starting with these as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def nominal_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV, for co-ordinators. Each row is logged as a disclosure to the exporter."""
    user = signed_in_user(request)
    if not may_export_nominals(user):
        raise PermissionDenied
    form, filters = _filter_form(request, user)
    if filters is None:
        return render(request, "cases/nominal_list.html", {"form": form, "page": None}, status=400)
    nominals = list(nominal_list(user, filters).rows)
    audit_record_many(
        event=AuditEvent.DISCLOSURE,
        actor=user,
        subjects=nominals,
        request=request,
        ground=f"Co-ordinator export ({user.area})",
        details={"export": "nominal list CSV", "recipient": user.username, "filters": request.GET.dict()},
    )
    writer = csv.writer(_Echo())
    rows = [[label for label, _ in EXPORT_COLUMNS]] + [
        [_csv_cell(getattr(nominal, attribute)) for _, attribute in EXPORT_COLUMNS] for nominal in nominals
    ]
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="nominals-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def nominal_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_create_nominals(user) or user.area is None:
        raise PermissionDenied
    area = user.area
    data = request.POST if request.method == "POST" else None
    decision = InitialDecisionForm(data, prefix="decision")

    def save(values: list[dict[str, Any]]) -> Nominal:
        person, conviction, chosen = values
        return services.nominal_create(
            actor=user,
            area=area,
            details=person,
            conviction=conviction,
            category=chosen["category"],
            level=chosen["level"],
            reason=chosen["reason"],
            notification=decision.notification(),
        )

    return forms_and_save(
        request,
        [
            ("The person", NominalDetailsForm(data, area=area, prefix="person")),
            ("Index offence", ConvictionForm(data, prefix="conviction")),
            ("MAPPA category and level", decision),
        ],
        save=save,
        saved=lambda nominal: f"Nominal {nominal.case_reference} recorded.",
        then=lambda nominal: nominal,
        title="Record a new nominal",
        submit="Record nominal",
        back=reverse("cases:nominal-list"),
    )


TABS = {
    "summary": "Summary",
    "records": "Orders and events",
    "risk": "Risk",
    "history": "History",
    "audit": "Who viewed or changed this",
}


def _tab(request: HttpRequest, reference: str, tab: str) -> HttpResponse:
    user, nominal, access = nominal_for(request, reference, coordinator=tab == "audit")
    redirect_to_purpose = _viewed(request, user, nominal, access, tab)
    if redirect_to_purpose:
        return redirect_to_purpose
    context: dict[str, Any] = {
        "nominal": nominal_record(nominal.pk),
        "access": access,
        "tab": tab,
        "tabs": {key: label for key, label in TABS.items() if key != "audit" or access.is_coordinator},
    }
    if tab == "summary" and access.can_decide:
        context["shares"] = nominal_shares(nominal)
        record = context["nominal"]
        if record.status == Status.ACTIVE:
            context["eligibility_ended"] = eligibility_ended(
                category=record.category,
                orders=record.orders.all(),
                convictions=record.convictions.all(),
                location=record.location,
                on=timezone.localdate(),
            )
    context["panels"] = panels_for(f"cases:nominal-{tab}", user, nominal)
    if tab == "audit":
        entries = AuditEntry.objects.filter(nominal_id=nominal.pk).select_related("actor", "content_type")
        context["page"] = Paginator(entries.order_by("-timestamp", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, f"cases/nominal_{tab}.html", context)


def nominal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _tab(request, reference, "summary")


def nominal_records(request: HttpRequest, reference: str) -> HttpResponse:
    return _tab(request, reference, "records")


def nominal_risk(request: HttpRequest, reference: str) -> HttpResponse:
    return _tab(request, reference, "risk")


def nominal_history(request: HttpRequest, reference: str) -> HttpResponse:
    return _tab(request, reference, "history")


def nominal_audit(request: HttpRequest, reference: str) -> HttpResponse:
    return _tab(request, reference, "audit")


def nominal_purpose(request: HttpRequest, reference: str) -> HttpResponse:
    _user, nominal, access = nominal_for(request, reference)
    if not access.needs_purpose:
        return redirect(nominal)
    form = PurposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request.session[f"purpose:{nominal.pk}"] = {
            "purpose": form.cleaned_data["purpose"],
            "at": timezone.now().isoformat(),
        }
        next_url = request.GET.get("next", "")
        prefix = f"/nominals/{nominal.case_reference}/"
        return redirect(next_url if next_url.startswith(prefix) else nominal.get_absolute_url())
    return form_page(
        request,
        title="State your purpose",
        forms=[("", form)],
        submit="Continue to the record",
        back=reverse("cases:nominal-list"),
        nominal=nominal,
        status=400 if form.is_bound else 200,
        warning="Every view of this record is logged with the purpose you give.",
    )


def nominal_edit(request: HttpRequest, reference: str) -> HttpResponse:
    user, nominal, access = nominal_for(request, reference, record=True)
    form = NominalDetailsForm(request.POST if request.method == "POST" else None, instance=nominal, area=nominal.area)
    if request.method != "POST":
        _viewed(request, user, nominal, access, "edit")
    return versioned_form_and_save(
        request,
        form,
        version=nominal.version,
        current_version=lambda: Nominal.objects.get(pk=nominal.pk).version,
        save=lambda data, expected: services.nominal_update(
            actor=user, nominal=nominal, details=data, expected_version=expected
        ),
        saved="Details saved.",
        then=nominal,
        title="Edit details",
        submit="Save details",
        back=nominal.get_absolute_url(),
        nominal=nominal,
        conflicts=lambda: _differences(Nominal.objects.get(pk=nominal.pk), form, restricted=access.restricted),
    )


def _differences(current: Nominal, form: NominalDetailsForm, *, restricted: bool) -> list[tuple[str, str]]:
    """The saved values that differ from what the person entered, to show beside their input."""
    hidden = set() if restricted else {"address", "restricted_notes"}
    differences = []
    for name in services.DETAIL_FIELDS:
        if name in hidden:
            continue
        saved = getattr(current, name)
        entered = form.cleaned_data.get(name)
        if (saved or "") != (entered or ""):
            display = getattr(current, f"get_{name}_display", None)
            shown = display() if display else ("" if saved is None else str(saved))
            differences.append((str(form.fields[name].label), shown or "(empty)"))
    return differences


RecordService = Callable[..., Any]
# kind in the URL: (page title, tab to return to, service, message when saved)
RECORD_PAGES: dict[str, tuple[str, str, RecordService, str]] = {
    "alias": ("Add an alias", "detail", services.alias_add, "Alias added."),
    "conviction": ("Add a conviction or caution", "records", services.conviction_add, "Conviction added."),
    "order": ("Add an order", "records", services.order_add, "Order added."),
    "event": ("Record an event", "records", services.event_record, "Event recorded."),
    "risk-assessment": ("Add a risk assessment", "risk", services.risk_assessment_add, "Risk assessment added."),
}


def _record_form(kind: str, data: Any, nominal: Nominal) -> BaseForm:
    if kind == "alias":
        return AliasForm(data)
    if kind == "conviction":
        return ConvictionForm(data)
    if kind == "order":
        return OrderForm(data, nominal=nominal)
    if kind == "event":
        return EventForm(data)
    agencies: QuerySet[Agency] = Agency.objects.filter(area=nominal.area, is_active=True)
    return RiskAssessmentForm(data, agencies=agencies)


def nominal_record_add(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    if kind not in RECORD_PAGES:
        raise Http404
    user, nominal, access = nominal_for(request, reference, record=True)
    if nominal.status != "active":
        raise PermissionDenied
    title, tab, service, saved = RECORD_PAGES[kind]
    return form_and_save(
        request,
        _record_form(kind, request.POST if request.method == "POST" else None, nominal),
        save=lambda data: service(actor=user, nominal=nominal, values=data),
        saved=saved,
        then=reverse(f"cases:nominal-{tab}", args=[reference]),
        title=title,
        submit="Save",
        back=nominal.get_absolute_url(),
        nominal=nominal,
    )


def nominal_decision(request: HttpRequest, reference: str, what: str) -> HttpResponse:
    """Change the category or the level, with its rationale, into the history."""
    if what not in ("category", "level"):
        raise Http404
    user, nominal, access = nominal_for(request, reference, decide=True)
    data = request.POST if request.method == "POST" else None
    change = services.nominal_category_change if what == "category" else services.nominal_level_change
    return form_and_save(
        request,
        CategoryChangeForm(data) if what == "category" else LevelChangeForm(data),
        save=lambda values: change(
            actor=user,
            nominal=nominal,
            start=values["start"],
            reason=values["reason"],
            source=Source.REVIEW,
            **{what: values[what]},
        ),
        saved=f"The {what} has been changed.",
        then=reverse("cases:nominal-history", args=[reference]),
        title=f"Change the {what}",
        submit=f"Change {what}",
        back=nominal.get_absolute_url(),
        nominal=nominal,
    )


def nominal_exit(request: HttpRequest, reference: str) -> HttpResponse:
    user, nominal, access = nominal_for(request, reference, decide=True)
    fields = ("reason", "date", "rationale", "review_retention_on")
    return form_and_save(
        request,
        ExitForm(request.POST if request.method == "POST" else None, category=nominal.category),
        save=lambda data: services.nominal_exit(actor=user, nominal=nominal, **{key: data[key] for key in fields}),
        saved="The person has exited MAPPA. Their record is kept.",
        then=nominal,
        title="Exit from MAPPA",
        submit="Exit from MAPPA",
        back=nominal.get_absolute_url(),
        nominal=nominal,
        warning=(
            "Exit ends this episode of MAPPA management. The record is kept, closed; the person can become a "
            "MAPPA case again by a new referral or conviction."
        ),
    )


def nominal_reenter(request: HttpRequest, reference: str) -> HttpResponse:
    """A new episode for someone who had exited: their new conviction, category and level."""
    user, nominal, access = nominal_for(request, reference, decide=True)
    if nominal.status != Status.EXITED:
        messages.info(request, f"{nominal.case_reference} is a MAPPA case already.")
        return redirect(nominal)
    data = request.POST if request.method == "POST" else None
    return forms_and_save(
        request,
        [
            ("The conviction or caution that brings them back", ConvictionForm(data, prefix="conviction")),
            ("Category and level", ReentryForm(data, prefix="decision")),
        ],
        save=lambda values: services.nominal_reenter(
            actor=user, nominal=nominal, source=Source.REVIEW, conviction=values[0], **values[1]
        ),
        saved=f"{nominal.case_reference} is a MAPPA case again.",
        then=nominal,
        title="Record a new episode",
        submit="Record the new episode",
        back=nominal.get_absolute_url(),
        nominal=nominal,
    )


def _share_agencies(nominal: Nominal) -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True, area=nominal.area).exclude(pk=nominal.lead_agency_id)


def nominal_share(request: HttpRequest, reference: str) -> HttpResponse:
    user, nominal, access = nominal_for(request, reference, decide=True)
    return form_and_save(
        request,
        ShareForm(request.POST if request.method == "POST" else None, agencies=_share_agencies(nominal)),
        save=lambda data: services.nominal_share(actor=user, nominal=nominal, **data),
        saved="The agency now sees this record.",
        then=nominal,
        title="Share with an agency",
        submit="Share",
        back=nominal.get_absolute_url(),
        nominal=nominal,
        warning="Staff of the agency will see this record. Share only with agencies that need to know.",
    )


@require_POST
def nominal_unshare(request: HttpRequest, reference: str, agency_id: int) -> HttpResponse:
    user, nominal, _access = nominal_for(request, reference, decide=True)
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    services.nominal_unshare(actor=user, nominal=nominal, agency=agency)
    messages.success(request, f"{agency} no longer sees this record.")
    return redirect(nominal)
