"""The partner API at its edges: what it must not reveal, input that must not reach the database,
races, and the system's account."""

from __future__ import annotations

import datetime
import hashlib
import threading
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from agencies.models import Role
from agencies.services import user_save
from cases.models import Category, Event, EventKind, ExitReason, Nominal
from cases.services import nominal_exit
from mappa.audit.models import AuditEntry, AuditEvent
from partners.models import IdempotentRequest, PartnerSystem
from partners.services import idempotency_keys_forget, partner_update
from tests.conftest import People
from tests.nominal_fixtures import Cases
from tests.partners.test_api import Partner, api_entries, custody, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> None:
    cache.clear()


@pytest.fixture
def kent(people: People) -> Partner:
    return register(people)


def test_the_token_is_kept_as_its_sha256(kent: Partner) -> None:
    assert PartnerSystem.objects.get(pk=kent.system.pk).token_hash == hashlib.sha256(kent.token.encode()).hexdigest()


def test_no_answer_tells_whether_someone_out_of_sight_holds_an_identifier(
    people: People, kent: Partner, cases: Cases
) -> None:
    Nominal.objects.filter(pk=cases.category4.pk).update(prison_number="A1111AA")
    Nominal.objects.filter(pk=cases.other_area.pk).update(prison_number="B2222BB")

    for hidden in (cases.category4, cases.other_area):
        hidden.refresh_from_db()
        alone = kent.call("GET", f"/nominals/lookup?crn={hidden.crn}")
        paired = kent.call("GET", f"/nominals/lookup?crn={hidden.crn}&prison_number=Z9999ZZ")
        assert (alone.status_code, paired.status_code) == (404, 404)
    # Beside a person the system sees, someone else's prison number is simply not theirs to know.
    beside = kent.call("GET", f"/nominals/lookup?crn={cases.own.crn}&prison_number=A1111AA")
    assert beside.status_code == 200


def test_category_4_is_never_written_by_a_partner_system(people: People, kent: Partner, cases: Cases) -> None:
    reported = kent.call("POST", "/custody-reports", custody(cases.category4), **{"Idempotency-Key": "key-00000001"})
    moved = kent.call(
        "PUT",
        f"/nominals/{cases.category4.case_reference}/lead-agency",
        {"agency_id": people.unit.pk},
        **{"Idempotency-Key": "key-00000002", "If-Match": f'"{cases.category4.version}"'},
    )
    assert (reported.status_code, moved.status_code) == (404, 404)
    assert not Event.objects.filter(nominal=cases.category4).exists()


def test_a_replay_is_refused_once_the_system_may_no_longer_see_the_person(kent: Partner, cases: Cases) -> None:
    report = custody(cases.own)
    first = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})
    Nominal.objects.filter(pk=cases.own.pk).update(category=Category.TERRORISM)

    again = kent.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"})

    assert (first.status_code, again.status_code) == (201, 404)
    assert [entry.nominal_id for entry in sorted(api_entries(kent), key=lambda e: e.pk)] == [cases.own.pk, None]


def test_a_replay_is_audited_under_the_person(kent: Partner, cases: Cases) -> None:
    for _ in range(2):
        kent.call("POST", "/custody-reports", custody(cases.own), **{"Idempotency-Key": "key-00000001"})
    entries = sorted(api_entries(kent), key=lambda e: e.pk)
    assert [(e.nominal_id, e.additional_data["replayed"]) for e in entries] == [
        (cases.own.pk, False),
        (cases.own.pk, True),
    ]


def test_a_person_who_has_exited_is_not_reported_on(people: People, kent: Partner, cases: Cases) -> None:
    nominal_exit(
        actor=people.coordinator,
        nominal=cases.own,
        reason=ExitReason.DIED,
        date=timezone.localdate(),
        rationale="Died",
        review_retention_on=timezone.localdate() + datetime.timedelta(days=3000),
    )
    response = kent.call("POST", "/custody-reports", custody(cases.own), **{"Idempotency-Key": "key-00000001"})
    assert response.status_code == 422
    assert not Event.objects.filter(nominal=cases.own).exists()


def test_an_expected_release_for_someone_released_since_is_refused_whole(kent: Partner, cases: Cases) -> None:
    start = timezone.localdate() - datetime.timedelta(days=90)
    released = custody(cases.own, custody_start=start.isoformat(), expected_release_date=None)
    released["released_on"] = (start + datetime.timedelta(days=30)).isoformat()
    kent.call("POST", "/custody-reports", released, **{"Idempotency-Key": "key-00000001"})

    earlier = custody(cases.own, custody_start=(start - datetime.timedelta(days=400)).isoformat())
    response = kent.call("POST", "/custody-reports", earlier, **{"Idempotency-Key": "key-00000002"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expected_release_date"
    assert Event.objects.filter(nominal=cases.own).count() == 2


def test_a_custody_already_begun_by_a_recall_is_not_recorded_again(people: People, kent: Partner, cases: Cases) -> None:
    from cases.services import event_record

    start = timezone.localdate() - datetime.timedelta(days=10)
    event_record(actor=people.coordinator, nominal=cases.own, values={"kind": EventKind.RECALL, "date": start})

    response = kent.call(
        "POST",
        "/custody-reports",
        custody(cases.own, custody_start=start.isoformat()),
        **{"Idempotency-Key": "key-00000001"},
    )

    assert response.json()["recorded"] == ["expected_release_date"]
    assert Event.objects.filter(nominal=cases.own).count() == 1


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/nominals/lookup?crn=X123456&x=%00", {}),
        ("/releases?from=9999-12-31", {}),
        ("/releases?from=0", {}),
    ],
)
def test_awkward_reads_are_answered_without_a_server_error(kent: Partner, path: str, headers: dict[str, str]) -> None:
    response = kent.call("GET", path, **headers)
    assert response.status_code in (200, 404, 422)
    assert api_entries(kent)


def test_awkward_writes_are_refused_without_a_server_error(people: People, kent: Partner, cases: Cases) -> None:
    nul = kent.call(
        "POST", "/custody-reports", custody(cases.own, establishment="HMP\u0000"), **{"Idempotency-Key": "key-00000001"}
    )
    digit = kent.call(
        "PUT",
        f"/nominals/{cases.own.case_reference}/lead-agency",
        {"agency_id": people.unit.pk},
        **{"Idempotency-Key": "key-00000002", "If-Match": '"\u00b2"'},
    )
    garbage = Client().post(
        "/api/v1/custody-reports",
        data=b"\xff\xfe{",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {kent.token}",
        HTTP_IDEMPOTENCY_KEY="key-00000003",
    )
    assert (nul.status_code, digit.status_code, garbage.status_code) == (422, 412, 400)
    assert garbage["Content-Type"] == "application/problem+json"
    assert not Event.objects.filter(nominal=cases.own).exists()


def test_a_method_the_operation_does_not_answer_is_a_problem_and_audited(kent: Partner) -> None:
    response = kent.call("DELETE", "/agencies")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert [entry.additional_data["status"] for entry in api_entries(kent)] == [405]


def test_a_call_that_fails_inside_is_still_audited(kent: Partner, monkeypatch: pytest.MonkeyPatch) -> None:
    import partners.api

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(partners.api, "AgencyOut", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {kent.token}")

    assert response.status_code == 500
    assert [entry.additional_data["status"] for entry in api_entries(kent)] == [500]


def test_the_rate_holds_when_the_count_was_evicted_mid_minute(people: People) -> None:
    partner = register(people, requests_per_minute=2)
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        partner.call("GET", "/agencies")
        cache.clear()
        answers = [partner.call("GET", "/agencies").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_the_systems_account_never_signs_in_and_takes_no_role(people: People, kent: Partner) -> None:
    account = kent.system.account
    account.set_password("a-long-enough-password-2026")
    account.save()

    signed_in = Client().post("/sign-in/", {"username": account.username, "password": "a-long-enough-password-2026"})

    assert signed_in.status_code == 200  # the sign-in page again, refusing
    assert "_auth_user_id" not in Client().session
    with pytest.raises(Exception, match="holds no role"):
        user_save(actor=people.administrator, user=account, roles=[Role.COORDINATOR])
    assert not account.role_grants.exists()


def test_a_tokens_life_is_extended_only_by_a_new_token(people: People, kent: Partner) -> None:
    with pytest.raises(Exception, match="needs a new token"):
        partner_update(
            actor=people.administrator,
            partner=kent.system,
            scopes=kent.system.scopes,
            expires_at=kent.system.expires_at + datetime.timedelta(days=1),
            requests_per_minute=10,
        )
    shorter = partner_update(
        actor=people.administrator,
        partner=kent.system,
        scopes=kent.system.scopes,
        expires_at=kent.system.expires_at - datetime.timedelta(days=1),
        requests_per_minute=10,
    )
    assert shorter.requests_per_minute == 10


def test_kept_answers_are_forgotten_after_thirty_days(kent: Partner, cases: Cases) -> None:
    kent.call("POST", "/custody-reports", custody(cases.own), **{"Idempotency-Key": "key-00000001"})

    assert idempotency_keys_forget(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert idempotency_keys_forget(now=timezone.now() + datetime.timedelta(days=31)) == 1
    assert not IdempotentRequest.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_systems_reporting_the_same_custody_at_once_record_it_once(people: People, cases: Cases) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks")
    prison, probation = register(people), register(people)
    report = custody(cases.own)
    answers: list[int] = []
    barrier = threading.Barrier(2)

    def send(partner: Partner) -> None:
        barrier.wait()
        try:
            answers.append(
                partner.call("POST", "/custody-reports", report, **{"Idempotency-Key": "key-00000001"}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(partner,)) for partner in (prison, probation)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200, 201]
    assert Event.objects.filter(nominal=cases.own, kind=EventKind.CUSTODY).count() == 1
    assert AuditEntry.objects.filter(event=AuditEvent.API_CALL).count() == 2
    with transaction.atomic():
        assert Nominal.objects.get(pk=cases.own.pk).location == "custody"
