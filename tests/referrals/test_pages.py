"""Referral and screening pages: who gets in, bad input on every page, query counts."""

from __future__ import annotations

import datetime

import pytest

from agencies.models import Role
from cases.services import nominal_share
from mappa.audit.models import AuditEntry, AuditEvent
from referrals.models import Decision, PanelStatus, Referral, ReferralStatus, ScreeningPanel
from referrals.services import (
    panel_agenda_add,
    panel_create,
    panel_item_decide,
    panel_member_add,
    panel_set_status,
    referral_start,
    referral_submit,
)
from tests.conftest import People, client_for
from tests.factories import make_user
from tests.referrals.conftest import TODAY, make_referral

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def _submitted(people: People) -> Referral:
    referral = make_referral(people.housing_officer, lead_agency=people.police)
    return referral_submit(actor=people.housing_officer, referral=referral)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("housing_officer", 200),  # the referring agency
        ("coordinator", 200),
        ("practitioner", 404),  # another agency
        ("chair", 404),
        ("auditor", 404),
        ("administrator", 404),
        ("other_area_coordinator", 404),
    ],
)
def test_who_sees_a_submitted_referral(people: People, persona: str, status: int) -> None:
    referral = _submitted(people)

    response = client_for(getattr(people, persona)).get(f"/referrals/{referral.reference}/")

    assert response.status_code == status
    if status == 404:
        assert "Whitlock" not in response.content.decode()
        assert AuditEntry.objects.filter(event=AuditEvent.VIEW_REFUSED, object_pk=str(referral.pk)).exists()
    else:
        view = AuditEntry.objects.get(event=AuditEvent.VIEW, object_pk=str(referral.pk))
        assert view.actor == getattr(people, persona)


def test_another_user_of_the_referring_agency_sees_its_referrals(people: People) -> None:
    referral = _submitted(people)
    colleague = make_user("colleague", agency=people.housing, roles=(Role.DTC_STAFF,))

    assert client_for(colleague).get(f"/referrals/{referral.reference}/").status_code == 200
    assert referral.reference in client_for(colleague).get("/referrals/").content.decode()


def test_coordinators_do_not_see_drafts(people: People) -> None:
    draft = referral_start(actor=people.housing_officer)

    assert client_for(people.coordinator).get(f"/referrals/{draft.reference}/").status_code == 404


def test_victims_are_shown_to_the_referrer_and_the_unit_but_not_to_panel_members(people: People) -> None:
    referral = _submitted(people)
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    panel_member_add(
        actor=people.coordinator, panel=panel, agency=people.police, name="DS Field", user=people.practitioner
    )
    panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.OPEN)

    for persona, shown in (("housing_officer", True), ("coordinator", True), ("practitioner", False)):
        content = client_for(getattr(people, persona)).get(f"/referrals/{referral.reference}/").content.decode()
        assert ("refuge address" in content) is shown, persona


def test_panel_member_loses_the_referral_when_the_panel_closes_unless_the_nominal_is_shared(people: People) -> None:
    kept, lost = (
        referral_submit(
            actor=people.housing_officer, referral=make_referral(people.housing_officer, lead_agency=people.unit)
        )
        for _ in range(2)
    )
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    panel_member_add(actor=people.coordinator, panel=panel, agency=people.unit, name="Robin", user=people.coordinator)
    panel_member_add(actor=people.coordinator, panel=panel, agency=people.police, name="DS Field", user=people.chair)
    for referral in (kept, lost):
        panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)
    member = client_for(people.chair)  # a chair from Kent Police, recorded as present

    assert member.get(f"/referrals/{kept.reference}/").status_code == 404  # scheduled: not yet
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.OPEN)
    assert member.get(f"/referrals/{kept.reference}/").status_code == 200
    assert member.get(f"/referrals/{lost.reference}/").status_code == 200
    for item in panel.items.all():
        panel_item_decide(actor=people.coordinator, item=item, decision=Decision.ACCEPT_LEVEL_2, rationale="Agreed")
    kept.refresh_from_db()
    assert kept.nominal is not None
    nominal_share(actor=people.coordinator, nominal=kept.nominal, agency=people.police, include_restricted=False)
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.CLOSED)

    assert member.get(f"/referrals/{kept.reference}/").status_code == 200
    assert member.get(f"/referrals/{lost.reference}/").status_code == 404


@pytest.mark.parametrize("persona", ["chair", "practitioner", "housing_officer", "auditor", "administrator"])
def test_only_coordinators_reach_the_queue_and_panels(people: People, persona: str) -> None:
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    client = client_for(getattr(people, persona))

    assert client.get("/referrals/queue/").status_code == 403
    assert client.get("/screening/").status_code == 403
    assert client.get(f"/screening/{panel.pk}/").status_code == 404
    assert client.post(f"/screening/{panel.pk}/status/open/").status_code == 404


def test_other_areas_panel_is_not_found(people: People) -> None:
    panel = panel_create(actor=people.other_area_coordinator, area=people.other_area, date=TODAY)

    assert client_for(people.coordinator).get(f"/screening/{panel.pk}/").status_code == 404


def test_referrer_cannot_screen_and_coordinator_cannot_edit_someone_elses_referral(people: People) -> None:
    referral = _submitted(people)

    assert (
        client_for(people.housing_officer).get(f"/referrals/{referral.reference}/request-information/").status_code
        == 403
    )
    assert client_for(people.coordinator).get(f"/referrals/{referral.reference}/person/").status_code == 403


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("person", {"first_name": "", "last_name": "X"}, "Enter the person&#x27;s first name"),
        (
            "person",
            {
                "first_name": "A",
                "last_name": "B",
                "gender": "male",
                **_date("date_of_birth", datetime.date(2090, 1, 1)),
                "save_draft": "1",
            },
            "Date of birth must be in the past",
        ),
        (
            "person",
            {
                "first_name": "A",
                "last_name": "B",
                "gender": "male",
                "date_of_birth_0": "31",
                "date_of_birth_1": "2",
                "date_of_birth_2": "1990",
            },
            "Enter a real date",
        ),
        (
            "person",
            {"first_name": "A", "last_name": "B", "pnc_id": "nonsense", "save_draft": "1"},
            "Enter a PNC ID like",
        ),
        (
            "offending",
            {"category": "9", "outcome": "conviction", "location": "community"},
            "Select a mappa category shown in the list",
        ),
        (
            "offending",
            {"category": "2", "outcome": "conviction", "location": "community", "custodial_months": "many"},
            "Enter a whole number",
        ),
        ("risk", {"reason": ""}, "Explain the reason for the referral"),
        (
            "risk",
            {"reason": "x", **_date("risk_date", TODAY + datetime.timedelta(days=5))},
            "must be today or in the past",
        ),
        (
            "management",
            {"requested_level": "5", "multi_agency_value": "x"},
            "Select a requested level shown in the list",
        ),
    ],
)
def test_bad_input_on_each_question_page_is_explained_and_saves_nothing(
    people: People, step: str, data: dict[str, str], message: str
) -> None:
    referral = referral_start(actor=people.housing_officer)
    before = Referral.objects.values().get(pk=referral.pk)

    response = client_for(people.housing_officer).post(f"/referrals/{referral.reference}/{step}/", data)

    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    assert Referral.objects.values().get(pk=referral.pk) == before


def test_save_as_draft_keeps_partial_answers(people: People) -> None:
    referral = referral_start(actor=people.housing_officer)

    response = client_for(people.housing_officer).post(
        f"/referrals/{referral.reference}/person/", {"last_name": "Partial", "save_draft": "1"}
    )

    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).last_name == "Partial"


def test_check_answers_lists_what_stops_submission(people: People) -> None:
    referral = make_referral(people.housing_officer, lead_agency=people.police, outcome="none")

    response = client_for(people.housing_officer).post(f"/referrals/{referral.reference}/check/")

    content = response.content.decode()
    assert response.status_code == 400
    assert "MARAC" in content
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("request-information/", {"message": ""}, "Enter the what do you need to know?"),
        ("withdraw/", {"reason": "Moved"}, "Confirm that the referral will not be screened"),
    ],
)
def test_bad_input_on_referral_actions(people: People, path: str, data: dict[str, str], message: str) -> None:
    referral = _submitted(people)

    response = client_for(people.coordinator).post(f"/referrals/{referral.reference}/{path}", data)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SUBMITTED


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("members/", {"agency": "", "name": "X"}),
        ("members/", {"agency": "1", "name": ""}),
        ("agenda/", {"referral": "999999"}),
    ],
)
def test_bad_input_on_panel_forms(people: People, path: str, data: dict[str, str]) -> None:
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)

    response = client_for(people.coordinator).post(f"/screening/{panel.pk}/{path}", data)

    assert response.status_code == 400
    assert "govuk-error-message" in response.content.decode()
    assert not panel.members.exists()
    assert not panel.items.exists()


def test_decision_form_needs_a_rationale(people: People) -> None:
    referral = _submitted(people)
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    panel_member_add(actor=people.coordinator, panel=panel, agency=people.unit, name="Robin", user=None)
    item = panel_agenda_add(actor=people.coordinator, panel=panel, referral=referral)
    panel_set_status(actor=people.coordinator, panel=panel, status=PanelStatus.OPEN)

    response = client_for(people.coordinator).post(
        f"/screening/{panel.pk}/items/{item.pk}/decision/", {"decision": "accept_level_2", "rationale": ""}
    )

    assert response.status_code == 400
    assert "Enter the rationale" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SUBMITTED


def test_panel_on_a_day_that_already_has_one_is_refused(people: People) -> None:
    panel_create(actor=people.coordinator, area=people.area, date=TODAY)

    response = client_for(people.coordinator).post("/screening/new/", _date("date", TODAY))

    assert response.status_code == 400
    assert "There is already a screening panel on that day" in response.content.decode()
    assert ScreeningPanel.objects.count() == 1


def test_queue_runs_a_constant_number_of_queries(
    people: People, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _submitted(people)
    client = client_for(people.coordinator)
    client.get("/referrals/queue/")
    with django_assert_max_num_queries(40) as baseline:  # counted, then held constant below
        client.get("/referrals/queue/")
    for _ in range(8):
        _submitted(people)
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get("/referrals/queue/")


def test_panel_page_runs_a_constant_number_of_queries(
    people: People, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    panel = panel_create(actor=people.coordinator, area=people.area, date=TODAY)
    panel_member_add(actor=people.coordinator, panel=panel, agency=people.unit, name="Robin", user=None)
    panel_agenda_add(actor=people.coordinator, panel=panel, referral=_submitted(people))
    client = client_for(people.coordinator)
    client.get(f"/screening/{panel.pk}/")
    with django_assert_max_num_queries(40) as baseline:  # counted, then held constant below
        client.get(f"/screening/{panel.pk}/")
    for _ in range(6):
        panel_agenda_add(actor=people.coordinator, panel=panel, referral=_submitted(people))
        panel_member_add(actor=people.coordinator, panel=panel, agency=people.police, name="Another", user=None)
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get(f"/screening/{panel.pk}/")


def test_agency_referral_list_runs_a_constant_number_of_queries(
    people: People, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _submitted(people)
    client = client_for(people.housing_officer)
    client.get("/referrals/")
    with django_assert_max_num_queries(40) as baseline:  # counted, then held constant below
        client.get("/referrals/")
    for _ in range(5):
        _submitted(people)
    with django_assert_num_queries(len(baseline.captured_queries)):
        client.get("/referrals/")
