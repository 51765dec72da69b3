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
from cases.eligibility import (
    CATEGORY_3_LEVEL_1,
    NOT_NOTIFIABLE,
    category_eligibility_error,
    exit_error,
    notifiable,
    notification_period,
)
from cases.models import (
    BREACHES,
    LOCATION_AFTER_EVENT,
    MOVING_EVENTS,
    TERM_SENTENCES,
    Alias,
    Category,
    CategoryPeriod,
    Conviction,
    Episode,
    Event,
    EventKind,
    Exit,
    Level,
    LevelPeriod,
    Location,
    Nominal,
    NominalGroupObjectPermission,
    NominalName,
    Order,
    OrderKind,
    RiskAssessment,
    SentenceType,
    Source,
    Status,
)
from cases.offences import offence
from cases.policy import VIEW, VIEW_RESTRICTED
from mappa.audit.models import AuditEvent
from mappa.audit.services import audit_actor, audit_record
from mappa.errors import StaleRecordError

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
    "offence_code",
    "offence",
    "offence_date",
    "conviction_date",
    "disposal",
    "sentence_type",
    "custodial_months",
    "restriction_order",
    "sentence_expiry_date",
    "terrorism",
)
ORDER_FIELDS = (
    "kind",
    "conviction",
    "start",
    "end",
    "indefinite",
    "interim",
    "foreign_travel_restriction",
    "revoked_on",
    "conditions",
)
EVENT_FIELDS = ("kind", "date", "returned_to_custody", "notes", "to_area")
RISK_FIELDS = ("tool", "date", "result", "agency", "notes")
ALIAS_FIELDS = ("first_name", "last_name", "kind")


def _set(instance: Any, values: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        if field in values:
            setattr(instance, field, values[field])


def _normalise_identifiers(nominal: Nominal) -> None:
    for field in ("pnc_id", "visor_reference", "crn", "prison_number"):
        setattr(nominal, field, (getattr(nominal, field) or "").strip().upper())


def check_nominal_dates(nominal: Nominal, today: datetime.date) -> None:
    errors: dict[str, str] = {}
    if nominal.date_of_birth and nominal.date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif nominal.date_of_birth and nominal.date_of_birth.year < 1900:
        errors["date_of_birth"] = "Date of birth must be after 1900"
    if nominal.expected_release_date and nominal.location == Location.COMMUNITY:
        errors["expected_release_date"] = "Only someone in custody or hospital has an expected release date"
    if errors:
        raise ValidationError(errors)


def search_name(first: str, middle: str, last: str) -> str:
    return " ".join(part.strip().lower() for part in (first, middle, last) if part and part.strip())


def _take_case_reference(area: Area) -> str:
    locked = Area.objects.select_for_update().get(pk=area.pk)
    number = locked.next_case_number
    Area.objects.filter(pk=area.pk).update(next_case_number=number + 1)
    return f"{area.code}-{number:06d}"


def _check_category_and_level(
    *, actor: User, nominal: Nominal, category: int, level: int, on: datetime.date, field: str = "category"
) -> None:
    if category == Category.OTHER_DANGEROUS_OFFENDER and level == Level.LEVEL_1:
        raise ValidationError({"level": CATEGORY_3_LEVEL_1})
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
    """Record a new nominal with their index conviction, and open their first episode with its
    category and level.

    For Category 1, the notification requirements are worked out from the index conviction
    (`notification` may give their start, when it is not the day of conviction)."""
    today = timezone.localdate()
    start = start or today
    if category == Category.OTHER_DANGEROUS_OFFENDER and level == Level.LEVEL_1:
        raise ValidationError({"level": CATEGORY_3_LEVEL_1})
    if category == Category.TERRORISM and not user_is_category4_cleared(actor, area.pk):
        raise ValidationError({"category": "Only users cleared for Category 4 can record a Category 4 case"})
    with audit_actor(actor):
        nominal = Nominal(area=area, category=category, level=level, created_by=actor)
        _set(nominal, details, DETAIL_FIELDS)
        _normalise_identifiers(nominal)
        nominal.case_reference = "pending"
        nominal.full_clean(exclude=["case_reference"])
        check_nominal_dates(nominal, today)
        index = _conviction(nominal, conviction, actor, today)
        orders = []
        if notification is not None or category == Category.REGISTERED_SEXUAL_OFFENDER:
            orders.append(_notification_from(nominal, index, actor, started=(notification or {}).get("start")))
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
            order.nominal, order.conviction = nominal, index
            order.save()
        NominalName.objects.create(
            nominal=nominal, name=search_name(nominal.first_name, nominal.middle_names, nominal.last_name)
        )
        _open_episode(
            actor=actor, nominal=nominal, category=category, level=level, start=start, reason=reason, source=source
        )
    return nominal


def _conviction(nominal: Nominal, values: Mapping[str, Any], actor: User, today: datetime.date) -> Conviction:
    """A conviction checked against the offence list and the person's dates, not yet saved."""
    conviction = Conviction(nominal=nominal, recorded_by=actor)
    _set(conviction, values, CONVICTION_FIELDS)
    listed = offence(conviction.offence_code) if conviction.offence_code else None
    if conviction.offence_code and listed is None:
        raise ValidationError({"offence_code": "Select the offence from the list"})
    if listed is not None:
        conviction.offence = conviction.offence or listed.title
        conviction.controlling_or_coercive = listed.controlling_or_coercive
    conviction.full_clean(exclude=["nominal"])
    check_conviction_dates(nominal, conviction, today)
    return conviction


def _notification_from(
    nominal: Nominal, conviction: Conviction, actor: User, *, started: datetime.date | None = None
) -> Order:
    """The notification requirements a conviction or caution gives, their length worked out from the
    sentence and the person's age on the day (not yet saved)."""
    if not notifiable(conviction):
        raise ValidationError({"offence_code": NOT_NOTIFIABLE})
    period = notification_period(conviction, date_of_birth=nominal.date_of_birth)
    start = started or period.start
    if start < period.start:
        raise ValidationError({"start": "Notification requirements cannot start before the conviction or caution"})
    order = Order(
        nominal=nominal,
        kind=OrderKind.NOTIFICATION_REQUIREMENTS,
        conviction=conviction,
        start=start,
        end=period.end,
        indefinite=period.indefinite,
        review_from=period.review_from,
        conditions=f"Worked out from the sentence: {period.basis}.",
        recorded_by=actor,
    )
    if order.end is not None and order.end < order.start:
        raise ValidationError({"start": "The notification period had already ended on that day"})
    return order


def _open_episode(
    *, actor: User, nominal: Nominal, category: int, level: int, start: datetime.date, reason: str, source: Source
) -> Episode:
    episode = Episode.objects.create(nominal=nominal, start=start, reason=reason, recorded_by=actor)
    _new_period(
        CategoryPeriod, episode=episode, start=start, reason=reason, actor=actor, source=source, category=category
    )
    _new_period(LevelPeriod, episode=episode, start=start, reason=reason, actor=actor, source=source, level=level)
    return episode


def _new_period(
    model: type[CategoryPeriod] | type[LevelPeriod],
    *,
    episode: Episode,
    start: datetime.date,
    reason: str,
    actor: User,
    source: Source,
    **value: int,
) -> None:
    period = model(
        nominal_id=episode.nominal_id,
        episode=episode,
        start=start,
        reason=reason,
        decided_by=actor,
        source=source,
        recorded_by=actor,
        **value,
    )
    period.full_clean()
    period.save()


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
        check_nominal_dates(current, timezone.localdate())
        current.version += 1
        current.save()
        NominalName.objects.filter(nominal=current, alias__isnull=True).update(
            name=search_name(current.first_name, current.middle_names, current.last_name)
        )
    return current


def check_conviction_dates(nominal: Nominal, conviction: Conviction, today: datetime.date) -> None:
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
    if conviction.sentence_type in TERM_SENTENCES and not conviction.custodial_months:
        errors["custodial_months"] = "Enter the length of the sentence in months"
    if conviction.sentence_type == SentenceType.DISCHARGE and not conviction.custodial_months:
        errors["custodial_months"] = "Enter the period of the conditional discharge in months"
    if conviction.restriction_order and conviction.sentence_type != SentenceType.HOSPITAL_ORDER:
        errors["restriction_order"] = "Only a hospital order can have a restriction order"
    if conviction.sentence_expiry_date and conviction.sentence_expiry_date < conviction.conviction_date:
        errors["sentence_expiry_date"] = "The sentence cannot expire before the conviction"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def conviction_add(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Conviction:
    with audit_actor(actor):
        conviction = _conviction(nominal, values, actor, timezone.localdate())
        conviction.save()
    return conviction


@transaction.atomic
def order_add(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Order:
    """Record an order. Notification requirements arising from a recorded conviction are worked out
    from its sentence (Sexual Offences Act 2003 s.82); without one, their end (or that they are
    indefinite) must be given. A licence is recorded with its expiry date."""
    with audit_actor(actor):
        order = Order(nominal=nominal, recorded_by=actor)
        _set(order, values, ORDER_FIELDS)
        if order.conviction is not None and order.conviction.nominal_id != nominal.pk:
            raise ValidationError({"conviction": "Select one of this person's convictions"})
        if order.kind == OrderKind.NOTIFICATION_REQUIREMENTS and order.conviction is not None:
            worked_out = _notification_from(nominal, order.conviction, actor, started=values.get("start"))
            worked_out.revoked_on = order.revoked_on
            order = worked_out
        order.full_clean()
        errors = order_problems(order)
        if errors:
            raise ValidationError(errors)
        order.save()
    return order


def order_problems(order: Order) -> dict[str, str]:
    errors = {}
    if order.indefinite and order.end:
        errors["end"] = "An indefinite order has no end date"
    if order.kind == OrderKind.NOTIFICATION_REQUIREMENTS and not (order.indefinite or order.end):
        errors["end"] = "Enter when the notification period ends, or say it is indefinite"
    if order.kind == OrderKind.LICENCE and not (order.end or order.indefinite):
        errors["end"] = "Enter the licence expiry date (or, for a life licence, say it is indefinite)"
    if order.revoked_on and order.revoked_on < order.start:
        errors["revoked_on"] = "An order cannot be revoked before it starts"
    if order.foreign_travel_restriction and order.kind not in (OrderKind.SHPO, OrderKind.SRO):
        errors["foreign_travel_restriction"] = "Only an SHPO or SRO can carry a foreign travel restriction"
    if order.interim and order.kind not in (OrderKind.SHPO, OrderKind.SRO, OrderKind.NOTIFICATION_ORDER):
        errors["interim"] = "Only an SHPO, SRO or Notification Order can be interim"
    if order.revoked_on and not (order.kind == OrderKind.NOTIFICATION_REQUIREMENTS and order.indefinite):
        errors["revoked_on"] = "Only indefinite notification requirements are revoked on application"
    return errors


@transaction.atomic
def event_record(*, actor: User, nominal: Nominal, values: Mapping[str, Any]) -> Event:
    """Record an event. Custody, release, recall, hospital and transfer events, and a breach that
    returned the person to custody, move the nominal: where they are now follows their latest such
    event by date, however late it is recorded. A transfer takes the record, and who may see it, to
    the new area: the agencies of the old area lose their shares, and the lead agency must be one of
    the new area's (`values["lead_agency"]`) unless it already is."""
    lead_agency: Agency | None = values.get("lead_agency")
    with audit_actor(actor):
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        event = Event(nominal=current, recorded_by=actor, from_area=current.area)
        _set(event, values, EVENT_FIELDS)
        event.full_clean()
        _check_event(event, current, lead_agency)
        event.save()
        changed = _follow_latest_events(current)
        if event.kind == EventKind.TRANSFER and current.area_id == event.to_area_id:
            _move_to_area(actor=actor, nominal=current, lead_agency=lead_agency)
            changed = True
        if changed:
            current.version += 1
            current.save()
    return event


def _check_event(event: Event, nominal: Nominal, lead_agency: Agency | None) -> None:
    if event.date > timezone.localdate():
        raise ValidationError({"date": "The date of the event must be today or in the past"})
    if event.returned_to_custody and event.kind not in BREACHES:
        raise ValidationError({"returned_to_custody": "Only a breach returns someone to custody; record a recall"})
    if event.kind != EventKind.TRANSFER:
        if event.to_area is not None:
            raise ValidationError({"to_area": "Only a transfer has an area to move to"})
        return
    if event.to_area is None or event.to_area_id == nominal.area_id:
        raise ValidationError({"to_area": "Select the MAPPA area the person is moving to"})
    lead = lead_agency or nominal.lead_agency
    if lead.area_id != event.to_area_id:
        raise ValidationError({"lead_agency": f"Select the lead agency in {event.to_area}"})
    later = Event.objects.filter(nominal=nominal, kind=EventKind.TRANSFER, date__gt=event.date)
    if later.exists():
        raise ValidationError({"date": "A later transfer is already recorded; record transfers in order"})


def _follow_latest_events(nominal: Nominal) -> bool:
    """Set where the person is now and their area from their latest events by date (the latest
    recorded of a day last). Returns whether anything changed."""
    before = (nominal.location, nominal.area_id)
    moves = Event.objects.filter(MOVING_EVENTS, nominal=nominal)
    latest = moves.order_by("-date", "-pk").first()
    if latest is not None:
        nominal.location = LOCATION_AFTER_EVENT.get(EventKind(latest.kind), Location.CUSTODY)
        if nominal.location == Location.COMMUNITY:
            nominal.expected_release_date = None
    transfer = Event.objects.filter(nominal=nominal, kind=EventKind.TRANSFER).order_by("-date", "-pk").first()
    if transfer is not None and transfer.to_area_id:
        nominal.area_id = transfer.to_area_id
    return (nominal.location, nominal.area_id) != before


def _move_to_area(*, actor: User, nominal: Nominal, lead_agency: Agency | None) -> None:
    """Access follows the record: the old area's agencies lose their shares of it."""
    nominal.district = None
    if lead_agency is not None:
        nominal.lead_agency = lead_agency
    stale = NominalGroupObjectPermission.objects.filter(content_object=nominal).exclude(
        group__agency__area_id=nominal.area_id
    )
    for agency in Agency.objects.filter(group__in=stale.values("group")).distinct():
        nominal_unshare(actor=actor, nominal=nominal, agency=agency)


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
            nominal=nominal, alias=alias, name=search_name(alias.first_name, "", alias.last_name)
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
    episode = Episode.objects.get(nominal=nominal, end__isnull=True)
    _new_period(model, episode=episode, start=start, reason=reason, actor=actor, source=source, **{field: value})


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
            raise ValidationError({"level": CATEGORY_3_LEVEL_1})
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
    """End the person's current episode. `date` is the first day they are no longer a MAPPA case:
    their episode, category and level end the day before (so someone who exits on 31 March is not
    in that day's count). The reasons allowed depend on the category and are checked against the
    record: notification or a licence must have ended by then (see `eligibility.exit_error`). The
    record stays, closed, until its retention review, and the person can be referred again."""
    with audit_actor(actor):
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        _check_active(current)
        if date > timezone.localdate():
            raise ValidationError({"date": "The date of exit must be today or in the past"})
        if review_retention_on <= date:
            raise ValidationError({"review_retention_on": "The retention review must be after the date of exit"})
        error = exit_error(
            category=current.category,
            reason=reason,
            orders=current.orders.all(),
            convictions=current.convictions.all(),
            location=current.location,
            on=date,
        )
        if error:
            raise ValidationError({"reason": error})
        episode = Episode.objects.select_for_update().get(nominal=current, end__isnull=True)
        records: list[Episode | CategoryPeriod | LevelPeriod] = [
            *CategoryPeriod.objects.filter(nominal=current, end__isnull=True),
            *LevelPeriod.objects.filter(nominal=current, end__isnull=True),
            episode,
        ]
        if any(date < record.start for record in records):
            raise ValidationError({"date": "The date of exit cannot be before the current level or category began"})
        for record in records:
            record.end = max(record.start, date - datetime.timedelta(days=1))
            record.save()
        exit_ = Exit(
            nominal=current,
            episode=episode,
            reason=reason,
            date=date,
            decided_by=actor,
            rationale=rationale,
            review_retention_on=review_retention_on,
            recorded_by=actor,
        )
        exit_.full_clean()
        exit_.save()
        current.status = Status.EXITED
        current.next_review_due = None
        current.version += 1
        current.save()
    return exit_


@transaction.atomic
def nominal_reenter(
    *,
    actor: User,
    nominal: Nominal,
    category: int,
    level: int,
    start: datetime.date,
    reason: str,
    source: Source,
    conviction: Mapping[str, Any] | None = None,
) -> Nominal:
    """Open a new episode for someone who had exited MAPPA: the same record, a new category and
    level history from `start`; the earlier episodes stay as they were. `conviction`, when given, is
    the new conviction or caution that brings them back (for Category 1, with the notification
    requirements it gives)."""
    with audit_actor(actor):
        current = Nominal.objects.select_for_update().get(pk=nominal.pk)
        if current.status != Status.EXITED:
            raise ValidationError("This person is already a MAPPA case")
        _check_not_future(start)
        last = Exit.objects.filter(nominal=current).order_by("-date").first()
        if last is not None and start < last.date:
            raise ValidationError({"start": f"The new episode cannot start before the exit on {last.date:%-d %B %Y}"})
        if conviction is not None:
            index = _conviction(current, conviction, actor, timezone.localdate())
            index.save()
            if category == Category.REGISTERED_SEXUAL_OFFENDER:
                _notification_from(current, index, actor).save()
        _check_category_and_level(actor=actor, nominal=current, category=category, level=level, on=start)
        _open_episode(
            actor=actor, nominal=current, category=category, level=level, start=start, reason=reason, source=source
        )
        current.category, current.level, current.status = category, level, Status.ACTIVE
        current.version += 1
        current.save()
    return current


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
