"""The nominal pages: forms that say what is wrong and change nothing, stale edits, lists."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from cases.models import Alias, Conviction, Event, LevelPeriod, Nominal, Order, RiskAssessment
from cases.services import alias_add
from tests.conftest import People, client_for
from tests.nominal_fixtures import Cases, make_nominal

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def _create_form(people: People, **overrides: str) -> dict[str, str]:
    data = {
        "person-first_name": "Kieran",
        "person-last_name": "Ashbourne",
        **_date("person-date_of_birth", datetime.date(1988, 2, 14)),
        "person-gender": "male",
        "person-lead_agency": str(people.police.pk),
        "person-location": "community",
        "person-stream": "local",
        "person-pnc_id": "2006/0451233h",
        "conviction-offence_code": "robbery",
        **_date("conviction-conviction_date", datetime.date(2019, 9, 3)),
        "conviction-disposal": "conviction",
        "conviction-sentence_type": "custody",
        "conviction-custodial_months": "30",
        "decision-category": "2",
        "decision-level": "1",
        "decision-reason": "Violent offence with 30 months custody",
    }
    data.update(overrides)
    return data


def test_coordinator_records_a_new_nominal(people: People) -> None:
    response = client_for(people.coordinator).post("/nominals/new/", _create_form(people))

    nominal = Nominal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/nominals/{nominal.case_reference}/"
    assert nominal.case_reference == "KENT-000001"
    assert nominal.pnc_id == "2006/0451233H"
    conviction = nominal.convictions.get()
    assert (conviction.offence_code, conviction.offence, conviction.custodial_months) == (
        "robbery",
        "Robbery or assault with intent to rob",
        30,
    )
    assert nominal.level_periods.get().source == "initial"
    assert nominal.episodes.get().start == nominal.level_periods.get().start


@pytest.mark.parametrize("persona", ["chair", "practitioner", "housing_officer", "auditor", "administrator"])
def test_only_coordinators_record_new_nominals(people: People, persona: str) -> None:
    client = client_for(getattr(people, persona))

    assert client.get("/nominals/new/").status_code == 403
    assert client.post("/nominals/new/", _create_form(people)).status_code == 403
    assert not Nominal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"person-first_name": ""}, "Enter the first name"),
        ({"person-date_of_birth_0": "31", "person-date_of_birth_1": "2"}, "Enter a real date"),
        ({"person-date_of_birth_2": "88"}, "The year must include 4 numbers"),
        ({"person-date_of_birth_0": ""}, "Date of birth must include a day"),
        ({"person-pnc_id": "123"}, "Enter a PNC ID like 2004/0123456X"),
        ({"person-lead_agency": "999999"}, "Select a lead agency shown in the list"),
        ({"conviction-custodial_months": "lots"}, "Enter a whole number"),
        ({"conviction-custodial_months": "6"}, "Category 2 needs"),
        ({"decision-category": "3"}, "only ever managed at Level 2 or 3"),
        ({"decision-category": "1"}, "Category 1 needs a conviction or caution for an offence that makes"),
        ({"conviction-offence_code": "supplying-controlled-drug"}, "Category 2 needs murder or an offence specified"),
        ({"conviction-offence_code": "no-such-offence"}, "Select an offence shown in the list"),
        ({"conviction-offence_code": ""}, "Select the offence, or describe it if it is not in the list"),
        ({"decision-reason": ""}, "Enter the reason for this category and level"),
        ({"person-date_of_birth_2": "2090"}, "Date of birth must be in the past"),
    ],
)
def test_bad_input_on_the_new_nominal_form_is_explained_and_saves_nothing(
    people: People, overrides: dict[str, str], message: str
) -> None:
    response = client_for(people.coordinator).post("/nominals/new/", _create_form(people, **overrides))

    content = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    assert "There is a problem" in content
    assert message in content
    assert not Nominal.objects.exists()
    assert not Conviction.objects.exists()


def test_empty_new_nominal_form(people: People) -> None:
    response = client_for(people.coordinator).post("/nominals/new/", {})

    assert response.status_code == 400
    assert "Enter the last name" in response.content.decode()
    assert not Nominal.objects.exists()


RECORD_FORMS = [
    ("alias", Alias, {"last_name": ""}),
    ("conviction", Conviction, {"offence": "Theft"}),
    ("order", Order, {"kind": "shpo", "start_0": "1", "start_1": "13", "start_2": "2024"}),
    ("event", Event, {"kind": "transfer", "date_0": "1", "date_1": "1", "date_2": "2024"}),
    ("risk-assessment", RiskAssessment, {"tool": "arms", "result": "extreme"}),
]


@pytest.mark.parametrize(("kind", "model", "data"), RECORD_FORMS)
def test_bad_input_on_each_record_form_is_explained_and_saves_nothing(
    people: People, cases: Cases, kind: str, model: type, data: dict[str, str]
) -> None:
    before = model.objects.count()

    response = client_for(people.coordinator).post(f"/nominals/{cases.own.case_reference}/{kind}/new/", data)

    assert response.status_code == 400
    assert "govuk-error-message" in response.content.decode()
    assert model.objects.count() == before


def test_valid_record_forms_save(people: People, cases: Cases) -> None:
    client = client_for(people.practitioner)  # the lead agency records on its own nominal
    reference = cases.own.case_reference

    assert (
        client.post(
            f"/nominals/{reference}/alias/new/", {"first_name": "Daz", "last_name": "Whit", "kind": "nickname"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/nominals/{reference}/order/new/",
            {"kind": "shpo", **_date("start", datetime.date(2024, 1, 5)), **_date("end", datetime.date(2029, 1, 5))},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/nominals/{reference}/event/new/", {"kind": "breach_shpo", **_date("date", datetime.date(2024, 6, 1))}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/nominals/{reference}/risk-assessment/new/",
            {
                "tool": "oasys_rosh",
                "result": "high",
                "agency": people.police.pk,
                **_date("date", datetime.date(2024, 6, 2)),
            },
        ).status_code
        == 302
    )
    assert cases.own.aliases.count() == 1
    assert cases.own.orders.filter(kind="shpo").count() == 1
    assert cases.own.events.count() == 1
    assert cases.own.risk_assessments.count() == 1


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("change/level/", {"level": "2", "reason": ""}, "Enter the rationale"),
        (
            "change/level/",
            {"level": "9", "reason": "x", **_date("start", datetime.date(2024, 1, 1))},
            "Select a new level shown in the list",
        ),
        (
            "change/category/",
            {"category": "1", "reason": "x", **_date("start", datetime.date(2024, 1, 1))},
            "Category 1 needs",
        ),
        (
            "exit/",
            {
                "reason": "died",
                "rationale": "x",
                **_date("date", datetime.date(2024, 1, 1)),
                **_date("review_retention_on", datetime.date(2030, 1, 1)),
            },
            "Confirm that you understand",
        ),
        (
            "exit/",
            {
                "reason": "died",
                "rationale": "x",
                "confirm": "on",
                **_date("date", datetime.date(2024, 1, 1)),
                **_date("review_retention_on", datetime.date(2023, 1, 1)),
            },
            "retention review must be after",
        ),
        ("shares/", {"agency": ""}, "Select the agency"),
        ("edit/", {"version": "1", "first_name": "", "last_name": "X"}, "Enter the first name"),
    ],
)
def test_bad_input_on_decision_forms_is_explained_and_changes_nothing(
    people: People, cases: Cases, path: str, data: dict[str, str], message: str
) -> None:
    before = Nominal.objects.values().get(pk=cases.own.pk)
    periods = LevelPeriod.objects.count()

    response = client_for(people.coordinator).post(f"/nominals/{cases.own.case_reference}/{path}", data)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Nominal.objects.values().get(pk=cases.own.pk) == before
    assert LevelPeriod.objects.count() == periods


def test_coordinator_raises_the_level_and_sees_it_in_the_history(people: People, cases: Cases) -> None:
    client = client_for(people.coordinator)

    response = client.post(
        f"/nominals/{cases.own.case_reference}/change/level/",
        {
            "level": "2",
            "reason": "New intelligence about contact with children",
            **_date("start", datetime.date.today()),
        },
    )
    history = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert "New intelligence about contact with children" in history
    assert Nominal.objects.get(pk=cases.own.pk).level == 2


def _edit_form(nominal: Nominal, **changes: str) -> dict[str, str]:
    data = {
        "version": str(nominal.version),
        "first_name": nominal.first_name,
        "last_name": nominal.last_name,
        **_date("date_of_birth", nominal.date_of_birth),
        "gender": nominal.gender,
        "crn": nominal.crn,
        "lead_agency": str(nominal.lead_agency_id),
        "location": nominal.location,
        "stream": nominal.stream,
        "address": nominal.address,
        "restricted_notes": nominal.restricted_notes,
    }
    data.update(changes)
    return data


def test_second_of_two_edits_from_the_same_version_is_refused_with_its_input_kept(people: People, cases: Cases) -> None:
    nominal = Nominal.objects.get(pk=cases.own.pk)
    path = f"/nominals/{nominal.case_reference}/edit/"
    first = _edit_form(nominal, ethnicity="White British")
    second = _edit_form(nominal, ethnicity="Irish Traveller", middle_names="James")

    saved = client_for(people.coordinator).post(path, first)
    refused = client_for(people.practitioner).post(path, second)

    content = refused.content.decode()
    assert saved.status_code == 302
    assert refused.status_code == 409
    assert "Someone else saved this while you were editing it" in content
    assert 'value="Irish Traveller"' in content  # the second person's input is kept in the form
    assert 'value="James"' in content
    assert "White British" in content  # and they are shown what the record says now
    current = Nominal.objects.get(pk=nominal.pk)
    assert current.ethnicity == "White British"
    assert current.middle_names == ""
    assert current.version == nominal.version + 1


def test_list_filters_and_sorting(people: People, cases: Cases) -> None:
    client = client_for(people.coordinator)
    make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, level=2, last_name="Aardvark")

    level2 = client.get("/nominals/", {"level": "2"}).content.decode()
    by_name = client.get("/nominals/", {"sort": "name"}).content.decode()
    by_level = client.get("/nominals/", {"sort": "level"}).content.decode()

    assert "AARDVARK" in level2
    assert "OWNSWORTH" not in level2
    assert by_name.index("AARDVARK") < by_name.index("OWNSWORTH")
    assert by_level.index("AARDVARK") < by_level.index("OWNSWORTH")


@pytest.mark.parametrize("params", [{"category": "7"}, {"sort": "password"}, {"district": "x"}, {"location": "moon"}])
def test_bad_list_filters_are_a_field_error(people: People, params: dict[str, str]) -> None:
    response = client_for(people.coordinator).get("/nominals/", params)

    assert response.status_code == 400
    assert "govuk-error-message" in response.content.decode()


def test_list_page_runs_a_constant_number_of_queries(
    people: People, cases: Cases, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(people.coordinator)
    client.get("/nominals/")
    with django_assert_max_num_queries(40) as baseline:  # counted, then held constant below
        client.get("/nominals/")
    for number in range(25):
        make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, last_name=f"Extra{number}")
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get("/nominals/")


def test_nominal_page_runs_a_constant_number_of_queries(
    people: People, cases: Cases, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(people.coordinator)
    path = f"/nominals/{cases.own.case_reference}/orders-and-events/"
    client.get(path)
    with django_assert_max_num_queries(40) as baseline:  # counted, then held constant below
        client.get(path)
    for number in range(5):
        alias_add(
            actor=people.coordinator, nominal=cases.own, values={"first_name": "A", "last_name": f"Alias{number}"}
        )
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get(path)


def test_search_by_identifier(people: People, cases: Cases) -> None:
    content = client_for(people.coordinator).get("/nominals/", {"q": cases.own.crn.lower()}).content.decode()

    assert cases.own.case_reference in content
    assert cases.shared.case_reference not in content


def test_search_finds_aliases(people: People, cases: Cases) -> None:
    alias_add(
        actor=people.coordinator, nominal=cases.unshared, values={"first_name": "Darren", "last_name": "Whitlock"}
    )

    content = client_for(people.coordinator).get("/nominals/", {"q": "whitlock"}).content.decode()

    assert cases.unshared.case_reference in content
    assert cases.own.case_reference not in content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo-tolerant search uses PostgreSQL trigrams")
@pytest.mark.parametrize("typo", ["Daren Whitlok", "whitlok", "Darren Whitlocke", "Darran Witlock"])
def test_search_tolerates_misspelt_names_on_postgresql(people: People, cases: Cases, typo: str) -> None:
    alias_add(
        actor=people.coordinator, nominal=cases.unshared, values={"first_name": "Darren", "last_name": "Whitlock"}
    )

    content = client_for(people.coordinator).get("/nominals/", {"q": typo}).content.decode()

    assert cases.unshared.case_reference in content
    assert cases.own.case_reference not in content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo-tolerant search uses PostgreSQL trigrams")
def test_misspelt_search_puts_the_closest_name_first_whatever_the_ground(people: People, cases: Cases) -> None:
    # The practitioner sees Sharland because it is shared with their agency, and these two because
    # their agency leads them; the closest name comes first all the same.
    close = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, last_name="Sharlan")
    far = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, last_name="Sharlow")

    page = client_for(people.practitioner).get("/nominals/", {"q": "test sharland"}).context["page"]

    assert [nominal.pk for nominal in page.object_list] == [cases.shared.pk, close.pk, far.pk]


def _ended_notification(people: People) -> Nominal:
    nominal = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, category=1)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    Order.objects.filter(nominal=nominal, kind="notification").update(indefinite=False, end=yesterday)
    return nominal


def test_the_record_and_the_list_point_out_someone_whose_notification_has_ended(people: People, cases: Cases) -> None:
    ended = _ended_notification(people)
    client = client_for(people.coordinator)

    record = client.get(ended.get_absolute_url()).content.decode()
    listed = client.get("/nominals/", {"eligibility_ended": "on"}).content.decode()

    assert "No notification requirements, Notification Order or SHPO are in force today" in record
    assert ended.case_reference in listed
    assert cases.own.case_reference not in listed  # on life licence
    assert "1 person" in listed
    assert "in force today" not in client.get(cases.own.get_absolute_url()).content.decode()


def test_exit_offers_only_the_reasons_of_the_category_and_refuses_one_the_record_contradicts(
    people: People, cases: Cases
) -> None:
    client = client_for(people.coordinator)
    form = client.get(f"/nominals/{cases.own.case_reference}/exit/").content.decode()
    today = datetime.date.today()
    response = client.post(
        f"/nominals/{cases.own.case_reference}/exit/",
        {
            "reason": "licence_ended",
            **_date("date", today),
            "rationale": "Licence over",
            **_date("review_retention_on", today + datetime.timedelta(days=3000)),
            "confirm": "on",
        },
    )

    assert 'value="licence_ended"' in form
    assert 'value="notification_ended"' not in form  # Category 2
    assert response.status_code == 400
    assert "still in force" in response.content.decode()
    assert Nominal.objects.get(pk=cases.own.pk).status == "active"


def test_the_coordinator_records_a_new_episode_for_someone_who_exited(people: People, cases: Cases) -> None:
    from cases.services import nominal_exit

    today = datetime.date.today()
    nominal_exit(
        actor=people.coordinator,
        nominal=cases.own,
        reason="left_jurisdiction",
        date=today - datetime.timedelta(days=90),
        rationale="Moved to Scotland",
        review_retention_on=today + datetime.timedelta(days=3000),
    )
    client = client_for(people.coordinator)
    path = f"/nominals/{cases.own.case_reference}/new-episode/"
    data = {
        "conviction-offence_code": "harassment",
        **_date("conviction-conviction_date", today - datetime.timedelta(days=30)),
        "conviction-disposal": "conviction",
        "conviction-sentence_type": "community",
        "decision-category": "3",
        "decision-level": "2",
        **_date("decision-start", today),
        "decision-reason": "Returned to Kent; harassing a former partner",
    }

    refused = client.post(path, {**data, "decision-level": "1"})
    saved = client.post(path, data)

    assert refused.status_code == 400
    assert "only ever managed at Level 2 or 3" in refused.content.decode()
    assert saved.status_code == 302
    nominal = Nominal.objects.get(pk=cases.own.pk)
    assert (nominal.status, nominal.category, nominal.level, nominal.episodes.count()) == ("active", 3, 2, 2)
    assert client.get(path).status_code == 302  # a current case has no new episode to record
    summary = client.get(nominal.get_absolute_url()).content.decode()
    assert "Moved to Scotland" in summary
    assert "Returned to Kent" in summary


def test_only_coordinators_record_a_new_episode(people: People, cases: Cases) -> None:
    for user in (people.practitioner, people.housing_officer, people.auditor):
        assert client_for(user).get(f"/nominals/{cases.own.case_reference}/new-episode/").status_code in (403, 404)
