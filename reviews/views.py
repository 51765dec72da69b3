"""Serious case review pages: the area's register, a review and each step of it. Every view fetches
through `reviews.policy`; a review the person may not see is not found, and the attempt is audited.
Opening a review's page, or the register, is recorded as a consultation of the nominal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.auth import signed_in_user
from agencies.models import Role, User
from cases.policy import nominal_for
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_record, refuse_unseen
from mappa.pages import consulted_page, form_and_save, versioned_form_and_save
from mappa.panels import panels_for
from reviews import services
from reviews.forms import (
    ChargeForm,
    CompleteForm,
    DecisionForm,
    DoneForm,
    MilestoneForm,
    NotifyForm,
    RecommendationForm,
    RegisterFilterForm,
    ReportForm,
    ReviewActionForm,
    ReviewActionUpdateForm,
    TermsForm,
)
from reviews.models import Milestone, ReviewAction, SeriousCaseReview, Stage
from reviews.policy import ReviewAccess, may_see_reviews, review_access
from reviews.selectors import register

PAGE_SIZE = 50


def _review_for(
    request: HttpRequest, pk: int, *, edit: bool = False, decide: bool = False
) -> tuple[User, SeriousCaseReview, ReviewAccess]:
    user = signed_in_user(request)
    review = SeriousCaseReview.objects.select_related("area", "nominal", "charge").filter(pk=pk).first()
    access = review_access(user, review) if review is not None else None
    if review is None or access is None:
        refuse_unseen(
            actor=user, record=review, request=request, nominal_id=review.nominal_id if review else None, what="review"
        )
    if (edit and not access.can_edit) or (decide and not access.can_decide):
        raise PermissionDenied
    return user, review, access


def review_register(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_see_reviews(user):
        raise PermissionDenied
    form = RegisterFilterForm(request.GET or None)
    stage, sort = "open", "charged"
    if form.is_valid():
        stage = form.cleaned_data["stage"] or "open"
        sort = form.cleaned_data["sort"] or "charged"
    page = consulted_page(
        request,
        user,
        register(user, stage=stage, sort=sort),
        name="serious case review register",
        per_page=PAGE_SIZE,
        search={"stage": stage, "sort": sort} if request.GET else None,
    )
    shows_names = user.has_role(Role.COORDINATOR)
    return render(
        request,
        "reviews/register.html",
        {"page": page, "form": form, "shows_names": shows_names, "today": timezone.localdate()},
    )


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, review, access = _review_for(request, pk)
    audit_record(
        event=AuditEvent.VIEW,
        actor=user,
        subject=review,
        request=request,
        ground=access.ground,
        nominal_id=review.nominal_id,
        details={"page": "serious case review"},
    )
    context = {
        "review": review,
        "access": access,
        "milestones": review.milestones.all(),
        "recommendations": review.recommendations.prefetch_related("actions__owning_agency"),
        "today": timezone.localdate(),
        "panels": panels_for("reviews:review-detail", user, review),
    }
    return render(request, "reviews/review_detail.html", context)


def record_charge(request: HttpRequest, reference: str) -> HttpResponse:
    user, nominal, _access = nominal_for(request, reference, coordinator=True)
    form = ChargeForm(request.POST if request.method == "POST" else None)

    def opened(review: SeriousCaseReview | None) -> str:
        if review is None:
            return reverse("cases:nominal-records", args=[nominal.case_reference])
        return review.get_absolute_url()

    return form_and_save(
        request,
        form,
        save=lambda data: services.serious_further_offence_record(actor=user, nominal=nominal, values=data),
        saved="The charge has been recorded.",
        then=opened,
        title="Record a charge for a serious further offence",
        submit="Record the charge",
        back=reverse("cases:nominal-records", args=[nominal.case_reference]),
        nominal=nominal,
        intro="At Level 2 or 3 this opens a serious case review notification: the board and the national "
        "MAPPA team must be told within 5 working days of the charge.",
    )


def _step(
    request: HttpRequest,
    pk: int,
    *,
    form: Callable[[Any, SeriousCaseReview], BaseForm],
    save: Callable[[User, SeriousCaseReview, dict[str, Any]], Any],
    stages: tuple[Stage, ...],
    title: str,
    submit: str,
    saved: str,
    decide: bool = False,
) -> HttpResponse:
    """One step of a review: a form whose service moves the review on. Out of turn, back to the
    review with a message saying why."""
    user, review, _access = _review_for(request, pk, edit=not decide, decide=decide)
    if review.stage not in stages:
        messages.error(request, f"That step is not open: the review is at “{review.get_stage_display()}”.")
        return redirect(review)
    return form_and_save(
        request,
        form(request.POST if request.method == "POST" else None, review),
        save=lambda data: save(user, review, data),
        saved=saved,
        then=review,
        title=title,
        submit=submit,
        back=review.get_absolute_url(),
        nominal=review,
    )


def review_notify(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form=lambda data, review: NotifyForm(data),
        save=lambda user, review, data: services.review_notify(actor=user, review=review, values=data),
        stages=(Stage.TO_NOTIFY,),
        title="Record the notification to the board and the national MAPPA team",
        submit="Record the notification",
        saved="The notification has been recorded. The board's members have been told.",
    )


def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form=lambda data, review: DecisionForm(data),
        save=lambda user, review, data: services.review_decide(actor=user, review=review, values=data),
        stages=(Stage.AWAITING_DECISION,),
        title="Record the board's decision",
        submit="Record the decision",
        saved="The board's decision has been recorded.",
        decide=True,
    )


def review_terms(request: HttpRequest, pk: int) -> HttpResponse:
    """The terms of reference and the panel, which several people may be editing at once."""
    user, review, _access = _review_for(request, pk, edit=True)
    if review.stage not in (Stage.IN_REVIEW, Stage.ACTION_PLAN):
        messages.error(request, f"That step is not open: the review is at “{review.get_stage_display()}”.")
        return redirect(review)
    initial = {"terms_of_reference": review.terms_of_reference, "panel": review.panel}

    def conflicts() -> list[tuple[str, str]]:
        current = SeriousCaseReview.objects.get(pk=review.pk)
        return [("Terms of reference", current.terms_of_reference), ("Review panel", current.panel)]

    return versioned_form_and_save(
        request,
        TermsForm(request.POST if request.method == "POST" else None, initial=initial),
        version=review.terms_version,
        current_version=lambda: SeriousCaseReview.objects.get(pk=review.pk).terms_version,
        save=lambda data, expected: services.review_terms_set(
            actor=user, review=review, values=data, expected_version=expected
        ),
        saved="The terms of reference have been saved.",
        then=review,
        title="Terms of reference and panel",
        submit="Save",
        back=review.get_absolute_url(),
        nominal=review,
        conflicts=conflicts,
    )


def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form=lambda data, review: MilestoneForm(data),
        save=lambda user, review, data: services.milestone_add(actor=user, review=review, values=data),
        stages=(Stage.IN_REVIEW, Stage.ACTION_PLAN),
        title="Add a milestone",
        submit="Add the milestone",
        saved="The milestone has been added.",
    )


def report_received(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form=lambda data, review: ReportForm(data),
        save=lambda user, review, data: services.review_report_received(
            actor=user, review=review, received_on=data["received_on"]
        ),
        stages=(Stage.IN_REVIEW,),
        title="Record the review's report",
        submit="Record the report",
        saved="The report has been recorded. Add its recommendations and the action plan.",
    )


def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form=lambda data, review: RecommendationForm(data),
        save=lambda user, review, data: services.recommendation_add(actor=user, review=review, text=data["text"]),
        stages=(Stage.IN_REVIEW, Stage.ACTION_PLAN),
        title="Add a recommendation",
        submit="Add the recommendation",
        saved="The recommendation has been added.",
    )


def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form=lambda data, review: ReviewActionForm(data, review=review),
        save=lambda user, review, data: services.review_action_add(actor=user, review=review, values=data),
        stages=(Stage.ACTION_PLAN,),
        title="Add an action to the plan",
        submit="Add the action",
        saved="The action has been added.",
    )


def review_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form=lambda data, review: CompleteForm(data, initial={"completed_on": timezone.localdate()}),
        save=lambda user, review, data: services.review_complete(
            actor=user, review=review, completed_on=data["completed_on"]
        ),
        stages=(Stage.ACTION_PLAN,),
        title="Complete the review",
        submit="Complete the review",
        saved="The review is complete.",
    )


def milestone_done(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    user, review, _access = _review_for(request, pk, edit=True)
    milestone = Milestone.objects.filter(review=review, pk=milestone_pk).first()
    if milestone is None:
        raise Http404("No such milestone.")
    return form_and_save(
        request,
        DoneForm(request.POST if request.method == "POST" else None, initial={"done_on": timezone.localdate()}),
        save=lambda data: services.milestone_done(actor=user, milestone=milestone, done_on=data["done_on"]),
        saved="The milestone is done.",
        then=review,
        title=f"Mark done: {milestone.title}",
        submit="Mark done",
        back=review.get_absolute_url(),
        nominal=review,
    )


def action_update(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    user, review, _access = _review_for(request, pk, edit=True)
    action = ReviewAction.objects.filter(review=review, pk=action_pk).select_related("owning_agency").first()
    if action is None:
        raise Http404("No such action.")
    initial = {"progress": action.progress, "completed_on": action.completed_on}

    def conflicts() -> list[tuple[str, str]]:
        current = ReviewAction.objects.get(pk=action.pk)
        done = f"{current.completed_on:%-d %B %Y}" if current.completed_on else "Not yet"
        return [("Progress", current.progress), ("Completed", done)]

    return versioned_form_and_save(
        request,
        ReviewActionUpdateForm(request.POST if request.method == "POST" else None, initial=initial),
        version=action.version,
        current_version=lambda: ReviewAction.objects.get(pk=action.pk).version,
        save=lambda data, expected: services.review_action_update(
            actor=user, action=action, values=data, expected_version=expected
        ),
        conflicts=conflicts,
        saved="The action has been updated.",
        then=review,
        title=f"Update an action for {action.owning_agency}",
        submit="Save",
        back=review.get_absolute_url(),
        nominal=review,
        intro=action.description,
    )
