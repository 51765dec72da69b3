"""What the audit log keeps of nominal records: changes with diffs (restricted fields masked), every
view with its ground, every search with its terms, shares and exports."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Nominal
from cases.services import nominal_update
from mappa.audit.models import AuditEntry, AuditEvent
from tests.conftest import People, client_for
from tests.nominal_fixtures import Cases, make_nominal

pytestmark = pytest.mark.django_db


def test_creating_a_nominal_is_logged_with_its_fields_and_restricted_ones_masked(people: People) -> None:
    nominal = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, last_name="Audited")

    entry = AuditEntry.objects.get(event=AuditEvent.CREATE, content_type__model="nominal", object_pk=str(nominal.pk))
    assert entry.actor == people.coordinator
    assert entry.object_repr == nominal.case_reference
    assert entry.nominal_id == nominal.pk
    assert entry.changes["last_name"] == [None, "Audited"]
    assert entry.changes["address"][1] == "[restricted]"
    assert "Secret Street" not in str(entry.changes)
    assert "Victim" not in str(entry.changes)
    # The index conviction and the category and level histories are filed under the nominal too.
    models = set(AuditEntry.objects.filter(nominal_id=nominal.pk).values_list("content_type__model", flat=True))
    assert {"nominal", "conviction", "categoryperiod", "levelperiod"} <= models


def test_changing_a_nominal_is_logged_as_a_diff(people: People, cases: Cases) -> None:
    nominal_update(
        actor=people.coordinator,
        nominal=cases.own,
        details={"ethnicity": "White British", "address": "1 New Road"},
        expected_version=cases.own.version,
    )

    entry = AuditEntry.objects.filter(event=AuditEvent.CHANGE, object_pk=str(cases.own.pk)).latest("pk")
    assert entry.actor == people.coordinator
    assert entry.changes["ethnicity"] == ["", "White British"]
    assert entry.changes["address"] == ["[restricted]", "[restricted]"]
    assert set(entry.changes) == {"ethnicity", "address"}


@pytest.mark.parametrize(
    ("persona", "ground"),
    [
        ("coordinator", "Co-ordinator in Kent and Medway"),
        ("practitioner", "Lead agency (Kent Police)"),
    ],
)
def test_each_page_view_is_logged_with_its_ground(people: People, cases: Cases, persona: str, ground: str) -> None:
    user = getattr(people, persona)
    client = client_for(user)

    for tab in ["", "orders-and-events/", "risk/", "history/"]:
        client.get(f"/nominals/{cases.own.case_reference}/{tab}")

    views = AuditEntry.objects.filter(event=AuditEvent.VIEW, actor=user, nominal_id=cases.own.pk)
    assert views.count() == 4
    assert set(views.values_list("ground", flat=True)) == {ground}
    assert {entry.additional_data["page"] for entry in views} == {"summary", "records", "risk", "history"}


def test_shared_view_is_logged_with_the_share_as_ground(people: People, cases: Cases) -> None:
    client_for(people.housing_officer).get(f"/nominals/{cases.shared.case_reference}/")

    view = AuditEntry.objects.get(event=AuditEvent.VIEW, actor=people.housing_officer)
    assert view.ground == "Shared with Maidstone Housing"


def test_searches_are_logged_with_their_terms_and_the_people_they_showed(people: People, cases: Cases) -> None:
    client = client_for(people.coordinator)
    before = AuditEntry.objects.count()

    client.get("/nominals/", {"q": "Sharland", "category": "2"})

    search = AuditEntry.objects.get(event=AuditEvent.SEARCH)
    assert AuditEntry.objects.count() == before + 1  # the search and what it showed, in one entry
    assert search.actor == people.coordinator
    assert search.additional_data["terms"] == "Sharland"
    assert search.additional_data["filters"]["category"] == "2"
    assert search.additional_data["shown"] == [cases.shared.pk]


def test_browsing_without_search_terms_is_not_a_search(people: People, cases: Cases) -> None:
    client_for(people.coordinator).get("/nominals/", {"category": "2", "sort": "name"})

    assert not AuditEntry.objects.filter(event=AuditEvent.SEARCH).exists()
    listed = AuditEntry.objects.get(event=AuditEvent.VIEW, actor=people.coordinator)
    assert listed.additional_data["page"] == "nominal list"
    assert listed.additional_data["shown"] == [cases.own.pk, cases.shared.pk, cases.unshared.pk]


def test_export_is_logged_as_a_disclosure_of_each_nominal(people: People, cases: Cases) -> None:
    response = client_for(people.coordinator).get("/nominals/export.csv")
    b"".join(response.streaming_content)

    disclosed = AuditEntry.objects.filter(event=AuditEvent.DISCLOSURE, actor=people.coordinator)
    assert set(disclosed.values_list("nominal_id", flat=True)) == {
        cases.own.pk,
        cases.shared.pk,
        cases.category4.pk,
        cases.unshared.pk,
    }
    assert {entry.additional_data["recipient"] for entry in disclosed} == {"coordinator"}


def test_sharing_and_unsharing_are_logged_as_permission_changes(people: People, cases: Cases) -> None:
    client = client_for(people.coordinator)
    reference = cases.own.case_reference

    client.post(f"/nominals/{reference}/shares/", {"agency": people.housing.pk, "include_restricted": "on"})
    client.post(f"/nominals/{reference}/shares/{people.housing.pk}/revoke/")

    granted = AuditEntry.objects.filter(event=AuditEvent.PERMISSION_GRANTED, nominal_id=cases.own.pk).get()
    revoked = AuditEntry.objects.filter(event=AuditEvent.PERMISSION_REVOKED, nominal_id=cases.own.pk).get()
    assert granted.actor == revoked.actor == people.coordinator
    assert granted.additional_data == {
        "agency": "Maidstone Housing",
        "agency_id": people.housing.pk,
        "include_restricted": True,
    }
    assert client_for(people.housing_officer).get(f"/nominals/{reference}/").status_code == 404


def test_who_viewed_tab_lists_views_and_changes_for_coordinators_only(people: People, cases: Cases) -> None:
    client_for(people.practitioner).get(f"/nominals/{cases.own.case_reference}/")

    coordinator_view = client_for(people.coordinator).get(f"/nominals/{cases.own.case_reference}/audit/")
    practitioner_view = client_for(people.practitioner).get(f"/nominals/{cases.own.case_reference}/audit/")

    assert coordinator_view.status_code == 200
    content = coordinator_view.content.decode()
    assert "Practitioner Tester" in content
    assert "Lead agency (Kent Police)" in content
    assert practitioner_view.status_code == 403


def test_restricted_details_never_reach_the_audit_log(people: People, cases: Cases) -> None:
    nominal = Nominal.objects.get(pk=cases.own.pk)
    nominal_update(
        actor=people.coordinator,
        nominal=nominal,
        details={"restricted_notes": "New partner has two children", "date_of_birth": datetime.date(1980, 5, 18)},
        expected_version=nominal.version,
    )

    logged = " ".join(str(entry.changes) for entry in AuditEntry.objects.filter(nominal_id=nominal.pk))
    assert "two children" not in logged
    assert "Secret Street" not in logged
