"""The rules the services enforce: eligibility, impossible dates, histories, stale edits."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Role
from cases.eligibility import NO_CONVICTION
from cases.models import (
    Category,
    CategoryPeriod,
    EventKind,
    Level,
    LevelPeriod,
    Location,
    Nominal,
    NominalName,
    OrderKind,
    SentenceType,
    Source,
    Status,
)
from cases.services import (
    StaleRecordError,
    alias_add,
    event_record,
    nominal_category_change,
    nominal_create,
    nominal_exit,
    nominal_level_change,
    nominal_update,
    order_add,
)
from mappa.dates import add_months
from tests.conftest import People
from tests.factories import AgencyFactory, make_user
from tests.nominal_fixtures import OFFENCE_OF, Cases, make_nominal

pytestmark = [pytest.mark.django_db, pytest.mark.dated]

TODAY = datetime.date.today()


def _create(people: People, *, category: int, conviction: dict, notification: dict | None = None, level: int = 1):
    conviction = {
        "offence_code": OFFENCE_OF[category],
        "conviction_date": TODAY - datetime.timedelta(days=400),
        **conviction,
    }
    return nominal_create(
        actor=people.coordinator,
        area=people.area,
        details={
            "first_name": "Rule",
            "last_name": "Tester",
            "date_of_birth": datetime.date(1975, 1, 1),
            "gender": "male",
            "lead_agency": people.police,
        },
        conviction=conviction,
        category=category,
        level=level,
        reason="Test",
        notification=notification,
    )


def _error(excinfo: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(excinfo.value.message_dict[field])


def test_category_1_needs_an_offence_that_requires_notification(people: People) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _create(people, category=1, conviction={"offence_code": "theft", "sentence_type": SentenceType.COMMUNITY})

    assert "Schedule 3" in _error(excinfo, "offence_code")
    assert not Nominal.objects.exists()


def test_category_1_gets_the_notification_period_its_sentence_gives(people: People) -> None:
    convicted = TODAY - datetime.timedelta(days=400)
    nominal = _create(people, category=1, conviction={"sentence_type": SentenceType.COMMUNITY})

    order = nominal.orders.get()
    assert nominal.category == 1
    assert (order.kind, order.start, order.indefinite) == (OrderKind.NOTIFICATION_REQUIREMENTS, convicted, False)
    assert order.end == add_months(convicted, 60) - datetime.timedelta(days=1)  # 5 years for a community order
    assert order.conviction == nominal.convictions.get()


def test_expired_notification_requirements_do_not_make_category_1(people: People) -> None:
    with pytest.raises(ValidationError):
        _create(
            people,
            category=1,
            conviction={"sentence_type": SentenceType.COMMUNITY, "conviction_date": datetime.date(2015, 1, 1)},
        )


CUSTODY, SUSPENDED = SentenceType.IMMEDIATE_CUSTODY, SentenceType.SUSPENDED


@pytest.mark.parametrize(
    ("conviction", "eligible"),
    [
        ({"sentence_type": CUSTODY, "custodial_months": 12}, True),
        ({"sentence_type": CUSTODY, "custodial_months": 11}, False),
        ({"sentence_type": SentenceType.HOSPITAL_ORDER}, True),
        ({"sentence_type": SentenceType.GUARDIANSHIP_ORDER}, True),
        ({"sentence_type": SentenceType.DETENTION_AND_TRAINING, "custodial_months": 12}, True),
        ({"sentence_type": SUSPENDED, "custodial_months": 18}, True),  # a suspended sentence is imprisonment
        ({"sentence_type": SUSPENDED, "custodial_months": 6}, False),
        ({"sentence_type": SentenceType.COMMUNITY}, False),
        ({"offence_code": "murder", "sentence_type": SentenceType.LIFE}, True),
        ({"offence_code": "supplying-controlled-drug", "sentence_type": CUSTODY, "custodial_months": 36}, False),
        (
            {"offence_code": "controlling-or-coercive-behaviour", "sentence_type": SUSPENDED, "custodial_months": 12},
            True,
        ),
        (
            {"offence_code": "controlling-or-coercive-behaviour", "sentence_type": CUSTODY, "custodial_months": 10},
            False,
        ),
        ({"offence_code": "controlling-or-coercive-behaviour", "sentence_type": SentenceType.HOSPITAL_ORDER}, False),
        (
            {"offence_code": "", "offence": "Wounding, not coded", "sentence_type": CUSTODY, "custodial_months": 48},
            False,
        ),
    ],
)
def test_category_2_needs_a_specified_offence_or_ccb_and_the_sentence_for_it(
    people: People, conviction: dict, eligible: bool
) -> None:
    if eligible:
        assert _create(people, category=2, conviction=conviction).category == 2
    else:
        with pytest.raises(ValidationError) as excinfo:
            _create(people, category=2, conviction=conviction)
        assert "Category 2 needs" in _error(excinfo, "category")


def test_36_months_for_supplying_class_a_drugs_is_refused_for_category_2(people: People) -> None:
    supply = {"offence_code": "supplying-controlled-drug", "sentence_type": CUSTODY, "custodial_months": 36}

    with pytest.raises(ValidationError) as excinfo:
        _create(people, category=2, conviction=supply)

    assert "Schedule 18" in _error(excinfo, "category")
    assert not Nominal.objects.exists()


def test_category_3_needs_only_a_conviction_or_caution_but_never_level_1(people: People) -> None:
    caution = {"sentence_type": SentenceType.CAUTION, "disposal": "caution", "offence_code": "harassment"}

    with pytest.raises(ValidationError) as excinfo:
        _create(people, category=3, level=1, conviction=caution)
    nominal = _create(people, category=3, level=2, conviction=caution)

    assert "only ever managed at Level 2 or 3" in _error(excinfo, "level")
    assert nominal.level == 2


def test_category_4_needs_clearance_and_a_terrorism_connection(people: People) -> None:
    custody = {"sentence_type": SentenceType.IMMEDIATE_CUSTODY, "custodial_months": 24}
    uncleared = make_user("uncleared", agency=people.unit, roles=(Role.COORDINATOR,))

    with pytest.raises(ValidationError) as no_link:
        _create(people, category=4, conviction=custody)
    with pytest.raises(ValidationError) as no_clearance:
        nominal_create(
            actor=uncleared,
            area=people.area,
            details={
                "first_name": "A",
                "last_name": "B",
                "date_of_birth": datetime.date(1990, 1, 1),
                "gender": "male",
                "lead_agency": people.police,
            },
            conviction={"offence": "x", "conviction_date": datetime.date(2021, 1, 1), "terrorism": True, **custody},
            category=4,
            level=1,
            reason="Test",
        )

    assert "terrorism" in _error(no_link, "category")
    assert "cleared for Category 4" in _error(no_clearance, "category")


def test_no_conviction_at_all_is_refused_with_a_pointer_to_marac(people: People, cases: Cases) -> None:
    from cases.eligibility import category_eligibility_error

    error = category_eligibility_error(category=3, convictions=[], orders=[], stream="local", on=TODAY)

    assert error == NO_CONVICTION
    assert "MARAC" in NO_CONVICTION
    assert "professionals meeting" in NO_CONVICTION


@pytest.mark.parametrize(
    ("details", "conviction", "field"),
    [
        ({"date_of_birth": TODAY + datetime.timedelta(days=1)}, {}, "date_of_birth"),
        ({}, {"conviction_date": TODAY + datetime.timedelta(days=3)}, "conviction_date"),
        ({}, {"conviction_date": datetime.date(1970, 1, 1)}, "conviction_date"),
        ({}, {"offence_date": datetime.date(2022, 1, 1)}, "offence_date"),
        (
            {"location": Location.CUSTODY, "expected_release_date": datetime.date(2019, 1, 1)},
            {},
            "conviction_date",
        ),
        ({"expected_release_date": datetime.date(2030, 1, 1)}, {}, "expected_release_date"),
        ({"pnc_id": "not a pnc"}, {}, "pnc_id"),
        ({"crn": "12345"}, {}, "crn"),
    ],
)
def test_impossible_dates_and_bad_identifiers_are_refused(
    people: People, details: dict, conviction: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        nominal_create(
            actor=people.coordinator,
            area=people.area,
            details={
                "first_name": "Date",
                "last_name": "Tester",
                "date_of_birth": datetime.date(1975, 1, 1),
                "gender": "male",
                "lead_agency": people.police,
                **details,
            },
            conviction={
                "offence": "Offence",
                "conviction_date": datetime.date(2021, 6, 1),
                "sentence_type": SentenceType.IMMEDIATE_CUSTODY,
                "custodial_months": 24,
                **conviction,
            },
            category=2,
            level=1,
            reason="Test",
        )

    assert field in excinfo.value.message_dict
    assert not Nominal.objects.exists()


def test_identifiers_are_unique(people: People, cases: Cases) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, crn=cases.own.crn)

    assert "crn" in str(excinfo.value).lower()


def test_level_change_closes_the_old_period_and_answers_any_past_date(people: People, cases: Cases) -> None:
    nominal_level_change(
        actor=people.coordinator,
        nominal=cases.own,
        level=Level.LEVEL_3,
        start=datetime.date(2024, 4, 10),
        reason="Escalating risk",
        source=Source.MEETING,
    )

    periods = list(LevelPeriod.objects.filter(nominal=cases.own).order_by("start"))
    assert [(p.level, p.start, p.end) for p in periods] == [
        (1, datetime.date(2020, 3, 2), datetime.date(2024, 4, 9)),
        (3, datetime.date(2024, 4, 10), None),
    ]
    assert Nominal.objects.get(pk=cases.own.pk).level == 3

    def level_on(day: datetime.date) -> int:
        period = LevelPeriod.objects.filter(nominal=cases.own, start__lte=day).order_by("-start").first()
        assert period is not None
        assert period.end is None or period.end >= day
        return period.level

    assert level_on(datetime.date(2024, 4, 9)) == 1
    assert level_on(datetime.date(2024, 4, 10)) == 3


def test_level_change_before_the_current_period_is_refused(people: People, cases: Cases) -> None:
    with pytest.raises(ValidationError) as excinfo:
        nominal_level_change(
            actor=people.coordinator,
            nominal=cases.own,
            level=2,
            start=datetime.date(2019, 1, 1),
            reason="x",
            source=Source.REVIEW,
        )

    assert "start" in excinfo.value.message_dict
    assert LevelPeriod.objects.filter(nominal=cases.own).count() == 1


def test_category_change_checks_eligibility(people: People, cases: Cases) -> None:
    with pytest.raises(ValidationError):
        nominal_category_change(
            actor=people.coordinator,
            nominal=cases.own,
            category=Category.REGISTERED_SEXUAL_OFFENDER,
            start=TODAY,
            reason="x",
            source=Source.REVIEW,
        )
    order_add(
        actor=people.coordinator,
        nominal=cases.own,
        values={"kind": OrderKind.NOTIFICATION_REQUIREMENTS, "start": datetime.date(2023, 1, 1), "indefinite": True},
    )

    nominal_category_change(
        actor=people.coordinator,
        nominal=cases.own,
        category=1,
        start=TODAY,
        reason="Now notifying",
        source=Source.REVIEW,
    )

    assert CategoryPeriod.objects.get(nominal=cases.own, end__isnull=True).category == 1


def test_stale_edit_is_refused_and_changes_nothing(people: People, cases: Cases) -> None:
    version = cases.own.version
    nominal_update(
        actor=people.coordinator, nominal=cases.own, details={"ethnicity": "First"}, expected_version=version
    )

    with pytest.raises(StaleRecordError):
        nominal_update(
            actor=people.practitioner, nominal=cases.own, details={"ethnicity": "Second"}, expected_version=version
        )

    saved = Nominal.objects.get(pk=cases.own.pk)
    assert saved.ethnicity == "First"
    assert saved.version == version + 1


def test_events_move_the_person(people: People, cases: Cases) -> None:
    event_record(actor=people.coordinator, nominal=cases.own, values={"kind": EventKind.RECALL, "date": TODAY})
    assert Nominal.objects.get(pk=cases.own.pk).location == Location.CUSTODY

    event_record(actor=people.coordinator, nominal=cases.own, values={"kind": EventKind.RELEASE, "date": TODAY})
    assert Nominal.objects.get(pk=cases.own.pk).location == Location.COMMUNITY


def test_transfer_moves_the_nominal_to_the_new_area_with_a_lead_agency_there(people: People, cases: Cases) -> None:
    sussex_police = AgencyFactory(area=people.other_area, name="Sussex Police", kind="police")
    transfer = {"kind": EventKind.TRANSFER, "date": TODAY, "to_area": people.other_area}

    with pytest.raises(ValidationError) as excinfo:
        event_record(actor=people.coordinator, nominal=cases.own, values=transfer)
    event_record(actor=people.coordinator, nominal=cases.own, values={**transfer, "lead_agency": sussex_police})

    assert "lead agency in Sussex" in _error(excinfo, "lead_agency")
    moved = Nominal.objects.get(pk=cases.own.pk)
    assert (moved.area, moved.lead_agency, moved.district) == (people.other_area, sussex_police, None)
    assert moved.events.get(kind=EventKind.TRANSFER).from_area == people.area


def test_exit_closes_the_histories_and_keeps_the_record(people: People, cases: Cases) -> None:
    nominal_exit(
        actor=people.coordinator,
        nominal=cases.own,
        reason="left_jurisdiction",
        date=TODAY,
        rationale="Stable for years",
        review_retention_on=TODAY + datetime.timedelta(days=365 * 6),
    )

    nominal = Nominal.objects.get(pk=cases.own.pk)
    assert nominal.status == Status.EXITED
    assert not LevelPeriod.objects.filter(nominal=nominal, end__isnull=True).exists()
    assert not CategoryPeriod.objects.filter(nominal=nominal, end__isnull=True).exists()
    episode = nominal.episodes.get()
    assert episode.end == TODAY - datetime.timedelta(days=1)  # the exit day is the first day out
    assert episode.exit.reason == "left_jurisdiction"
    with pytest.raises(ValidationError):
        nominal_level_change(
            actor=people.coordinator, nominal=nominal, level=2, start=TODAY, reason="x", source=Source.REVIEW
        )


def test_alias_is_searchable(people: People, cases: Cases) -> None:
    alias_add(actor=people.coordinator, nominal=cases.own, values={"first_name": "Darren", "last_name": "Whitlock"})

    assert NominalName.objects.filter(nominal=cases.own, name="darren whitlock").exists()


def test_nothing_can_be_deleted_through_the_records() -> None:
    from django.db.models import PROTECT

    from cases.models import Conviction, Event, LevelPeriod, Order

    for model in (Conviction, Order, Event, LevelPeriod):
        assert model._meta.get_field("nominal").remote_field.on_delete is PROTECT
