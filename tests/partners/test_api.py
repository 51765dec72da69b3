"""The partner API: tokens, scopes, areas, idempotency, concurrency and the audit of every call."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from cases.models import Event, EventKind, Location, Nominal
from mappa.audit.models import AuditEntry, AuditEvent
from partners.models import IdempotentRequest, PartnerSystem, Scope
from partners.services import partner_register, partner_renew_token, partner_revoke
from tests.conftest import People, client_for
from tests.factories import AgencyFactory
from tests.nominal_fixtures import Cases

pytestmark = pytest.mark.django_db

ALL_SCOPES = list(Scope.values)


@dataclass
class Partner:
    system: PartnerSystem
    token: str

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **extra}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(Client(), method.lower())(f"/api/v1{path}", **kwargs)


def register(people: People, agency: Agency | None = None, scopes: Iterable[str] = ALL_SCOPES, **terms: Any) -> Partner:
    issued = partner_register(
        actor=people.administrator,
        name=f"Prison feed {PartnerSystem.objects.count() + 1}",
        agency=agency or people.police,
        scopes=scopes,
        expires_at=terms.pop("expires_at", timezone.now() + datetime.timedelta(days=90)),
        **terms,
    )
    return Partner(issued.partner, issued.token)


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> None:
    cache.clear()


@pytest.fixture
def kent(people: People) -> Partner:
    return register(people)


def custody(nominal: Nominal, **values: Any) -> dict[str, Any]:
    start = timezone.localdate() - datetime.timedelta(days=30)
    return {
        "identifiers": {"crn": nominal.crn},
        "custody_start": start.isoformat(),
        "expected_release_date": (start + datetime.timedelta(days=200)).isoformat(),
        "establishment": "HMP Example",
        **values,
    }


def api_entries(partner: Partner) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(actor=partner.system.account, event__in=[AuditEvent.API_CALL, AuditEvent.API_REFUSED])
    )


# Tokens -----------------------------------------------------------------------------------------


def test_the_token_is_stored_only_as_its_hash(people: People, kent: Partner) -> None:
    stored = PartnerSystem.objects.get(pk=kent.system.pk)
    assert kent.token not in (stored.token_hash, stored.token_prefix)
    assert kent.token.startswith(f"mappa_{stored.token_prefix}_")
    assert kent.call("GET", "/agencies").status_code == 200


def test_a_call_without_a_token_is_refused_with_a_problem_and_no_redirect_to_sign_in() -> None:
    response = Client().get("/api/v1/agencies")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "urn:mappa:problem:unauthenticated"


def test_a_wrong_token_is_refused(kent: Partner) -> None:
    wrong = Partner(kent.system, kent.token[:-4] + "abcd")
    assert wrong.call("GET", "/agencies").status_code == 401


def test_a_revoked_token_gets_401_and_the_refusal_is_audited(people: People, kent: Partner) -> None:
    partner_revoke(actor=people.administrator, partner=kent.system)

    response = kent.call("GET", "/agencies")

    assert response.status_code == 401
    assert response.json()["detail"] == "The token has been revoked."
    [entry] = api_entries(kent)
    assert entry.event == AuditEvent.API_REFUSED
    assert entry.additional_data["status"] == 401


def test_an_expired_token_gets_401(people: People) -> None:
    partner = register(people, expires_at=timezone.now() + datetime.timedelta(days=1))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        response = partner.call("GET", "/agencies")
    assert response.status_code == 401
    assert response.json()["detail"] == "The token has expired."


def test_a_renewed_token_replaces_the_old_one(people: People, kent: Partner) -> None:
    renewed = partner_renew_token(
        actor=people.administrator, partner=kent.system, expires_at=timezone.now() + datetime.timedelta(days=30)
    )
    assert kent.call("GET", "/agencies").status_code == 401
    assert Partner(renewed.partner, renewed.token).call("GET", "/agencies").status_code == 200


def test_a_signed_in_persons_session_is_no_credential_for_the_api(people: People) -> None:
    response = client_for(people.administrator).get("/api/v1/agencies")
    assert response.status_code == 401


def test_a_system_without_the_scope_is_refused_with_403(people: People, cases: Cases) -> None:
    reader = register(people, scopes=[Scope.READ_REFERENCES])

    response = reader.call("POST", "/custody-reports", custody(cases.own), **{"Idempotency-Key": "key-00000001"})

    assert response.status_code == 403
    assert response.json()["type"] == "urn:mappa:problem:scope"
    assert not Event.objects.filter(nominal=cases.own).exists()


# Areas ------------------------------------------------------------------------------------------


def test_a_system_of_one_area_cannot_read_another_areas_nominals(people: People, cases: Cases) -> None:
    sussex = register(
        people, agency=AgencyFactory(area=people.other_area, name="Sussex Police", kind=AgencyKind.POLICE)
    )

    assert sussex.call("GET", f"/nominals/lookup?crn={cases.own.crn}").status_code == 404
    assert sussex.call("GET", f"/nominals/lookup?crn={cases.other_area.crn}").status_code == 200


def test_a_system_of_one_area_cannot_write_another_areas_nominals(people: People, cases: Cases) -> None:
    sussex = register(
        people, agency=AgencyFactory(area=people.other_area, name="Sussex Police", kind=AgencyKind.POLICE)
    )

    reported = sussex.call("POST", "/custody-reports", custody(cases.own), **{"Idempotency-Key": "key-00000001"})
    moved = sussex.call(
        "PUT",
        f"/nominals/{cases.own.case_reference}/lead-agency",
        {"agency_id": people.unit.pk},
        **{"Idempotency-Key": "key-00000002", "If-Match": f'"{cases.own.version}"'},
    )

    assert (reported.status_code, moved.status_code) == (404, 404)
    own = Nominal.objects.get(pk=cases.own.pk)
    assert (own.location, own.lead_agency_id, own.version) == (Location.COMMUNITY, people.police.pk, cases.own.version)


def test_category_4_is_never_visible_to_a_partner_system(kent: Partner, cases: Cases) -> None:
    assert kent.call("GET", f"/nominals/lookup?crn={cases.category4.crn}").status_code == 404


def test_the_lookup_shows_the_category_and_level_only_with_the_mappa_scope(people: People, cases: Cases) -> None:
    references = register(people, scopes=[Scope.READ_REFERENCES])
    mappa = register(people, scopes=[Scope.READ_MAPPA])

    plain = references.call("GET", f"/nominals/lookup?crn={cases.own.crn}")
    full = mappa.call("GET", f"/nominals/lookup?crn={cases.own.crn}")

    assert plain.json()["mappa"] is None
    assert full.json()["mappa"] == {"category": 2, "level": 1, "status": "active"}
    assert full["ETag"] == f'"{cases.own.version}"'


def test_identifiers_that_name_two_people_are_a_409_conflict(kent: Partner, cases: Cases) -> None:
    Nominal.objects.filter(pk=cases.shared.pk).update(prison_number="A1234BC")

    response = kent.call("GET", f"/nominals/lookup?crn={cases.own.crn}&prison_number=A1234BC")

    assert response.status_code == 409
    assert response.json()["type"] == "urn:mappa:problem:ambiguous-match"


# Custody ----------------------------------------------------------------------------------------


def test_a_custody_report_records_the_custody_and_the_expected_release(kent: Partner, cases: Cases) -> None:
    report = custody(cases.own)

    response = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})

    assert response.status_code == 201, response.content
    own = Nominal.objects.get(pk=cases.own.pk)
    assert own.location == Location.CUSTODY
    assert own.expected_release_date.isoformat() == report["expected_release_date"]
    event = Event.objects.get(nominal=own)
    assert (event.kind, event.recorded_by) == (EventKind.CUSTODY, kent.system.account)
    assert response.json()["recorded"] == ["custody", "expected_release_date"]
    assert response["ETag"] == f'"{own.version}"'


def test_replaying_an_idempotency_key_changes_nothing(kent: Partner, cases: Cases) -> None:
    report = custody(cases.own)
    first = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})
    version = Nominal.objects.get(pk=cases.own.pk).version
    changes = AuditEntry.objects.exclude(event__in=[AuditEvent.API_CALL]).count()

    again = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})

    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Event.objects.filter(nominal=cases.own).count() == 1
    assert Nominal.objects.get(pk=cases.own.pk).version == version
    assert AuditEntry.objects.exclude(event__in=[AuditEvent.API_CALL]).count() == changes


def test_reusing_a_key_for_another_request_is_refused(kent: Partner, cases: Cases) -> None:
    kent.call("POST", "/custody-reports", custody(cases.own), **{"Idempotency-Key": "key-00000001"})

    other = kent.call("POST", "/custody-reports", custody(cases.unshared), **{"Idempotency-Key": "key-00000001"})

    assert other.status_code == 422
    assert other.json()["type"] == "urn:mappa:problem:idempotency-key-reused"
    assert not Event.objects.filter(nominal=cases.unshared).exists()


def test_the_same_report_under_a_new_key_records_nothing_new(kent: Partner, cases: Cases) -> None:
    report = custody(cases.own)
    kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})

    again = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000002"})

    assert again.status_code == 200
    assert again.json()["recorded"] == []
    assert Event.objects.filter(nominal=cases.own).count() == 1


def test_a_write_without_an_idempotency_key_is_refused(kent: Partner, cases: Cases) -> None:
    response = kent.call("POST", "/custody-reports", custody(cases.own))
    assert response.status_code == 422
    assert not Event.objects.filter(nominal=cases.own).exists()


def test_a_release_moves_the_person_back_to_the_community(kent: Partner, cases: Cases) -> None:
    start = timezone.localdate() - datetime.timedelta(days=60)
    report = custody(cases.own, custody_start=start.isoformat(), expected_release_date=None)
    report["released_on"] = (start + datetime.timedelta(days=20)).isoformat()

    response = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})

    assert response.status_code == 201
    assert response.json()["location"] == Location.COMMUNITY
    assert list(Event.objects.filter(nominal=cases.own).order_by("date").values_list("kind", flat=True)) == [
        EventKind.CUSTODY,
        EventKind.RELEASE,
    ]


def test_a_report_the_rules_refuse_is_a_problem_naming_the_field_and_changes_nothing(
    kent: Partner, cases: Cases
) -> None:
    report = custody(cases.own, custody_start=(timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    report["expected_release_date"] = (timezone.localdate() + datetime.timedelta(days=300)).isoformat()

    response = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date"
    assert not Event.objects.filter(nominal=cases.own).exists()
    assert not IdempotentRequest.objects.exists()


def test_malformed_input_is_a_422_problem(kent: Partner, cases: Cases) -> None:
    response = kent.call(
        "POST",
        "/custody-reports",
        {"identifiers": {"crn": "not a crn"}, "custody_start": "yesterday"},
        **{"Idempotency-Key": "key-00000001"},
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} >= {"body.report.identifiers.crn"}


# Lead agency and versions -----------------------------------------------------------------------


def test_a_lead_agency_change_needs_the_current_version(people: People, kent: Partner, cases: Cases) -> None:
    path = f"/nominals/{cases.own.case_reference}/lead-agency"
    body = {"agency_id": people.unit.pk}

    missing = kent.call("PUT", path, body, **{"Idempotency-Key": "key-00000001"})
    stale = kent.call(
        "PUT", path, body, **{"Idempotency-Key": "key-00000002", "If-Match": f'"{cases.own.version - 1}"'}
    )
    current = kent.call("PUT", path, body, **{"Idempotency-Key": "key-00000003", "If-Match": f'"{cases.own.version}"'})

    assert (missing.status_code, stale.status_code, current.status_code) == (422, 412, 200)
    assert Nominal.objects.get(pk=cases.own.pk).lead_agency == people.unit
    assert current["ETag"] == f'"{cases.own.version + 1}"'


def test_a_lead_agency_of_another_area_is_refused(people: People, kent: Partner, cases: Cases) -> None:
    sussex = people.other_area_coordinator.agency
    response = kent.call(
        "PUT",
        f"/nominals/{cases.own.case_reference}/lead-agency",
        {"agency_id": sussex.pk},
        **{"Idempotency-Key": "key-00000001", "If-Match": f'"{cases.own.version}"'},
    )
    assert response.status_code == 422
    assert Nominal.objects.get(pk=cases.own.pk).lead_agency == people.police


# Lists, rate and audit --------------------------------------------------------------------------


def test_expected_releases_are_listed_a_page_at_a_time(kent: Partner, cases: Cases) -> None:
    for index, nominal in enumerate([cases.own, cases.shared, cases.unshared]):
        release = timezone.localdate() + datetime.timedelta(days=30 + index)
        kent.call(
            "POST",
            "/custody-reports",
            custody(nominal, expected_release_date=release.isoformat()),
            **{"Idempotency-Key": f"key-0000000{index}"},
        )

    first = kent.call("GET", "/releases?page_size=2").json()
    second = kent.call("GET", "/releases?page_size=2&page=2").json()

    assert (first["count"], first["next_page"], second["next_page"]) == (3, 2, None)
    listed = [row["case_reference"] for row in first["results"] + second["results"]]
    assert listed == [cases.own.case_reference, cases.shared.case_reference, cases.unshared.case_reference]


def test_a_system_is_held_to_its_rate(people: People) -> None:
    partner = register(people, requests_per_minute=3)
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        answers = [partner.call("GET", "/agencies").status_code for _ in range(4)]
        refused = partner.call("GET", "/agencies")
    assert answers == [200, 200, 200, 429]
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "55"


def test_every_call_is_an_audit_entry_naming_the_system(people: People, kent: Partner, cases: Cases) -> None:
    kent.call("GET", f"/nominals/lookup?crn={cases.own.crn}")
    kent.call("GET", "/nominals/lookup?crn=X999999")
    kent.call("POST", "/custody-reports", custody(cases.own), **{"Idempotency-Key": "key-00000001"})
    kent.call("GET", "/releases")

    entries = sorted(api_entries(kent), key=lambda entry: entry.pk)

    assert [(e.additional_data["operation"], e.additional_data["status"]) for e in entries] == [
        ("nominal-lookup", 200),
        ("nominal-lookup", 404),
        ("custody-report", 201),
        ("release-list", 200),
    ]
    assert all(e.additional_data["partner"] == kent.system.name for e in entries)
    assert entries[0].nominal_id == cases.own.pk
    assert entries[3].additional_data["shown"] == [cases.own.pk]
    changed = AuditEntry.objects.filter(event=AuditEvent.CREATE, nominal_id=cases.own.pk, actor=kent.system.account)
    assert changed.exists()
