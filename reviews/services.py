"""Every write to serious case reviews. Each function is atomic, refuses a step taken out of turn
with a message saying why, and leaves an audit trail (django-auditlog)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Role, User
from cases.models import EventKind, Level, Nominal
from cases.selectors import managed_on
from cases.services import event_record
from mappa.audit.services import audit_actor
from mappa.dates import add_working_days
from mappa.errors import StaleRecordError
from notifications.models import Kind
from notifications.services import area_coordinators, area_people, notify
from reviews.models import (
    NOTIFICATION_WORKING_DAYS,
    Decision,
    Milestone,
    Recommendation,
    ReviewAction,
    SeriousCaseReview,
    Stage,
)


def _not_future(day: datetime.date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _in_stage(review: SeriousCaseReview, *stages: Stage, doing: str) -> None:
    if review.stage not in stages:
        raise ValidationError(f"You cannot {doing} now: the review is at “{review.get_stage_display()}”.")


def _locked(review: SeriousCaseReview) -> SeriousCaseReview:
    return SeriousCaseReview.objects.select_for_update().select_related("area").get(pk=review.pk)


@transaction.atomic
def serious_further_offence_record(
    *, actor: User, nominal: Nominal, values: Mapping[str, Any]
) -> SeriousCaseReview | None:
    """Record that the person was charged with a serious further offence (an event on their record)
    and, where they were managed at Level 2 or 3 that day, or the board has asked for it at Level 1
    (`values["open_review"]`), open a serious case review: the board and the national MAPPA team must
    be told within five working days of the charge."""
    charged_on: datetime.date = values["date"]
    category, level = managed_on(nominal, charged_on)
    opens = level != Level.LEVEL_1 or bool(values.get("open_review"))
    event = event_record(
        actor=actor,
        nominal=nominal,
        values={"kind": EventKind.SERIOUS_FURTHER_OFFENCE, "date": charged_on, "notes": values.get("notes", "")},
    )
    if not opens:
        return None
    with audit_actor(actor):
        review = SeriousCaseReview(
            area_id=nominal.area_id,
            nominal=nominal,
            charge=event,
            offence=values["offence"],
            category=category,
            level=level,
            notification_due=add_working_days(charged_on, NOTIFICATION_WORKING_DAYS),
            opened_by=actor,
        )
        review.full_clean()
        review.save()
    notify(
        recipients=area_coordinators(nominal.area_id),
        kind=Kind.SCR_NOTICE_DUE,
        title=f"{review.reference}: tell the board and the national team by {review.notification_due:%-d %B %Y}",
        url=review.get_absolute_url(),
        dedupe_key=f"{Kind.SCR_NOTICE_DUE}:{review.pk}",
    )
    return review


@transaction.atomic
def review_notify(*, actor: User, review: SeriousCaseReview, values: Mapping[str, Any]) -> SeriousCaseReview:
    """Record that the board and the national MAPPA team were told; the board's members hear of it."""
    review = _locked(review)
    _in_stage(review, Stage.TO_NOTIFY, doing="record the notification")
    notified_on: datetime.date = values["notified_on"]
    _not_future(notified_on, "notified_on", "The date they were told")
    if notified_on < review.charge.date:
        raise ValidationError({"notified_on": "The date they were told cannot be before the charge"})
    with audit_actor(actor):
        review.notified_on = notified_on
        review.national_reference = values.get("national_reference", "")
        review.stage = Stage.AWAITING_DECISION
        review.save()
    notify(
        recipients=area_people(review.area_id, Role.SMB_MEMBER),
        kind=Kind.SCR_DECISION_NEEDED,
        title=f"{review.reference}: a serious further offence notification for the board's decision",
        url=review.get_absolute_url(),
        dedupe_key=f"{Kind.SCR_DECISION_NEEDED}:{review.pk}",
    )
    return review


@transaction.atomic
def review_decide(*, actor: User, review: SeriousCaseReview, values: Mapping[str, Any]) -> SeriousCaseReview:
    """Record the board's decision, with its rationale: a review, or none (which closes the case)."""
    review = _locked(review)
    _in_stage(review, Stage.AWAITING_DECISION, doing="record the board's decision")
    decided_on: datetime.date = values["decided_on"]
    _not_future(decided_on, "decided_on", "The date of the decision")
    if review.notified_on and decided_on < review.notified_on:
        raise ValidationError({"decided_on": "The board cannot decide before it was told"})
    if not str(values.get("decision_rationale", "")).strip():
        raise ValidationError({"decision_rationale": "Enter the board's rationale"})
    with audit_actor(actor):
        review.decision = values["decision"]
        review.decided_on = decided_on
        review.decided_by = values["decided_by"]
        review.decision_rationale = values["decision_rationale"]
        if review.decision == Decision.NO_REVIEW:
            review.stage = Stage.NO_REVIEW
            review.completed_on = decided_on
        else:
            review.stage = Stage.IN_REVIEW
        review.save()
    return review


@transaction.atomic
def review_terms_set(
    *, actor: User, review: SeriousCaseReview, values: Mapping[str, Any], expected_version: int
) -> SeriousCaseReview:
    """Set the terms of reference and the panel; refused with StaleRecordError if someone set them
    since `expected_version`."""
    review = _locked(review)
    _in_stage(review, Stage.IN_REVIEW, Stage.ACTION_PLAN, doing="change the terms of reference")
    if review.terms_version != expected_version:
        raise StaleRecordError
    with audit_actor(actor):
        review.terms_of_reference = values["terms_of_reference"]
        review.panel = values["panel"]
        review.terms_version += 1
        review.save()
    return review


@transaction.atomic
def milestone_add(*, actor: User, review: SeriousCaseReview, values: Mapping[str, Any]) -> Milestone:
    review = _locked(review)
    _in_stage(review, Stage.IN_REVIEW, Stage.ACTION_PLAN, doing="add a milestone")
    with audit_actor(actor):
        milestone = Milestone(review=review, title=values["title"], due=values["due"])
        milestone.full_clean()
        milestone.save()
    return milestone


@transaction.atomic
def milestone_done(*, actor: User, milestone: Milestone, done_on: datetime.date) -> Milestone:
    _in_stage(_locked(milestone.review), Stage.IN_REVIEW, Stage.ACTION_PLAN, doing="mark a milestone done")
    _not_future(done_on, "done_on", "The date it was done")
    with audit_actor(actor):
        milestone.done_on = done_on
        milestone.save()
    return milestone


@transaction.atomic
def review_report_received(*, actor: User, review: SeriousCaseReview, received_on: datetime.date) -> SeriousCaseReview:
    """The review's report is in: the action plan begins. The terms of reference come first."""
    review = _locked(review)
    _in_stage(review, Stage.IN_REVIEW, doing="record the report")
    _not_future(received_on, "received_on", "The date the report was received")
    if not review.terms_of_reference.strip():
        raise ValidationError("Record the review's terms of reference before its report.")
    if review.decided_on and received_on < review.decided_on:
        raise ValidationError({"received_on": "The report cannot come before the decision to review"})
    with audit_actor(actor):
        review.report_received_on = received_on
        review.stage = Stage.ACTION_PLAN
        review.save()
    return review


@transaction.atomic
def recommendation_add(*, actor: User, review: SeriousCaseReview, text: str) -> Recommendation:
    review = _locked(review)
    _in_stage(review, Stage.IN_REVIEW, Stage.ACTION_PLAN, doing="add a recommendation")
    number = review.recommendations.count() + 1
    with audit_actor(actor):
        recommendation = Recommendation(review=review, number=number, text=text)
        recommendation.full_clean()
        recommendation.save()
    return recommendation


def _check_agency(review: SeriousCaseReview, agency: Agency) -> None:
    if agency.area_id != review.area_id:
        raise ValidationError({"owning_agency": f"Select an agency of {review.area}"})


@transaction.atomic
def review_action_add(*, actor: User, review: SeriousCaseReview, values: Mapping[str, Any]) -> ReviewAction:
    """An action of the plan answers one of the review's recommendations, and is owned by an agency
    of the area; its staff are told."""
    review = _locked(review)
    _in_stage(review, Stage.ACTION_PLAN, doing="add an action (the plan follows the report)")
    recommendation: Recommendation = values["recommendation"]
    if recommendation.review_id != review.pk:
        raise ValidationError({"recommendation": "Select one of this review's recommendations"})
    _check_agency(review, values["owning_agency"])
    with audit_actor(actor):
        action = ReviewAction(
            review=review,
            recommendation=recommendation,
            description=values["description"],
            owning_agency=values["owning_agency"],
            owner=values.get("owner", ""),
            due=values["due"],
        )
        action.full_clean()
        action.save()
    return action


@transaction.atomic
def review_action_update(
    *, actor: User, action: ReviewAction, values: Mapping[str, Any], expected_version: int
) -> ReviewAction:
    """Record an action's progress; refused with StaleRecordError if someone updated it since
    `expected_version`."""
    _in_stage(_locked(action.review), Stage.ACTION_PLAN, doing="update the action plan")
    current = ReviewAction.objects.select_for_update().get(pk=action.pk)
    if current.version != expected_version:
        raise StaleRecordError
    completed_on: datetime.date | None = values.get("completed_on")
    if completed_on is not None:
        _not_future(completed_on, "completed_on", "The date it was completed")
    with audit_actor(actor):
        current.progress = values.get("progress", "")
        current.completed_on = completed_on
        current.version += 1
        current.save(update_fields=["progress", "completed_on", "version"])
    return current


@transaction.atomic
def review_complete(*, actor: User, review: SeriousCaseReview, completed_on: datetime.date) -> SeriousCaseReview:
    """The board signs the review off once every action of its plan is done."""
    review = _locked(review)
    _in_stage(review, Stage.ACTION_PLAN, doing="complete the review")
    _not_future(completed_on, "completed_on", "The date of completion")
    if not review.recommendations.exists():
        raise ValidationError("Record the report's recommendations before completing the review.")
    if review.actions.filter(completed_on__isnull=True).exists():
        raise ValidationError("Every action of the plan must be completed before the review is.")
    if review.report_received_on and completed_on < review.report_received_on:
        raise ValidationError({"completed_on": "The review cannot be completed before its report was received"})
    with audit_actor(actor):
        review.completed_on = completed_on
        review.stage = Stage.COMPLETE
        review.save()
    return review
