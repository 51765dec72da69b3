"""Signing in and out, and what the audit log keeps of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from mappa.audit.models import AuditEntry, AuditEvent
from tests.conftest import People, client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str, **extra: Any):
    return client.post("/sign-in/", {"username": username, "password": password}, **extra)


def test_successful_sign_in_is_audited_with_time_user_and_address(people: People) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")

    response = _sign_in(client, "coordinator", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    entry = AuditEntry.objects.get(event=AuditEvent.SIGN_IN)
    assert entry.actor == people.coordinator
    assert entry.remote_addr == "203.0.113.7"
    assert entry.object_pk == str(people.coordinator.pk)
    assert entry.timestamp is not None


def test_failed_sign_in_is_audited_with_the_attempted_username(people: People) -> None:
    response = _sign_in(Client(REMOTE_ADDR="198.51.100.4"), "coordinator", "wrong password")

    assert response.status_code == 200
    entry = AuditEntry.objects.get(event=AuditEvent.SIGN_IN_FAILED)
    assert entry.actor is None
    assert entry.attempted_username == "coordinator"
    assert entry.remote_addr == "198.51.100.4"
    assert entry.object_pk == str(people.coordinator.pk)
    assert "wrong password" not in str(entry.additional_data) + entry.object_repr


def test_failed_sign_in_for_unknown_username_is_audited(people: People) -> None:
    _sign_in(Client(), "nobody-by-this-name", "whatever-it-is")

    entry = AuditEntry.objects.get(event=AuditEvent.SIGN_IN_FAILED)
    assert entry.attempted_username == "nobody-by-this-name"
    assert entry.object_pk == ""


def test_failed_sign_in_does_not_reveal_whether_the_username_exists(people: People) -> None:
    people.housing_officer.is_active = False
    people.housing_officer.save()

    known = _sign_in(Client(), "coordinator", "wrong password")
    unknown = _sign_in(Client(), "no-such-user", "wrong password")
    inactive = _sign_in(Client(), "housing", PASSWORD)

    def body(response) -> str:
        # The CSRF token differs per response; everything else must be the same.
        return response.content.decode().split('name="csrfmiddlewaretoken"')[0]

    assert known.status_code == unknown.status_code == inactive.status_code == 200
    assert "Enter a correct username and password" in known.content.decode()
    assert body(known) == body(unknown) == body(inactive)


def test_sign_out_is_audited_and_ends_the_session(people: People) -> None:
    client = client_for(people.chair)

    response = client.post("/sign-out/")

    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert AuditEntry.objects.filter(event=AuditEvent.SIGN_OUT, actor=people.chair).count() == 1
    assert client.get("/").status_code == 302


def test_sign_out_by_get_is_refused(people: People) -> None:
    client = client_for(people.chair)

    assert client.get("/sign-out/").status_code == 405
    assert client.get("/").status_code == 200


def test_empty_sign_in_form_shows_field_errors(people: People) -> None:
    response = _sign_in(Client(), "", "")

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "Enter your username" in content
    assert "Enter your password" in content
    assert "<title>Error: Sign in" in content
    assert not AuditEntry.objects.filter(event=AuditEvent.SIGN_IN).exists()


def test_sign_in_goes_back_to_the_page_asked_for(people: People) -> None:
    response = Client().post("/sign-in/", {"username": "coordinator", "password": PASSWORD, "next": "/agencies/"})

    assert response["Location"] == "/agencies/"


def test_sign_in_never_redirects_off_site(people: People) -> None:
    response = Client().post(
        "/sign-in/", {"username": "coordinator", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_address_behind_one_trusted_proxy_is_the_one_the_proxy_saw(people: People) -> None:
    client = Client(REMOTE_ADDR="10.0.0.2")

    _sign_in(client, "coordinator", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.50")

    assert AuditEntry.objects.get(event=AuditEvent.SIGN_IN).remote_addr == "203.0.113.50"


def test_forwarded_for_header_is_ignored_without_a_trusted_proxy(people: People) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")

    _sign_in(client, "coordinator", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert AuditEntry.objects.get(event=AuditEvent.SIGN_IN).remote_addr == "203.0.113.7"
