"""Every write to nominal records. Each function is atomic, validates before saving, and leaves an
audit trail (django-auditlog for changes, `audit_record` for shares)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import Agency, Area, User
from agencies.selectors import user_is_category4_cleared
from cases.models import (
    LOCATION_AFTER_EVENT,
    Alias,
    Category,
    CategoryPeriod,
    Conviction,
    Event,
    EventKind,
    Exit,
    Level,
    LevelPeriod,
    Location,
    Nominal,
    NominalName,
    Order,
    OrderKind,
    RiskAssessment,
    SentenceType,
    Source,
    Status,
    Stream,
)
from cases.policy import VIEW, VIEW_RESTRICTED
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_actor, audit_record

# The fields a person may set on a nominal's details; everything else is set by the services.
DETAIL_FIELDS = (
    "first_name",
    "middle_names",
    "last_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "pnc_id",
    "visor_reference",
    "crn",
    "prison_number",
    "district",
    "lead_agency",
    "offender_manager",
    "location",
    "expected_release_date",
    "stream",
    "address",
    "restricted_notes",
)
CONVICTION_FIELDS = (
    "offence",
    "offence_date",
    "conviction_date",
    "disposal",
    "sentence_type",
    "custodial_months",
    "controlling_or_coercive",
    "terrorism",
)
ORDER_FIELDS = ("kind", "start", "end", "indefinite", "foreign_travel_restriction", "revoked_on", "conditions")
EVENT_FIELDS = ("kind", "date", "notes", "to_area")
RISK_FIELDS = ("tool", "date", "result", "agency", "notes")
ALIAS_FIELDS = ("first_name", "last_name", "kind")

NO_CONVICTION = (
    "MAPPA cannot be used for someone with no conviction or caution. Refer to MARAC, or arrange a "
    "professionals meeting, instead."
)


class StaleRecordError(Exception):
    """The record changed after the person started editing it; their save was refused."""


def _set(instance: Any, values: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        if field in values:
            setattr(instance, field, values[field])


def _normalise_identifiers(nominal: Nominal) -> None:
    for field in ("pnc_id", "visor_reference", "crn", "prison_number"):
        setattr(nominal, field, (getattr(nominal, field) or "").strip().upper())


def _check_dates(nominal: Nominal, today: datetime.date) -> None:
    errors: dict[str, str] = {}
    if nominal.date_of_birth and nominal.date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif nominal.date_of_birth and nominal.date_of_birth.year < 1900:
        errors["date_of_birth"] = "Date of birth must be after 1900"
    if nominal.expected_release_date and nominal.location == Location.COMMUNITY:
        errors["expected_release_date"] = "Only someone in custody or hospital has an expected release date"
    if errors:
        raise ValidationError(errors)


def _search_name(first: str, middle: str, last: str) -> str:
    return " ".join(part.strip().lower() for part in (first, middle, last) if part and part.strip())


def _take_case_reference(area: Area) -> str:
    locked = Area.objects.select_for_update().get(pk=area.pk)
    number = locked.next_case_number
    Area.objects.filter(pk=area.pk).update(next_case_number=number + 1)
    return f"{area.code}-{number:06d}"


def category_eligibility_error(
    *,
    category: int,
    convictions: list[Conviction],
    orders: list[Order],
    stream: str,
    on: datetime.date,
) -> str | None:
    """Why someone cannot be in `category` on `on`, or None if they can (DESIGN 2, categories)."""
    if not convictions:
        return NO_CONVICTION
    if category == Category.REGISTERED_SEXUAL_OFFENDER:
        notifying = {OrderKind.NOTIFICATION_REQUIREMENTS, OrderKind.NOTIFICATION_ORDER, OrderKind.SHPO}
        if not any(order.kind in notifying and order.in_force_on(on) for order in orders):
            return "Category 1 needs notification requirements (or a Notification Order or SHPO) in force"
    elif category == Category.VIOLENT_OFFENDER:
        qualifying = any(
            (c.sentence_type == SentenceType.IMMEDIATE_CUSTODY and (c.custodial_months or 0) >= 12)
            or c.sentence_type == SentenceType.HOSPITAL_ORDER
            or (c.controlling_or_coercive and (c.custodial_months or 0) >= 12)
            for c in convictions
        ) or any(order.kind == OrderKind.HOSPITAL_ORDER for order in orders)
        if not qualifying:
            return (
                "Category 2 needs a sentence of 12 months or more in custody, a hospital order, or controlling "
                "or coercive behaviour with 12 months or more"
            )
    elif (
        category == Category.TERRORISM
        and stream != Stream.COUNTER_TERRORISM
        and not any(c.terrorism for c in convictions)
    ):
        return "Category 4 needs a terrorism-connected conviction or management in the counter-terrorism stream"
    return None


def _check_category_and_level(
    *, actor: User, nominal: Nominal, category: int, level: int, on: datetime.date, field: str = "category"
) -> None:
    if category == Category.OTHER_DANGEROUS_OFFENDER and level == Level.LEVEL_1:
        raise ValidationError({"level": "Category 3 is only ever managed at Level 2 or 3"})
    if category == Category.TERRORISM and not user_is_category4_cleared(actor, nominal.area_id):
        raise ValidationError({field: "Only users cleared for Category 4 can record a Category 4 case"})
    error = category_eligibility_error(
        category=category,
        convictions=list(nominal.convictions.all()),
        orders=list(nominal.orders.all()),
        stream=nominal.stream,
        on=on,
    )
    if error:
        raise ValidationError({field: error})


@transaction.atomic
def nominal_create(
    *,
    actor: User,
    area: Area,
    details: Mapping[str, Any],
    conviction: Mapping[str, Any],
    category: int,
    level: int,
    reason: str,
    notification: Mapping[str, Any] | None = None,
    start: datetime.date | None = None,
    source: Source = Source.INITIAL,
) -> Nominal:
    """Record a new nominal with their index conviction, initial category and level.

    `notification`, when given, is the notification requirements order that makes Category 1.
    """
    today = timezone.localdate()
    start = start or today
    if category == Category.OTHER_DANGEROUS_OFFENDER and level == Level.LEVEL_1:
        raise ValidationError({"level": "Category 3 is only ever managed at Level 2 or 3"})
    if category == Category.TERRORISM and not user_is_category4_cleared(actor, area.pk):
        raise ValidationError({"category": "Only users cleared for Category 4 can record a Category 4 case"})
    with audit_actor(actor):
        nominal = Nominal(area=area, category=category, level=level, created_by=actor)
        _set(nominal, details, DETAIL_FIELDS)
        _normalise_identifiers(nominal)
        nominal.case_reference = "pending"
        nominal.full_clean(exclude=["case_reference"])
        _check_dates(nominal, today)
        index = Conviction(nominal=nominal, recorded_by=actor)
        _set(index, conviction, CONVICTION_FIELDS)
        index.full_clean(exclude=["nominal"])
        _check_conviction_dates(nominal, index, today)
        orders = []
        if notification:
            order = Order(nominal=nominal, kind=OrderKind.NOTIFICATION_REQUIREMENTS, recorded_by=actor)
            _set(order, notification, ("start", "end", "indefinite"))
            order.full_clean(exclude=["nominal"])
            orders.append(order)
        error = category_eligibility_error(
            category=category, convictions=[index], orders=orders, stream=nominal.stream, on=start
        )
        if error:
            raise ValidationError({"category": error})

        nominal.case_reference = _take_case_reference(area)
        nominal.save()
        index.nominal = nominal
        index.save()
        for order in orders:
            order.nominal = nominal
            order.save()
        NominalName.objects.create(
            nominal=nominal, name=_search_name(nominal.first_name, nominal.middle_names, nominal.last_name)
        )
        CategoryPeriod.objects.create(
            nominal=nominal,
            category=category,
            start=start,
            reason=reason,
            decided_by=actor,
            source=source,
            recorded_by=actor,
        )
        LevelPeriod.objects.create(
            nominal=nominal,
            level=level,
            start=start,
            reason=reason,
            decided_by=actor,
            source=source,
            recorded_by=actor,
        )
    return nominal


@transaction.atomic
def nominal_update(*, actor: User, nominal: Nominal, details: Mapping[str, Any], expected_version: int) -> Nominal:
    """Change a nominal's details, refusing the save if someone else has changed them since
    `expected_version` was read (raises StaleRecordError; nothing is written)."""
    with audit_actor(actor):
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        if current.version != expected_version:
            raise StaleRecordError
        _set(current, details, DETAIL_FIELDS)
        _normalise_identifiers(current)
        current.full_clean()
        _check_dates(current, timezone.localdate())
        current.version += 1
        current.save()
        NominalName.objects.filter(nominal=current, alias__isnull=True).update(
            name=_search_name(current.first_name, current.middle_names, current.last_name)
        )
    return current


def _check_conviction_dates(nominal: Nominal, conviction: Conviction, today: datetime.date) -> None:
    errors = {}
    if conviction.conviction_date > today:
        errors["conviction_date"] = "Date of conviction or caution must be today or in the past"
    elif nominal.date_of_birth and conviction.conviction_date < nominal.date_of_birth:
        errors["conviction_date"] = "Date of conviction or caution must be after the date of birth"
    if conviction.offence_date and conviction.offence_date > conviction.conviction_date:
        errors["offence_date"] = "Date of offence must be on or before the date of conviction"
    if (
        nominal.expected_release_date
        and conviction.conviction_date
        and nominal.expected_release_date < conviction.conviction_date
    ):
        errors["conviction_date"] = "The expected release date cannot be before the conviction"
    if conviction.sentence_type == SentenceType.IMMEDIATE_CUSTODY and not conviction.custodial_months:
        errors["custodial_months"] = "Enter the length of the custodial sentence in months"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def conviction_add(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Conviction:
    with audit_actor(actor):
        conviction = Conviction(nominal=nominal, recorded_by=actor)
        _set(conviction, values, CONVICTION_FIELDS)
        conviction.full_clean()
        _check_conviction_dates(nominal, conviction, timezone.localdate())
        conviction.save()
    return conviction


@transaction.atomic
def order_add(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Order:
    with audit_actor(actor):
        order = Order(nominal=nominal, recorded_by=actor)
        _set(order, values, ORDER_FIELDS)
        order.full_clean()
        errors = {}
        if order.indefinite and order.end:
            errors["end"] = "An indefinite order has no end date"
        if order.revoked_on and order.revoked_on < order.start:
            errors["revoked_on"] = "An order cannot be revoked before it starts"
        if order.foreign_travel_restriction and order.kind not in (OrderKind.SHPO, OrderKind.SRO):
            errors["foreign_travel_restriction"] = "Only an SHPO or SRO can carry a foreign travel restriction"
        if order.revoked_on and order.kind != OrderKind.NOTIFICATION_REQUIREMENTS:
            errors["revoked_on"] = "Only notification requirements are revoked on application"
        if errors:
            raise ValidationError(errors)
        order.save()
    return order


@transaction.atomic
def event_record(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Event:
    """Record an event; custody, release, recall, hospital and transfer events also move the nominal."""
    with audit_actor(actor):
        event = Event(nominal=nominal, recorded_by=actor, from_area=nominal.area)
        _set(event, values, EVENT_FIELDS)
        event.full_clean()
        if event.date > timezone.localdate():
            raise ValidationError({"date": "The date of the event must be today or in the past"})
        if event.kind == EventKind.TRANSFER:
            if event.to_area is None or event.to_area_id == nominal.area_id:
                raise ValidationError({"to_area": "Select the MAPPA area the person is moving to"})
        elif event.to_area is not None:
            raise ValidationError({"to_area": "Only a transfer has an area to move to"})
        event.save()
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        location = LOCATION_AFTER_EVENT.get(EventKind(event.kind))
        if location is not None:
            current.location = location
            if location == Location.COMMUNITY:
                current.expected_release_date = None
        if event.kind == EventKind.TRANSFER and event.to_area is not None:
            current.area = event.to_area
            current.district = None
        if location is not None or event.kind == EventKind.TRANSFER:
            current.version += 1
            current.save()
    return event


@transaction.atomic
def risk_assessment_add(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> RiskAssessment:
    with audit_actor(actor):
        assessment = RiskAssessment(nominal=nominal, recorded_by=actor)
        _set(assessment, values, RISK_FIELDS)
        assessment.full_clean()
        if assessment.date > timezone.localdate():
            raise ValidationError({"date": "The date of the assessment must be today or in the past"})
        assessment.save()
    return assessment


@transaction.atomic
def alias_add(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Alias:
    with audit_actor(actor):
        alias = Alias(nominal=nominal, recorded_by=actor)
        _set(alias, values, ALIAS_FIELDS)
        alias.full_clean()
        alias.save()
        NominalName.objects.create(
            nominal=nominal, alias=alias, name=_search_name(alias.first_name, "", alias.last_name)
        )
    return alias


def _change_period(
    *,
    model: type[CategoryPeriod] | type[LevelPeriod],
    field: str,
    nominal: Nominal,
    value: int,
    start: datetime.date,
    reason: str,
    actor: User,
    source: Source,
    allow_same: bool = False,
) -> None:
    current = model.objects.filter(nominal=nominal, end__isnull=True).first()
    if current is not None:
        if getattr(current, field) == value and not allow_same:
            raise ValidationError({field: f"The {field} is already {value}"})
        if allow_same and start == current.start:
            # A review on the day the period began: the decision joins that period's rationale.
            current.reason = f"{current.reason}\n{reason}"
            current.save()
            return
        if start < current.start:
            raise ValidationError({"start": f"The change cannot start before the current {field} began"})
        # The old period ends the day before the new one starts, so no day has two values.
        current.end = max(current.start, start - datetime.timedelta(days=1))
        current.save()
    new = model(nominal=nominal, start=start, reason=reason, decided_by=actor, source=source, recorded_by=actor)
    setattr(new, field, value)
    new.full_clean()
    new.save()


@transaction.atomic
def nominal_category_change(
    *, actor: User, nominal: Nominal, category: int, start: datetime.date, reason: str, source: Source
) -> Nominal:
    with audit_actor(actor):
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        _check_active(current)
        _check_not_future(start)
        _check_category_and_level(actor=actor, nominal=current, category=category, level=current.level, on=start)
        _change_period(
            model=CategoryPeriod,
            field="category",
            nominal=current,
            value=category,
            start=start,
            reason=reason,
            actor=actor,
            source=source,
        )
        current.category = category
        current.version += 1
        current.save()
    return current


@transaction.atomic
def nominal_level_change(
    *,
    actor: User,
    nominal: Nominal,
    level: int,
    start: datetime.date,
    reason: str,
    source: Source,
    same_level_review: bool = False,
) -> Nominal:
    """Change the level from `start`. With `same_level_review`, a decision to continue at the same
    level is written into the history as a new period, so every level decision has its rationale."""
    with audit_actor(actor):
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        _check_active(current)
        _check_not_future(start)
        if current.category == Category.OTHER_DANGEROUS_OFFENDER and level == Level.LEVEL_1:
            raise ValidationError({"level": "Category 3 is only ever managed at Level 2 or 3"})
        _change_period(
            model=LevelPeriod,
            field="level",
            nominal=current,
            value=level,
            start=start,
            reason=reason,
            actor=actor,
            source=source,
            allow_same=same_level_review,
        )
        current.level = level
        current.version += 1
        current.save()
    return current


def _check_active(nominal: Nominal) -> None:
    if nominal.status != Status.ACTIVE:
        raise ValidationError("This person has exited MAPPA; their record can no longer change")


def _check_not_future(start: datetime.date) -> None:
    if start > timezone.localdate():
        raise ValidationError({"start": "The date of the change must be today or in the past"})


@transaction.atomic
def nominal_exit(
    *,
    actor: User,
    nominal: Nominal,
    reason: str,
    date: datetime.date,
    rationale: str,
    review_retention_on: datetime.date,
) -> Exit:
    """End MAPPA management. The record stays, closed, until its retention review."""
    with audit_actor(actor):
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        _check_active(current)
        if date > timezone.localdate():
            raise ValidationError({"date": "The date of exit must be today or in the past"})
        if review_retention_on <= date:
            raise ValidationError({"review_retention_on": "The retention review must be after the date of exit"})
        exit_ = Exit(
            nominal=current,
            reason=reason,
            date=date,
            decided_by=actor,
            rationale=rationale,
            review_retention_on=review_retention_on,
            recorded_by=actor,
        )
        exit_.full_clean()
        exit_.save()
        for model in (CategoryPeriod, LevelPeriod):
            for period in model.objects.filter(nominal=current, end__isnull=True):
                if date < period.start:
                    raise ValidationError({"date": "The date of exit cannot be before the current level or category"})
                period.end = date
                period.save()
        current.status = Status.EXITED
        current.version += 1
        current.save()
    return exit_


@transaction.atomic
def nominal_share(*, actor: User, nominal: Nominal, agency: Agency, include_restricted: bool) -> None:
    """Bring an agency into a case: its staff can see the nominal (and, if included, restricted details)."""
    if agency.pk == nominal.lead_agency_id:
        raise ValidationError({"agency": "The lead agency already sees this record"})
    if not agency.is_active:
        raise ValidationError({"agency": "That agency is no longer active"})
    assign_perm(f"cases.{VIEW}", agency.group, nominal)
    if include_restricted:
        assign_perm(f"cases.{VIEW_RESTRICTED}", agency.group, nominal)
    else:
        remove_perm(f"cases.{VIEW_RESTRICTED}", agency.group, nominal)
    audit_record(
        event=AuditEvent.PERMISSION_GRANTED,
        actor=actor,
        subject=nominal,
        nominal_id=nominal.pk,
        details={"agency": agency.name, "agency_id": agency.pk, "include_restricted": include_restricted},
    )


@transaction.atomic
def nominal_unshare(*, actor: User, nominal: Nominal, agency: Agency) -> None:
    remove_perm(f"cases.{VIEW}", agency.group, nominal)
    remove_perm(f"cases.{VIEW_RESTRICTED}", agency.group, nominal)
    audit_record(
        event=AuditEvent.PERMISSION_REVOKED,
        actor=actor,
        subject=nominal,
        nominal_id=nominal.pk,
        details={"agency": agency.name, "agency_id": agency.pk},
    )
